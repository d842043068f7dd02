package meeting

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// ict is Indochina Time (UTC+7), the time zone of the people using the
// system. Decide must store instants in UTC whatever zone "now" is in.
var ict = time.FixedZone("ICT", 7*3600)

// Long and boundary texts, in runes of a Vietnamese letter that takes three
// bytes in UTF-8 (so a byte count would be wrong).
var (
	titleMax     = strings.Repeat("ệ", MaxTitle)
	titleTooLong = strings.Repeat("ệ", MaxTitle+1)
	nameMax      = strings.Repeat("ệ", MaxName)
	nameTooLong  = strings.Repeat("ệ", MaxName+1)
	noticeMax    = strings.Repeat("ệ", MaxNotice)
	noticeLong   = strings.Repeat("ệ", MaxNotice+1)
)

// wantEvent is an expected event: its type, decoded payload (nil for none)
// and audience. The envelope (meeting, seq, time, actor, chain) is checked
// for every event by the test itself.
type wantEvent struct {
	Type     string
	Data     any
	Audience Audience
}

// decideCase is one "given events / when command / then events or error".
type decideCase struct {
	name  string
	given []Command                 // run through Decide+Apply first; nil: meeting not created
	state func() *State             // instead of given: a prepared (large) state, fresh copy
	actor Actor                     // zero: the secretary
	when  Command                   // the command
	want  []wantEvent               // accepted: the events, in order
	err   Kind                      // rejected: the kind of error
	probs []Problem                 // rejected: Row and Field of each problem (nil: none)
	check func(*testing.T, []Event) // optional extra check of accepted events
}

func (tc decideCase) who() Actor {
	if tc.actor == (Actor{}) {
		return asSecretary
	}
	return tc.actor
}

func (tc decideCase) givenState(t testing.TB) *State {
	t.Helper()
	if tc.state != nil {
		return tc.state()
	}
	return given(t, tc.given...)
}

// expectedAllowed is the permission table as the specification states it,
// written out independently of decide.go's table.
var expectedAllowed = map[string][]Role{
	"meeting.create":     {RoleSecretary},
	"meeting.update":     {RoleSecretary},
	"meeting.open":       {RoleSecretary, RoleChair},
	"meeting.pause":      {RoleSecretary, RoleChair},
	"meeting.resume":     {RoleSecretary, RoleChair},
	"meeting.close":      {RoleSecretary, RoleChair},
	"agenda.add":         {RoleSecretary, RoleChair},
	"agenda.rename":      {RoleSecretary, RoleChair},
	"agenda.move":        {RoleSecretary, RoleChair},
	"agenda.remove":      {RoleSecretary, RoleChair},
	"agenda.done":        {RoleSecretary, RoleChair},
	"agenda.current":     {RoleSecretary, RoleChair},
	"agenda.advance":     {RoleSecretary, RoleChair},
	"participant.add":    {RoleSecretary},
	"participant.import": {RoleSecretary},
	"participant.update": {RoleSecretary},
	"participant.remove": {RoleSecretary},
	"participant.paired": {RoleSystem},
	"notice.send":        {RoleSecretary, RoleChair},

	"meeting.configure":    {RoleSecretary},
	"attendance.check_in":  {RoleSecretary, RoleChair, RoleDelegate},
	"attendance.mark":      {RoleSecretary, RoleChair},
	"attendance.check_out": {RoleSecretary, RoleChair, RoleDelegate},
	"speaker.request":      {RoleSecretary, RoleChair, RoleDelegate},
	"speaker.withdraw":     {RoleSecretary, RoleChair, RoleDelegate},
	"speaker.reorder":      {RoleSecretary, RoleChair},
	"speaker.add":          {RoleSecretary, RoleChair},
	"speaker.give_floor":   {RoleSecretary, RoleChair},
	"speaker.end":          {RoleSecretary, RoleChair, RoleDelegate},
	"speaker.close_list":   {RoleSecretary, RoleChair},
	"speaker.reopen_list":  {RoleSecretary, RoleChair},
	"speaker.timer":        {RoleSecretary, RoleChair},
	"speaker.set_limit":    {RoleSecretary, RoleChair},
	"poll.create":          {RoleSecretary, RoleChair},
	"poll.update":          {RoleSecretary, RoleChair},
	"poll.open":            {RoleSecretary, RoleChair},
	"poll.close":           {RoleSecretary, RoleChair},
	"poll.publish":         {RoleSecretary, RoleChair},
	"poll.cancel":          {RoleSecretary, RoleChair},
	"poll.revote":          {RoleSecretary, RoleChair},
	"poll.record_votes":    {RoleSystem},
}

// sampleCommand returns, for every command name, a command that is valid on
// the opened fixture meeting (used for the generated role, not-found and
// closed-meeting cases).
func sampleCommand(name string) Command {
	switch name {
	case "meeting.create":
		return &CreateMeeting{Details{Title: "Hội nghị"}}
	case "meeting.update":
		return &UpdateMeeting{Details{Title: "Hội nghị (sửa)"}}
	case "meeting.open":
		return &OpenMeeting{}
	case "meeting.pause":
		return &PauseMeeting{}
	case "meeting.resume":
		return &ResumeMeeting{}
	case "meeting.close":
		return &CloseMeeting{}
	case "agenda.add":
		return &AddItem{Title: "Mục mới"}
	case "agenda.rename":
		return &RenameItem{ID: "i2", Title: "Khai mạc hội nghị"}
	case "agenda.move":
		return &MoveItem{ID: "i2", Position: 2}
	case "agenda.remove":
		return &RemoveItem{ID: "i3"}
	case "agenda.done":
		return &SetItemDone{ID: "i2", Done: true}
	case "agenda.current":
		return &SetCurrentItem{ID: "i2"}
	case "agenda.advance":
		return &AdvanceAgenda{}
	case "participant.add":
		return &AddParticipant{NewParticipant{Name: "Hoàng Văn Em"}}
	case "participant.import":
		return &ImportParticipants{Rows: []NewParticipant{{Name: "Hoàng Văn Em"}}}
	case "participant.update":
		return &UpdateParticipant{ID: "p6", NewParticipant: NewParticipant{Name: "Trần Thị Bình An"}}
	case "participant.remove":
		return &RemoveParticipant{ID: "p7"}
	case "participant.paired":
		return &RecordPairing{ID: "p6"}
	case "notice.send":
		return &SendNotice{Text: "Thông báo"}
	}
	return sampleProcedure(name)
}

// Large prepared states, built once (through Decide+Apply) and copied per case.
var (
	agendaAlmostFull = sync.OnceValues(func() (*State, error) {
		c := created()
		for i := range MaxItems - 1 {
			c = append(c, &AddItem{Title: fmt.Sprintf("Mục %d", i+1)})
		}
		s, _, err := build(c...)
		return s, err
	})
	participantsAlmostFull = sync.OnceValues(func() (*State, error) {
		rows := make([]NewParticipant, MaxParticipants-1)
		for i := range rows {
			rows[i] = NewParticipant{Name: fmt.Sprintf("Đại biểu %d", i+1)}
		}
		s, _, err := build(cat(created(), cmds(&ImportParticipants{Rows: rows}))...)
		return s, err
	})
	noticesAlmostFull = sync.OnceValues(func() (*State, error) {
		c := created()
		for i := range MaxNotices - 1 {
			c = append(c, &SendNotice{Text: fmt.Sprintf("Thông báo %d", i+1)})
		}
		s, _, err := build(c...)
		return s, err
	})
)

// prepared returns a function giving a fresh copy of a prepared state, with
// more commands run on it.
func prepared(f func() (*State, error), more ...Command) func() *State {
	return func() *State {
		s, err := f()
		if err != nil {
			panic(err)
		}
		s = s.Clone()
		if _, err := runOn(s, more...); err != nil {
			panic(err)
		}
		return s
	}
}

