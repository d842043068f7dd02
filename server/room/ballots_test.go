package room

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/ballotseal"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

// memBox is an in-memory store.BallotBox for the room's unit tests (the
// real stores are tested by server/store/storetest and end to end).
type memBox struct {
	mu        sync.Mutex
	keys      map[string]string // poll/voter → key
	ballots   map[string][]store.StoredBallot
	closed    map[string]bool
	finalised map[string]bool
	gate      chan struct{} // if set, StoreBallot waits for it
}

func newMemBox() *memBox {
	return &memBox{keys: map[string]string{}, ballots: map[string][]store.StoredBallot{}, closed: map[string]bool{}, finalised: map[string]bool{}}
}

func (b *memBox) StoreBallot(ctx context.Context, x store.Ballot) error {
	if b.gate != nil {
		<-b.gate
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if k, ok := b.keys[x.Poll+"/"+x.Participant]; ok {
		if k == x.Key {
			return nil
		}
		return meeting.Errorf(meeting.KindConflict, "đã bỏ phiếu", "already voted")
	}
	if b.closed[x.Poll] {
		return store.ErrBoxClosed
	}
	b.keys[x.Poll+"/"+x.Participant] = x.Key
	voter := x.Participant
	if x.Secret {
		voter = ""
	}
	b.ballots[x.Poll] = append(b.ballots[x.Poll], store.StoredBallot{Participant: voter, Data: x.Data})
	return nil
}

func (b *memBox) Voters(ctx context.Context, m, poll string) (map[string]string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string]string{}
	for k, v := range b.keys {
		if p, voter, _ := strings.Cut(k, "/"); p == poll {
			out[voter] = v
		}
	}
	return out, nil
}

func (b *memBox) Ballots(ctx context.Context, m, poll string) ([]store.StoredBallot, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.ballots[poll]), nil
}

func (b *memBox) CloseBox(ctx context.Context, m, poll string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed[poll] = true
	return nil
}

func (b *memBox) ReplaceSecretBallots(ctx context.Context, m, poll string, data [][]byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed[poll] {
		return meeting.Errorf(meeting.KindConflict, "chưa đóng", "not closed")
	}
	b.ballots[poll] = nil
	for _, d := range data {
		b.ballots[poll] = append(b.ballots[poll], store.StoredBallot{Data: d})
	}
	b.finalised[poll] = true
	return nil
}

func (b *memBox) UnfinalisedSecretPolls(ctx context.Context) ([]store.PollRef, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []store.PollRef
	for poll, bs := range b.ballots {
		if len(bs) > 0 && bs[0].Participant == "" && !b.finalised[poll] {
			out = append(out, store.PollRef{Meeting: "m1", Poll: poll})
		}
	}
	return out, nil
}

// memKeys is an in-memory Keys.
type memKeys struct {
	mu    sync.Mutex
	keys  map[string]*ballotseal.Key
	calls int           // Key and Lookup calls
	delay time.Duration // each call takes this long (object storage)
}

func newMemKeys() *memKeys { return &memKeys{keys: map[string]*ballotseal.Key{}} }

func (k *memKeys) Key(ctx context.Context, m, poll string) (*ballotseal.Key, error) {
	k.mu.Lock()
	k.calls++
	d := k.delay
	k.mu.Unlock()
	time.Sleep(d)
	k.mu.Lock()
	defer k.mu.Unlock()
	if x, ok := k.keys[m+"/"+poll]; ok {
		return x, nil
	}
	x := new(ballotseal.Key)
	x[0] = byte(len(k.keys) + 1)
	k.keys[m+"/"+poll] = x
	return x, nil
}

func (k *memKeys) Lookup(ctx context.Context, m, poll string) (*ballotseal.Key, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.keys[m+"/"+poll], nil
}

func (k *memKeys) List(ctx context.Context) ([]store.PollRef, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []store.PollRef
	for mp := range k.keys {
		m, p, _ := strings.Cut(mp, "/")
		out = append(out, store.PollRef{Meeting: m, Poll: p})
	}
	return out, nil
}

