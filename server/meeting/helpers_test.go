package meeting

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Test fixtures shared by the tests of this package.
//
// The "given" state of a test is always built by running commands through
// Decide and Apply, exactly as the server does, so the tests exercise the real
// path from command to state.

// t0 is 08:00 in Hà Nội (UTC+7) on the day of the fixture meeting.
var t0 = time.Date(2025, 12, 15, 1, 0, 0, 0, time.UTC)

// The actors of the fixture meeting. The participant IDs match base().
var (
	asSecretary = Actor{ID: "account:thuky", Role: RoleSecretary}
	asChair     = Actor{ID: "participant:p5", Role: RoleChair, Participant: "p5"}
	asDelegate  = Actor{ID: "participant:p6", Role: RoleDelegate, Participant: "p6"}
	asObserver  = Actor{ID: "participant:p8", Role: RoleObserver, Participant: "p8"}
	asHall      = Actor{ID: "participant:p9", Role: RoleHall, Participant: "p9"}
	asTech      = Actor{ID: "participant:p99", Role: RoleTechnician, Participant: "p99", Station: "st-tech"}
	asSystem    = Actor{ID: "system", Role: RoleSystem}
)

// allRoles are the roles an actor can have, participant roles and system.
var allRoles = []Role{RoleSecretary, RoleChair, RoleDelegate, RoleObserver, RoleHall, RoleTechnician, RoleSystem}

// actorOf returns the fixture actor of role r.
func actorOf(r Role) Actor {
	switch r {
	case RoleSecretary:
		return asSecretary
	case RoleChair:
		return asChair
	case RoleDelegate:
		return asDelegate
	case RoleObserver:
		return asObserver
	case RoleHall:
		return asHall
	case RoleTechnician:
		return asTech
	case RoleSystem:
		return asSystem
	}
	panic("no actor for role " + string(r))
}

// defaultActor is who gives c in a "given" sequence: the server records
// pairings, the secretary gives everything else.
func defaultActor(c Command) Actor {
	switch c := c.(type) {
	case byActor:
		return c.a
	case *RecordPairing, *RecordVotes, *RecordDownloads:
		return asSystem
	case *AddDocument, *AddVersion:
		return asUploader
	}
	return asSecretary
}

// byActor is a command given, in a "given" sequence, by another actor than
// the default one.
type byActor struct {
	a Actor
	Command
}

// by returns c as given by a.
func by(a Actor, c Command) Command { return byActor{a, c} }

// nowAt is the clock of the fixture: one minute per event.
func nowAt(s *State) time.Time { return t0.Add(time.Duration(s.Seq) * time.Minute) }

// build runs cmds through Decide and Apply on a new, not yet created state of
// meeting "m1", and returns the state and every event produced.
func build(cmds ...Command) (*State, []Event, error) {
	s := &State{ID: "m1"}
	log, err := runOn(s, cmds...)
	return s, log, err
}

// runOn runs cmds on s through Decide and Apply.
func runOn(s *State, cmds ...Command) ([]Event, error) {
	var log []Event
	for k, c := range cmds {
		events, err := Decide(s, defaultActor(c), c, nowAt(s))
		if err != nil {
			return log, fmt.Errorf("given command %d (%s): Decide: %w", k, c.Name(), err)
		}
		for _, e := range events {
			if err := Apply(s, e); err != nil {
				return log, fmt.Errorf("given command %d (%s): Apply(%s): %w", k, c.Name(), e.Type, err)
			}
		}
		log = append(log, events...)
	}
	return log, nil
}

