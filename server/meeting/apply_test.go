package meeting

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// next returns e as the sealed successor of s (as Decide would produce it).
func next(s *State, e Event) Event {
	e.Meeting = s.ID
	e.At = nowAt(s)
	if e.Actor == "" {
		e.Actor = asSecretary.ID
	}
	evs := []Event{e}
	Seal(s.Seq, s.Head, evs)
	return evs[0]
}

// raw is an unsealed event with a raw payload.
func raw(typ, data string) Event {
	e := Event{Type: typ}
	if data != "" {
		e.Data = json.RawMessage(data)
	}
	return e
}

// applyAll applies events in turn, each sealed as the successor of s.
func applyAll(t *testing.T, s *State, events ...Event) {
	t.Helper()
	for _, e := range events {
		e = next(s, e)
		if err := Apply(s, e); err != nil {
			t.Fatalf("Apply(%s %s) = %v; want nil", e.Type, e.Data, err)
		}
	}
}

// safeApply is Apply that turns a panic into a test failure.
func safeApply(t *testing.T, s *State, e Event) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("Apply(%s %s) panicked: %v; want an error", e.Type, e.Data, r)
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return Apply(s, e)
}

func items(ids ...string) []string { return append([]string{}, ids...) }

func agendaIDs(s *State) []string {
	ids := []string{}
	for _, it := range s.Agenda {
		ids = append(ids, it.ID)
	}
	return ids
}

