package meeting

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// hall is a meeting on item i2 with a chair (p3) and delegates p4-p10; p3
// has spoken (speech s14), so there is someone to reply to.
func hall() []Command {
	rows := []NewParticipant{{Name: "Chủ tọa", Role: RoleChair}}
	for i := 4; i <= 10; i++ {
		rows = append(rows, NewParticipant{Name: fmt.Sprintf("Đại biểu %d", i)})
	}
	return cat(created(), cmds(
		&AddItem{Title: "Thảo luận"}, // i2
		&ImportParticipants{Rows: rows},
		&OpenMeeting{},                 // 11
		&SetCurrentItem{ID: "i2"},      // 12
		&AddSpeaker{Participant: "p3"}, // r13
		&GiveFloor{},                   // s14
	))
}

func delegate(id string) Actor {
	return Actor{ID: "participant:" + id, Role: RoleDelegate, Participant: id}
}

// queueOf returns the participants of item's queue, in order.
func queueOf(s *State, item string) []string {
	var ids []string
	for _, r := range s.Queue(item) {
		ids = append(ids, r.Participant)
	}
	return ids
}

func TestSpeakerPriority(t *testing.T) {
	// Steps: N4 normal request by p4, P5 point of order, R6 reply, M6@1
	// move p6's request to position 1, W5 withdraw p5's, G give the floor
	// to the head of the queue.
	tests := []struct {
		steps string
		want  []string
	}{
		{"N4 N5 N6", []string{"p4", "p5", "p6"}},
		{"N4 N5 P6", []string{"p6", "p4", "p5"}},
		{"N4 P5 P6", []string{"p5", "p6", "p4"}},
		{"N4 P5 R6", []string{"p5", "p6", "p4"}},
		{"N4 R5 R6", []string{"p5", "p6", "p4"}},
		{"R4 P5", []string{"p5", "p4"}},
		{"N4 R5 P6 N7 R8 P9", []string{"p6", "p9", "p5", "p8", "p4", "p7"}},
		{"N4 N5 N6 M6@1", []string{"p6", "p4", "p5"}},
		{"N4 N5 N6 M6@1 P7 R8 N9", []string{"p7", "p8", "p6", "p4", "p5", "p9"}},
		{"N4 N5 M4@2 R6", []string{"p6", "p5", "p4"}},
		{"P4 N5 M5@1 P6", []string{"p5", "p4", "p6"}}, // behind the last point of order, wherever it was moved
		{"N4 N5 N6 W5", []string{"p4", "p6"}},
		{"N4 P5 N6 G", []string{"p4", "p6"}},
		{"N4 P5 N6 G G N7", []string{"p6", "p7"}},
	}
	kinds := map[byte]SpeechKind{'N': SpeechNormal, 'P': SpeechPointOfOrder, 'R': SpeechReply}
	for _, tt := range tests {
		t.Run(tt.steps, func(t *testing.T) {
			s := given(t, hall()...)
			for _, st := range strings.Fields(tt.steps) {
				var a Actor = asSecretary
				var c Command
				switch st[0] {
				case 'N', 'P', 'R':
					a, c = delegate("p"+st[1:]), &RequestFloor{Kind: kinds[st[0]]}
				case 'M':
					who, pos, _ := strings.Cut(st[1:], "@")
					var n int
					fmt.Sscan(pos, &n)
					c = &ReorderRequest{ID: requestOf(s, "p"+who), Position: n}
				case 'W':
					c = &WithdrawRequest{ID: requestOf(s, "p"+st[1:])}
				case 'G':
					c = &GiveFloor{}
				}
				events, err := Decide(s, a, c, nowAt(s))
				if err != nil {
					t.Fatalf("step %s: %v", st, err)
				}
				for _, e := range events {
					if err := Apply(s, e); err != nil {
						t.Fatal(err)
					}
				}
			}
			if got := queueOf(s, "i2"); !cmp.Equal(got, tt.want) {
				t.Errorf("queue after %s = %v; want %v", tt.steps, got, tt.want)
			}
		})
	}
}