// given returns the state after cmds (nil cmds: a meeting not yet created).
func given(t testing.TB, cmds ...Command) *State {
	t.Helper()
	s, _, err := build(cmds...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// givenLog is given that also returns the events.
func givenLog(t testing.TB, cmds ...Command) (*State, []Event) {
	t.Helper()
	s, log, err := build(cmds...)
	if err != nil {
		t.Fatal(err)
	}
	return s, log
}

// cat concatenates command lists.
func cat(lists ...[]Command) []Command {
	var out []Command
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// cmds is a literal list of commands.
func cmds(c ...Command) []Command { return c }

// The fixture meeting, by sequence number:
//
//	1     meeting.created
//	2-4   agenda items i2, i3, i4
//	5-9   participants p5 (chair), p6 and p7 (delegates), p8 (observer), p9 (hall)
//	10    meeting.opened (opened() only)
func created() []Command {
	return cmds(&CreateMeeting{Details{Title: "Hội nghị kiểm điểm, đánh giá, xếp loại năm 2025", Organization: "Chi bộ Văn phòng", Place: "Hội trường tầng 3"}})
}

func base() []Command {
	return cat(created(), cmds(
		&AddItem{Title: "Khai mạc"},
		&AddItem{Title: "Báo cáo kiểm điểm", Presenter: "Đồng chí Bí thư"},
		&AddItem{Title: "Bế mạc"},
		&ImportParticipants{Rows: []NewParticipant{
			{Name: "Nguyễn Văn An", Position: "Bí thư", Role: RoleChair},
			{Name: "Trần Thị Bình", Position: "Đảng viên", Unit: "Phòng Tổng hợp"},
			{Name: "Lê Văn Cường", Role: RoleDelegate},
			{Name: "Phạm Minh Dũng", Role: RoleObserver},
			{Name: "Màn hình hội trường", Role: RoleHall},
		}},
	))
}

func opened() []Command { return cat(base(), cmds(&OpenMeeting{})) }

// payloadOf decodes the payload of an event of type typ, as the type named in
// the comment of its constant in event.go. Events without a payload decode to
// nil.
func payloadOf(typ string, data json.RawMessage) (any, error) {
	strict := func(v any) error {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		return dec.Decode(v)
	}
	var p any
	var err error
	switch typ {
	case EventMeetingOpened, EventMeetingPaused, EventMeetingResumed, EventMeetingClosed:
		if len(data) != 0 {
			return nil, fmt.Errorf("%s has a payload %s", typ, data)
		}
		return nil, nil
	case EventMeetingCreated, EventMeetingUpdated:
		var v Details
		err = strict(&v)
		p = v
	case EventItemAdded:
		var v ItemAdded
		err = strict(&v)
		p = v
	case EventItemRenamed:
		var v ItemRenamed
		err = strict(&v)
		p = v
	case EventItemMoved:
		var v ItemMoved
		err = strict(&v)
		p = v
	case EventItemRemoved, EventCurrentSet:
		var v ItemRef
		err = strict(&v)
		p = v
	case EventItemDone:
		var v ItemDone
		err = strict(&v)
		p = v
	case EventParticipantAdded, EventParticipantUpdated:
		var v Participant
		err = strict(&v)
		p = v
	case EventParticipantRemoved, EventParticipantPaired:
		var v ParticipantRef
		err = strict(&v)
		p = v
	case EventNoticeSent:
		var v Notice
		err = strict(&v)
		p = v
	case EventMeetingConfigured:
		var v Settings
		err = strict(&v)
		p = v
	case EventCheckedIn, EventAttendanceMarked:
		var v AttendanceChanged
		err = strict(&v)
		p = v
	case EventCheckedOut:
		var v ParticipantRef
		err = strict(&v)
		p = v
	case EventSpeakerRequested:
		var v SpeakerRequested
		err = strict(&v)
		p = v
	case EventSpeakerWithdrawn:
		var v RequestRef
		err = strict(&v)
		p = v
	case EventSpeakerMoved:
		var v RequestMoved
		err = strict(&v)
		p = v
	case EventFloorGiven:
		var v Speech
		err = strict(&v)
		p = v
	case EventSpeechEnded, EventTimerPaused:
		var v SpeechClock
		err = strict(&v)
		p = v
	case EventTimerResumed:
		var v SpeechRef
		err = strict(&v)
		p = v
	case EventSpeechLimitSet:
		var v SpeechLimit
		err = strict(&v)
		p = v
	case EventItemLimitSet:
		var v ItemLimit
		err = strict(&v)
		p = v
	case EventListClosed, EventListReopened:
		var v ItemRef
		err = strict(&v)
		p = v
	case EventPollCreated, EventPollUpdated:
		var v PollDefined
		err = strict(&v)
		p = v
	case EventPollOpened:
		var v PollOpened
		err = strict(&v)
		p = v
	case EventPollVoted:
		var v Voted
		err = strict(&v)
		p = v
	case EventPollProgress:
		var v PollProgress
		err = strict(&v)
		p = v
	case EventPollClosed:
		var v PollRef
		err = strict(&v)
		p = v
	case EventPollCounted, EventPollPublished:
		var v PollResult
		err = strict(&v)
		p = v
	case EventPollCancelled:
		var v PollCancelled
		err = strict(&v)
		p = v
	default:
		// Newer events: decode strictly into their Payload type.
		mk, ok := payloads[typ]
		if !ok || mk == nil {
			return nil, fmt.Errorf("unknown event type %q", typ)
		}
		v := mk()
		err = strict(v)
		p = reflect.ValueOf(v).Elem().Interface()
	}
	return p, err
}

// fleet is a server's state and, for each of allViewers, a replica folding
// what that viewer receives: every event, or its placeholder outside the
// event's audience. The replica-equals-view tests drive it.
type fleet struct {
	server   *State
	replicas []*State
}

func newFleet() *fleet {
	f := &fleet{server: &State{ID: "m1"}, replicas: make([]*State, len(allViewers))}
	for i := range f.replicas {
		f.replicas[i] = NewReplica(allViewers[i])
	}
	return f
}

// apply folds e into the server and into every replica.
func (f *fleet) apply(t *testing.T, where string, e Event) {
	t.Helper()
	if err := Apply(f.server, e); err != nil {
		t.Fatalf("%s: server Apply(%s) = %v", where, e.Type, err)
	}
	for i, v := range allViewers {
		got := e.For(v, f.server)
		if err := Apply(f.replicas[i], got); err != nil {
			t.Fatalf("%s: replica of %+v: Apply(%s) = %v", where, v, got.Type, err)
		}
	}
}

// check fails unless every replica equals View(server, its viewer); each,
// when not nil, then sees every viewer's view.
func (f *fleet) check(t *testing.T, where string, each func(v Viewer, view *State)) {
	t.Helper()
	for i, v := range allViewers {
		view := View(f.server, v)
		if !reflect.DeepEqual(view, f.replicas[i]) {
			t.Fatalf("%s: replica of %+v differs from View (-view +replica):\n%s", where, v, cmp.Diff(view, f.replicas[i]))
		}
		if each != nil {
			each(v, view)
		}
	}
}
