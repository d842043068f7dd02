package meeting_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/phonghop/phonghop/server/meeting"
)

// commandSeeds are, for every command, payloads a client could send, with
// fixture IDs in braces ({d1}, {poll:election}, …; see fuzzFixtures). The
// fuzzer starts from them (and from testdata/fuzz/FuzzCommand); a test
// fails when a command has none.
var commandSeeds = map[string][]string{
	"meeting.create":     {`{"title":"Hội nghị","organization":"Chi bộ","place":"Phòng họp","starts_at":"2026-12-07T08:00:00+07:00","chair":"Nguyễn Văn An","secretary":"Lê Thị Hoa"}`},
	"meeting.update":     {`{"title":"Hội nghị (sửa)","place":"Hội trường B"}`},
	"meeting.open":       {`{}`},
	"meeting.pause":      {`null`},
	"meeting.resume":     {``},
	"meeting.close":      {`{}`},
	"agenda.add":         {`{"title":"Mục mới","presenter":"Đồng chí Bí thư","position":2}`},
	"agenda.rename":      {`{"id":"{i1}","title":"Khai mạc hội nghị","presenter":"Chủ tọa"}`},
	"agenda.move":        {`{"id":"{i1}","position":3}`},
	"agenda.remove":      {`{"id":"{i4}"}`},
	"agenda.done":        {`{"id":"{i1}","done":true}`},
	"agenda.current":     {`{"id":"{i3}"}`},
	"agenda.advance":     {`{}`},
	"participant.add":    {`{"name":"Hoàng Văn Em","position":"Ủy viên","unit":"Ban Tổ chức","role":"delegate","non_voting":true}`},
	"participant.import": {`{"rows":[{"name":"Hoàng Văn Em","role":""},{"name":"Nguyễn Thị Huệ","role":"observer"}]}`},
	"participant.update": {`{"id":"{d1}","name":"Trần Thị Bình An","role":"delegate"}`},
	"participant.remove": {`{"id":"{d4}"}`},
	"participant.paired": {`{"id":"{d1}"}`},
	"notice.send":        {`{"text":"Đề nghị các đồng chí về chỗ ngồi.","to":"{d2}"}`},

	"meeting.configure":           {`{"sites":["Điểm cầu Hải Phòng","Điểm cầu Đà Nẵng"],"quorum":{"num":1,"den":2,"base":"summoned"},"late_grace_seconds":600,"speaking_seconds":300,"tie_rule":"elder","excellent_cap":{"enabled":true,"percent":20},"empty_election_ballot_invalid":false}`},
	"attendance.check_in":         {`{"status":"remote","site":"Điểm cầu Hải Phòng"}`, `{}`},
	"attendance.mark":             {`{"participant":"{d4}","status":"excused","reason":"Đi công tác"}`, `{"participant":"{d4}","status":"present","late":true}`},
	"attendance.check_out":        {`{"participant":"{d1}"}`},
	"attendance.mark_all_present": {`{}`},
	"body.propose": {`{"kind":"counting","members":[{"participant":"{d1}","post":"Trưởng ban"},{"participant":"{d2}","post":"Ủy viên"}]}`,
		`{"kind":"presidium","members":[{"participant":"{chair}","post":"Chủ tịch"}]}`},
	"speaker.request":     {`{"kind":"point_of_order","topic":"Về thủ tục"}`},
	"speaker.withdraw":    {`{"id":"{request3}"}`},
	"speaker.reorder":     {`{"id":"{request3}","position":1}`},
	"speaker.add":         {`{"participant":"{chair}","item":"{i2}","kind":"reply","topic":"Trả lời","position":1}`},
	"speaker.give_floor":  {`{"id":"{request3}"}`},
	"speaker.end":         {`{}`},
	"speaker.close_list":  {`{}`},
	"speaker.reopen_list": {`{"item":"{i3}"}`},
	"speaker.timer":       {`{"action":"add","seconds":60}`, `{"action":"pause"}`},
	"speaker.set_limit":   {`{"item":"{i2}","seconds":180}`, `{"current":true,"seconds":120}`},
	"poll.create": {
		`{"question":"Bầu","kind":"election","seats":1,"candidates":[{"participant":"{d1}"},{"name":"Hồ Văn Nam","born":"1970-01-02"}],"base":"summoned","threshold":{"num":1,"den":2}}`,
		`{"question":"Xếp loại","kind":"rating","scale":"review","subjects":[{"participant":"{d1}"}],"base":"cast"}`,
	},
	"poll.update":       {`{"id":"{poll:draft}","question":"Thông qua chương trình (sửa)","kind":"secret","item":"{i1}","base":"present","threshold":{"num":2,"den":3,"at_least":true}}`},
	"poll.open":         {`{"id":"{poll:draft}","override_quorum":true}`},
	"poll.close":        {`{"id":"{poll:open}"}`},
	"poll.publish":      {`{"id":"{poll:open}"}`},
	"poll.cancel":       {`{"id":"{poll:election}","reason":"Sai danh sách"}`},
	"poll.revote":       {`{"id":"{poll:election}","keep":["c1","c2"],"seats":1,"question":"Bầu lại"}`},
	"poll.record_votes": {`{"poll":"{poll:open}","votes":[{"participant":"{d1}","ballot":{"choice":"disagree"}},{"participant":"{d2}","ballot":{"choice":"abstain"}}]}`, `{"poll":"{poll:election}","votes":[{"participant":"{d1}"}]}`},

	"document.add":              {`{"title":"Dự thảo","access":"named","readers":["{d1}"],"publish":true,"file":{"sha256":"` + strings.Repeat("c3", 32) + `","size":9120,"content_type":"application/vnd.openxmlformats-officedocument.wordprocessingml.document","name":"Dự thảo.docx"},"note":"Bản đầu"}`},
	"document.add_version":      {`{"id":"{doc}","file":{"sha256":"` + strings.Repeat("d4", 32) + `","size":50110,"content_type":"application/pdf","name":"Báo cáo (sửa).pdf"},"note":"Sửa số liệu"}`},
	"document.update":           {`{"id":"{doc}","title":"Báo cáo (sửa)","access":"public","item":"{i3}"}`},
	"document.publish":          {`{"id":"{secretdoc}"}`},
	"document.withdraw":         {`{"id":"{doc}"}`},
	"document.record_downloads": {`{"downloads":[{"document":"{doc}","version":1,"by":"participant:{d1}","participant":"{d1}"}]}`},

	"minutes.conclude": {`{"item_id":"{i3}","text":"Hội nghị thống nhất."}`},
	"minutes.finalize": {`{"number":"01-BB/ĐU","layout":"state","place_date":"Hà Nội, ngày 7 tháng 12 năm 2026","superior":"ĐẢNG BỘ KHỐI"}`},
	"minutes.correct":  {`{"text":"Sửa tên người phát biểu.","reason":"Ghi nhầm."}`},
	"document.present": {`{"document_id":"{doc}","version":1,"page":3}`, `{"document_id":""}`},

	"support.request": {`{"message":"Máy tính bảng không sáng"}`},
	"support.resolve": {`{"id":"{support}"}`},

	// Paper counting (paper.go, docs/paper.md): every form of marks.
	"paper.technicians":   {`{"participants":["{tech}"]}`, `{"participants":[]}`},
	"paper.record_counts": {`{"poll":"{poll:paper}","issued":4,"returned":3}`},
	"paper.enter": {`{"poll":"{poll:paper}","bundle":2,"position":2,"marks":{"struck":[1,2]}}`,
		`{"poll":"{poll:paper}","bundle":3,"position":1,"marks":{"void":"unstamped"}}`},
	"paper.undo":   {`{"poll":"{poll:paper}","bundle":2,"position":1}`},
	"paper.finish": {`{"poll":"{poll:paper}","bundle":2,"count":1}`},
	"paper.decide": {`{"poll":"{poll:paper}","bundle":1,"position":1,"marks":{"struck":[3]},"note":"Đối chiếu phiếu gốc"}`,
		`{"poll":"{poll:paper}","bundle":1,"position":1,"absent":true,"note":"Nhập thừa"}`},
}

