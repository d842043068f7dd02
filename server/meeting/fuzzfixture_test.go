package meeting_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// Fixtures of the fuzz targets (fuzz_test.go). They live in the external
// test package and use only the exported API and the wire format (JSON
// payloads through ParseCommand), so they follow the protocol as a client
// sends it and do not depend on the internal tests' helpers.

// fuzzT0 is 08:00 in Hà Nội on the day of the fuzz fixture meeting.
var fuzzT0 = time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)

// fuzzNow is the clock of the fixtures: one minute per event.
func fuzzNow(s *meeting.State) time.Time { return fuzzT0.Add(time.Duration(s.Seq) * time.Minute) }

// fuzzFixture is a meeting in some phase: its log and the state folded
// from it, plus the actors who may act on it.
type fuzzFixture struct {
	name  string
	log   []meeting.Event
	state *meeting.State
	// actors, by role, with the participant IDs of this meeting.
	actors []meeting.Actor
	// viewers are fuzzViewers with this meeting's participant IDs, and
	// replicas their folds of the log (each event, or its placeholder
	// outside its audience).
	viewers  []meeting.Viewer
	replicas []*meeting.State
	// ids maps fixture names ("chair", "d1", "poll:election", …) to IDs.
	ids map[string]string
}

// fuzzBuilder runs wire commands on a new meeting "m1".
type fuzzBuilder struct {
	s   *meeting.State
	log []meeting.Event
	ids map[string]string
}

func newFuzzBuilder() *fuzzBuilder {
	return &fuzzBuilder{s: &meeting.State{ID: "m1"}, ids: map[string]string{}}
}

var (
	fuzzSecretary = meeting.Actor{ID: "account:thuky", Role: meeting.RoleSecretary}
	fuzzSystem    = meeting.Actor{ID: "system", Role: meeting.RoleSystem}
	fuzzUploader  = meeting.Actor{ID: "account:thuky", Role: meeting.RoleSystem}
)

// participant returns the actor of fixture participant key ("chair", "d1").
func (b *fuzzBuilder) participant(key string, r meeting.Role) meeting.Actor {
	id := b.ids[key]
	// Station: the device session the web layer names (paper entry, paper.go).
	return meeting.Actor{ID: "participant:" + id, Role: r, Participant: id, Station: "st-" + key}
}

// run gives the command name with JSON data (fmt verbs expanded with
// the fixture's IDs: {chair} is the chair's participant ID) as actor a.
func (b *fuzzBuilder) run(a meeting.Actor, name, data string) []meeting.Event {
	for k, v := range b.ids {
		data = strings.ReplaceAll(data, "{"+k+"}", v)
	}
	c, err := meeting.ParseCommand(name, json.RawMessage(data))
	if err != nil {
		panic(fmt.Sprintf("fixture: ParseCommand(%s, %s): %v", name, data, err))
	}
	events, err := meeting.Decide(b.s, a, c, fuzzNow(b.s))
	if err != nil {
		panic(fmt.Sprintf("fixture: %s %s: %v", name, data, err))
	}
	for _, e := range events {
		if err := meeting.Apply(b.s, e); err != nil {
			panic(fmt.Sprintf("fixture: Apply(%s): %v", e.Type, err))
		}
	}
	b.log = append(b.log, events...)
	return events
}

// fixture snapshots the builder.
func (b *fuzzBuilder) fixture(name string) *fuzzFixture {
	ids := map[string]string{}
	for k, v := range b.ids {
		ids[k] = v
	}
	f := &fuzzFixture{name: name, log: append([]meeting.Event(nil), b.log...), state: b.s.Clone(), ids: ids,
		actors: []meeting.Actor{fuzzSecretary, fuzzSystem, fuzzUploader}}
	if _, ok := ids["chair"]; ok {
		f.actors = append(f.actors, b.participant("chair", meeting.RoleChair), b.participant("d1", meeting.RoleDelegate),
			b.participant("d2", meeting.RoleDelegate), b.participant("d4", meeting.RoleDelegate), b.participant("nonvoting", meeting.RoleDelegate),
			b.participant("observer", meeting.RoleObserver), b.participant("hall", meeting.RoleHall))
		if _, ok := ids["tech"]; ok {
			f.actors = append(f.actors, b.participant("tech", meeting.RoleTechnician))
		}
	}
	// An outsider: a delegate's role with an ID that is not in the meeting.
	f.actors = append(f.actors, meeting.Actor{ID: "participant:p999", Role: meeting.RoleDelegate, Participant: "p999"})
	for _, v := range fuzzViewers {
		v.Participant = ids[v.Participant]
		r, err := meeting.ReplayFor(f.log, v)
		if err != nil {
			panic(fmt.Sprintf("fixture %s: replica of %+v: %v", name, v, err))
		}
		f.viewers, f.replicas = append(f.viewers, v), append(f.replicas, r)
	}
	return f
}