func TestApplyAgenda(t *testing.T) {
	added := func(id string, pos int) Event {
		return newEvent(EventItemAdded, ItemAdded{Item: Item{ID: id, Title: "Mục " + id}, Position: pos})
	}
	tests := []struct {
		name    string
		given   []Command
		events  []Event
		want    []string // agenda IDs in order
		current string
		check   func(*testing.T, *State)
	}{
		{name: "add into empty agenda", given: created(), events: []Event{added("x", 1)}, want: items("x")},
		{name: "add at position 1", given: base(), events: []Event{added("x", 1)}, want: items("x", "i2", "i3", "i4")},
		{name: "add at position 2", given: base(), events: []Event{added("x", 2)}, want: items("i2", "x", "i3", "i4")},
		{name: "add at position 3", given: base(), events: []Event{added("x", 3)}, want: items("i2", "i3", "x", "i4")},
		{name: "add at the end", given: base(), events: []Event{added("x", 4)}, want: items("i2", "i3", "i4", "x")},
		{name: "add keeps title and presenter", given: created(), events: []Event{newEvent(EventItemAdded, ItemAdded{Item: Item{ID: "x", Title: "Báo cáo", Presenter: "Đ/c An"}, Position: 1})},
			want: items("x"), check: func(t *testing.T, s *State) {
				if got, want := s.Agenda[0], (Item{ID: "x", Title: "Báo cáo", Presenter: "Đ/c An"}); got != want {
					t.Errorf("Agenda[0] = %+v; want %+v", got, want)
				}
			}},
		{name: "move first to last", given: base(), events: []Event{newEvent(EventItemMoved, ItemMoved{ID: "i2", Position: 3})}, want: items("i3", "i4", "i2")},
		{name: "move first down one", given: base(), events: []Event{newEvent(EventItemMoved, ItemMoved{ID: "i2", Position: 2})}, want: items("i3", "i2", "i4")},
		{name: "move last to first", given: base(), events: []Event{newEvent(EventItemMoved, ItemMoved{ID: "i4", Position: 1})}, want: items("i4", "i2", "i3")},
		{name: "move middle up", given: base(), events: []Event{newEvent(EventItemMoved, ItemMoved{ID: "i3", Position: 1})}, want: items("i3", "i2", "i4")},
		{name: "move middle down", given: base(), events: []Event{newEvent(EventItemMoved, ItemMoved{ID: "i3", Position: 3})}, want: items("i2", "i4", "i3")},
		{name: "move twice", given: base(), events: []Event{newEvent(EventItemMoved, ItemMoved{ID: "i4", Position: 1}), newEvent(EventItemMoved, ItemMoved{ID: "i2", Position: 3})}, want: items("i4", "i3", "i2")},
		{name: "move keeps the item", given: cat(opened(), cmds(&SetItemDone{ID: "i3", Done: true})), events: []Event{newEvent(EventItemMoved, ItemMoved{ID: "i3", Position: 3})}, want: items("i2", "i4", "i3"),
			check: func(t *testing.T, s *State) {
				if got, want := s.Agenda[2], (Item{ID: "i3", Title: "Báo cáo kiểm điểm", Presenter: "Đồng chí Bí thư", Done: true}); got != want {
					t.Errorf("moved item = %+v; want %+v", got, want)
				}
			}},
		{name: "move unknown item changes nothing", given: base(), events: []Event{newEvent(EventItemMoved, ItemMoved{ID: "i99", Position: 1})}, want: items("i2", "i3", "i4")},
		{name: "remove first", given: base(), events: []Event{newEvent(EventItemRemoved, ItemRef{ID: "i2"})}, want: items("i3", "i4")},
		{name: "remove middle", given: base(), events: []Event{newEvent(EventItemRemoved, ItemRef{ID: "i3"})}, want: items("i2", "i4")},
		{name: "remove last", given: base(), events: []Event{newEvent(EventItemRemoved, ItemRef{ID: "i4"})}, want: items("i2", "i3")},
		{name: "remove all", given: base(), events: []Event{newEvent(EventItemRemoved, ItemRef{ID: "i4"}), newEvent(EventItemRemoved, ItemRef{ID: "i2"}), newEvent(EventItemRemoved, ItemRef{ID: "i3"})}, want: items()},
		{name: "remove unknown changes nothing", given: base(), events: []Event{newEvent(EventItemRemoved, ItemRef{ID: "i99"})}, want: items("i2", "i3", "i4")},
		{name: "rename", given: base(), events: []Event{newEvent(EventItemRenamed, ItemRenamed{ID: "i3", Title: "Báo cáo mới"})}, want: items("i2", "i3", "i4"),
			check: func(t *testing.T, s *State) {
				if got, want := s.Agenda[1], (Item{ID: "i3", Title: "Báo cáo mới"}); got != want {
					t.Errorf("renamed item = %+v; want %+v", got, want)
				}
			}},
		{name: "done and undone", given: opened(), events: []Event{
			newEvent(EventItemDone, ItemDone{ID: "i2", Done: true}), newEvent(EventItemDone, ItemDone{ID: "i3", Done: true}), newEvent(EventItemDone, ItemDone{ID: "i3"}),
		}, want: items("i2", "i3", "i4"), check: func(t *testing.T, s *State) {
			if got, want := []bool{s.Agenda[0].Done, s.Agenda[1].Done, s.Agenda[2].Done}, []bool{true, false, false}; !cmp.Equal(got, want) {
				t.Errorf("done flags = %v; want %v", got, want)
			}
		}},
		{name: "current set", given: opened(), events: []Event{newEvent(EventCurrentSet, ItemRef{ID: "i3"})}, want: items("i2", "i3", "i4"), current: "i3"},
		{name: "current changed", given: opened(), events: []Event{newEvent(EventCurrentSet, ItemRef{ID: "i3"}), newEvent(EventCurrentSet, ItemRef{ID: "i4"})}, want: items("i2", "i3", "i4"), current: "i4"},
		{name: "current cleared", given: opened(), events: []Event{newEvent(EventCurrentSet, ItemRef{ID: "i3"}), newEvent(EventCurrentSet, ItemRef{})}, want: items("i2", "i3", "i4")},
		{name: "advance through commands", given: cat(opened(), cmds(&AdvanceAgenda{}, &AdvanceAgenda{})), want: items("i2", "i3", "i4"), current: "i3",
			check: func(t *testing.T, s *State) {
				if !s.Agenda[0].Done || s.Agenda[1].Done || s.Agenda[2].Done {
					t.Errorf("after two advances agenda = %+v; want only i2 done", s.Agenda)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := given(t, tt.given...)
			applyAll(t, s, tt.events...)
			if got := agendaIDs(s); !cmp.Equal(got, tt.want) {
				t.Errorf("after %s: agenda = %v; want %v", tt.name, got, tt.want)
			}
			if s.Current != tt.current {
				t.Errorf("after %s: current = %q; want %q", tt.name, s.Current, tt.current)
			}
			if tt.check != nil {
				tt.check(t, s)
			}
		})
	}
}

func TestApplyParticipants(t *testing.T) {
	tests := []struct {
		name   string
		given  []Command
		events []Event
		want   []Participant
	}{
		{name: "added in order", given: created(), events: []Event{
			newEvent(EventParticipantAdded, Participant{ID: "pA", Name: "An", Role: RoleChair}),
			newEvent(EventParticipantAdded, Participant{ID: "pB", Name: "Bình", Position: "Đảng viên", Unit: "Phòng A", Role: RoleDelegate}),
		}, want: []Participant{{ID: "pA", Name: "An", Role: RoleChair}, {ID: "pB", Name: "Bình", Position: "Đảng viên", Unit: "Phòng A", Role: RoleDelegate}}},
		{name: "updated replaces fields", given: cat(created(), cmds(&AddParticipant{NewParticipant{Name: "An", Position: "Bí thư", Unit: "Chi bộ"}})), events: []Event{
			newEvent(EventParticipantUpdated, Participant{ID: "p2", Name: "Nguyễn Văn An", Role: RoleObserver}),
		}, want: []Participant{{ID: "p2", Name: "Nguyễn Văn An", Role: RoleObserver}}},
		{name: "updated keeps the pairing", given: cat(created(), cmds(&AddParticipant{NewParticipant{Name: "An"}}, &RecordPairing{ID: "p2"})), events: []Event{
			newEvent(EventParticipantUpdated, Participant{ID: "p2", Name: "Nguyễn Văn An", Role: RoleDelegate}),
		}, want: []Participant{{ID: "p2", Name: "Nguyễn Văn An", Role: RoleDelegate, Paired: true}}},
		{name: "updated does not pair", given: cat(created(), cmds(&AddParticipant{NewParticipant{Name: "An"}})), events: []Event{
			newEvent(EventParticipantUpdated, Participant{ID: "p2", Name: "An", Role: RoleDelegate, Paired: true}),
		}, want: []Participant{{ID: "p2", Name: "An", Role: RoleDelegate}}},
		{name: "updated unknown changes nothing", given: cat(created(), cmds(&AddParticipant{NewParticipant{Name: "An"}})), events: []Event{
			newEvent(EventParticipantUpdated, Participant{ID: "p9", Name: "Bình", Role: RoleDelegate}),
		}, want: []Participant{{ID: "p2", Name: "An", Role: RoleDelegate}}},
		{name: "removed", given: cat(created(), cmds(&ImportParticipants{Rows: []NewParticipant{{Name: "An"}, {Name: "Bình"}, {Name: "Cường"}}})), events: []Event{
			newEvent(EventParticipantRemoved, ParticipantRef{ID: "p3"}),
		}, want: []Participant{{ID: "p2", Name: "An", Role: RoleDelegate}, {ID: "p4", Name: "Cường", Role: RoleDelegate}}},
		{name: "removed unknown changes nothing", given: cat(created(), cmds(&AddParticipant{NewParticipant{Name: "An"}})), events: []Event{
			newEvent(EventParticipantRemoved, ParticipantRef{ID: "p3"}),
		}, want: []Participant{{ID: "p2", Name: "An", Role: RoleDelegate}}},
		{name: "paired", given: cat(created(), cmds(&ImportParticipants{Rows: []NewParticipant{{Name: "An"}, {Name: "Bình"}}})), events: []Event{
			newEvent(EventParticipantPaired, ParticipantRef{ID: "p3"}),
		}, want: []Participant{{ID: "p2", Name: "An", Role: RoleDelegate}, {ID: "p3", Name: "Bình", Role: RoleDelegate, Paired: true}}},
		{name: "paired twice", given: cat(created(), cmds(&AddParticipant{NewParticipant{Name: "An"}})), events: []Event{
			newEvent(EventParticipantPaired, ParticipantRef{ID: "p2"}), newEvent(EventParticipantPaired, ParticipantRef{ID: "p2"}),
		}, want: []Participant{{ID: "p2", Name: "An", Role: RoleDelegate, Paired: true}}},
		{name: "paired unknown changes nothing", given: cat(created(), cmds(&AddParticipant{NewParticipant{Name: "An"}})), events: []Event{
			newEvent(EventParticipantPaired, ParticipantRef{ID: "p7"}),
		}, want: []Participant{{ID: "p2", Name: "An", Role: RoleDelegate}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := given(t, tt.given...)
			applyAll(t, s, tt.events...)
			if diff := cmp.Diff(tt.want, s.Participants); diff != "" {
				t.Errorf("after %s: participants = %+v; want %+v (-want +got):\n%s", tt.name, s.Participants, tt.want, diff)
			}
		})
	}
}

func TestApplyNotices(t *testing.T) {
	s := given(t, opened()...)
	e1 := next(s, newEvent(EventNoticeSent, Notice{ID: "n11", Text: "Giải lao", At: time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC)}))
	if err := Apply(s, e1); err != nil {
		t.Fatal(err)
	}
	e2 := next(s, newEvent(EventNoticeSent, Notice{ID: "n12", Text: "Riêng", To: "p6"}))
	if err := Apply(s, e2); err != nil {
		t.Fatal(err)
	}
	// The time of a notice is the time of its event, not what the payload says.
	want := []Notice{{ID: "n11", At: e1.At, Text: "Giải lao"}, {ID: "n12", At: e2.At, Text: "Riêng", To: "p6"}}
	if diff := cmp.Diff(want, s.Notices); diff != "" {
		t.Errorf("notices = %+v; want %+v (-want +got):\n%s", s.Notices, want, diff)
	}
}