// expand replaces {key} by the fixture's ID.
func (f *fuzzFixture) expand(data string) string {
	for k, v := range f.ids {
		data = strings.ReplaceAll(data, "{"+k+"}", v)
	}
	return data
}

// TestCommandSeedsCoverEveryCommand fails when a command is added without
// fuzz seeds (the fuzzer would rarely find its name by mutation).
func TestCommandSeedsCoverEveryCommand(t *testing.T) {
	for _, name := range meeting.CommandNames() {
		if len(commandSeeds[name]) == 0 {
			t.Errorf("command %s has no seed in commandSeeds", name)
		}
	}
	for name := range commandSeeds {
		if !slices.Contains(meeting.CommandNames(), name) {
			t.Errorf("commandSeeds has %s, which is not a command", name)
		}
	}
	// Every seed parses, and is accepted by Decide on some fixture by
	// some actor: the seeds reach past validation into the rules.
	for name, seeds := range commandSeeds {
		for _, seed := range seeds {
			accepted := false
			var why []string
			for _, f := range fuzzFixtures() {
				c, err := meeting.ParseCommand(name, json.RawMessage(f.expand(seed)))
				if err != nil {
					t.Fatalf("seed %s %s: %v", name, seed, err)
				}
				for _, a := range f.actors {
					if _, err := meeting.Decide(f.state.Clone(), a, c, fuzzNow(f.state)); err == nil {
						accepted = true
					} else if a.Role.Staff() || a.Role == meeting.RoleDelegate {
						why = append(why, f.name+"/"+a.ID+": "+err.Error())
					}
				}
			}
			if !accepted {
				t.Errorf("seed %s %s is refused on every fixture by every actor:\n%s", name, seed, strings.Join(why, "\n"))
			}
		}
	}
}