// fuzzFixtures are, in order: a meeting not yet created; a draft with an
// agenda, participants, a document and a draft poll; the same meeting in
// session (quorate, an item current, speakers queued and one speaking, a
// document presented, a support request, a poll of every kind open, some
// votes recorded); the same paused; with every poll closed or cancelled;
// closed with published results and
// a conclusion; and with its minutes finalised.
var fuzzFixtures = sync.OnceValue(func() []*fuzzFixture {
	b := newFuzzBuilder()
	empty := b.fixture("new")

	b.run(fuzzSecretary, "meeting.create", `{"title":"Hội nghị Ban Chấp hành mở rộng","organization":"Đảng ủy Khối","place":"Hội trường A","starts_at":"2026-12-07T08:00:00+07:00"}`)
	for i, title := range []string{"Khai mạc", "Báo cáo kiểm điểm", "Bầu cử", "Bế mạc"} {
		e := b.run(fuzzSecretary, "agenda.add", fmt.Sprintf(`{"title":%q}`, title))
		b.ids[fmt.Sprintf("i%d", i+1)] = idOf("i", e[0])
	}
	events := b.run(fuzzSecretary, "participant.import", `{"rows":[
		{"name":"Nguyễn Văn An","position":"Bí thư","role":"chair"},
		{"name":"Trần Thị Bình","unit":"Phòng Tổng hợp","role":"delegate"},
		{"name":"Lê Văn Cường","role":"delegate"},
		{"name":"Phạm Thu Dung","role":"delegate"},
		{"name":"Hoàng Minh Em","role":"delegate"},
		{"name":"Vũ Thị Giang","role":"delegate","non_voting":true},
		{"name":"Đỗ Quang Hải","role":"observer"},
		{"name":"Màn hình hội trường","role":"hall"}]}`)
	for i, key := range []string{"chair", "d1", "d2", "d3", "d4", "nonvoting", "observer", "hall"} {
		b.ids[key] = idOf("p", events[i])
	}
	b.run(fuzzSecretary, "meeting.configure", `{"sites":["Điểm cầu Hải Phòng"]}`)
	e := b.run(fuzzUploader, "document.add", `{"title":"Báo cáo kiểm điểm","access":"delegates","publish":true,"item":"{i2}",
		"file":{"sha256":"`+strings.Repeat("a1", 32)+`","size":48213,"content_type":"application/pdf","name":"Báo cáo.pdf"}}`)
	b.ids["doc"] = idOf("d", e[0])
	e = b.run(fuzzUploader, "document.add", `{"title":"Danh sách mật","access":"named","readers":["{d1}"],
		"file":{"sha256":"`+strings.Repeat("b2", 32)+`","size":9120,"content_type":"application/pdf","name":"Mật.pdf"}}`)
	b.ids["secretdoc"] = idOf("d", e[0])
	e = b.run(fuzzSecretary, "poll.create", `{"question":"Thông qua chương trình","kind":"open"}`)
	b.ids["poll:draft"] = idOf("v", e[0])
	draft := b.fixture("draft")

	b.run(fuzzSecretary, "meeting.open", `{}`)
	for _, key := range []string{"chair", "d1", "d2", "d3", "nonvoting", "observer"} {
		b.run(fuzzSecretary, "attendance.mark", `{"participant":"{`+key+`}","status":"present"}`)
	}
	// d4 has not arrived yet.
	b.run(fuzzSecretary, "agenda.current", `{"id":"{i2}"}`)
	b.run(fuzzSecretary, "document.present", `{"document_id":"{doc}","version":1,"page":1}`)
	e = b.run(b.participant("d1", meeting.RoleDelegate), "speaker.request", `{"topic":"Về báo cáo"}`)
	b.ids["request1"] = idOf("r", e[0])
	e = b.run(fuzzSecretary, "speaker.add", `{"participant":"{d2}"}`)
	b.ids["request2"] = idOf("r", e[0])
	b.run(fuzzSecretary, "speaker.give_floor", `{}`)
	e = b.run(fuzzSecretary, "speaker.add", `{"participant":"{d3}"}`)
	b.ids["request3"] = idOf("r", e[0])
	e = b.run(b.participant("d2", meeting.RoleDelegate), "support.request", `{"message":"Micro không hoạt động"}`)
	b.ids["support"] = idOf("h", e[0])
	b.run(fuzzSecretary, "speaker.close_list", `{"item":"{i3}"}`)
	// Polls of every kind, opened under the meeting's rules of the moment
	// (rules, a setting given, are frozen into a poll when it opens).
	polls := []struct{ key, spec, rules string }{
		{"open", `{"question":"Thông qua báo cáo","kind":"open","item":"{i2}"}`, ""},
		{"secret", `{"question":"Kết nạp đảng viên","kind":"secret","base":"valid","threshold":{"num":2,"den":3,"at_least":true}}`, ""},
		{"election", `{"question":"Bầu Ban Thường vụ","kind":"election","seats":2,"candidates":[{"participant":"{d1}"},{"participant":"{d2}","born":"1971-02-03"},{"name":"Bùi Ngọc Khánh","born":"1968-11-30"}]}`,
			`{"tie_rule":"elder"}`},
		{"election-lenient", `{"question":"Bầu Ủy ban Kiểm tra","kind":"election","seats":1,"base":"present","uncapped":true,"candidates":[{"name":"Đinh Văn Phúc","born":"1975-05-05"},{"name":"Mai Thị Quyên","born":"1975-05-05"},{"name":"Tạ Văn Sơn"}]}`,
			`{"tie_rule":"elder","empty_election_ballot_invalid":false}`},
		{"election-nosurplus", `{"question":"Bầu Bí thư","kind":"election","seats":2,"candidates":[{"participant":"{chair}"},{"name":"Hồ Thị Lâm"}]}`, ""},
		{"election-single", `{"question":"Bầu Phó Bí thư","kind":"election","seats":1,"base":"cast","candidates":[{"participant":"{d3}"}]}`, ""},
		{"review", `{"question":"Xếp loại đảng viên","kind":"rating","scale":"review","subjects":[{"participant":"{d1}"},{"participant":"{d2}"},{"participant":"{d3}"}]}`, ""},
		{"review-valid", `{"question":"Xếp loại tập thể","kind":"rating","scale":"review","base":"valid","threshold":{"num":2,"den":3,"at_least":true},"subjects":[{"name":"Ban Thường vụ"}]}`,
			`{"excellent_cap":{"enabled":true,"percent":50}}`},
		{"confidence", `{"question":"Lấy phiếu tín nhiệm","kind":"rating","scale":"confidence","base":"summoned","subjects":[{"participant":"{chair}"},{"name":"Đồng chí Phó Bí thư"}]}`, ""},
	}
	for _, p := range polls {
		e := b.run(fuzzSecretary, "poll.create", p.spec)
		b.ids["poll:"+p.key] = idOf("v", e[0])
		if p.rules != "" {
			b.run(fuzzSecretary, "meeting.configure", p.rules)
		}
		b.run(fuzzSecretary, "poll.open", `{"id":"{poll:`+p.key+`}"}`)
		if p.rules != "" {
			b.run(fuzzSecretary, "meeting.configure", `{"tie_rule":"revote","empty_election_ballot_invalid":true,"excellent_cap":{"enabled":true,"percent":20}}`)
		}
	}
	b.run(fuzzSystem, "poll.record_votes", `{"poll":"{poll:open}","votes":[{"participant":"{chair}","ballot":{"choice":"agree"}},{"participant":"{d3}","ballot":{"spoiled":true}}]}`)
	b.run(fuzzSystem, "poll.record_votes", `{"poll":"{poll:secret}","votes":[{"participant":"{chair}"}]}`)
	// Paper counting (docs/paper.md): the counting committee d1, d2
	// approved by show of hands, a technician named, a paper election open
	// (two entries per ballot) with its counts recorded, bundle 1 keyed
	// twice with a difference, bundle 2 being keyed by d1.
	b.run(fuzzSecretary, "body.propose", `{"kind":"counting","members":[{"participant":"{d1}","post":"Trưởng ban"},{"participant":"{d2}"}]}`)
	e = b.run(fuzzSecretary, "poll.create", `{"question":"Thông qua danh sách Ban Kiểm phiếu","kind":"open","body":"counting","base":"cast"}`)
	b.ids["poll:body"] = idOf("v", e[0])
	b.run(fuzzSecretary, "poll.open", `{"id":"{poll:body}"}`)
	b.run(fuzzSystem, "poll.record_votes", `{"poll":"{poll:body}","votes":[{"participant":"{d1}","ballot":{"choice":"agree"}},{"participant":"{d2}","ballot":{"choice":"agree"}}]}`)
	b.run(fuzzSecretary, "poll.close", `{"id":"{poll:body}"}`)
	b.run(fuzzSecretary, "poll.publish", `{"id":"{poll:body}"}`)
	e = b.run(fuzzSecretary, "participant.add", `{"name":"Kỹ thuật viên Lò Văn Tính","role":"technician"}`)
	b.ids["tech"] = idOf("p", e[0])
	b.run(b.participant("d1", meeting.RoleDelegate), "paper.technicians", `{"participants":["{tech}"]}`)
	e = b.run(fuzzSecretary, "poll.create", `{"question":"Bầu Ban Chấp hành (phiếu giấy)","kind":"election","seats":2,"paper":true,"candidates":[{"name":"Lý Văn Tâm"},{"name":"Cao Thị Uyên"},{"name":"Kiều Văn Vinh"}]}`)
	b.ids["poll:paper"] = idOf("v", e[0])
	b.run(fuzzSecretary, "meeting.configure", `{"paper_entries":2}`)
	b.run(fuzzSecretary, "poll.open", `{"id":"{poll:paper}"}`)
	b.run(fuzzSecretary, "meeting.configure", `{"paper_entries":3}`)
	b.run(b.participant("d1", meeting.RoleDelegate), "paper.record_counts", `{"poll":"{poll:paper}","issued":4,"returned":4}`)
	for key, struck := range map[string]string{"d2": "1", "tech": "2"} {
		role := meeting.RoleDelegate
		if key == "tech" {
			role = meeting.RoleTechnician
		}
		b.run(b.participant(key, role), "paper.enter", `{"poll":"{poll:paper}","bundle":1,"position":1,"marks":{"struck":[`+struck+`]}}`)
		b.run(b.participant(key, role), "paper.finish", `{"poll":"{poll:paper}","bundle":1,"count":1}`)
	}
	b.run(b.participant("d1", meeting.RoleDelegate), "paper.enter", `{"poll":"{poll:paper}","bundle":2,"position":1,"marks":{"struck":[3]}}`)
	floorSetup(b) // the congress floor (fuzzfloor_test.go)
	live := b.fixture("live")

	b.run(fuzzSecretary, "meeting.pause", `{}`)
	paused := b.fixture("paused")
	b.run(fuzzSecretary, "meeting.resume", `{}`)

	b.run(fuzzSecretary, "speaker.end", `{}`)
	b.run(fuzzSecretary, "poll.close", `{"id":"{poll:open}"}`)
	// Secret polls are closed by the server with the ballot box's ballots
	// (not a wire field): cancel them.
	for _, p := range polls[1:] {
		b.run(fuzzSecretary, "poll.cancel", `{"id":"{poll:`+p.key+`}","reason":"Sai danh sách"}`)
	}
	b.run(fuzzSecretary, "poll.cancel", `{"id":"{poll:paper}","reason":"Sai danh sách"}`)
	wrapup := b.fixture("wrapup")
	b.run(fuzzSecretary, "poll.publish", `{"id":"{poll:open}"}`)
	b.run(fuzzSecretary, "minutes.conclude", `{"item_id":"{i2}","text":"Hội nghị thống nhất thông qua báo cáo."}`)
	b.run(fuzzSecretary, "meeting.close", `{}`)
	closed := b.fixture("closed")
	b.run(fuzzSecretary, "minutes.finalize", `{"number":"01-BB/ĐU","layout":"party"}`)
	final := b.fixture("finalized")
	return append([]*fuzzFixture{empty, draft, live, paused, wrapup, closed, final}, floorFixtures()...)
})

// idOf returns the ID event e gave to what it created: prefix and e's
// sequence number ("i12", "p3", "v15"; see meeting.State).
func idOf(prefix string, e meeting.Event) string { return fmt.Sprintf("%s%d", prefix, e.Seq) }