func TestApplyMeetingLifeCycle(t *testing.T) {
	s := &State{ID: "ignored", Agenda: []Item{{ID: "stale"}}}
	details := Details{Title: "Hội nghị", Place: "Hội trường", StartsAt: t0}
	created := Event{Meeting: "m7", Seq: 1, At: t0, Actor: asSecretary.ID, Type: EventMeetingCreated}
	created.Data, _ = json.Marshal(details)
	evs := []Event{created}
	Seal(0, "", evs)
	if err := Apply(s, evs[0]); err != nil {
		t.Fatalf("Apply(meeting.created) = %v; want nil", err)
	}
	want := &State{ID: "m7", Seq: 1, Head: evs[0].Hash, Details: details, Status: StatusDraft, Agenda: []Item{}, Participants: []Participant{}, Notices: []Notice{},
		Settings: DefaultSettings(), Attendance: map[string]Attendance{}, Requests: []SpeakerRequest{}, Speeches: []Speech{}, Polls: []Poll{}, Documents: []Document{}, Support: []SupportRequest{}}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Fatalf("after meeting.created: state (-want +got):\n%s", diff)
	}
	if !s.Created() {
		t.Errorf("Created() = false after meeting.created; want true")
	}
	b, _ := json.Marshal(s)
	for _, list := range []string{`"agenda":[]`, `"participants":[]`, `"notices":[]`, `"attendance":{}`, `"requests":[]`, `"speeches":[]`, `"polls":[]`, `"sites":[]`, `"documents":[]`} {
		if !strings.Contains(string(b), list) {
			t.Errorf("JSON of a new meeting = %s; want it to contain %s", b, list)
		}
	}

	steps := []struct {
		typ    string
		data   any
		status Status
	}{
		{EventMeetingUpdated, Details{Title: "Hội nghị (sửa)"}, StatusDraft},
		{EventMeetingOpened, nil, StatusOpen},
		{EventMeetingPaused, nil, StatusPaused},
		{EventMeetingResumed, nil, StatusOpen},
		{EventMeetingPaused, nil, StatusPaused},
		{EventMeetingClosed, nil, StatusClosed},
	}
	var openedAt, closedAt time.Time
	for _, st := range steps {
		e := next(s, newEvent(st.typ, st.data))
		if err := Apply(s, e); err != nil {
			t.Fatalf("Apply(%s) = %v; want nil", st.typ, err)
		}
		if s.Status != st.status {
			t.Errorf("after %s: status = %s; want %s", st.typ, s.Status, st.status)
		}
		switch st.typ {
		case EventMeetingOpened:
			openedAt = e.At
		case EventMeetingClosed:
			closedAt = e.At
		}
	}
	if s.Details != (Details{Title: "Hội nghị (sửa)"}) {
		t.Errorf("after meeting.updated: details = %+v; want title only", s.Details)
	}
	if !s.OpenedAt.Equal(openedAt) || !s.ClosedAt.Equal(closedAt) || openedAt.IsZero() || !closedAt.After(openedAt) {
		t.Errorf("opened at %v, closed at %v; want %v and %v", s.OpenedAt, s.ClosedAt, openedAt, closedAt)
	}
	if s.Seq != 7 {
		t.Errorf("Seq = %d after 7 events; want 7", s.Seq)
	}
}

