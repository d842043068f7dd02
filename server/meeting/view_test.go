package meeting

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The viewers of the fixture meeting (participant IDs as in base()).
var (
	viewSecretary = Viewer{Role: RoleSecretary}                   // a secretary account, not a participant
	viewChair     = Viewer{Participant: "p5", Role: RoleChair}    // the chair's tablet
	viewDelegate  = Viewer{Participant: "p6", Role: RoleDelegate} // addressee of the private notices
	viewOther     = Viewer{Participant: "p7", Role: RoleDelegate} // another delegate
	viewObserver  = Viewer{Participant: "p8", Role: RoleObserver}
	viewHall      = Viewer{Participant: "p9", Role: RoleHall}
	allViewers    = []Viewer{viewSecretary, viewChair, viewDelegate, viewOther, viewObserver, viewHall}
)

func noticeIDs(s *State) []string {
	ids := []string{}
	for _, n := range s.Notices {
		ids = append(ids, n.ID)
	}
	return ids
}

func TestViewNotices(t *testing.T) {
	// n11 to everyone, n12 to p6 only, n13 to p7 only.
	s := given(t, cat(opened(), cmds(
		&SendNotice{Text: "Giải lao 15 phút."},
		&SendNotice{Text: "Mời đồng chí chuẩn bị phát biểu.", To: "p6"},
		&SendNotice{Text: "Đồng chí phát biểu sau.", To: "p7"},
	))...)
	tests := []struct {
		v    Viewer
		want []string
	}{
		{viewSecretary, []string{"n11", "n12", "n13"}},
		{viewChair, []string{"n11", "n12", "n13"}},
		{Viewer{Participant: "p10", Role: RoleSecretary}, []string{"n11", "n12", "n13"}}, // a secretary participant
		{viewDelegate, []string{"n11", "n12"}},
		{viewOther, []string{"n11", "n13"}},
		{viewObserver, []string{"n11"}},
		{viewHall, []string{"n11"}},
		{Viewer{Role: RoleDelegate}, []string{"n11"}}, // a delegate with no participant ID sees no private notice
		{Viewer{Participant: "p6", Role: RoleHall}, []string{"n11", "n12"}},
	}
	before := s.Clone()
	for _, tt := range tests {
		got := View(s, tt.v)
		if ids := noticeIDs(got); !cmp.Equal(ids, tt.want) {
			t.Errorf("View(s, %+v).Notices = %v; want %v", tt.v, ids, tt.want)
		}
	}
	if diff := cmp.Diff(before, s); diff != "" {
		t.Errorf("View changed the state (-before +after):\n%s", diff)
	}
}

func TestViewPaired(t *testing.T) {
	s := given(t, cat(base(), cmds(&RecordPairing{ID: "p5"}, &RecordPairing{ID: "p6"}))...)
	paired := func(s *State) []string {
		ids := []string{}
		for _, p := range s.Participants {
			if p.Paired {
				ids = append(ids, p.ID)
			}
		}
		return ids
	}
	for _, v := range allViewers {
		want := []string{}
		if v.Role.Staff() {
			want = []string{"p5", "p6"}
		}
		got := View(s, v)
		if ids := paired(got); !cmp.Equal(ids, want) {
			t.Errorf("View(s, %+v): paired participants = %v; want %v", v, ids, want)
		}
		n := len(s.Participants)
		if LeanViewer(v) {
			n = 1 // a lean view lists its viewer only (lean.go)
		}
		if len(got.Participants) != n {
			t.Errorf("View(s, %+v) has %d participants; want %d", v, len(got.Participants), n)
		}
	}
	if ids := paired(s); !cmp.Equal(ids, []string{"p5", "p6"}) {
		t.Errorf("after View, the server state's paired participants = %v; want [p5 p6] (View must not change its input)", ids)
	}
}

func TestViewOfStaffIsTheWholeState(t *testing.T) {
	s := given(t, realistic()...)
	for _, v := range []Viewer{viewSecretary, viewChair} {
		if diff := cmp.Diff(s, View(s, v)); diff != "" {
			t.Errorf("View(s, %+v) differs from s (-state +view):\n%s", v, diff)
		}
	}
}

