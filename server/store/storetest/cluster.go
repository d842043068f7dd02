package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

var clusterTests = []test{
	{name: "Listen", f: testListen},
	{name: "ListenClosed", f: testListenClosed},
	{name: "TryLead", f: testTryLead},
	{name: "PingAndClose", f: testPingAndClose},
	{name: "ListenAcrossNodes", f: testListenAcrossNodes, peer: true},
	{name: "TryLeadAcrossNodes", f: testTryLeadAcrossNodes, peer: true},
}

// collect reads notifications from ch until every meeting in want has been
// notified at its wanted seq (or 20 s pass), checking that each meeting's
// seqs only grow and never name a commit made before Listen returned
// (seq <= floor[meeting]). Resync notifications are allowed anywhere.
func collect(t *testing.T, ch <-chan store.Notification, want, floor map[string]int64) map[string][]int64 {
	t.Helper()
	got := map[string][]int64{}
	done := func() bool {
		for m, seq := range want {
			s := got[m]
			if len(s) == 0 || s[len(s)-1] != seq {
				return false
			}
		}
		return true
	}
	timeout := time.After(20 * time.Second)
	for !done() {
		select {
		case n, ok := <-ch:
			if !ok {
				t.Fatalf("notification channel closed; got %v, want %v", got, want)
			}
			if n.Resync {
				continue
			}
			s := got[n.Meeting]
			if len(s) > 0 && n.Seq <= s[len(s)-1] {
				t.Errorf("meeting %s: seq %d notified after %d (not in commit order)", n.Meeting, n.Seq, s[len(s)-1])
			}
			if n.Seq <= floor[n.Meeting] {
				t.Errorf("meeting %s: seq %d notified, committed before Listen returned", n.Meeting, n.Seq)
			}
			if _, ok := want[n.Meeting]; !ok {
				t.Errorf("notification of meeting %q, which nobody appended to", n.Meeting)
			}
			got[n.Meeting] = append(s, n.Seq)
		case <-timeout:
			t.Fatalf("timed out: got %v, want the last seqs %v", got, want)
		}
	}
	return got
}

// appendRounds appends rounds batches of 1 to 3 events to each meeting
// through writers (round robin), concurrently per meeting, and returns the
// last seq of each. heads gives each meeting's current (seq, hash).
func appendRounds(t *testing.T, writers []store.Store, heads map[string]meeting.Event, rounds int) map[string]int64 {
	var wg sync.WaitGroup
	var mu sync.Mutex
	last := map[string]int64{}
	i := 0
	for m, head := range heads {
		w := writers[i%len(writers)]
		i++
		wg.Go(func() {
			seq, hash := head.Seq, head.Hash
			for r := range rounds {
				events := Chain(m, seq, hash, 1+r%3)
				if err := w.Append(context.Background(), events); err != nil {
					t.Errorf("Append(%s): %v", m, err)
					return
				}
				seq, hash = events[len(events)-1].Seq, events[len(events)-1].Hash
			}
			mu.Lock()
			last[m] = seq
			mu.Unlock()
		})
	}
	wg.Wait()
	return last
}