func (k *memKeys) Destroy(ctx context.Context, m, poll string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.keys, m+"/"+poll)
	return nil
}

// votingRoom returns an open meeting with n checked-in delegates and an
// open poll of kind; it returns the room, the poll ID and the delegates.
func votingRoom(t *testing.T, log *memLog, box *memBox, kind meeting.PollKind, n int) (*Room, string, []meeting.Actor) {
	t.Helper()
	opts := quiet()
	opts.Box, opts.Keys, opts.FlushInterval = box, newMemKeys(), 20*time.Millisecond
	reg := NewRegistry(log, opts)
	r, err := reg.Create(context.Background(), "m1", secretary, meeting.Details{Title: "Bỏ phiếu"})
	if err != nil {
		t.Fatal(err)
	}
	var rows []meeting.NewParticipant
	for i := 0; i < n; i++ {
		rows = append(rows, meeting.NewParticipant{Name: fmt.Sprintf("Đại biểu %d", i)})
	}
	submit(t, r, &meeting.ImportParticipants{Rows: rows})
	submit(t, r, &meeting.OpenMeeting{})
	var actors []meeting.Actor
	for _, p := range r.State().Participants {
		a := meeting.Actor{ID: "participant:" + p.ID, Role: meeting.RoleDelegate, Participant: p.ID}
		if _, err := r.Submit(context.Background(), a, &meeting.CheckIn{}); err != nil {
			t.Fatal(err)
		}
		actors = append(actors, a)
	}
	submit(t, r, &meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Thông qua?", Kind: kind}})
	poll := r.State().Polls[0].ID
	submit(t, r, &meeting.OpenPoll{ID: poll})
	return r, poll, actors
}

// TestSealKeyFetchedOnce: the first ballots of a secret poll arrive all at
// once; the poll's key (in object storage: each fetch is a few round trips)
// is fetched once, not once per ballot.
func TestSealKeyFetchedOnce(t *testing.T) {
	r, poll, voters := votingRoom(t, newMemLog(), newMemBox(), meeting.PollSecret, 40)
	keys := r.opts.Keys.(*memKeys)
	keys.mu.Lock()
	keys.delay, keys.calls = 20*time.Millisecond, 0
	keys.mu.Unlock()
	var wg sync.WaitGroup
	for i, v := range voters {
		wg.Go(func() {
			if err := r.Cast(context.Background(), v, poll, fmt.Sprint("k", i), meeting.Ballot{Choice: meeting.ChoiceAgree}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	keys.mu.Lock()
	defer keys.mu.Unlock()
	if keys.calls != 1 {
		t.Errorf("the poll's key was fetched %d times for %d ballots cast at once; want once", keys.calls, len(voters))
	}
}

func TestCastIdempotentOneVoterOneBallot(t *testing.T) {
	r, poll, voters := votingRoom(t, newMemLog(), newMemBox(), meeting.PollSecret, 3)
	ctx := context.Background()
	agree := meeting.Ballot{Choice: meeting.ChoiceAgree}
	if err := r.Cast(ctx, voters[0], poll, "k1", agree); err != nil {
		t.Fatalf("Cast = %v", err)
	}
	if err := r.Cast(ctx, voters[0], poll, "k1", agree); err != nil {
		t.Errorf("retry with the same key = %v; want the original success", err)
	}
	if err := r.Cast(ctx, voters[0], poll, "k2", meeting.Ballot{Choice: meeting.ChoiceDisagree}); meeting.KindOf(err) != meeting.KindConflict {
		t.Errorf("a second ballot with another key = %v; want conflict", err)
	}
	if err := r.Cast(ctx, voters[1], poll, "", agree); meeting.KindOf(err) != meeting.KindInvalid {
		t.Errorf("empty key = %v; want invalid", err)
	}
	if err := r.Cast(ctx, voters[1], poll, "k", meeting.Ballot{Kept: []string{"c1"}}); meeting.KindOf(err) != meeting.KindInvalid {
		t.Errorf("a ballot of another kind = %v; want invalid", err)
	}
	if _, err := r.ClosePoll(ctx, secretary, poll); err != nil {
		t.Fatal(err)
	}
	if err := r.Cast(ctx, voters[1], poll, "k3", agree); err != ErrNotCounted {
		t.Errorf("a ballot after the close = %v; want ErrNotCounted", err)
	}
	p, _ := r.State().Poll(poll)
	if p.Result == nil || p.Result.Cast != 1 || p.Voted != 1 {
		t.Errorf("closed poll: result %+v, voted %d; want 1 ballot", p.Result, p.Voted)
	}
}

func TestCloseWaitsForBallotsInFlight(t *testing.T) {
	box := newMemBox()
	r, poll, voters := votingRoom(t, newMemLog(), box, meeting.PollSecret, 2)
	ctx := context.Background()
	box.gate = make(chan struct{})
	castErr := make(chan error, 1)
	go func() { castErr <- r.Cast(ctx, voters[0], poll, "k", meeting.Ballot{Choice: meeting.ChoiceAgree}) }()
	time.Sleep(20 * time.Millisecond) // the ballot is being stored
	closed := make(chan error, 1)
	go func() {
		_, err := r.ClosePoll(ctx, secretary, poll)
		closed <- err
	}()
	time.Sleep(20 * time.Millisecond)
	// While closing, a new ballot is not counted.
	if err := r.Cast(ctx, voters[1], poll, "k2", meeting.Ballot{Choice: meeting.ChoiceAgree}); err != ErrNotCounted {
		t.Errorf("a ballot while closing = %v; want ErrNotCounted", err)
	}
	select {
	case <-closed:
		t.Fatal("the poll closed while a ballot was being stored")
	default:
	}
	close(box.gate)
	if err := <-castErr; err != nil {
		t.Errorf("the ballot in flight = %v; want recorded", err)
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	p, _ := r.State().Poll(poll)
	if p.Result == nil || p.Result.Cast != 1 {
		t.Errorf("result = %+v; want the ballot in flight counted", p.Result)
	}
}

func TestVotesRecordedInBatchesAndAfterRestart(t *testing.T) {
	log, box := newMemLog(), newMemBox()
	r, poll, voters := votingRoom(t, log, box, meeting.PollOpen, 60)
	ctx := context.Background()
	before := len(log.events["m1"])
	var wg sync.WaitGroup
	for i, a := range voters[:50] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.Cast(ctx, a, poll, fmt.Sprint("k", i), meeting.Ballot{Choice: meeting.ChoiceAgree}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	deadline := time.Now().Add(2 * time.Second)
	for {
		p, _ := r.State().Poll(poll)
		if p.Voted == 50 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("voted = %d after 2 s; want 50 recorded", p.Voted)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(log.events["m1"]) - before; n >= 50 {
		t.Errorf("50 ballots made %d events; want batches (far fewer)", n)
	}
	// Ballots stored but not yet recorded when the server dies: a new
	// room (a restart) records them from the box.
	r.Stop(ctx)
	for i, a := range voters[50:] {
		data := []byte(`{"choice":"disagree"}`)
		if err := box.StoreBallot(ctx, store.Ballot{Meeting: "m1", Poll: poll, Participant: a.Participant, Key: fmt.Sprint("late", i), Data: data}); err != nil {
			t.Fatal(err)
		}
	}
	opts := quiet()
	opts.Box = box
	r2, err := Load(ctx, log, "m1", opts)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := r2.State().Poll(poll)
	if p.Voted != 60 {
		t.Errorf("after restart voted = %d; want 60 (10 recovered from the box)", p.Voted)
	}
	if _, err := r2.ClosePoll(ctx, secretary, poll); err != nil {
		t.Fatal(err)
	}
	p, _ = r2.State().Poll(poll)
	var agree, disagree int
	for _, o := range p.Result.Options {
		switch o.Choice {
		case meeting.ChoiceAgree:
			agree = o.Votes
		case meeting.ChoiceDisagree:
			disagree = o.Votes
		}
	}
	if agree != 50 || disagree != 10 {
		t.Errorf("result agree %d, disagree %d; want 50, 10", agree, disagree)
	}
}