// TestViewEqualsFilteredReplica is the invariant the WebSocket clients rely
// on: a replica that folds every event it receives (the event itself when the
// viewer is in its audience, its Hidden placeholder otherwise) is, after every
// step, exactly the server's View of the meeting for that viewer.
func TestViewEqualsFilteredReplica(t *testing.T) {
	seen := map[string]int{} // event types, and the filtered ones by audience, over every run
	personal := 0            // views that depend on who looks
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 2025))
			server := &State{ID: "m1"}
			replicas := make([]*State, len(allViewers))
			for i := range replicas {
				replicas[i] = NewReplica(allViewers[i])
			}
			var accepted, hidden, private, pairedUpdates int
			box := ballotBox{} // the server's secret ballots, with no voter
			step := func(k int, a Actor, c Command) {
				t.Helper()
				var secret []Ballot
				switch c := c.(type) {
				case *ClosePoll:
					c.Ballots = box[c.ID]
				case *RecordVotes:
					if p, ok := server.Poll(c.Poll); ok && p.Kind.Secret() {
						for range c.Votes {
							secret = append(secret, randomBallot(r, p))
						}
					}
				}
				events, err := Decide(server, a, c, nowAt(server))
				if err != nil {
					return
				}
				if rv, ok := c.(*RecordVotes); ok {
					box[rv.Poll] = append(box[rv.Poll], secret...)
				}
				accepted++
				for _, e := range events {
					seen[e.Type]++
					if !e.Audience.Everyone() {
						seen["filtered "+e.Type]++
					}
					if e.Type == EventParticipantUpdated {
						if p, ok := server.Participant(payloadID(e)); ok && p.Paired {
							pairedUpdates++
						}
					}
					if err := Apply(server, e); err != nil {
						t.Fatalf("step %d: server Apply(%s) = %v", k, e.Type, err)
					}
					if e.Type == EventNoticeSent && !e.Audience.Everyone() {
						private++
					}
					for i, v := range allViewers {
						got := e.For(v, server)
						if !e.Audience.Includes(v) {
							hidden++
						}
						if err := Apply(replicas[i], got); err != nil {
							t.Fatalf("step %d: replica of %+v: Apply(%s) = %v", k, v, got.Type, err)
						}
					}
				}
				for i, v := range allViewers {
					// DeepEqual is stricter than cmp (and much faster); cmp
					// decides when they disagree.
					if view := View(server, v); !reflect.DeepEqual(view, replicas[i]) {
						if diff := cmp.Diff(view, replicas[i]); diff != "" {
							t.Fatalf("step %d (%s %s): replica of %+v differs from View(server, viewer) (-view +replica):\n%s", k, a.Role, c.Name(), v, diff)
						}
					}
					if Personal(server, v) {
						personal++
					}
				}
			}

			for k, c := range opened() {
				step(k, defaultActor(c), c)
			}
			const steps = 1500
			for k := range steps {
				a, c := randomCommand(r, server)
				step(len(opened())+k, a, c)
			}
			for _, p := range server.Polls {
				if p.Status == PollStatusOpen {
					step(-2, asSecretary, &CancelPoll{ID: p.ID, Reason: "Kết thúc"})
				}
			}
			step(-1, asSecretary, &CloseMeeting{})
			// The minutes, finished after the close: draft conclusions
			// (staff only), then finalised and corrected (everyone).
			step(-1, asChair, &Conclude{Text: "Hội nghị thành công."})
			if len(server.Agenda) > 0 {
				step(-1, asSecretary, &Conclude{Item: server.Agenda[0].ID, Text: "Thông qua."})
				step(-1, asSecretary, &Conclude{Item: server.Agenda[0].ID, Text: "Thông qua, có sửa."})
			}
			step(-1, asSecretary, &FinalizeMinutes{Number: "01-BB/CB"})
			step(-1, asChair, &CorrectMinutes{Text: "Đính chính.", Reason: "Ghi nhầm."})
			if !server.Minutes.Final() || server.Minutes.Revision != 2 {
				t.Errorf("minutes at the end = %+v; want finalised, revision 2", server.Minutes)
			}

			if server.Status != StatusClosed {
				t.Errorf("status at the end = %s; want closed", server.Status)
			}
			// The property is only worth something if the run exercised
			// what is filtered.
			if accepted < steps/3 || hidden == 0 || private == 0 || pairedUpdates == 0 {
				t.Errorf("%d accepted commands, %d hidden events, %d private notices, %d updates of paired participants; want ≥ %d and > 0, > 0, > 0",
					accepted, hidden, private, pairedUpdates, steps/3)
			}
			t.Logf("%d accepted commands, %d events, %d hidden deliveries, %d private notices, %d updates of paired participants", accepted, server.Seq, hidden, private, pairedUpdates)
		})
	}
	// …and the procedures: every new event type, the filtered ones
	// among them, and views that depend on who looks.
	for _, typ := range []string{EventMeetingConfigured, EventCheckedIn, EventAttendanceMarked, EventCheckedOut,
		EventSpeakerRequested, EventSpeakerWithdrawn, EventSpeakerMoved, EventFloorGiven, EventSpeechEnded, EventTimerPaused, EventTimerResumed,
		EventSpeechLimitSet, EventItemLimitSet, EventListClosed, EventListReopened,
		EventPollCreated, EventPollUpdated, EventPollOpened, EventPollVoted, EventPollProgress, EventPollClosed, EventPollCounted, EventPollPublished, EventPollCancelled,
		"filtered " + EventPollVoted, "filtered " + EventPollCounted,
		"filtered " + EventMinutesConcluded, EventMinutesFinalized, EventMinutesCorrected} {
		if seen[typ] == 0 {
			t.Errorf("no %s event in the run; want some", typ)
		}
	}
	if personal == 0 {
		t.Errorf("no personal view in the run; want some")
	}
	t.Logf("events by type: %v; %d personal views", seen, personal)
}