// decideCases is the table of TestDecide; TestDecideErrors reuses it.
func decideCases() []decideCase {
	staff := Audience{Roles: []Role{RoleSecretary, RoleChair}}
	var cases []decideCase
	add := func(c ...decideCase) { cases = append(cases, c...) }

	// ---- meeting.create ----
	add(
		decideCase{name: "create/accepted, fields trimmed, start in UTC", when: &CreateMeeting{Details{
			Title: "  Hội nghị kiểm điểm năm 2025 ", Organization: " Chi bộ Văn phòng ", Place: "\tHội trường tầng 3\n",
			StartsAt: time.Date(2025, 12, 15, 8, 0, 0, 0, ict), Chair: " Đồng chí Nguyễn Văn An ", Secretary: " Đồng chí Trần Thị Bình ",
		}}, want: []wantEvent{{Type: EventMeetingCreated, Data: Details{
			Title: "Hội nghị kiểm điểm năm 2025", Organization: "Chi bộ Văn phòng", Place: "Hội trường tầng 3",
			StartsAt: time.Date(2025, 12, 15, 1, 0, 0, 0, time.UTC), Chair: "Đồng chí Nguyễn Văn An", Secretary: "Đồng chí Trần Thị Bình",
		}}}, check: func(t *testing.T, events []Event) {
			if want := `"starts_at":"2025-12-15T01:00:00Z"`; !strings.Contains(string(events[0].Data), want) {
				t.Errorf("meeting.created data = %s; want it to contain %s (start stored in UTC)", events[0].Data, want)
			}
		}},
		decideCase{name: "create/accepted, title only", when: &CreateMeeting{Details{Title: "Họp chi bộ"}},
			want: []wantEvent{{Type: EventMeetingCreated, Data: Details{Title: "Họp chi bộ"}}},
			check: func(t *testing.T, events []Event) {
				if got, want := string(events[0].Data), `{"title":"Họp chi bộ"}`; got != want {
					t.Errorf("meeting.created data = %s; want %s (empty fields omitted)", got, want)
				}
			}},
		decideCase{name: "create/accepted, lengths at the limits", when: &CreateMeeting{Details{Title: titleMax, Organization: titleMax, Place: titleMax, Chair: nameMax, Secretary: nameMax}},
			want: []wantEvent{{Type: EventMeetingCreated, Data: Details{Title: titleMax, Organization: titleMax, Place: titleMax, Chair: nameMax, Secretary: nameMax}}}},
		decideCase{name: "create/accepted, newline and tab inside", when: &CreateMeeting{Details{Title: "Hội nghị\nlần thứ\t2"}},
			want: []wantEvent{{Type: EventMeetingCreated, Data: Details{Title: "Hội nghị\nlần thứ\t2"}}}},
		decideCase{name: "create/title empty", when: &CreateMeeting{Details{}}, err: KindInvalid, probs: []Problem{{Field: "title"}}},
		decideCase{name: "create/title blank", when: &CreateMeeting{Details{Title: " \t\n "}}, err: KindInvalid, probs: []Problem{{Field: "title"}}},
		decideCase{name: "create/title too long", when: &CreateMeeting{Details{Title: titleTooLong}}, err: KindInvalid, probs: []Problem{{Field: "title"}}},
		decideCase{name: "create/title control BEL", when: &CreateMeeting{Details{Title: "Hội\anghị"}}, err: KindInvalid, probs: []Problem{{Field: "title"}}},
		decideCase{name: "create/title control NUL", when: &CreateMeeting{Details{Title: "Hội\x00nghị"}}, err: KindInvalid, probs: []Problem{{Field: "title"}}},
		decideCase{name: "create/title control CR", when: &CreateMeeting{Details{Title: "Hội\rnghị"}}, err: KindInvalid, probs: []Problem{{Field: "title"}}},
		decideCase{name: "create/title control C1", when: &CreateMeeting{Details{Title: "Hội\u0085nghị"}}, err: KindInvalid, probs: []Problem{{Field: "title"}}},
		decideCase{name: "create/title control ESC", when: &CreateMeeting{Details{Title: "Hội\x1b[31mnghị"}}, err: KindInvalid, probs: []Problem{{Field: "title"}}},
		decideCase{name: "create/title invalid UTF-8", when: &CreateMeeting{Details{Title: "Hội \xff nghị"}}, err: KindInvalid, probs: []Problem{{Field: "title"}}},
		decideCase{name: "create/organization too long", when: &CreateMeeting{Details{Title: "Họp", Organization: titleTooLong}}, err: KindInvalid, probs: []Problem{{Field: "organization"}}},
		decideCase{name: "create/organization control", when: &CreateMeeting{Details{Title: "Họp", Organization: "Chi\x7fbộ"}}, err: KindInvalid, probs: []Problem{{Field: "organization"}}},
		decideCase{name: "create/place too long", when: &CreateMeeting{Details{Title: "Họp", Place: titleTooLong}}, err: KindInvalid, probs: []Problem{{Field: "place"}}},
		decideCase{name: "create/place control", when: &CreateMeeting{Details{Title: "Họp", Place: "Hội\x01trường"}}, err: KindInvalid, probs: []Problem{{Field: "place"}}},
		decideCase{name: "create/chair too long", when: &CreateMeeting{Details{Title: "Họp", Chair: nameTooLong}}, err: KindInvalid, probs: []Problem{{Field: "chair"}}},
		decideCase{name: "create/chair control", when: &CreateMeeting{Details{Title: "Họp", Chair: "An\x02" + "Bình"}}, err: KindInvalid, probs: []Problem{{Field: "chair"}}},
		decideCase{name: "create/secretary too long", when: &CreateMeeting{Details{Title: "Họp", Secretary: nameTooLong}}, err: KindInvalid, probs: []Problem{{Field: "secretary"}}},
		decideCase{name: "create/secretary control", when: &CreateMeeting{Details{Title: "Họp", Secretary: "Bình\x0b" + "An"}}, err: KindInvalid, probs: []Problem{{Field: "secretary"}}},
		decideCase{name: "create/already created", given: created(), when: &CreateMeeting{Details{Title: "Họp lần 2"}}, err: KindConflict},
		decideCase{name: "create/already created and closed", given: cat(opened(), cmds(&CloseMeeting{})), when: &CreateMeeting{Details{Title: "Họp lần 2"}}, err: KindConflict},
	)

	// ---- meeting.update ----
	withStart := cmds(&CreateMeeting{Details{Title: "Họp", StartsAt: t0}})
	add(
		decideCase{name: "update/accepted, replaces all details", given: base(), when: &UpdateMeeting{Details{Title: " Hội nghị (điều chỉnh) ", Place: "Phòng họp số 2"}},
			want: []wantEvent{{Type: EventMeetingUpdated, Data: Details{Title: "Hội nghị (điều chỉnh)", Place: "Phòng họp số 2"}}}},
		decideCase{name: "update/accepted while open", given: opened(), when: &UpdateMeeting{Details{Title: "Hội nghị", StartsAt: t0.In(ict)}},
			want: []wantEvent{{Type: EventMeetingUpdated, Data: Details{Title: "Hội nghị", StartsAt: t0}}}},
		decideCase{name: "update/accepted while paused", given: cat(opened(), cmds(&PauseMeeting{})), when: &UpdateMeeting{Details{Title: "Hội nghị"}},
			want: []wantEvent{{Type: EventMeetingUpdated, Data: Details{Title: "Hội nghị"}}}},
		decideCase{name: "update/accepted, start moved", given: withStart, when: &UpdateMeeting{Details{Title: "Họp", StartsAt: t0.Add(time.Hour)}},
			want: []wantEvent{{Type: EventMeetingUpdated, Data: Details{Title: "Họp", StartsAt: t0.Add(time.Hour)}}}},
		decideCase{name: "update/unchanged", given: base(), when: &UpdateMeeting{created()[0].(*CreateMeeting).Details}, err: KindConflict},
		decideCase{name: "update/unchanged after trimming", given: created(), when: &UpdateMeeting{Details{
			Title: " Hội nghị kiểm điểm, đánh giá, xếp loại năm 2025\n", Organization: "Chi bộ Văn phòng ", Place: " Hội trường tầng 3"}}, err: KindConflict},
		decideCase{name: "update/unchanged, same start in another zone", given: withStart, when: &UpdateMeeting{Details{Title: "Họp", StartsAt: t0.In(ict)}}, err: KindConflict},
		decideCase{name: "update/title empty", given: base(), when: &UpdateMeeting{Details{Place: "Phòng 2"}}, err: KindInvalid, probs: []Problem{{Field: "title"}}},
		decideCase{name: "update/title too long", given: base(), when: &UpdateMeeting{Details{Title: titleTooLong}}, err: KindInvalid, probs: []Problem{{Field: "title"}}},
		decideCase{name: "update/title control", given: base(), when: &UpdateMeeting{Details{Title: "Họp\x00" + "chi bộ"}}, err: KindInvalid, probs: []Problem{{Field: "title"}}},
		decideCase{name: "update/organization too long", given: base(), when: &UpdateMeeting{Details{Title: "Họp", Organization: titleTooLong}}, err: KindInvalid, probs: []Problem{{Field: "organization"}}},
		decideCase{name: "update/place control", given: base(), when: &UpdateMeeting{Details{Title: "Họp", Place: "a\x1fb"}}, err: KindInvalid, probs: []Problem{{Field: "place"}}},
		decideCase{name: "update/chair too long", given: base(), when: &UpdateMeeting{Details{Title: "Họp", Chair: nameTooLong}}, err: KindInvalid, probs: []Problem{{Field: "chair"}}},
		decideCase{name: "update/secretary too long", given: base(), when: &UpdateMeeting{Details{Title: "Họp", Secretary: nameTooLong}}, err: KindInvalid, probs: []Problem{{Field: "secretary"}}},
	)

	// ---- meeting life cycle ----
	paused := cat(opened(), cmds(&PauseMeeting{}))
	add(
		decideCase{name: "open/accepted by secretary", given: base(), when: &OpenMeeting{}, want: []wantEvent{{Type: EventMeetingOpened}}},
		decideCase{name: "open/accepted by chair", given: base(), actor: asChair, when: &OpenMeeting{}, want: []wantEvent{{Type: EventMeetingOpened}}},
		decideCase{name: "open/accepted with empty agenda", given: created(), when: &OpenMeeting{}, want: []wantEvent{{Type: EventMeetingOpened}}},
		decideCase{name: "open/already open", given: opened(), when: &OpenMeeting{}, err: KindConflict},
		decideCase{name: "open/paused", given: paused, when: &OpenMeeting{}, err: KindConflict},

		decideCase{name: "pause/accepted by secretary", given: opened(), when: &PauseMeeting{}, want: []wantEvent{{Type: EventMeetingPaused}}},
		decideCase{name: "pause/accepted by chair", given: opened(), actor: asChair, when: &PauseMeeting{}, want: []wantEvent{{Type: EventMeetingPaused}}},
		decideCase{name: "pause/draft", given: base(), when: &PauseMeeting{}, err: KindConflict},
		decideCase{name: "pause/already paused", given: paused, when: &PauseMeeting{}, err: KindConflict},

		decideCase{name: "resume/accepted by secretary", given: paused, when: &ResumeMeeting{}, want: []wantEvent{{Type: EventMeetingResumed}}},
		decideCase{name: "resume/accepted by chair", given: paused, actor: asChair, when: &ResumeMeeting{}, want: []wantEvent{{Type: EventMeetingResumed}}},
		decideCase{name: "resume/draft", given: base(), when: &ResumeMeeting{}, err: KindConflict},
		decideCase{name: "resume/open", given: opened(), when: &ResumeMeeting{}, err: KindConflict},

		decideCase{name: "close/accepted when open", given: opened(), when: &CloseMeeting{}, want: []wantEvent{{Type: EventMeetingClosed}}},
		decideCase{name: "close/accepted when paused, by chair", given: paused, actor: asChair, when: &CloseMeeting{}, want: []wantEvent{{Type: EventMeetingClosed}}},
		decideCase{name: "close/draft", given: base(), when: &CloseMeeting{}, err: KindConflict},
	)

	// ---- agenda.add ----  (base: next seq 10, opened: next seq 11)
	add(
		decideCase{name: "agenda.add/accepted, appended, trimmed", given: base(), when: &AddItem{Title: " Thảo luận ", Presenter: " Đồng chí Bình "},
			want: []wantEvent{{Type: EventItemAdded, Data: ItemAdded{Item: Item{ID: "i10", Title: "Thảo luận", Presenter: "Đồng chí Bình"}, Position: 4}}}},
		decideCase{name: "agenda.add/accepted at position 1", given: base(), when: &AddItem{Title: "Chào cờ", Position: 1},
			want: []wantEvent{{Type: EventItemAdded, Data: ItemAdded{Item: Item{ID: "i10", Title: "Chào cờ"}, Position: 1}}}},
		decideCase{name: "agenda.add/accepted at position 2", given: base(), when: &AddItem{Title: "Thông qua chương trình", Position: 2},
			want: []wantEvent{{Type: EventItemAdded, Data: ItemAdded{Item: Item{ID: "i10", Title: "Thông qua chương trình"}, Position: 2}}}},
		decideCase{name: "agenda.add/accepted at last position explicitly", given: base(), when: &AddItem{Title: "Kết luận", Position: 4},
			want: []wantEvent{{Type: EventItemAdded, Data: ItemAdded{Item: Item{ID: "i10", Title: "Kết luận"}, Position: 4}}}},
		decideCase{name: "agenda.add/accepted into empty agenda", given: created(), when: &AddItem{Title: "Khai mạc"},
			want: []wantEvent{{Type: EventItemAdded, Data: ItemAdded{Item: Item{ID: "i2", Title: "Khai mạc"}, Position: 1}}}},
		decideCase{name: "agenda.add/accepted while open, by chair", given: opened(), actor: asChair, when: &AddItem{Title: "Phát sinh"},
			want: []wantEvent{{Type: EventItemAdded, Data: ItemAdded{Item: Item{ID: "i11", Title: "Phát sinh"}, Position: 4}}}},
		decideCase{name: "agenda.add/accepted, lengths at the limits", given: base(), when: &AddItem{Title: titleMax, Presenter: nameMax},
			want: []wantEvent{{Type: EventItemAdded, Data: ItemAdded{Item: Item{ID: "i10", Title: titleMax, Presenter: nameMax}, Position: 4}}}},
		decideCase{name: "agenda.add/accepted, last free slot", state: prepared(agendaAlmostFull), when: &AddItem{Title: "Mục cuối"},
			want: []wantEvent{{Type: EventItemAdded, Data: ItemAdded{Item: Item{ID: fmt.Sprintf("i%d", MaxItems+1), Title: "Mục cuối"}, Position: MaxItems}}}},
		decideCase{name: "agenda.add/title empty", given: base(), when: &AddItem{Presenter: "An"}, err: KindInvalid, probs: []Problem{{Field: "title"}}},
		decideCase{name: "agenda.add/title too long", given: base(), when: &AddItem{Title: titleTooLong}, err: KindInvalid, probs: []Problem{{Field: "title"}}},
		decideCase{name: "agenda.add/title control", given: base(), when: &AddItem{Title: "Mục\x00"}, err: KindInvalid, probs: []Problem{{Field: "title"}}},
		decideCase{name: "agenda.add/presenter too long", given: base(), when: &AddItem{Title: "Mục", Presenter: nameTooLong}, err: KindInvalid, probs: []Problem{{Field: "presenter"}}},
		decideCase{name: "agenda.add/presenter control", given: base(), when: &AddItem{Title: "Mục", Presenter: "An\x08"}, err: KindInvalid, probs: []Problem{{Field: "presenter"}}},
		decideCase{name: "agenda.add/position negative", given: base(), when: &AddItem{Title: "Mục", Position: -1}, err: KindInvalid},
		decideCase{name: "agenda.add/position past the end", given: base(), when: &AddItem{Title: "Mục", Position: 5}, err: KindInvalid},
		decideCase{name: "agenda.add/position into empty agenda", given: created(), when: &AddItem{Title: "Mục", Position: 2}, err: KindInvalid},
		decideCase{name: "agenda.add/agenda full", state: prepared(agendaAlmostFull, &AddItem{Title: "Mục cuối"}), when: &AddItem{Title: "Một mục nữa"}, err: KindConflict},
	)

	// ---- agenda.rename ----
	add(
		decideCase{name: "agenda.rename/accepted, title", given: base(), when: &RenameItem{ID: "i3", Title: " Báo cáo kiểm điểm năm 2025 ", Presenter: "Đồng chí Bí thư"},
			want: []wantEvent{{Type: EventItemRenamed, Data: ItemRenamed{ID: "i3", Title: "Báo cáo kiểm điểm năm 2025", Presenter: "Đồng chí Bí thư"}}}},
		decideCase{name: "agenda.rename/accepted, presenter cleared", given: base(), when: &RenameItem{ID: "i3", Title: "Báo cáo kiểm điểm"},
			want: []wantEvent{{Type: EventItemRenamed, Data: ItemRenamed{ID: "i3", Title: "Báo cáo kiểm điểm"}}}},
		decideCase{name: "agenda.rename/accepted, presenter set, by chair while open", given: opened(), actor: asChair, when: &RenameItem{ID: "i2", Title: "Khai mạc", Presenter: "Đồng chí An"},
			want: []wantEvent{{Type: EventItemRenamed, Data: ItemRenamed{ID: "i2", Title: "Khai mạc", Presenter: "Đồng chí An"}}}},
		decideCase{name: "agenda.rename/unknown item", given: base(), when: &RenameItem{ID: "i99", Title: "Mục"}, err: KindNotFound},
		decideCase{name: "agenda.rename/empty id", given: base(), when: &RenameItem{Title: "Mục"}, err: KindNotFound},
		decideCase{name: "agenda.rename/unknown item before bad title", given: base(), when: &RenameItem{ID: "i99"}, err: KindNotFound},
		decideCase{name: "agenda.rename/title empty", given: base(), when: &RenameItem{ID: "i3", Title: "  "}, err: KindInvalid, probs: []Problem{{Field: "title"}}},
		decideCase{name: "agenda.rename/title too long", given: base(), when: &RenameItem{ID: "i3", Title: titleTooLong}, err: KindInvalid, probs: []Problem{{Field: "title"}}},
		decideCase{name: "agenda.rename/title control", given: base(), when: &RenameItem{ID: "i3", Title: "Báo\x1bcáo"}, err: KindInvalid, probs: []Problem{{Field: "title"}}},
		decideCase{name: "agenda.rename/presenter too long", given: base(), when: &RenameItem{ID: "i3", Title: "Báo cáo", Presenter: nameTooLong}, err: KindInvalid, probs: []Problem{{Field: "presenter"}}},
		decideCase{name: "agenda.rename/presenter control", given: base(), when: &RenameItem{ID: "i3", Title: "Báo cáo", Presenter: "\x00"}, err: KindInvalid, probs: []Problem{{Field: "presenter"}}},
		decideCase{name: "agenda.rename/unchanged", given: base(), when: &RenameItem{ID: "i3", Title: " Báo cáo kiểm điểm", Presenter: "Đồng chí Bí thư "}, err: KindConflict},
	)

	// ---- agenda.move ---- (agenda i2, i3, i4)
	add(
		decideCase{name: "agenda.move/accepted down", given: base(), when: &MoveItem{ID: "i2", Position: 3},
			want: []wantEvent{{Type: EventItemMoved, Data: ItemMoved{ID: "i2", Position: 3}}}},
		decideCase{name: "agenda.move/accepted up", given: base(), when: &MoveItem{ID: "i4", Position: 1},
			want: []wantEvent{{Type: EventItemMoved, Data: ItemMoved{ID: "i4", Position: 1}}}},
		decideCase{name: "agenda.move/accepted by chair while open", given: opened(), actor: asChair, when: &MoveItem{ID: "i3", Position: 1},
			want: []wantEvent{{Type: EventItemMoved, Data: ItemMoved{ID: "i3", Position: 1}}}},
		decideCase{name: "agenda.move/unknown item", given: base(), when: &MoveItem{ID: "i99", Position: 1}, err: KindNotFound},
		decideCase{name: "agenda.move/position 0", given: base(), when: &MoveItem{ID: "i2", Position: 0}, err: KindInvalid},
		decideCase{name: "agenda.move/position negative", given: base(), when: &MoveItem{ID: "i2", Position: -2}, err: KindInvalid},
		decideCase{name: "agenda.move/position past the end", given: base(), when: &MoveItem{ID: "i2", Position: 4}, err: KindInvalid},
		decideCase{name: "agenda.move/same position", given: base(), when: &MoveItem{ID: "i3", Position: 2}, err: KindConflict},
	)

	// ---- agenda.remove ----
	add(
		decideCase{name: "agenda.remove/accepted in draft", given: base(), when: &RemoveItem{ID: "i3"},
			want: []wantEvent{{Type: EventItemRemoved, Data: ItemRef{ID: "i3"}}}},
		decideCase{name: "agenda.remove/accepted, not done, while open", given: opened(), actor: asChair, when: &RemoveItem{ID: "i4"},
			want: []wantEvent{{Type: EventItemRemoved, Data: ItemRef{ID: "i4"}}}},
		decideCase{name: "agenda.remove/accepted, undone again, while open", given: cat(opened(), cmds(&SetItemDone{ID: "i4", Done: true}, &SetItemDone{ID: "i4"})), when: &RemoveItem{ID: "i4"},
			want: []wantEvent{{Type: EventItemRemoved, Data: ItemRef{ID: "i4"}}}},
		decideCase{name: "agenda.remove/unknown item", given: base(), when: &RemoveItem{ID: "i99"}, err: KindNotFound},
		decideCase{name: "agenda.remove/current item", given: cat(opened(), cmds(&SetCurrentItem{ID: "i3"})), when: &RemoveItem{ID: "i3"}, err: KindConflict},
		decideCase{name: "agenda.remove/current item while paused", given: cat(opened(), cmds(&SetCurrentItem{ID: "i3"}, &PauseMeeting{})), when: &RemoveItem{ID: "i3"}, err: KindConflict},
		decideCase{name: "agenda.remove/done item after open", given: cat(opened(), cmds(&SetItemDone{ID: "i2", Done: true})), when: &RemoveItem{ID: "i2"}, err: KindConflict},
		decideCase{name: "agenda.remove/done item while paused", given: cat(opened(), cmds(&SetItemDone{ID: "i2", Done: true}, &PauseMeeting{})), when: &RemoveItem{ID: "i2"}, err: KindConflict},
	)

	// ---- agenda.done ----
	add(
		decideCase{name: "agenda.done/accepted", given: opened(), when: &SetItemDone{ID: "i2", Done: true},
			want: []wantEvent{{Type: EventItemDone, Data: ItemDone{ID: "i2", Done: true}}}},
		decideCase{name: "agenda.done/accepted undo", given: cat(opened(), cmds(&SetItemDone{ID: "i2", Done: true})), actor: asChair, when: &SetItemDone{ID: "i2"},
			want: []wantEvent{{Type: EventItemDone, Data: ItemDone{ID: "i2"}}}},
		decideCase{name: "agenda.done/accepted while paused", given: paused, when: &SetItemDone{ID: "i4", Done: true},
			want: []wantEvent{{Type: EventItemDone, Data: ItemDone{ID: "i4", Done: true}}}},
		decideCase{name: "agenda.done/unknown item", given: opened(), when: &SetItemDone{ID: "i99", Done: true}, err: KindNotFound},
		decideCase{name: "agenda.done/draft", given: base(), when: &SetItemDone{ID: "i2", Done: true}, err: KindConflict},
		decideCase{name: "agenda.done/already done", given: cat(opened(), cmds(&SetItemDone{ID: "i2", Done: true})), when: &SetItemDone{ID: "i2", Done: true}, err: KindConflict},
		decideCase{name: "agenda.done/already not done", given: opened(), when: &SetItemDone{ID: "i2"}, err: KindConflict},
	)

	// ---- agenda.current ----
	add(
		decideCase{name: "agenda.current/accepted", given: opened(), when: &SetCurrentItem{ID: "i3"},
			want: []wantEvent{{Type: EventCurrentSet, Data: ItemRef{ID: "i3"}}}},
		decideCase{name: "agenda.current/accepted, changed", given: cat(opened(), cmds(&SetCurrentItem{ID: "i3"})), actor: asChair, when: &SetCurrentItem{ID: "i2"},
			want: []wantEvent{{Type: EventCurrentSet, Data: ItemRef{ID: "i2"}}}},
		decideCase{name: "agenda.current/accepted, cleared", given: cat(opened(), cmds(&SetCurrentItem{ID: "i3"})), when: &SetCurrentItem{},
			want: []wantEvent{{Type: EventCurrentSet, Data: ItemRef{}}}},
		decideCase{name: "agenda.current/accepted, done item", given: cat(opened(), cmds(&SetItemDone{ID: "i2", Done: true})), when: &SetCurrentItem{ID: "i2"},
			want: []wantEvent{{Type: EventCurrentSet, Data: ItemRef{ID: "i2"}}}},
		decideCase{name: "agenda.current/accepted while paused", given: paused, when: &SetCurrentItem{ID: "i4"},
			want: []wantEvent{{Type: EventCurrentSet, Data: ItemRef{ID: "i4"}}}},
		decideCase{name: "agenda.current/draft", given: base(), when: &SetCurrentItem{ID: "i2"}, err: KindConflict},
		decideCase{name: "agenda.current/unknown item", given: opened(), when: &SetCurrentItem{ID: "i99"}, err: KindNotFound},
		decideCase{name: "agenda.current/already current", given: cat(opened(), cmds(&SetCurrentItem{ID: "i3"})), when: &SetCurrentItem{ID: "i3"}, err: KindConflict},
		decideCase{name: "agenda.current/already cleared", given: opened(), when: &SetCurrentItem{}, err: KindConflict},
	)

	// ---- agenda.advance ----
	add(
		decideCase{name: "agenda.advance/accepted, starts at the first item", given: opened(), when: &AdvanceAgenda{},
			want: []wantEvent{{Type: EventCurrentSet, Data: ItemRef{ID: "i2"}}}},
		decideCase{name: "agenda.advance/accepted, starts at the first item not done", given: cat(opened(), cmds(&SetItemDone{ID: "i2", Done: true})), when: &AdvanceAgenda{},
			want: []wantEvent{{Type: EventCurrentSet, Data: ItemRef{ID: "i3"}}}},
		decideCase{name: "agenda.advance/accepted, current done and next", given: cat(opened(), cmds(&SetCurrentItem{ID: "i2"})), actor: asChair, when: &AdvanceAgenda{},
			want: []wantEvent{{Type: EventItemDone, Data: ItemDone{ID: "i2", Done: true}}, {Type: EventCurrentSet, Data: ItemRef{ID: "i3"}}}},
		decideCase{name: "agenda.advance/accepted, skips done items", given: cat(opened(), cmds(&SetCurrentItem{ID: "i2"}, &SetItemDone{ID: "i3", Done: true})), when: &AdvanceAgenda{},
			want: []wantEvent{{Type: EventItemDone, Data: ItemDone{ID: "i2", Done: true}}, {Type: EventCurrentSet, Data: ItemRef{ID: "i4"}}}},
		decideCase{name: "agenda.advance/accepted, current already done", given: cat(opened(), cmds(&SetCurrentItem{ID: "i3"}, &SetItemDone{ID: "i3", Done: true})), when: &AdvanceAgenda{},
			want: []wantEvent{{Type: EventCurrentSet, Data: ItemRef{ID: "i4"}}}},
		decideCase{name: "agenda.advance/accepted, only looks after the current item", given: cat(opened(), cmds(&SetCurrentItem{ID: "i3"})), when: &AdvanceAgenda{},
			want: []wantEvent{{Type: EventItemDone, Data: ItemDone{ID: "i3", Done: true}}, {Type: EventCurrentSet, Data: ItemRef{ID: "i4"}}}},
		decideCase{name: "agenda.advance/accepted, after the last item", given: cat(opened(), cmds(&SetCurrentItem{ID: "i4"})), when: &AdvanceAgenda{},
			want: []wantEvent{{Type: EventItemDone, Data: ItemDone{ID: "i4", Done: true}}, {Type: EventCurrentSet, Data: ItemRef{}}}},
		decideCase{name: "agenda.advance/accepted, last item already done", given: cat(opened(), cmds(&SetCurrentItem{ID: "i4"}, &SetItemDone{ID: "i4", Done: true})), when: &AdvanceAgenda{},
			want: []wantEvent{{Type: EventCurrentSet, Data: ItemRef{}}}},
		decideCase{name: "agenda.advance/empty agenda", given: cat(created(), cmds(&OpenMeeting{})), when: &AdvanceAgenda{}, err: KindConflict},
		decideCase{name: "agenda.advance/every item done", given: cat(opened(), cmds(&SetItemDone{ID: "i2", Done: true}, &SetItemDone{ID: "i3", Done: true}, &SetItemDone{ID: "i4", Done: true})), when: &AdvanceAgenda{}, err: KindConflict},
		decideCase{name: "agenda.advance/accepted, after the end, back to a skipped item", given: cat(opened(), cmds(&SetCurrentItem{ID: "i3"}, &AdvanceAgenda{}, &AdvanceAgenda{})), when: &AdvanceAgenda{},
			want: []wantEvent{{Type: EventCurrentSet, Data: ItemRef{ID: "i2"}}}},
		decideCase{name: "agenda.advance/after the end", given: cat(opened(), cmds(&AdvanceAgenda{}, &AdvanceAgenda{}, &AdvanceAgenda{}, &AdvanceAgenda{})), when: &AdvanceAgenda{}, err: KindConflict},
		decideCase{name: "agenda.advance/draft", given: base(), when: &AdvanceAgenda{}, err: KindConflict},
		decideCase{name: "agenda.advance/paused", given: paused, when: &AdvanceAgenda{}, err: KindConflict},
	)

	// ---- participant.add ---- (base: next seq 10)
	add(
		decideCase{name: "participant.add/accepted, delegate by default, trimmed", given: base(), when: &AddParticipant{NewParticipant{Name: " Hoàng Văn Em ", Position: " Phó Bí thư ", Unit: " Phòng Tổ chức "}},
			want: []wantEvent{{Type: EventParticipantAdded, Data: Participant{ID: "p10", Name: "Hoàng Văn Em", Position: "Phó Bí thư", Unit: "Phòng Tổ chức", Role: RoleDelegate}}}},
		decideCase{name: "participant.add/accepted, secretary", given: base(), when: &AddParticipant{NewParticipant{Name: "Vũ Thị Giang", Role: RoleSecretary}},
			want: []wantEvent{{Type: EventParticipantAdded, Data: Participant{ID: "p10", Name: "Vũ Thị Giang", Role: RoleSecretary}}}},
		decideCase{name: "participant.add/accepted, observer while open", given: opened(), when: &AddParticipant{NewParticipant{Name: "Khách mời", Role: RoleObserver}},
			want: []wantEvent{{Type: EventParticipantAdded, Data: Participant{ID: "p11", Name: "Khách mời", Role: RoleObserver}}}},
		decideCase{name: "participant.add/accepted, lengths at the limits", given: base(), when: &AddParticipant{NewParticipant{Name: nameMax, Position: nameMax, Unit: nameMax, Role: RoleHall}},
			want: []wantEvent{{Type: EventParticipantAdded, Data: Participant{ID: "p10", Name: nameMax, Position: nameMax, Unit: nameMax, Role: RoleHall}}}},
		decideCase{name: "participant.add/accepted, last free place", state: prepared(participantsAlmostFull), when: &AddParticipant{NewParticipant{Name: "Người cuối"}},
			want: []wantEvent{{Type: EventParticipantAdded, Data: Participant{ID: fmt.Sprintf("p%d", MaxParticipants+1), Name: "Người cuối", Role: RoleDelegate}}}},
		decideCase{name: "participant.add/name empty", given: base(), when: &AddParticipant{NewParticipant{Unit: "Phòng A"}}, err: KindInvalid, probs: []Problem{{Field: "name"}}},
		decideCase{name: "participant.add/name too long", given: base(), when: &AddParticipant{NewParticipant{Name: nameTooLong}}, err: KindInvalid, probs: []Problem{{Field: "name"}}},
		decideCase{name: "participant.add/name control", given: base(), when: &AddParticipant{NewParticipant{Name: "An\x00"}}, err: KindInvalid, probs: []Problem{{Field: "name"}}},
		decideCase{name: "participant.add/position too long", given: base(), when: &AddParticipant{NewParticipant{Name: "An", Position: nameTooLong}}, err: KindInvalid, probs: []Problem{{Field: "position"}}},
		decideCase{name: "participant.add/position control", given: base(), when: &AddParticipant{NewParticipant{Name: "An", Position: "Bí\x7fthư"}}, err: KindInvalid, probs: []Problem{{Field: "position"}}},
		decideCase{name: "participant.add/unit too long", given: base(), when: &AddParticipant{NewParticipant{Name: "An", Unit: nameTooLong}}, err: KindInvalid, probs: []Problem{{Field: "unit"}}},
		decideCase{name: "participant.add/unit control", given: base(), when: &AddParticipant{NewParticipant{Name: "An", Unit: "Phòng\x1a"}}, err: KindInvalid, probs: []Problem{{Field: "unit"}}},
		decideCase{name: "participant.add/unknown role", given: base(), when: &AddParticipant{NewParticipant{Name: "An", Role: "admin"}}, err: KindInvalid, probs: []Problem{{Field: "role"}}},
		decideCase{name: "participant.add/role system", given: base(), when: &AddParticipant{NewParticipant{Name: "An", Role: RoleSystem}}, err: KindInvalid, probs: []Problem{{Field: "role"}}},
		decideCase{name: "participant.add/role in capitals", given: base(), when: &AddParticipant{NewParticipant{Name: "An", Role: "Chair"}}, err: KindInvalid, probs: []Problem{{Field: "role"}}},
		decideCase{name: "participant.add/meeting full", state: prepared(participantsAlmostFull, &AddParticipant{NewParticipant{Name: "Người cuối"}}), when: &AddParticipant{NewParticipant{Name: "Một người nữa"}}, err: KindConflict},
	)

	// ---- participant.import ---- (base: next seq 10)
	add(
		decideCase{name: "participant.import/accepted, one event per row", given: base(), when: &ImportParticipants{Rows: []NewParticipant{
			{Name: "Hoàng Văn Em", Position: "Phó Bí thư"},
			{Name: " Đỗ Thị Hoa ", Unit: "Phòng Kế toán", Role: RoleObserver},
			{Name: "Bùi Quang Huy", Role: RoleChair},
		}}, want: []wantEvent{
			{Type: EventParticipantAdded, Data: Participant{ID: "p10", Name: "Hoàng Văn Em", Position: "Phó Bí thư", Role: RoleDelegate}},
			{Type: EventParticipantAdded, Data: Participant{ID: "p11", Name: "Đỗ Thị Hoa", Unit: "Phòng Kế toán", Role: RoleObserver}},
			{Type: EventParticipantAdded, Data: Participant{ID: "p12", Name: "Bùi Quang Huy", Role: RoleChair}},
		}},
		decideCase{name: "participant.import/accepted, filling the meeting", state: prepared(participantsAlmostFull), when: &ImportParticipants{Rows: []NewParticipant{{Name: "Người cuối"}}},
			want: []wantEvent{{Type: EventParticipantAdded, Data: Participant{ID: fmt.Sprintf("p%d", MaxParticipants+1), Name: "Người cuối", Role: RoleDelegate}}}},
		decideCase{name: "participant.import/no rows", given: base(), when: &ImportParticipants{}, err: KindInvalid},
		decideCase{name: "participant.import/empty rows", given: base(), when: &ImportParticipants{Rows: []NewParticipant{}}, err: KindInvalid},
		decideCase{name: "participant.import/several bad rows", given: base(), when: &ImportParticipants{Rows: []NewParticipant{
			{Name: "Hoàng Văn Em"},                      // 1 ok
			{Name: "  ", Unit: "Phòng A"},               // 2 name empty
			{Name: "Đỗ Thị Hoa", Role: RoleChair},       // 3 ok
			{Name: "Bùi Quang Huy", Role: "quản trị"},   // 4 bad role
			{Name: "Ngô Văn Khánh", Unit: "Phòng\x00"},  // 5 control character
			{Name: nameTooLong, Unit: "\x01"},           // 6 name too long (first problem of the row only)
			{Name: "Lý Thị Lan", Position: nameTooLong}, // 7 position too long
		}}, err: KindInvalid, probs: []Problem{{Row: 2, Field: "name"}, {Row: 4, Field: "role"}, {Row: 5, Field: "unit"}, {Row: 6, Field: "name"}, {Row: 7, Field: "position"}}},
		decideCase{name: "participant.import/only the last row bad", given: base(), when: &ImportParticipants{Rows: []NewParticipant{{Name: "An"}, {Name: "Bình"}, {Name: ""}}},
			err: KindInvalid, probs: []Problem{{Row: 3, Field: "name"}}},
		decideCase{name: "participant.import/would exceed the maximum", state: prepared(participantsAlmostFull), when: &ImportParticipants{Rows: []NewParticipant{{Name: "An"}, {Name: "Bình"}}}, err: KindConflict},
		decideCase{name: "participant.import/meeting full", state: prepared(participantsAlmostFull, &AddParticipant{NewParticipant{Name: "Người cuối"}}), when: &ImportParticipants{Rows: []NewParticipant{{Name: "An"}}}, err: KindConflict},
	)

	// ---- participant.update ----
	pairedP6 := cat(base(), cmds(&RecordPairing{ID: "p6"}))
	add(
		decideCase{name: "participant.update/accepted, name", given: base(), when: &UpdateParticipant{ID: "p6", NewParticipant: NewParticipant{Name: " Trần Thị Bình An ", Position: "Đảng viên", Unit: "Phòng Tổng hợp"}},
			want: []wantEvent{{Type: EventParticipantUpdated, Data: Participant{ID: "p6", Name: "Trần Thị Bình An", Position: "Đảng viên", Unit: "Phòng Tổng hợp", Role: RoleDelegate}}}},
		decideCase{name: "participant.update/accepted, role", given: opened(), when: &UpdateParticipant{ID: "p7", NewParticipant: NewParticipant{Name: "Lê Văn Cường", Role: RoleChair}},
			want: []wantEvent{{Type: EventParticipantUpdated, Data: Participant{ID: "p7", Name: "Lê Văn Cường", Role: RoleChair}}}},
		// participant.updated goes to everyone, so it must not carry the
		// staff-only pairing flag (Apply keeps the flag).
		decideCase{name: "participant.update/accepted, paired participant", given: pairedP6, when: &UpdateParticipant{ID: "p6", NewParticipant: NewParticipant{Name: "Trần Thị Bình An", Position: "Đảng viên", Unit: "Phòng Tổng hợp"}},
			want: []wantEvent{{Type: EventParticipantUpdated, Data: Participant{ID: "p6", Name: "Trần Thị Bình An", Position: "Đảng viên", Unit: "Phòng Tổng hợp", Role: RoleDelegate}}}},
		decideCase{name: "participant.update/unknown participant", given: base(), when: &UpdateParticipant{ID: "p99", NewParticipant: NewParticipant{Name: "An"}}, err: KindNotFound},
		decideCase{name: "participant.update/removed participant", given: cat(base(), cmds(&RemoveParticipant{ID: "p7"})), when: &UpdateParticipant{ID: "p7", NewParticipant: NewParticipant{Name: "An"}}, err: KindNotFound},
		decideCase{name: "participant.update/name empty", given: base(), when: &UpdateParticipant{ID: "p6"}, err: KindInvalid, probs: []Problem{{Field: "name"}}},
		decideCase{name: "participant.update/name too long", given: base(), when: &UpdateParticipant{ID: "p6", NewParticipant: NewParticipant{Name: nameTooLong}}, err: KindInvalid, probs: []Problem{{Field: "name"}}},
		decideCase{name: "participant.update/unit control", given: base(), when: &UpdateParticipant{ID: "p6", NewParticipant: NewParticipant{Name: "An", Unit: "\x7f"}}, err: KindInvalid, probs: []Problem{{Field: "unit"}}},
		decideCase{name: "participant.update/unknown role", given: base(), when: &UpdateParticipant{ID: "p6", NewParticipant: NewParticipant{Name: "An", Role: "root"}}, err: KindInvalid, probs: []Problem{{Field: "role"}}},
		decideCase{name: "participant.update/unchanged", given: base(), when: &UpdateParticipant{ID: "p6", NewParticipant: NewParticipant{Name: "Trần Thị Bình ", Position: "Đảng viên", Unit: " Phòng Tổng hợp", Role: RoleDelegate}}, err: KindConflict},
		decideCase{name: "participant.update/unchanged, paired", given: pairedP6, when: &UpdateParticipant{ID: "p6", NewParticipant: NewParticipant{Name: "Trần Thị Bình", Position: "Đảng viên", Unit: "Phòng Tổng hợp"}}, err: KindConflict},
	)

	// ---- participant.remove / participant.paired ----
	add(
		decideCase{name: "participant.remove/accepted", given: base(), when: &RemoveParticipant{ID: "p7"},
			want: []wantEvent{{Type: EventParticipantRemoved, Data: ParticipantRef{ID: "p7"}}}},
		decideCase{name: "participant.remove/accepted while open", given: opened(), when: &RemoveParticipant{ID: "p5"},
			want: []wantEvent{{Type: EventParticipantRemoved, Data: ParticipantRef{ID: "p5"}}}},
		decideCase{name: "participant.remove/unknown participant", given: base(), when: &RemoveParticipant{ID: "p99"}, err: KindNotFound},
		decideCase{name: "participant.remove/already removed", given: cat(base(), cmds(&RemoveParticipant{ID: "p7"})), when: &RemoveParticipant{ID: "p7"}, err: KindNotFound},

		decideCase{name: "participant.paired/accepted, staff only", given: base(), actor: asSystem, when: &RecordPairing{ID: "p6"},
			want: []wantEvent{{Type: EventParticipantPaired, Data: ParticipantRef{ID: "p6"}, Audience: staff}}},
		decideCase{name: "participant.paired/accepted again (new tablet)", given: pairedP6, actor: asSystem, when: &RecordPairing{ID: "p6"},
			want: []wantEvent{{Type: EventParticipantPaired, Data: ParticipantRef{ID: "p6"}, Audience: staff}}},
		decideCase{name: "participant.paired/unknown participant", given: base(), actor: asSystem, when: &RecordPairing{ID: "p99"}, err: KindNotFound},
		decideCase{name: "participant.paired/a batch, one event each, repeats kept", given: pairedP6, actor: asSystem, when: &RecordPairing{ID: "p5", IDs: []string{"p6", "p7", "p5"}},
			want: []wantEvent{
				{Type: EventParticipantPaired, Data: ParticipantRef{ID: "p5"}, Audience: staff},
				{Type: EventParticipantPaired, Data: ParticipantRef{ID: "p6"}, Audience: staff},
				{Type: EventParticipantPaired, Data: ParticipantRef{ID: "p7"}, Audience: staff},
				{Type: EventParticipantPaired, Data: ParticipantRef{ID: "p5"}, Audience: staff}}},
		decideCase{name: "participant.paired/a batch with an unknown participant", given: base(), actor: asSystem, when: &RecordPairing{ID: "p5", IDs: []string{"p6", "p99"}}, err: KindNotFound},
		decideCase{name: "participant.paired/a batch too large", given: base(), actor: asSystem, when: &RecordPairing{ID: "p5", IDs: slices.Repeat([]string{"p6"}, MaxPairings)}, err: KindInvalid},
		decideCase{name: "participant.paired/a batch, not by a delegate", given: base(), actor: asDelegate, when: &RecordPairing{ID: "p5", IDs: []string{"p6"}}, err: KindForbidden},
	)

	// ---- notice.send ---- (opened: next seq 11)
	add(
		decideCase{name: "notice.send/accepted, everyone", given: opened(), when: &SendNotice{Text: " Giải lao 15 phút. "},
			want: []wantEvent{{Type: EventNoticeSent, Data: Notice{ID: "n11", At: decideNow, Text: "Giải lao 15 phút."}}}},
		decideCase{name: "notice.send/accepted, private", given: opened(), actor: asChair, when: &SendNotice{Text: "Mời đồng chí chuẩn bị phát biểu.", To: "p6"},
			want: []wantEvent{{Type: EventNoticeSent, Data: Notice{ID: "n11", At: decideNow, Text: "Mời đồng chí chuẩn bị phát biểu.", To: "p6"}, Audience: Audience{Roles: []Role{RoleSecretary, RoleChair}, Participants: []string{"p6"}}}}},
		decideCase{name: "notice.send/accepted, multi-line, in draft", given: base(), when: &SendNotice{Text: "Lưu ý:\n\t- đến đúng giờ\n\t- mang thẻ"},
			want: []wantEvent{{Type: EventNoticeSent, Data: Notice{ID: "n10", At: decideNow, Text: "Lưu ý:\n\t- đến đúng giờ\n\t- mang thẻ"}}}},
		decideCase{name: "notice.send/accepted while paused", given: paused, when: &SendNotice{Text: noticeMax},
			want: []wantEvent{{Type: EventNoticeSent, Data: Notice{ID: "n12", At: decideNow, Text: noticeMax}}}},
		decideCase{name: "notice.send/accepted, last one allowed", state: prepared(noticesAlmostFull), when: &SendNotice{Text: "Thông báo cuối"},
			want: []wantEvent{{Type: EventNoticeSent, Data: Notice{ID: fmt.Sprintf("n%d", MaxNotices+1), At: decideNow, Text: "Thông báo cuối"}}}},
		decideCase{name: "notice.send/text empty", given: opened(), when: &SendNotice{}, err: KindInvalid, probs: []Problem{{Field: "text"}}},
		decideCase{name: "notice.send/text too long", given: opened(), when: &SendNotice{Text: noticeLong}, err: KindInvalid, probs: []Problem{{Field: "text"}}},
		decideCase{name: "notice.send/text control", given: opened(), when: &SendNotice{Text: "Chú ý\a"}, err: KindInvalid, probs: []Problem{{Field: "text"}}},
		decideCase{name: "notice.send/text invalid UTF-8", given: opened(), when: &SendNotice{Text: "Chú ý \xc3"}, err: KindInvalid, probs: []Problem{{Field: "text"}}},
		decideCase{name: "notice.send/text checked before addressee", given: opened(), when: &SendNotice{To: "p99"}, err: KindInvalid, probs: []Problem{{Field: "text"}}},
		decideCase{name: "notice.send/unknown addressee", given: opened(), when: &SendNotice{Text: "Chú ý", To: "p99"}, err: KindNotFound},
		decideCase{name: "notice.send/removed addressee", given: cat(opened(), cmds(&RemoveParticipant{ID: "p7"})), when: &SendNotice{Text: "Chú ý", To: "p7"}, err: KindNotFound},
		decideCase{name: "notice.send/too many notices", state: prepared(noticesAlmostFull, &SendNotice{Text: "Thông báo cuối"}), when: &SendNotice{Text: "Một thông báo nữa"}, err: KindConflict},
	)

	add(procedureCases()...)
	add(documentCases()...)
	add(minutesCases()...)
	add(liveCases()...)
	add(recordCases()...)
	add(floorCases()...) // the congress floor (floor_test.go)
	add(paperCases()...)

	// ---- generated: roles, meeting not created, meeting closed ----
	closed := cat(opened(), cmds(&CloseMeeting{}))
	for _, name := range slices.Sorted(maps.Keys(commands)) {
		for _, r := range allRoles {
			if slices.Contains(expectedAllowed[name], r) {
				continue
			}
			add(decideCase{name: name + "/forbidden for " + string(r), given: opened(), actor: actorOf(r), when: sampleCommand(name), err: KindForbidden})
		}
		allowed := actorOf(expectedAllowed[name][0])
		if name != "meeting.create" {
			add(decideCase{name: name + "/meeting not created", actor: allowed, when: sampleCommand(name), err: KindNotFound})
		}
		if _, ok := sampleCommand(name).(afterClose); !ok { // the minutes commands: see minutesCases
			add(decideCase{name: name + "/meeting closed", given: closed, actor: allowed, when: sampleCommand(name), err: KindConflict})
		}
	}
	// The role check comes before everything else.
	add(
		decideCase{name: "meeting.open/forbidden before not found", actor: asDelegate, when: &OpenMeeting{}, err: KindForbidden},
		decideCase{name: "agenda.add/forbidden before invalid", given: opened(), actor: asObserver, when: &AddItem{}, err: KindForbidden},
		decideCase{name: "meeting.pause/forbidden before conflict", given: base(), actor: asHall, when: &PauseMeeting{}, err: KindForbidden},
	)
	return cases
}