func TestApplyRejectsEventNotFollowing(t *testing.T) {
	s := given(t, opened()...)
	good := next(s, newEvent(EventCurrentSet, ItemRef{ID: "i2"}))
	tests := []struct {
		name string
		e    func() Event
	}{
		{"seq repeated", func() Event { e := good; e.Seq = s.Seq; return e }},
		{"seq skipped", func() Event { e := good; e.Seq = s.Seq + 2; return e }},
		{"seq zero", func() Event { e := good; e.Seq = 0; return e }},
		{"seq negative", func() Event { e := good; e.Seq = -1; return e }},
		{"prev empty", func() Event { e := good; e.Prev = ""; return e }},
		{"prev of another event", func() Event { e := good; e.Prev = e.Hash; return e }},
		{"prev one character off", func() Event {
			e := good
			e.Prev = "0" + e.Prev[1:]
			if e.Prev == good.Prev {
				e.Prev = "1" + e.Prev[1:]
			}
			return e
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := s.Clone()
			before := c.Clone()
			e := tt.e()
			err := Apply(c, e)
			if KindOf(err) != KindInternal {
				t.Errorf("Apply(seq %d prev %.8s) on state seq %d = %v; want an internal error", e.Seq, e.Prev, s.Seq, err)
			}
			if diff := cmp.Diff(before, c); diff != "" {
				t.Errorf("Apply(seq %d) with error changed the state (-before +after):\n%s", e.Seq, diff)
			}
		})
	}
	// The good event applies once, and not twice.
	if err := Apply(s, good); err != nil {
		t.Fatalf("Apply(good) = %v; want nil", err)
	}
	if err := Apply(s, good); KindOf(err) != KindInternal {
		t.Errorf("Apply(good) again = %v; want an internal error", err)
	}
}