// payloadID returns the "id" of a participant payload.
func payloadID(e Event) string {
	p, err := payloadOf(e.Type, e.Data)
	if err != nil {
		return ""
	}
	if p, ok := p.(Participant); ok {
		return p.ID
	}
	return ""
}

// randomCommand returns a random command, mostly plausible, sometimes not
// (the property must hold whatever Decide accepts).
func randomCommand(r *rand.Rand, s *State) (Actor, Command) {
	pick := func(ids []string) string {
		if len(ids) == 0 || r.IntN(10) == 0 {
			return "x99" // unknown
		}
		return ids[r.IntN(len(ids))]
	}
	itemIDs := agendaIDs(s)
	var people []string
	for _, p := range s.Participants {
		people = append(people, p.ID)
	}
	// The viewers' own participants are addressed often, so that private
	// notices and pairings concern them.
	people = append(people, "p5", "p6", "p6", "p7")
	titles := []string{"Khai mạc", "Báo cáo", "Thảo luận", "Biểu quyết", "Bế mạc", ""}
	names := []string{"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", ""}
	roles := []Role{RoleDelegate, RoleDelegate, RoleObserver, RoleChair, RoleSecretary, RoleHall, ""}

	if r.IntN(2) == 0 {
		return randomProcedure(r, s)
	}
	actor := asSecretary
	switch r.IntN(10) {
	case 0, 1, 2:
		actor = asChair
	case 3:
		actor = []Actor{asDelegate, asObserver, asHall}[r.IntN(3)]
	}
	var c Command
	switch k := r.IntN(100); {
	case k < 10:
		c = &AddItem{Title: titles[r.IntN(len(titles))], Position: r.IntN(len(s.Agenda) + 3)}
	case k < 14:
		c = &RenameItem{ID: pick(itemIDs), Title: titles[r.IntN(len(titles))]}
	case k < 20:
		c = &MoveItem{ID: pick(itemIDs), Position: r.IntN(len(s.Agenda) + 2)}
	case k < 24:
		c = &RemoveItem{ID: pick(itemIDs)}
	case k < 30:
		c = &SetItemDone{ID: pick(itemIDs), Done: r.IntN(2) == 0}
	case k < 36:
		c = &SetCurrentItem{ID: pick(append(itemIDs, ""))}
	case k < 44:
		c = &AdvanceAgenda{}
	case k < 48:
		c = &AddParticipant{NewParticipant{Name: names[r.IntN(len(names))], Role: roles[r.IntN(len(roles))]}}
	case k < 50:
		c = &ImportParticipants{Rows: []NewParticipant{{Name: names[r.IntN(len(names))]}, {Name: names[r.IntN(len(names))], Role: roles[r.IntN(len(roles))]}}}
	case k < 60:
		p := pick(people)
		old, _ := s.Participant(p)
		np := NewParticipant{Name: old.Name, Position: old.Position, Unit: old.Unit, Role: old.Role, NonVoting: old.NonVoting}
		switch r.IntN(4) {
		case 3:
			np.NonVoting = !old.NonVoting
		case 0:
			np.Name = names[r.IntN(len(names))]
		case 1:
			np.Position = []string{"Bí thư", "Phó Bí thư", "Đảng viên", ""}[r.IntN(4)]
		case 2:
			// Keep the viewers' roles stable most of the time.
			if !slices.Contains([]string{"p5", "p6", "p7", "p8", "p9"}, p) {
				np.Role = roles[r.IntN(len(roles))]
			}
		}
		c = &UpdateParticipant{ID: p, NewParticipant: np}
	case k < 62:
		c = &RemoveParticipant{ID: pick(people)}
	case k < 72:
		actor = asSystem
		c = &RecordPairing{ID: pick(people)}
	case k < 80:
		c = &SendNotice{Text: "Thông báo", To: pick(people)}
	case k < 88:
		c = &SendNotice{Text: "Thông báo chung"}
	case k < 91:
		c = &PauseMeeting{}
	case k < 95:
		c = &ResumeMeeting{}
	case k < 97:
		c = &OpenMeeting{}
	default:
		c = &UpdateMeeting{Details{Title: titles[r.IntN(len(titles))], Place: "Hội trường"}}
	}
	return actor, c
}

