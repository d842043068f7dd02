package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

var limitTests = []test{
	{name: "Failures", f: testFailures},
	{name: "FailuresConcurrent", f: testFailuresConcurrent},
	{name: "FailuresAcrossNodes", f: testFailuresAcrossNodes, peer: true},
}

func testFailures(t *testing.T, env *env) {
	s := env.open(t)
	ctx := context.Background()
	const w = 5 * time.Minute
	base := time.Unix(0, 0).Add(1000 * w) // a window starts here
	add := func(key string, at time.Time, want int) {
		t.Helper()
		if n, err := s.AddFailure(ctx, key, at, w); err != nil || n != want {
			t.Errorf("AddFailure(%s, +%v) = %d, %v; want %d", key, at.Sub(base), n, err, want)
		}
	}
	get := func(key string, at time.Time, want int) {
		t.Helper()
		if n, err := s.Failures(ctx, key, at, w); err != nil || n != want {
			t.Errorf("Failures(%s, +%v) = %d, %v; want %d", key, at.Sub(base), n, err, want)
		}
	}
	get("ip:10.0.0.1", base, 0)
	add("ip:10.0.0.1", base, 1)
	add("ip:10.0.0.1", base.Add(time.Minute), 2)
	add("ip:10.0.0.1", base.Add(w-time.Nanosecond), 3) // last instant of the window
	add("ip:10.0.0.2", base.Add(time.Minute), 1)       // another key
	add("user:Nguyễn", base, 1)
	get("ip:10.0.0.1", base.Add(2*time.Minute), 3)
	get("ip:10.0.0.1", base.Add(w), 0) // the next window
	add("ip:10.0.0.1", base.Add(w), 1)
	get("ip:10.0.0.1", base.Add(w-1), 3) // the first window is unchanged
	// Windows follow the Unix epoch, before it too.
	before := time.Unix(0, 0).Add(-time.Second)
	add("old", before, 1)
	add("old", time.Unix(0, 0).Add(-w), 2)
	get("old", time.Unix(0, 0), 0)
	// Windows that ended by now-keep go; the window now-keep falls in
	// stays (with keep at least the window length, that is every window
	// that can still count).
	now := base.Add(2 * w)
	n, err := s.DeleteExpiredFailures(ctx, now, w)
	if err != nil || n != 4 {
		t.Errorf("DeleteExpiredFailures = %d, %v; want 4 (three counts of the first window and old's)", n, err)
	}
	get("ip:10.0.0.1", base.Add(w), 1)
	get("ip:10.0.0.1", base, 0)
	get("old", before, 0)
	if n, err := s.DeleteExpiredFailures(ctx, now.Add(100*w), w); err != nil || n != 1 {
		t.Errorf("DeleteExpiredFailures(much later) = %d, %v; want 1", n, err)
	}
	get("ip:10.0.0.1", base.Add(w), 0)
	if n, err := s.DeleteExpiredFailures(ctx, now, w); err != nil || n != 0 {
		t.Errorf("DeleteExpiredFailures(nothing left) = %d, %v; want 0", n, err)
	}
}

// addConcurrently calls add(0..n-1) at once and checks that the counts
// they return are exactly 1..n.
func addConcurrently(t *testing.T, add func(i int) (int, error), n int) {
	got := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c, err := add(i)
			if err != nil {
				t.Errorf("AddFailure: %v", err)
			}
			got[i] = c
		})
	}
	wg.Wait()
	slices.Sort(got)
	for i, c := range got {
		if c != i+1 {
			t.Fatalf("concurrent AddFailure returned %v; want each of 1..%d once", got, n)
		}
	}
}

func testFailuresConcurrent(t *testing.T, env *env) {
	s := env.open(t)
	now := time.Now()
	addConcurrently(t, func(int) (int, error) { return s.AddFailure(context.Background(), "k", now, time.Minute) }, 100)
	if n, err := s.Failures(context.Background(), "k", now, time.Minute); err != nil || n != 100 {
		t.Errorf("Failures = %d, %v; want 100", n, err)
	}
}

// testFailuresAcrossNodes: counts are shared by every node.
func testFailuresAcrossNodes(t *testing.T, env *env) {
	s := env.open(t)
	peer := env.h.Peer(t, s)
	now := time.Now()
	addConcurrently(t, func(i int) (int, error) {
		st := s
		if i%2 == 1 {
			st = peer
		}
		return st.AddFailure(context.Background(), "k", now, time.Minute)
	}, 100)
	if n, err := peer.Failures(context.Background(), "k", now, time.Minute); err != nil || n != 100 {
		t.Errorf("Failures on the peer = %d, %v; want 100", n, err)
	}
}
