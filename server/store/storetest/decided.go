package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/phonghop/phonghop/server/meeting"
)

// AppendDecided: the path of a caller that lost an Append race.

func init() {
	eventTests = append(eventTests,
		test{name: "AppendDecided", f: testAppendDecided},
		test{name: "AppendDecidedLocksAcrossNodes", f: testAppendDecidedLocks, peer: true},
		test{name: "AppendDecidedNotStarved", f: testAppendDecidedNotStarved, peer: true},
	)
}

// decideNext returns a decide func that records what it was given and
// appends n events after the last of them (or after the given head).
func decideNext(id string, head meeting.Event, n int, got *[]meeting.Event) func([]meeting.Event) ([]meeting.Event, error) {
	return func(missed []meeting.Event) ([]meeting.Event, error) {
		*got = missed
		last := head
		if len(missed) > 0 {
			last = missed[len(missed)-1]
		}
		return Chain(id, last.Seq, last.Hash, n), nil
	}
}

func testAppendDecided(t *testing.T, env *env) {
	s := env.open(t)
	ctx := context.Background()
	base := Chain("m", 0, "", 5)
	MustAppend(t, s, base)
	ch, err := s.Listen(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// decide is shown what the caller missed, and what it makes is stored.
	var missed []meeting.Event
	if err := s.AppendDecided(ctx, "m", 2, decideNext("m", base[1], 2, &missed)); err != nil {
		t.Fatalf("AppendDecided = %v", err)
	}
	if d := cmp.Diff(base[2:], missed); d != "" {
		t.Errorf("decide was shown (-want +got):\n%s", d)
	}
	all := MustEvents(t, s, "m")
	if len(all) != 7 {
		t.Fatalf("log has %d events; want 7", len(all))
	}
	if _, err := meeting.VerifyChain(0, "", all); err != nil {
		t.Errorf("chain after AppendDecided: %v", err)
	}
	collect(t, ch, map[string]int64{"m": 7}, map[string]int64{"m": 5})

	// Caught up: decide is shown nothing.
	missed = []meeting.Event{{}}
	if err := s.AppendDecided(ctx, "m", 7, decideNext("m", all[6], 1, &missed)); err != nil || len(missed) != 0 {
		t.Errorf("AppendDecided from the head = %v, shown %d events; want nil, none", err, len(missed))
	}
	all = MustEvents(t, s, "m")

	refusals := []struct {
		name   string
		id     string
		decide func([]meeting.Event) ([]meeting.Event, error)
		want   meeting.Kind
		err    error // if set, returned as it is
	}{
		{"decide fails", "m", func([]meeting.Event) ([]meeting.Event, error) { return nil, errBoom }, "", errBoom},
		{"decide refuses", "m", func([]meeting.Event) ([]meeting.Event, error) {
			return nil, meeting.Errorf(meeting.KindConflict, "Đã kết thúc.", "already over")
		}, meeting.KindConflict, nil},
		{"nothing to append", "m", func([]meeting.Event) ([]meeting.Event, error) { return nil, nil }, "", nil},
		{"not following", "m", func([]meeting.Event) ([]meeting.Event, error) { return Chain("m", all[2].Seq, all[2].Hash, 1), nil }, meeting.KindConflict, nil},
		{"another meeting", "m", func([]meeting.Event) ([]meeting.Event, error) { return Chain("x", 8, all[7].Hash, 1), nil }, meeting.KindInvalid, nil},
		{"unknown meeting", "khong-co", func([]meeting.Event) ([]meeting.Event, error) {
			t.Error("decide called for an unknown meeting")
			return nil, nil
		}, meeting.KindNotFound, nil},
	}
	for _, r := range refusals {
		err := s.AppendDecided(ctx, r.id, 1, r.decide)
		switch {
		case r.err != nil && !errors.Is(err, r.err):
			t.Errorf("%s: AppendDecided = %v; want %v as it is", r.name, err, r.err)
		case r.err == nil && KindOf(err) != r.want:
			t.Errorf("%s: AppendDecided = %v; want kind %q", r.name, err, r.want)
		}
		if got := MustEvents(t, s, "m"); len(got) != len(all) {
			t.Errorf("%s: the log has %d events; want %d (nothing stored)", r.name, len(got), len(all))
		}
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.AppendDecided(cctx, "m", 8, decideNext("m", all[7], 1, &missed)); !errors.Is(err, context.Canceled) {
		t.Errorf("AppendDecided(cancelled ctx) = %v; want context.Canceled", err)
	}
	if got := MustEvents(t, s, "m"); len(got) != len(all) {
		t.Errorf("a cancelled AppendDecided stored %d events", len(got)-len(all))
	}
}

var errBoom = errors.New("storetest: decide failed")

// testAppendDecidedLocks: while decide runs, no node can append to the
// meeting: an Append made on the peer meanwhile waits, then finds the head
// moved (Conflict) and stores nothing. (With group commit the peer's whole
// batch waits: decide must be quick.)
func testAppendDecidedLocks(t *testing.T, env *env) {
	s := env.open(t)
	peer := env.h.Peer(t, s)
	ctx := context.Background()
	base := Chain("m", 0, "", 3)
	MustAppend(t, s, base)
	entered, release := make(chan struct{}), make(chan struct{})
	decided := make(chan error, 1)
	go func() {
		decided <- s.AppendDecided(ctx, "m", 3, func([]meeting.Event) ([]meeting.Event, error) {
			close(entered)
			<-release
			return Chain("m", base[2].Seq, base[2].Hash, 1), nil
		})
	}()
	<-entered
	rival := make(chan error, 1)
	go func() { rival <- peer.Append(ctx, Chain("m", base[2].Seq, base[2].Hash, 2)) }()
	select {
	case err := <-rival:
		t.Fatalf("the peer's Append returned (%v) while decide held the meeting; want it to wait", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	if err := <-decided; err != nil {
		t.Fatalf("AppendDecided = %v", err)
	}
	if err := <-rival; KindOf(err) != meeting.KindConflict {
		t.Errorf("the peer's waiting Append = %v; want Conflict (the head moved)", err)
	}
	if got := MustEvents(t, peer, "m"); len(got) != 4 || got[3].Hash != Chain("m", base[2].Seq, base[2].Hash, 1)[0].Hash {
		t.Errorf("log has %d events; want the 3 and AppendDecided's", len(got))
	}
}

// testAppendDecidedNotStarved: a node appends to a meeting in a tight loop
// (each append decided on its own fresh head); the other node, which loses
// every optimistic race, still gets each of its appends through
// AppendDecided at once.
func testAppendDecidedNotStarved(t *testing.T, env *env) {
	s := env.open(t)
	peer := env.h.Peer(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	MustAppend(t, s, Chain("m", 0, "", 1))
	var wg sync.WaitGroup
	var loopErr error
	wg.Go(func() {
		for ctx.Err() == nil {
			head, hash, _, err := s.Head(ctx, "m")
			if err == nil {
				err = s.Append(ctx, Chain("m", head, hash, 1))
			}
			if err != nil && KindOf(err) != meeting.KindConflict && ctx.Err() == nil {
				loopErr = err
				return
			}
		}
	})
	for i := range 20 {
		head, hash, _, err := peer.Head(ctx, "m")
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		err = peer.AppendDecided(ctx, "m", head, decideNext("m", meeting.Event{Seq: head, Hash: hash}, 1, new([]meeting.Event)))
		if err != nil {
			t.Fatalf("append %d of the losing node = %v; want it stored", i, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("append %d of the losing node took %v", i, d)
		}
	}
	cancel()
	wg.Wait()
	if loopErr != nil {
		t.Fatal(loopErr)
	}
	all := MustEvents(t, peer, "m")
	if _, err := meeting.VerifyChain(0, "", all); err != nil {
		t.Errorf("chain: %v", err)
	}
	t.Logf("%d events, 20 of them through AppendDecided", len(all))
}