func TestApplyCorruptPayload(t *testing.T) {
	// Each case must fail to apply and leave the state exactly as it was.
	tests := []struct {
		name string
		e    Event
	}{
		{"unknown type", raw("agenda.item_exploded", `{"id":"i2"}`)},
		{"empty type", raw("", "")},
		{"created not JSON", raw(EventMeetingCreated, `{"title":`)},
		{"created no data", raw(EventMeetingCreated, ``)},
		{"created wrong type", raw(EventMeetingCreated, `{"title":5}`)},
		{"updated wrong shape", raw(EventMeetingUpdated, `["Hội nghị"]`)},
		{"updated bad time", raw(EventMeetingUpdated, `{"title":"x","starts_at":"hôm qua"}`)},
		{"item added not JSON", raw(EventItemAdded, `{{`)},
		{"item added wrong type", raw(EventItemAdded, `{"item":{"id":"x","title":"x"},"position":"1"}`)},
		{"item added no data", raw(EventItemAdded, ``)},
		{"item added position 0", raw(EventItemAdded, `{"item":{"id":"x","title":"x"},"position":0}`)},
		{"item added position negative", raw(EventItemAdded, `{"item":{"id":"x","title":"x"},"position":-3}`)},
		{"item added position past the end", raw(EventItemAdded, `{"item":{"id":"x","title":"x"},"position":5}`)},
		{"item renamed wrong type", raw(EventItemRenamed, `{"id":"i2","title":false}`)},
		{"item moved not JSON", raw(EventItemMoved, `nope`)},
		{"item moved position 0", raw(EventItemMoved, `{"id":"i2","position":0}`)},
		{"item moved position past the end", raw(EventItemMoved, `{"id":"i2","position":4}`)},
		{"item moved position far past the end", raw(EventItemMoved, `{"id":"i3","position":99}`)},
		{"item removed wrong type", raw(EventItemRemoved, `{"id":2}`)},
		{"item done wrong type", raw(EventItemDone, `{"id":"i2","done":"yes"}`)},
		{"current set wrong type", raw(EventCurrentSet, `{"id":["i2"]}`)},
		{"participant added not JSON", raw(EventParticipantAdded, `{"id":"p1",`)},
		{"participant added wrong type", raw(EventParticipantAdded, `{"id":"p1","name":"An","role":1}`)},
		{"participant updated wrong type", raw(EventParticipantUpdated, `{"id":"p6","name":["An"]}`)},
		{"participant removed wrong type", raw(EventParticipantRemoved, `{"id":{}}`)},
		{"participant paired wrong type", raw(EventParticipantPaired, `[]`)},
		{"notice wrong type", raw(EventNoticeSent, `{"id":"n1","text":1}`)},
		{"notice no data", raw(EventNoticeSent, ``)},
		{"configured wrong type", raw(EventMeetingConfigured, `{"sites":"Hải Phòng"}`)},
		{"checked in no data", raw(EventCheckedIn, ``)},
		{"marked wrong type", raw(EventAttendanceMarked, `{"participant":6}`)},
		{"checked out wrong type", raw(EventCheckedOut, `{"id":[]}`)},
		{"requested wrong type", raw(EventSpeakerRequested, `{"request":{"id":"r1"},"position":"1"}`)},
		{"withdrawn not JSON", raw(EventSpeakerWithdrawn, `{`)},
		{"moved wrong type", raw(EventSpeakerMoved, `{"id":"r1","position":true}`)},
		{"floor given wrong type", raw(EventFloorGiven, `{"id":"s1","limit":"5m"}`)},
		{"speech ended wrong type", raw(EventSpeechEnded, `{"id":"s1","elapsed":"1m"}`)},
		{"timer paused no data", raw(EventTimerPaused, ``)},
		{"timer resumed wrong type", raw(EventTimerResumed, `[]`)},
		{"limit set wrong type", raw(EventSpeechLimitSet, `{"limit":"x"}`)},
		{"item limit set wrong type", raw(EventItemLimitSet, `{"item":1}`)},
		{"list closed wrong type", raw(EventListClosed, `{"id":1}`)},
		{"list reopened no data", raw(EventListReopened, ``)},
		{"poll created wrong type", raw(EventPollCreated, `{"id":"v1","seats":"2"}`)},
		{"poll updated not JSON", raw(EventPollUpdated, `x`)},
		{"poll opened wrong type", raw(EventPollOpened, `{"id":"v1","eligible":"p6"}`)},
		{"poll voted wrong type", raw(EventPollVoted, `{"poll":1}`)},
		{"poll progress wrong type", raw(EventPollProgress, `{"voted":"2"}`)},
		{"poll closed no data", raw(EventPollClosed, ``)},
		{"poll counted wrong type", raw(EventPollCounted, `{"result":[]}`)},
		{"poll published wrong type", raw(EventPollPublished, `{"id":3}`)},
		{"poll cancelled wrong type", raw(EventPollCancelled, `{"reason":{}}`)},
	}
	s := given(t, opened()...) // agenda i2, i3, i4
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := s.Clone()
			e := next(c, tt.e)
			err := safeApply(t, c, e)
			if err == nil {
				t.Errorf("Apply(%s %s) = nil; want an error", e.Type, e.Data)
			} else if KindOf(err) != KindInternal {
				t.Errorf("Apply(%s %s) = %v (kind %s); want kind internal", e.Type, e.Data, err, KindOf(err))
			}
			if diff := cmp.Diff(s, c); diff != "" {
				t.Errorf("Apply(%s %s) = %v and changed the state (-before +after):\n%s", e.Type, e.Data, err, diff)
			}
		})
	}
}