// FuzzCommand sends a command as a client would — any name, any JSON data,
// by any actor, on a meeting in any phase — and checks that nothing it
// sends can crash the domain, corrupt its state or skew the record:
//
//   - ParseCommand refuses bad data with an Invalid error (a message in
//     Vietnamese and English, valid UTF-8), never a panic;
//   - Decide answers with a domain error of a client kind (never Internal)
//     and leaves the state untouched, or with events that are sealed
//     (numbered, hash-chained), that Apply accepts, whose payloads decode,
//     that survive a JSON round trip (as through the event log) with the
//     same hash and the same effect, and that every viewer's replica folds
//     (the event or its placeholder) to exactly View(state, viewer);
//   - replaying the whole log rebuilds the live state.
func FuzzCommand(f *testing.F) {
	fixtures := fuzzFixtures()
	for name, seeds := range commandSeeds {
		for _, seed := range seeds {
			// By the secretary and, by turns, the system, the uploader or
			// the chair, on every fixture (enough to reach past the
			// permission check; the fuzzer varies the actor).
			for fi, fx := range fixtures {
				for _, ai := range []int{0, 1 + fi%3} {
					f.Add(name, []byte(fx.expand(seed)), uint8(fi), uint8(ai))
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, name string, data []byte, fix, actor uint8) {
		c, err := meeting.ParseCommand(name, data)
		if err != nil {
			checkDomainError(t, "ParseCommand", err, meeting.KindInvalid)
			return
		}
		if c.Name() != name {
			t.Fatalf("ParseCommand(%q).Name() = %q", name, c.Name())
		}
		fx := fixtures[int(fix)%len(fixtures)]
		a := fx.actors[int(actor)%len(fx.actors)]
		s := fx.state.Clone()
		events, err := meeting.Decide(s, a, c, fuzzNow(s))
		if !reflect.DeepEqual(s, fx.state) {
			t.Fatalf("Decide changed the state:\n%s", cmp.Diff(fx.state, s))
		}
		if err != nil {
			checkDomainError(t, "Decide", err, meeting.KindInvalid, meeting.KindNotFound, meeting.KindConflict, meeting.KindForbidden)
			return
		}
		checkEvents(t, fx, s, events)
	})
}

// checkDomainError fails unless err is a *meeting.Error of one of kinds
// with messages a user can read.
func checkDomainError(t *testing.T, where string, err error, kinds ...meeting.Kind) {
	t.Helper()
	var me *meeting.Error
	if !errors.As(err, &me) {
		t.Fatalf("%s = %T %v; want a *meeting.Error", where, err, err)
	}
	if !slices.Contains(kinds, me.Kind) {
		t.Fatalf("%s = %s error %v; want one of %v", where, me.Kind, err, kinds)
	}
	if strings.TrimSpace(me.Message) == "" || strings.TrimSpace(me.MessageEN) == "" {
		t.Fatalf("%s = %#v; want a Vietnamese and an English message", where, me)
	}
	if !utf8.ValidString(me.Message) || !utf8.ValidString(me.MessageEN) {
		t.Fatalf("%s: message %q / %q is not valid UTF-8", where, me.Message, me.MessageEN)
	}
	for _, p := range me.Problems {
		if !utf8.ValidString(p.Message) || !utf8.ValidString(p.MessageEN) || !utf8.ValidString(p.Field) {
			t.Fatalf("%s: problem %+v is not valid UTF-8", where, p)
		}
	}
}

// checkEvents checks the events Decide returned for state s (a clone of
// fx.state), then folds them into s.
func checkEvents(t *testing.T, fx *fuzzFixture, s *meeting.State, events []meeting.Event) {
	t.Helper()
	if n, err := meeting.VerifyChain(s.Seq, s.Head, events); err != nil {
		t.Fatalf("Decide's events do not chain on the state (event %d): %v", n, err)
	}
	replicas := make([]*meeting.State, len(fx.replicas))
	for i, r := range fx.replicas {
		replicas[i] = r.Clone()
	}
	roundTrip := s.Clone()
	for _, e := range events {
		if err := meeting.Apply(s, e); err != nil {
			t.Fatalf("Apply(%s %s) = %v; Decide's events must apply", e.Type, e.Data, err)
		}
		if _, err := e.Payload(); err != nil {
			t.Fatalf("Payload of %s %s: %v", e.Type, e.Data, err)
		}
		// Through the log: encoded and decoded, the event keeps its hash
		// and its effect.
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("encode %s: %v", e.Type, err)
		}
		var back meeting.Event
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("decode %s: %v", b, err)
		}
		if got := meeting.ComputeHash(back); got != e.Hash {
			t.Fatalf("event %s: hash after a JSON round trip = %s; sealed %s", b, got, e.Hash)
		}
		if err := meeting.Apply(roundTrip, back); err != nil {
			t.Fatalf("Apply(decoded %s) = %v", b, err)
		}
		for i, v := range fx.viewers {
			got := e.For(v, s)
			if err := meeting.Apply(replicas[i], got); err != nil {
				t.Fatalf("replica of %+v: Apply(%s) = %v", v, got.Type, err)
			}
		}
	}
	if !reflect.DeepEqual(roundTrip, s) {
		t.Fatalf("the events decoded from JSON fold to another state:\n%s", cmp.Diff(s, roundTrip))
	}
	for i, v := range fx.viewers {
		if view := meeting.View(s, v); !reflect.DeepEqual(view, replicas[i]) {
			t.Fatalf("replica of %+v differs from View (-view +replica):\n%s", v, cmp.Diff(view, replicas[i]))
		}
	}
	replayed, err := meeting.Replay(append(slices.Clone(fx.log), events...))
	if err != nil {
		t.Fatalf("Replay = %v", err)
	}
	if !reflect.DeepEqual(replayed, s) {
		t.Fatalf("Replay(log) differs from the live state:\n%s", cmp.Diff(s, replayed))
	}
}

// fuzzViewers are who replicas are kept for, by fixture participant key
// (see fuzzFixture.viewers): the secretariat, the chair, a delegate, a
// non-voting delegate, the observer and the hall screen.
var fuzzViewers = []meeting.Viewer{
	{Role: meeting.RoleSecretary},
	{Role: meeting.RoleChair, Participant: "chair"},
	{Role: meeting.RoleDelegate, Participant: "d1"},
	{Role: meeting.RoleDelegate, Participant: "nonvoting"},
	{Role: meeting.RoleObserver, Participant: "observer"},
	{Role: meeting.RoleHall, Participant: "hall"},
}
