package meeting_test

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/meeting/meetingtest"
)

// TestClosePublishIsCloseThenPublish checks poll.close with publish against
// its definition on the polls of random meetings (meetingtest's generator):
// at every command boundary of every meeting, for every open poll and a
// secretary and the chair, the one command's events are exactly those of
// poll.close followed by poll.publish decided on the state the close left
// (same types, data, audiences, seqs and hashes), or, when that pair is
// refused at either step, the one command is refused with the same error.
func TestClosePublishIsCloseThenPublish(t *testing.T) {
	meetings := 100
	if testing.Short() {
		meetings = 30
	}
	checked, published, refused := 0, 0, 0
	for seed := uint64(1); seed <= uint64(meetings); seed++ {
		_, run, err := meetingtest.Generate(seed, 40+int(seed%60), meetingtest.Options{})
		if err != nil {
			t.Fatalf("meeting %d: %v", seed, err)
		}
		rng := rand.New(rand.NewPCG(seed, 7))
		s := &meeting.State{}
		for k, e := range run.Log {
			if err := meeting.Apply(s, e); err != nil {
				t.Fatalf("meeting %d: apply seq %d: %v", seed, e.Seq, err)
			}
			if k+1 < len(run.Log) && run.Log[k+1].At.Equal(e.At) {
				continue // inside one command's events
			}
			for _, p := range s.Polls {
				if p.Status != meeting.PollStatusOpen {
					continue
				}
				for _, a := range actors(s) {
					ballots := someBallots(rng, p)
					ok := closeThenPublish(t, seed, s, a, p, ballots, e.At.Add(time.Second))
					checked++
					if ok {
						published++
					} else {
						refused++
					}
				}
			}
		}
	}
	t.Logf("%d closes checked: %d published, %d refused", checked, published, refused)
	if published < 50 || refused < 5 {
		t.Errorf("only %d published and %d refused closes: the generated meetings do not exercise poll.close with publish", published, refused)
	}
}

// closeThenPublish compares poll.close with publish with poll.close then
// poll.publish on s at now and reports whether it was accepted.
func closeThenPublish(t *testing.T, seed uint64, s *meeting.State, a meeting.Actor, p meeting.Poll, ballots []meeting.Ballot, now time.Time) bool {
	t.Helper()
	got, gotErr := meeting.Decide(s, a, &meeting.ClosePoll{ID: p.ID, Publish: true, Ballots: ballots}, now)
	closeEvents, err := meeting.Decide(s, a, &meeting.ClosePoll{ID: p.ID, Ballots: ballots}, now)
	var want []meeting.Event
	if err == nil {
		after := s.Clone()
		for _, e := range closeEvents {
			if err := meeting.Apply(after, e); err != nil {
				t.Fatalf("meeting %d, poll %s: apply the close: %v", seed, p.ID, err)
			}
		}
		var pub []meeting.Event
		if pub, err = meeting.Decide(after, a, &meeting.PublishPoll{ID: p.ID}, now); err == nil {
			want = append(closeEvents, pub...)
		}
	}
	if err != nil || gotErr != nil {
		if !reflect.DeepEqual(gotErr, err) {
			t.Errorf("meeting %d, poll %s (%s, %s) by %s: close with publish: %v; close then publish: %v", seed, p.ID, p.Kind, p.Status, a.Role, gotErr, err)
		}
		if got != nil {
			t.Errorf("meeting %d, poll %s: refused, yet %d events", seed, p.ID, len(got))
		}
		return false
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("meeting %d, poll %s (%s) by %s:\nclose with publish: %s\nclose then publish: %s", seed, p.ID, p.Kind, a.Role, types(got), types(want))
		for i := range min(len(got), len(want)) {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("  event %d differs:\n  got  %+v\n  want %+v", i, got[i], want[i])
				break
			}
		}
	}
	return true
}

// actors are the secretary's account and, when the meeting has one, the
// chair's tablet.
func actors(s *meeting.State) []meeting.Actor {
	out := []meeting.Actor{{ID: "account:thuky", Role: meeting.RoleSecretary}}
	for _, p := range s.Participants {
		if p.Role == meeting.RoleChair {
			return append(out, meeting.Actor{ID: "participant:" + p.ID, Role: p.Role, Participant: p.ID})
		}
	}
	return out
}

// someBallots returns ballots for poll p's box as the server fills them: a
// secret poll's as many as the voters recorded (now and then one short, to
// see the refusal), of every form the poll's kind takes and some invalid;
// none for an open or paper poll, whose ballots are in the state.
func someBallots(rng *rand.Rand, p meeting.Poll) []meeting.Ballot {
	if !p.Kind.Secret() || p.Paper {
		return nil
	}
	n := p.Voted
	if n > 0 && rng.IntN(10) == 0 {
		n--
	}
	names := p.Names()
	out := make([]meeting.Ballot, n)
	for i := range out {
		var b meeting.Ballot
		switch {
		case rng.IntN(12) == 0:
			b.Spoiled = true
		case p.Kind == meeting.PollElection:
			for _, c := range names {
				if rng.IntN(2) == 0 {
					b.Kept = append(b.Kept, c.ID)
				}
			}
		case p.Kind == meeting.PollRating:
			levels := p.Scale.Levels()
			b.Ratings = map[string]meeting.Level{}
			for _, c := range names {
				b.Ratings[c.ID] = levels[rng.IntN(len(levels))]
			}
		default:
			b.Choice = []meeting.Choice{meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceDisagree, meeting.ChoiceAbstain}[rng.IntN(4)]
		}
		out[i] = b
	}
	return out
}

// types lists the events' types.
func types(events []meeting.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Type
	}
	return out
}