func requestOf(s *State, participant string) string {
	for _, r := range s.Requests {
		if r.Participant == participant {
			return r.ID
		}
	}
	return "none"
}

func TestSpeakerQueuesPerItem(t *testing.T) {
	s := given(t, cat(hall(), cmds(
		&AddItem{Title: "Biểu quyết"}, // i15
		by(delegate("p4"), &RequestFloor{}),
		&AddSpeaker{Participant: "p5", Item: "i15"},
		&AddSpeaker{Participant: "p4", Item: "i15"}, // one request per item, not per meeting
		&AddSpeaker{Participant: "p6", Item: "i15", Kind: SpeechPointOfOrder},
	))...)
	if got := queueOf(s, "i2"); !cmp.Equal(got, []string{"p4"}) {
		t.Errorf("queue of i2 = %v; want [p4]", got)
	}
	if got := queueOf(s, "i15"); !cmp.Equal(got, []string{"p6", "p5", "p4"}) {
		t.Errorf("queue of i15 = %v; want [p6 p5 p4]", got)
	}
	// The request's time is the event's.
	if r := s.Queue("i2")[0]; !r.At.Equal(t0.Add(15*time.Minute)) || r.Kind != SpeechNormal {
		t.Errorf("request = %+v; want made at t0+15m", r)
	}
	// Removing an item (not current, nothing said on it) drops its queue.
	runOn(s, &RemoveItem{ID: "i15"})
	if got := queueOf(s, "i15"); got != nil || len(s.Requests) != 1 {
		t.Errorf("after removing i15: queue %v, %d requests; want none, 1", got, len(s.Requests))
	}
	// Removing a participant drops their requests.
	runOn(s, &RemoveParticipant{ID: "p4"})
	if len(s.Requests) != 0 {
		t.Errorf("after removing p4: %d requests; want 0", len(s.Requests))
	}
}

func TestSpeechClock(t *testing.T) {
	T := t0
	running := Speech{Start: T, RunningSince: T, Limit: 5 * time.Minute}
	paused := Speech{Start: T, Elapsed: 2 * time.Minute, Paused: true, Limit: 5 * time.Minute}
	resumed := Speech{Start: T, Elapsed: 2 * time.Minute, RunningSince: T.Add(10 * time.Minute), Limit: 3 * time.Minute}
	ended := Speech{Start: T, End: T.Add(20 * time.Minute), Elapsed: 7 * time.Minute, Limit: 5 * time.Minute}
	unlimited := Speech{Start: T, RunningSince: T}
	tests := []struct {
		name                        string
		sp                          Speech
		now                         time.Time
		elapsed, remaining, overrun time.Duration
	}{
		{"just started", running, T, 0, 5 * time.Minute, 0},
		{"a minute in", running, T.Add(time.Minute), time.Minute, 4 * time.Minute, 0},
		{"at the limit", running, T.Add(5 * time.Minute), 5 * time.Minute, 0, 0},
		{"over the limit", running, T.Add(6*time.Minute + 30*time.Second), 6*time.Minute + 30*time.Second, 0, 90 * time.Second},
		{"asked about a time before the start", running, T.Add(-time.Minute), 0, 5 * time.Minute, 0},
		{"paused: the clock stands", paused, T.Add(time.Hour), 2 * time.Minute, 3 * time.Minute, 0},
		{"resumed", resumed, T.Add(11 * time.Minute), 3 * time.Minute, 0, 0},
		{"resumed and over", resumed, T.Add(12 * time.Minute), 4 * time.Minute, 0, time.Minute},
		{"ended", ended, T.Add(time.Hour), 7 * time.Minute, 0, 2 * time.Minute},
		{"no limit", unlimited, T.Add(time.Hour), time.Hour, 0, 0},
	}
	for _, tt := range tests {
		if e, r, o := tt.sp.ElapsedAt(tt.now), tt.sp.Remaining(tt.now), tt.sp.Overrun(tt.now); e != tt.elapsed || r != tt.remaining || o != tt.overrun {
			t.Errorf("%s: elapsed %v remaining %v overrun %v; want %v %v %v", tt.name, e, r, o, tt.elapsed, tt.remaining, tt.overrun)
		}
	}
}