// problemRowField compares problems by row and field only.
var problemRowField = cmpopts.IgnoreFields(Problem{}, "Message", "MessageEN")

func describe(a Actor, c Command) string {
	b, _ := json.Marshal(c)
	if len(b) > 120 {
		b = append(b[:120:120], "…"...)
	}
	return fmt.Sprintf("Decide(%s, %s %s)", a.Role, c.Name(), b)
}

func TestDecide(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range decideCases() {
		if seen[tc.name] {
			t.Fatalf("duplicate case name %q", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			s := tc.givenState(t)
			a := tc.who()
			before := s.Clone()
			now := decideNow
			call := describe(a, tc.when)

			events, err := Decide(s, a, tc.when, now)

			if diff := cmp.Diff(before, s); diff != "" {
				t.Errorf("%s changed the state (-before +after):\n%s", call, diff)
			}
			if tc.err != "" {
				if err == nil {
					t.Fatalf("%s = %d events, nil error; want a %s error", call, len(events), tc.err)
				}
				if events != nil {
					t.Errorf("%s = %d events with error %v; want no events", call, len(events), err)
				}
				if got := KindOf(err); got != tc.err {
					t.Errorf("%s = error %v (kind %s); want kind %s", call, err, got, tc.err)
				}
				var e *Error
				if !asError(err, &e) {
					t.Fatalf("%s = error %T; want *Error", call, err)
				}
				if diff := cmp.Diff(tc.probs, e.Problems, problemRowField, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("%s = problems %+v; want rows/fields %+v (-want +got):\n%s", call, e.Problems, tc.probs, diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s = error %v; want %d events", call, err, len(tc.want))
			}

			// Envelope and chain of every event.
			for i, e := range events {
				if e.Meeting != s.ID || e.Seq != s.Seq+1+int64(i) || e.Actor != a.ID || !e.At.Equal(now) || e.At.Location() != time.UTC {
					t.Errorf("%s: event %d envelope = {meeting %q seq %d actor %q at %v}; want {meeting %q seq %d actor %q at %v UTC}",
						call, i, e.Meeting, e.Seq, e.Actor, e.At, s.ID, s.Seq+1+int64(i), a.ID, now.UTC())
				}
			}
			if i, err := VerifyChain(s.Seq, s.Head, events); err != nil {
				t.Errorf("%s: VerifyChain(%d, head, events) = %d, %v; want -1, nil", call, s.Seq, i, err)
			}

			// Types, payloads and audiences.
			got := make([]wantEvent, len(events))
			for i, e := range events {
				p, err := payloadOf(e.Type, e.Data)
				if err != nil {
					t.Errorf("%s: event %d (%s) payload %s: %v", call, i, e.Type, e.Data, err)
				}
				got[i] = wantEvent{Type: e.Type, Data: p, Audience: e.Audience}
			}
			if tc.want == nil && tc.check != nil {
				// The case checks the events itself.
			} else if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s = %+v; want %+v (-want +got):\n%s", call, got, tc.want, diff)
			}
			if tc.check != nil {
				tc.check(t, events)
			}

			// The events apply to the state they were decided on.
			after := s.Clone()
			for _, e := range events {
				if err := Apply(after, e); err != nil {
					t.Fatalf("%s: Apply(%s seq %d) = %v; want nil", call, e.Type, e.Seq, err)
				}
			}
		})
	}
}

func asError(err error, target **Error) bool {
	e, ok := err.(*Error)
	if ok {
		*target = e
	}
	return ok
}

// TestDecideCoversEveryCommand checks that the table of TestDecide has an
// accepted and a rejected case for every command, and that the permission
// table matches the specification.
func TestDecideCoversEveryCommand(t *testing.T) {
	accepted, rejected := map[string]int{}, map[string]int{}
	for _, tc := range decideCases() {
		if tc.err == "" {
			accepted[tc.when.Name()]++
		} else {
			rejected[tc.when.Name()]++
		}
	}
	for name := range commands {
		if accepted[name] == 0 || rejected[name] == 0 {
			t.Errorf("command %s: %d accepted and %d rejected cases in TestDecide; want at least one of each", name, accepted[name], rejected[name])
		}
		if c := sampleCommand(name); c == nil || c.Name() != name {
			t.Errorf("sampleCommand(%q) = %v; want a command named %q", name, c, name)
		}
		if _, ok := expectedAllowed[name]; !ok {
			t.Errorf("command %s has no expected permissions in the test", name)
		}
		if _, ok := permissions[name]; !ok {
			t.Errorf("command %s is missing from the permission table", name)
		}
	}
	for name := range permissions {
		if _, ok := commands[name]; !ok {
			t.Errorf("permission table lists %q, which is not a command", name)
		}
	}
	for name, roles := range expectedAllowed {
		for _, r := range append(slices.Clone(allRoles), "", "admin") {
			if got, want := Allowed(r, name), slices.Contains(roles, r); got != want {
				t.Errorf("Allowed(%q, %q) = %v; want %v", r, name, got, want)
			}
		}
	}
	if Allowed(RoleSecretary, "meeting.delete") {
		t.Errorf("Allowed(secretary, meeting.delete) = true; want false for an unknown command")
	}
}

// TestDecideIDsAreDerivedFromSeq checks the derived IDs along a longer run:
// every created thing is named after the sequence number of its event.
func TestDecideIDsAreDerivedFromSeq(t *testing.T) {
	_, log := givenLog(t, cat(opened(), cmds(
		&SendNotice{Text: "Chào mừng"},
		&AddItem{Title: "Phát sinh", Position: 1},
		&ImportParticipants{Rows: []NewParticipant{{Name: "A"}, {Name: "B"}}},
		&SendNotice{Text: "Riêng", To: "p6"},
	))...)
	prefix := map[string]string{EventItemAdded: "i", EventParticipantAdded: "p", EventNoticeSent: "n"}
	n := 0
	for _, e := range log {
		pre, ok := prefix[e.Type]
		if !ok {
			continue
		}
		var id struct {
			ID   string `json:"id"`
			Item struct {
				ID string `json:"id"`
			} `json:"item"`
		}
		if err := json.Unmarshal(e.Data, &id); err != nil {
			t.Fatal(err)
		}
		got := id.ID
		if e.Type == EventItemAdded {
			got = id.Item.ID
		}
		if want := fmt.Sprintf("%s%d", pre, e.Seq); got != want {
			t.Errorf("event %d (%s) creates ID %q; want %q", e.Seq, e.Type, got, want)
		}
		n++
	}
	if n != 13 {
		t.Errorf("checked %d creating events; want 13", n)
	}
}

func TestDecideUnknownRole(t *testing.T) {
	s := given(t, opened()...)
	a := Actor{ID: "account:x", Role: "admin"}
	for _, name := range CommandNames() {
		_, err := Decide(s, a, sampleCommand(name), t0)
		var e *Error
		if !asError(err, &e) || e.Kind != KindForbidden || !strings.Contains(e.Message, "admin") || !strings.Contains(e.MessageEN, "role admin may not give "+name) {
			t.Errorf("Decide(admin, %s) = %v; want forbidden naming the role", name, err)
		}
	}
	_, err := Decide(s, asDelegate, &OpenMeeting{}, t0)
	if e, ok := err.(*Error); !ok || !strings.Contains(e.Message, "đại biểu") || !strings.Contains(e.MessageEN, "role delegate ") {
		t.Errorf("Decide(delegate, meeting.open) = %v; want the role in Vietnamese and in English", err)
	}
}

func TestActorViewer(t *testing.T) {
	if got, want := asDelegate.Viewer(), (Viewer{Participant: "p6", Role: RoleDelegate}); got != want {
		t.Errorf("Actor.Viewer() = %+v; want %+v", got, want)
	}
	if got, want := asSecretary.Viewer(), (Viewer{Role: RoleSecretary}); got != want {
		t.Errorf("Actor.Viewer() = %+v; want %+v", got, want)
	}
}

func TestNewEventPanicsOnUnencodablePayload(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Errorf("newEvent(payload with a channel) did not panic; want a panic (programming error)")
		}
	}()
	newEvent(EventNoticeSent, struct{ C chan int }{})
}

func TestRoleHelpers(t *testing.T) {
	for _, r := range ParticipantRoles {
		if !r.Valid() {
			t.Errorf("%s.Valid() = false; want true", r)
		}
		if r.Staff() != (r == RoleSecretary || r == RoleChair) {
			t.Errorf("%s.Staff() = %v", r, r.Staff())
		}
	}
	for _, r := range []Role{RoleSystem, "", "admin", "Chair"} {
		if r.Valid() || r.Staff() {
			t.Errorf("%q.Valid(), Staff() = %v, %v; want false, false", r, r.Valid(), r.Staff())
		}
	}
}