func TestApplyHiddenAdvancesOnlySeqAndHead(t *testing.T) {
	s := given(t, opened()...)
	for _, e := range []Event{
		newEvent(EventNoticeSent, Notice{ID: "n11", Text: "Riêng", To: "p6"}),
		newEvent(EventParticipantPaired, ParticipantRef{ID: "p6"}),
		newEvent(EventMeetingClosed, nil),
	} {
		before := s.Clone()
		h := next(s, e).Hidden()
		if h.Type != EventHidden || h.Data != nil || h.Actor != "" || !h.At.IsZero() || !h.Audience.Everyone() {
			t.Errorf("Hidden() = %+v; want only meeting, seq, prev and hash", h)
		}
		if err := Apply(s, h); err != nil {
			t.Fatalf("Apply(hidden seq %d) = %v; want nil", h.Seq, err)
		}
		want := before.Clone()
		want.Seq, want.Head = h.Seq, h.Hash
		if diff := cmp.Diff(want, s); diff != "" {
			t.Errorf("Apply(hidden %s) changed more than seq and head (-want +got):\n%s", e.Type, diff)
		}
	}
}

// realistic is a whole meeting, from preparation to closing.
func realistic() []Command {
	return cat(base(), cmds(
		&UpdateMeeting{Details{Title: "Hội nghị kiểm điểm, đánh giá, xếp loại năm 2025", Organization: "Chi bộ Văn phòng", Place: "Hội trường tầng 3", StartsAt: t0, Chair: "Đồng chí Nguyễn Văn An", Secretary: "Đồng chí Trần Thị Bình"}},
		&AddItem{Title: "Thông qua chương trình", Position: 1},
		&MoveItem{ID: "i11", Position: 2},
		&RenameItem{ID: "i3", Title: "Báo cáo kiểm điểm tập thể", Presenter: "Đồng chí Bí thư"},
		&AddParticipant{NewParticipant{Name: "Đỗ Thị Hoa", Role: RoleSecretary}},
		&RecordPairing{ID: "p5"},
		&RecordPairing{ID: "p6"},
		&UpdateParticipant{ID: "p7", NewParticipant: NewParticipant{Name: "Lê Văn Cường", Position: "Đảng viên dự bị"}},
		&SendNotice{Text: "Đề nghị các đồng chí có mặt lúc 7 giờ 45."},
		&OpenMeeting{},
		&AdvanceAgenda{},
		&AdvanceAgenda{},
		&SendNotice{Text: "Mời đồng chí chuẩn bị ý kiến.", To: "p6"},
		&AddItem{Title: "Ý kiến của đại biểu"},
		&PauseMeeting{},
		&SendNotice{Text: "Giải lao 15 phút."},
		&ResumeMeeting{},
		&AdvanceAgenda{},
		&RemoveParticipant{ID: "p8"},
		&SetItemDone{ID: "i3", Done: true},
		&SetItemDone{ID: "i3", Done: false},
		&SetCurrentItem{ID: "i4"},
		&SetCurrentItem{ID: "i3"},
		&AdvanceAgenda{},
		&AdvanceAgenda{},
		&AdvanceAgenda{},
		&CloseMeeting{},
	))
}