// TestSpeechClockThroughCommands runs a speech with pauses, added time and
// a meeting break at fixed times, and checks the clock every replica shows.
func TestSpeechClockThroughCommands(t *testing.T) {
	s := given(t, cat(hall(), cmds(by(delegate("p4"), &RequestFloor{Topic: "Ý kiến"})))...)
	T := t0.Add(time.Hour)
	step := func(min float64, a Actor, c Command) {
		t.Helper()
		events, err := Decide(s, a, c, T.Add(time.Duration(min*float64(time.Minute))))
		if err != nil {
			t.Fatalf("at T+%vm %s: %v", min, c.Name(), err)
		}
		for _, e := range events {
			if err := Apply(s, e); err != nil {
				t.Fatal(err)
			}
		}
	}
	clock := func(min float64) (time.Duration, time.Duration, time.Duration) {
		sp, ok := s.Speaking()
		if !ok {
			t.Fatalf("nobody speaking")
		}
		now := T.Add(time.Duration(min * float64(time.Minute)))
		return sp.ElapsedAt(now), sp.Remaining(now), sp.Overrun(now)
	}
	check := func(min float64, e, r, o time.Duration) {
		t.Helper()
		if ge, gr, gob := clock(min); ge != e || gr != r || gob != o {
			t.Errorf("at T+%vm: elapsed %v remaining %v overrun %v; want %v %v %v", min, ge, gr, gob, e, r, o)
		}
	}
	step(0, asSecretary, &GiveFloor{}) // the previous speech (s14) ends, s… starts; limit 5 minutes
	check(1, time.Minute, 4*time.Minute, 0)
	step(2, asChair, &SpeakerTimer{Action: TimerPause})
	check(4, 2*time.Minute, 3*time.Minute, 0)
	step(3, asSecretary, &SpeakerTimer{Action: TimerAdd, Seconds: 60})
	check(4, 2*time.Minute, 4*time.Minute, 0)
	step(4, asSecretary, &SpeakerTimer{Action: TimerResume})
	check(7, 5*time.Minute, time.Minute, 0)
	step(8, asSecretary, &PauseMeeting{}) // the clock pauses with the meeting at 6 minutes
	check(30, 6*time.Minute, 0, 0)
	step(30, asSecretary, &ResumeMeeting{}) // …and does not restart by itself
	check(31, 6*time.Minute, 0, 0)
	step(32, asSecretary, &SpeakerTimer{Action: TimerResume})
	check(33, 7*time.Minute, 0, time.Minute)
	step(34, delegate("p4"), &EndSpeech{})

	sp := s.Speeches[len(s.Speeches)-1]
	want := Speech{ID: sp.ID, Item: "i2", Participant: "p4", Kind: SpeechNormal, Topic: "Ý kiến", Request: "r15", Limit: 6 * time.Minute,
		Start: T, End: T.Add(34 * time.Minute), Elapsed: 8 * time.Minute}
	if diff := cmp.Diff(want, sp); diff != "" {
		t.Errorf("the speech as recorded (-want +got):\n%s", diff)
	}
	if first := s.Speeches[0]; first.Participant != "p3" || first.End != T || first.Elapsed != T.Sub(first.Start) {
		t.Errorf("the speech before: %+v; want ended when the floor was given on", first)
	}
	if _, ok := s.Speaking(); ok {
		t.Errorf("someone still speaking after the end")
	}
}