func testListen(t *testing.T, env *env) {
	s := env.open(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Commits before Listen are not notified.
	before := Chain("a", 0, "", 2)
	MustAppend(t, s, before)
	ch, err := s.Listen(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A commit of several events is notified with its last seq.
	MustAppend(t, s, Chain("c", 0, "", 3))
	select {
	case n := <-ch:
		if n.Resync {
			break
		}
		if n.Meeting != "c" || n.Seq != 3 {
			t.Errorf("first notification = %+v; want meeting c, seq 3 (the last of the commit)", n)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no notification of a commit")
	}
	// A refused append is not notified; ballots are not either.
	if err := s.Append(context.Background(), Chain("c", 0, "", 1)); KindOf(err) != meeting.KindConflict {
		t.Fatalf("duplicate append = %v; want Conflict", err)
	}
	if err := s.StoreBallot(context.Background(), ballot("v", "p1", "k", true)); err != nil {
		t.Fatal(err)
	}
	heads := map[string]meeting.Event{"a": before[1], "b": {}}
	last := appendRounds(t, []store.Store{s}, heads, 20)
	got := collect(t, ch, last, map[string]int64{"a": 2})
	if len(got["c"]) != 0 {
		t.Errorf("notifications of c after its commit: %v (a refused append was notified)", got["c"])
	}
	t.Logf("notifications: a %d, b %d (of 20 commits each)", len(got["a"]), len(got["b"]))

	// A second listener gets the same; cancelling one closes only it.
	ctx2, cancel2 := context.WithCancel(context.Background())
	ch2, err := s.Listen(ctx2)
	if err != nil {
		t.Fatal(err)
	}
	cancel2()
	closedWithin(t, ch2, "Listen channel after its context was cancelled")
	events := MustEvents(t, s, "b")
	MustAppend(t, s, Chain("b", last["b"], events[len(events)-1].Hash, 1))
	collect(t, ch, map[string]int64{"b": last["b"] + 1}, last)
	cancel()
	closedWithin(t, ch, "Listen channel after its context was cancelled")
}

// closedWithin drains ch until it is closed, failing t after 10 s.
func closedWithin(t *testing.T, ch <-chan store.Notification, what string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatalf("%s: not closed", what)
		}
	}
}

func testListenClosed(t *testing.T, env *env) {
	s := env.open(t)
	ch, err := s.Listen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	closedWithin(t, ch, "Listen channel after Close")
	if ch, err := s.Listen(context.Background()); err == nil {
		closedWithin(t, ch, "Listen channel of a closed store")
	}
}

func testTryLead(t *testing.T, env *env) {
	s := env.open(t)
	ctx := context.Background()
	a, err := s.TryLead(ctx, "archiver")
	if err != nil || a == nil {
		t.Fatalf("TryLead(archiver) = %v, %v; want a lease", a, err)
	}
	if b, err := s.TryLead(ctx, "archiver"); err != nil || b != nil {
		t.Errorf("second TryLead(archiver) = %v, %v; want nil, nil (held)", b, err)
	}
	other, err := s.TryLead(ctx, "cleaner")
	if err != nil || other == nil {
		t.Errorf("TryLead(cleaner) = %v, %v; want a lease (another name)", other, err)
	}
	select {
	case <-a.Lost():
		t.Fatal("Lost closed before Release")
	default:
	}
	a.Release()
	select {
	case <-a.Lost():
	case <-time.After(10 * time.Second):
		t.Fatal("Lost not closed after Release")
	}
	a.Release() // idempotent
	b, err := s.TryLead(ctx, "archiver")
	if err != nil || b == nil {
		t.Fatalf("TryLead(archiver) after Release = %v, %v; want a lease", b, err)
	}
	select {
	case <-other.Lost():
		t.Error("releasing archiver lost cleaner")
	default:
	}
	b.Release()
	other.Release()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if l, err := s.TryLead(cctx, "archiver"); err == nil {
		t.Errorf("TryLead(cancelled ctx) = %v, nil; want an error", l)
		if l != nil {
			l.Release()
		}
	}
}

func testPingAndClose(t *testing.T, env *env) {
	s := env.open(t)
	if err := s.Ping(context.Background()); err != nil {
		t.Errorf("Ping = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v; want nil", err)
	}
	if err := s.Ping(context.Background()); KindOf(err) != meeting.KindInternal {
		t.Errorf("Ping after Close = %v; want Internal", err)
	}
}

// testListenAcrossNodes: a node is told of the other's commits, in order
// per meeting, by (meeting, last seq).
func testListenAcrossNodes(t *testing.T, env *env) {
	s := env.open(t)
	peer := env.h.Peer(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	before := Chain("a", 0, "", 2)
	MustAppend(t, s, before)
	chS, err := s.Listen(ctx)
	if err != nil {
		t.Fatal(err)
	}
	chP, err := peer.Listen(ctx)
	if err != nil {
		t.Fatal(err)
	}
	MustAppend(t, s, Chain("c", 0, "", 3))
	collect(t, chP, map[string]int64{"c": 3}, nil)
	collect(t, chS, map[string]int64{"c": 3}, nil)
	heads := map[string]meeting.Event{"a": before[1], "b": {}, "d": {}}
	for m := range 5 {
		heads[fmt.Sprint("x", m)] = meeting.Event{}
	}
	// Meetings written through both nodes; both listeners hear them all.
	last := appendRounds(t, []store.Store{s, peer}, heads, 15)
	floor := map[string]int64{"a": 2}
	collect(t, chP, last, floor)
	collect(t, chS, last, floor)
}

// testTryLeadAcrossNodes: one leader among the nodes; a released or closed
// node's leadership passes to another.
func testTryLeadAcrossNodes(t *testing.T, env *env) {
	s := env.open(t)
	peer := env.h.Peer(t, s)
	ctx := context.Background()
	a, err := s.TryLead(ctx, "archiver")
	if err != nil || a == nil {
		t.Fatalf("TryLead = %v, %v; want a lease", a, err)
	}
	if b, err := peer.TryLead(ctx, "archiver"); err != nil || b != nil {
		t.Fatalf("peer TryLead while held = %v, %v; want nil, nil", b, err)
	}
	a.Release()
	b, err := peer.TryLead(ctx, "archiver")
	if err != nil || b == nil {
		t.Fatalf("peer TryLead after Release = %v, %v; want a lease", b, err)
	}
	if c, err := s.TryLead(ctx, "archiver"); err != nil || c != nil {
		t.Errorf("TryLead while the peer leads = %v, %v; want nil, nil", c, err)
	}
	// The leader's node closes: its leadership is lost, and another node
	// can lead.
	if err := peer.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-b.Lost():
	case <-time.After(10 * time.Second):
		t.Fatal("Lost not closed when the leader's store closed")
	}
	WaitFor(t, "leadership to pass", func() bool {
		c, err := s.TryLead(ctx, "archiver")
		if err != nil {
			t.Fatal(err)
		}
		return c != nil
	})
}
