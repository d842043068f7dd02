package room

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/ballotseal"
	"github.com/phonghop/phonghop/server/meeting"
)

// TestSealedBallotsHaveOneLength: whatever a voter chooses, the sealed
// ballots of one poll are all as long as each other, so a copy of the
// database without the key does not tell "agree" (shorter) from
// "disagree", nor an election ballot keeping two names from one keeping
// nine. (Before padding, a sealed ballot was 29 bytes longer than its
// JSON.)
func TestSealedBallotsHaveOneLength(t *testing.T) {
	ctx := context.Background()
	t.Run("yes/no", func(t *testing.T) {
		box := newMemBox()
		r, poll, voters := votingRoom(t, newMemLog(), box, meeting.PollSecret, 4)
		for i, b := range []meeting.Ballot{{Choice: meeting.ChoiceAgree}, {Choice: meeting.ChoiceDisagree}, {Choice: meeting.ChoiceAbstain}, {Spoiled: true}} {
			if err := r.Cast(ctx, voters[i], poll, fmt.Sprint("k", i), b); err != nil {
				t.Fatal(err)
			}
		}
		checkOneLength(t, box, poll, 4)
	})
	t.Run("election", func(t *testing.T) {
		box := newMemBox()
		r, _, voters := votingRoom(t, newMemLog(), box, meeting.PollSecret, 5)
		var cands []meeting.Candidate
		for i := 0; i < 14; i++ {
			cands = append(cands, meeting.Candidate{Name: fmt.Sprintf("Ứng viên %d", i+1)})
		}
		submit(t, r, &meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Bầu", Kind: meeting.PollElection, Candidates: cands, Seats: 11}})
		poll := r.State().Polls[1].ID
		submit(t, r, &meeting.OpenPoll{ID: poll})
		for i, kept := range [][]string{{"c1"}, {"c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11"}, {"c14", "c13"}, {}, {"c12", "c13"}} {
			if err := r.Cast(ctx, voters[i], poll, fmt.Sprint("k", i), meeting.Ballot{Kept: kept}); err != nil {
				t.Fatal(err)
			}
		}
		checkOneLength(t, box, poll, 5)
		if _, err := r.ClosePoll(ctx, secretary, poll); err != nil {
			t.Fatal(err)
		}
		p, _ := r.State().Poll(poll)
		if p.Result == nil || p.Result.Cast != 5 {
			t.Fatalf("result %+v; want 5 ballots counted (padding decodes)", p.Result)
		}
		for _, c := range p.Result.Candidates {
			if c.ID == "c1" && c.Votes != 2 {
				t.Errorf("c1 has %d votes; want 2", c.Votes)
			}
		}
	})
}

func checkOneLength(t *testing.T, box *memBox, poll string, n int) {
	t.Helper()
	bs, _ := box.Ballots(context.Background(), "m1", poll)
	if len(bs) != n {
		t.Fatalf("%d ballots in the box; want %d", len(bs), n)
	}
	for _, b := range bs {
		if !ballotseal.Sealed(b.Data) {
			t.Fatalf("a secret ballot stored unsealed: %q", b.Data)
		}
		if len(b.Data) != len(bs[0].Data) {
			t.Errorf("sealed ballots of one poll have lengths %d and %d; want one length", len(bs[0].Data), len(b.Data))
		}
	}
}

// failingKeys is memKeys whose Destroy fails while fail is set (the server
// dying between the rewrite of the ballots and the destruction of the key).
type failingKeys struct {
	*memKeys
	mu   sync.Mutex
	fail bool
}

func (k *failingKeys) Destroy(ctx context.Context, m, poll string) error {
	k.mu.Lock()
	fail := k.fail
	k.mu.Unlock()
	if fail {
		return errors.New("the server died")
	}
	return k.memKeys.Destroy(ctx, m, poll)
}

// TestKeyOfAFinalisedPollDestroyedAtStart: a crash after the ballots were
// rewritten but before the key was destroyed left the key for good (the
// box no longer listed the poll as unfinalised); with the key, a copy of
// the database taken while the poll was open could be read in the order of
// casting. Start now destroys the key of every closed poll it finds.
func TestKeyOfAFinalisedPollDestroyedAtStart(t *testing.T) {
	ctx := context.Background()
	log, box := newMemLog(), newMemBox()
	keys := &failingKeys{memKeys: newMemKeys()}
	opts := quiet()
	opts.Box, opts.Keys, opts.FlushInterval = box, keys, 20*time.Millisecond
	reg := NewRegistry(log, opts)
	r, err := reg.Create(ctx, "m1", secretary, meeting.Details{Title: "Bỏ phiếu kín"})
	if err != nil {
		t.Fatal(err)
	}
	submit(t, r, &meeting.ImportParticipants{Rows: []meeting.NewParticipant{{Name: "Đại biểu A"}, {Name: "Đại biểu B"}}})
	submit(t, r, &meeting.OpenMeeting{})
	var voters []meeting.Actor
	for _, p := range r.State().Participants {
		a := meeting.Actor{ID: "participant:" + p.ID, Role: meeting.RoleDelegate, Participant: p.ID}
		if _, err := r.Submit(ctx, a, &meeting.CheckIn{}); err != nil {
			t.Fatal(err)
		}
		voters = append(voters, a)
	}
	submit(t, r, &meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Thông qua?", Kind: meeting.PollSecret}})
	poll := r.State().Polls[0].ID
	submit(t, r, &meeting.OpenPoll{ID: poll})
	for i, a := range voters {
		if err := r.Cast(ctx, a, poll, fmt.Sprint("k", i), meeting.Ballot{Choice: meeting.ChoiceAgree}); err != nil {
			t.Fatal(err)
		}
	}
	keys.mu.Lock()
	keys.fail = true
	keys.mu.Unlock()
	if _, err := r.ClosePoll(ctx, secretary, poll); err != errCleanup {
		t.Fatalf("ClosePoll = %v; want errCleanup (the key could not be destroyed)", err)
	}
	reg.Stop(ctx) // the server dies: no background retry
	if !box.finalised[poll] {
		t.Fatal("the ballots were not rewritten before the key's destruction")
	}
	if k, _ := keys.Lookup(ctx, "m1", poll); k == nil {
		t.Fatal("the key is already gone; the test does not test the crash")
	}
	keys.mu.Lock()
	keys.fail = false
	keys.mu.Unlock()
	// The next start.
	reg2 := NewRegistry(log, opts)
	if err := reg2.FinaliseSecretPolls(ctx); err != nil {
		t.Fatal(err)
	}
	if k, _ := keys.Lookup(ctx, "m1", poll); k != nil {
		t.Error("after a restart the key of a closed, rewritten poll is still kept")
	}
	// A key of a poll the meeting does not have, or of no meeting, goes too;
	// a key of an open poll stays.
	keys.Key(ctx, "m1", "v999")
	keys.Key(ctx, "gone", "v1")
	submit(t, reg2MustGet(t, reg2), &meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Lần hai?", Kind: meeting.PollSecret}})
	r2 := reg2MustGet(t, reg2)
	open := r2.State().Polls[1].ID
	submit(t, r2, &meeting.OpenPoll{ID: open})
	if err := r2.Cast(ctx, voters[0], open, "k", meeting.Ballot{Choice: meeting.ChoiceAgree}); err != nil {
		t.Fatal(err)
	}
	if err := NewRegistry(log, opts).FinaliseSecretPolls(ctx); err != nil {
		t.Fatal(err)
	}
	keys.mu.Lock()
	var left []string
	for k := range keys.keys {
		left = append(left, k)
	}
	keys.mu.Unlock()
	if len(left) != 1 || left[0] != "m1/"+open {
		t.Errorf("keys left = %v; want only the open poll's", left)
	}
}

func reg2MustGet(t *testing.T, g *Registry) *Room {
	t.Helper()
	r, err := g.Get(context.Background(), "m1")
	if err != nil {
		t.Fatal(err)
	}
	return r
}
