package meeting_test

import (
	"strings"

	"github.com/phonghop/phonghop/server/meeting"
)

// The congress floor in the fuzz harness (docs/congress.md): its seeds join
// commandSeeds, floorSetup gives the live fixture a draft open for
// opinions, an opinion, two tổ (one sitting) and a contribution, and
// floorFixtures are a tổ's sitting before and after it is linked.

func init() {
	for name, seeds := range floorSeeds {
		commandSeeds[name] = seeds
	}
}

// floorSeeds are the seeds of the floor's commands, each accepted on some
// fixture by some actor (TestCommandSeedsCoverEveryCommand).
var floorSeeds = map[string][]string{
	"draft.open": {`{"document":"{doc}","sections":[{"id":"m1","label":"I.","title":"Đánh giá nhiệm kỳ","level":1},{"id":"m2","title":"Phương hướng","level":1}],"deadline":"2027-01-01T00:00:00Z","readers":["{d1}"]}`,
		`{"document":"{doc}","sections":[],"deadline":"2027-01-01T00:00:00Z","anonymous":true}`},
	"draft.update": {`{"document":"{draft}","deadline":"2027-01-02T00:00:00Z"}`, `{"document":"{draft}","add_readers":["{d2}"]}`, `{"document":"{draft}","close":true}`},
	"draft.revise": {`{"document":"{draft}","sections":[{"id":"m1","title":"Đánh giá nhiệm kỳ","level":1},{"id":"m3","title":"Tổ chức thực hiện","level":2}]}`},
	"opinion.give": {`{"draft":"{draft}","section":"m1","kind":"partial","text":"Đề nghị bổ sung chỉ tiêu.","key":"f1"}`,
		`{"draft":"{draft}","kind":"agree","key":"f2"}`, `{"draft":"{draft}","section":"m2","kind":"disagree","text":"Chưa rõ giải pháp.","key":"f3"}`},
	"opinion.withdraw": {`{"draft":"{draft}","section":"m2"}`},
	"group.define": {`{"name":"Tổ 3","members":["{d1}","{nonvoting}"],"leader":"{d1}","secretary":"{nonvoting}"}`,
		`{"id":"{group}","name":"Tổ 1","members":["{d2}","{d3}","{d1}"],"leader":"{d2}","deputy":"{d1}","secretary":"{d3}"}`},
	"group.remove": {`{"id":"{group}"}`},
	"group.sit":    {`{"group":"{group}"}`},
	"group.rise":   {`{"group":"{group:sitting}"}`},
	"sitting.link": {`{"parent":"m1","congress":"Đại hội đại biểu","group":"g9","name":"Tổ 1","number":1,"leader":"p901","secretary":"p902",
		"drafts":[{"document":"d14","title":"Dự thảo Báo cáo chính trị","sections":[{"id":"m1","title":"Đánh giá nhiệm kỳ","level":1}]}],
		"members":[{"id":"p901","name":"Nguyễn Văn An"},{"id":"p902","name":"Trần Thị Bình"},{"id":"p903","name":"Lê Văn Cường"}]}`},
	"sitting.note": {`{"text":"Đồng chí An đề nghị bổ sung chỉ tiêu.","draft":"d14","section":"m1","speaker":"p901"}`, `{"text":"Tổ thống nhất cao."}`},
	"sitting.summary": {`{"drafts":[{"document":"d14","title":"Dự thảo Báo cáo chính trị","sections":[{"id":"m1","title":"Đánh giá nhiệm kỳ","level":1}],
		"counts":[{"section":"m1","agree":2,"partial":1}],"opinions":3}]}`},
	"contribution.register": {`{"participant":"{d1}","title":"Về chuyển đổi số","file":{"sha256":"` + strings.Repeat("c3", 32) + `","size":20480,"content_type":"application/pdf","name":"tham-luan.pdf"}}`},
	"contribution.schedule": {`{"id":"{contribution}","item":"{i2}"}`, `{"id":"{contribution}"}`},
	"contribution.withdraw": {`{"id":"{contribution}"}`},
}

// floorSetup opens {doc} for opinions as {draft}, gives d1's opinion on
// its section m2, defines {group} (d2, d3) and {group:sitting} (the chair
// and d4, sitting), and registers d1's contribution {contribution}. The
// meeting is open.
func floorSetup(b *fuzzBuilder) {
	b.run(fuzzSecretary, "draft.open", `{"document":"{doc}","sections":[{"id":"m1","title":"Đánh giá nhiệm kỳ","level":1},{"id":"m2","title":"Phương hướng","level":1}],"deadline":"2027-01-01T00:00:00Z","readers":["{chair}"]}`)
	b.ids["draft"] = b.ids["doc"]
	b.run(b.participant("d1", meeting.RoleDelegate), "opinion.give", `{"draft":"{draft}","section":"m2","kind":"agree","key":"s1"}`)
	e := b.run(fuzzSecretary, "group.define", `{"name":"Tổ 1","members":["{d2}","{d3}"],"leader":"{d2}","secretary":"{d3}"}`)
	b.ids["group"] = idOf("g", e[0])
	e = b.run(fuzzSecretary, "group.define", `{"name":"Tổ 2","members":["{chair}","{d4}"],"leader":"{chair}","secretary":"{d4}"}`)
	b.ids["group:sitting"] = idOf("g", e[0])
	b.run(fuzzSecretary, "group.sit", `{"group":"{group:sitting}"}`)
	e = b.run(fuzzSystem, "contribution.register", `{"participant":"{d1}","title":"Về công tác cán bộ","file":{"sha256":"`+strings.Repeat("d4", 32)+`","size":10240,"content_type":"application/pdf","name":"tham-luan.pdf"}}`)
	for _, x := range e {
		if x.Type == meeting.EventContributionRegistered {
			b.ids["contribution"] = idOf("t", x)
		}
	}
}

// floorFixtures are a tổ's sitting: created and not yet linked, then
// linked to its congress (three members, a draft) and open.
func floorFixtures() []*fuzzFixture {
	b := newFuzzBuilder()
	b.run(fuzzSecretary, "meeting.create", `{"title":"Tổ 1 — phiên thảo luận 1","organization":"Đại hội đại biểu","place":"Phòng 2","starts_at":"2026-12-07T14:00:00+07:00"}`)
	fresh := b.fixture("sitting-new")
	b.run(fuzzSystem, "sitting.link", floorSeeds["sitting.link"][0])
	b.run(fuzzSecretary, "meeting.open", `{}`)
	return []*fuzzFixture{fresh, b.fixture("sitting")}
}