func TestReplay(t *testing.T) {
	step, log := givenLog(t, realistic()...)
	if step.Status != StatusClosed || len(step.Notices) != 3 || len(log) < 35 {
		t.Fatalf("realistic meeting: status %s, %d notices, %d events; want closed, 3, ≥ 35", step.Status, len(step.Notices), len(log))
	}
	got, err := Replay(log)
	if err != nil {
		t.Fatalf("Replay(%d events) = %v; want nil", len(log), err)
	}
	if diff := cmp.Diff(step, got); diff != "" {
		t.Errorf("Replay(log) differs from the state built step by step (-step +replay):\n%s", diff)
	}
	// Every prefix replays to the state at that point.
	for n := range log {
		want, err := Replay(log[:n])
		if err != nil {
			t.Fatalf("Replay(log[:%d]) = %v", n, err)
		}
		if want.Seq != int64(n) {
			t.Errorf("Replay(log[:%d]).Seq = %d; want %d", n, want.Seq, n)
		}
	}
	// The final state: the agenda as reordered and dealt with.
	var titles []string
	for _, it := range got.Agenda {
		titles = append(titles, fmt.Sprintf("%s/%v", it.Title, it.Done))
	}
	wantTitles := []string{"Khai mạc/true", "Thông qua chương trình/true", "Báo cáo kiểm điểm tập thể/true", "Bế mạc/true", "Ý kiến của đại biểu/true"}
	if !cmp.Equal(titles, wantTitles) || got.Current != "" {
		t.Errorf("final agenda = %v, current %q; want %v, none", titles, got.Current, wantTitles)
	}

	if s, err := Replay(nil); err != nil || s.Created() {
		t.Errorf("Replay(nil) = %+v, %v; want an empty state", s, err)
	}
	if _, err := Replay(log[1:]); KindOf(err) != KindInternal {
		t.Errorf("Replay(log without its first event) = %v; want an internal error", err)
	}
	gap := append(append([]Event(nil), log[:5]...), log[6:]...)
	if _, err := Replay(gap); KindOf(err) != KindInternal {
		t.Errorf("Replay(log with a gap) = %v; want an internal error", err)
	}
}