func TestCloneIsDeepAndKeepsEmptyLists(t *testing.T) {
	empty := given(t, created()...)
	for _, c := range []*State{empty.Clone(), View(empty, viewHall), View(empty, viewSecretary)} {
		if c.Agenda == nil || c.Participants == nil || c.Notices == nil {
			t.Errorf("clone/view of a new meeting has nil lists (agenda %v, participants %v, notices %v); want empty lists", c.Agenda == nil, c.Participants == nil, c.Notices == nil)
		}
		b, _ := json.Marshal(c)
		for _, want := range []string{`"agenda":[]`, `"participants":[]`, `"notices":[]`} {
			if !strings.Contains(string(b), want) {
				t.Errorf("JSON of a clone/view of a new meeting = %s; want %s", b, want)
			}
		}
	}
	if c := (&State{}).Clone(); c.Agenda != nil || c.Participants != nil || c.Notices != nil {
		t.Errorf("Clone of a zero state has non-nil lists; want nil as in the original")
	}

	s := given(t, cat(opened(), cmds(&SendNotice{Text: "Chào mừng"}))...)
	want := given(t, cat(opened(), cmds(&SendNotice{Text: "Chào mừng"}))...)
	c := s.Clone()
	c.Agenda[0].Title = "changed"
	c.Participants[0].Name = "changed"
	c.Notices[0].Text = "changed"
	c.Agenda = append(c.Agenda, Item{ID: "x"})
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("changing a clone changed the original (-want +got):\n%s", diff)
	}
	v := View(s, viewHall)
	v.Participants[0].Name = "changed"
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("changing a view changed the original (-want +got):\n%s", diff)
	}
}
