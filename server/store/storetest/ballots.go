package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

var ballotTests = []test{
	{name: "BallotBox", f: testBallotBox},
	{name: "BallotsConcurrent", f: testBallotsConcurrent},
	{name: "BallotCancelled", f: testBallotCancelled},
	{name: "CloseBox", f: testCloseBox},
	{name: "CloseBoxFence", f: testCloseBoxFence},
	{name: "CloseBoxFenceAcrossNodes", f: testCloseBoxFenceAcrossNodes, peer: true},
	{name: "ReplaceSecretBallots", f: testReplaceSecretBallots},
	{name: "UnfinalisedSecretPolls", f: testUnfinalisedSecretPolls},
}

// ballot returns participant p's ballot in poll with key k.
func ballot(poll, p, k string, secret bool) store.Ballot {
	return store.Ballot{Meeting: "m1", Poll: poll, Participant: p, Key: k, Data: []byte(`{"choice":"agree","by":"` + p + `"}`), Secret: secret}
}

// ballotData returns the data of bs, sorted.
func ballotData(bs []store.StoredBallot) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b.Data)
	}
	slices.Sort(out)
	return out
}

func testBallotBox(t *testing.T, env *env) {
	s := env.open(t)
	ctx := context.Background()
	open := store.Ballot{Meeting: "m1", Poll: "v1", Participant: "p2", Key: "k-p2", Data: []byte(`{"choice":"agree"}`)}
	secret := store.Ballot{Meeting: "m1", Poll: "v2", Participant: "p2", Key: "k-p2b", Data: []byte(`{"choice":"disagree"}`), Secret: true}
	for _, b := range []store.Ballot{open, secret} {
		if err := s.StoreBallot(ctx, b); err != nil {
			t.Fatalf("StoreBallot(%s) = %v", b.Poll, err)
		}
	}
	// A retry with the same key is acknowledged and stores nothing again.
	if err := s.StoreBallot(ctx, open); err != nil {
		t.Errorf("retry with the same key = %v; want nil", err)
	}
	// One voter, one ballot: a second ballot is refused and stores nothing.
	again := open
	again.Key, again.Data = "k-other", []byte(`{"choice":"disagree"}`)
	err := s.StoreBallot(ctx, again)
	if KindOf(err) != meeting.KindConflict || errors.Is(err, store.ErrBoxClosed) {
		t.Errorf("second ballot = %v; want a conflict (not ErrBoxClosed)", err)
	}
	checkMessages(t, err)
	voters, err := s.Voters(ctx, "m1", "v1")
	if err != nil || len(voters) != 1 || voters["p2"] != "k-p2" {
		t.Errorf("Voters(v1) = %v, %v; want p2 with key k-p2", voters, err)
	}
	ballots, err := s.Ballots(ctx, "m1", "v1")
	if err != nil || len(ballots) != 1 || ballots[0].Participant != "p2" || string(ballots[0].Data) != `{"choice":"agree"}` {
		t.Errorf("Ballots(v1) = %+v, %v; want p2's agree", ballots, err)
	}
	ballots, err = s.Ballots(ctx, "m1", "v2")
	if err != nil || len(ballots) != 1 || ballots[0].Participant != "" || string(ballots[0].Data) != `{"choice":"disagree"}` {
		t.Errorf("Ballots(v2) = %+v, %v; want one disagree without a voter", ballots, err)
	}
	if voters, err := s.Voters(ctx, "m1", "v2"); err != nil || !maps.Equal(voters, map[string]string{"p2": "k-p2b"}) {
		t.Errorf("Voters(v2) = %v, %v; want p2 with key k-p2b", voters, err)
	}
	// Same voter, same poll name, another meeting: another box.
	other := open
	other.Meeting = "m2"
	if err := s.StoreBallot(ctx, other); err != nil {
		t.Errorf("StoreBallot(another meeting) = %v", err)
	}
	// Unknown polls are empty.
	if v, err := s.Voters(ctx, "m1", "nope"); err != nil || len(v) != 0 {
		t.Errorf("Voters(unknown) = %v, %v; want none", v, err)
	}
	if b, err := s.Ballots(ctx, "m1", "nope"); err != nil || len(b) != 0 {
		t.Errorf("Ballots(unknown) = %v, %v; want none", b, err)
	}
	full := store.Ballot{Meeting: "m1", Poll: "v1", Participant: "p3", Key: "k", Data: []byte("{}")}
	for name, edit := range map[string]func(*store.Ballot){
		"no meeting":     func(b *store.Ballot) { b.Meeting = "" },
		"no poll":        func(b *store.Ballot) { b.Poll = "" },
		"no participant": func(b *store.Ballot) { b.Participant = "" },
		"no key":         func(b *store.Ballot) { b.Key = "" },
		"no data":        func(b *store.Ballot) { b.Data = nil },
	} {
		bad := full
		edit(&bad)
		if err := s.StoreBallot(ctx, bad); KindOf(err) != meeting.KindInvalid {
			t.Errorf("StoreBallot(%s) = %v; want invalid", name, err)
		}
	}
	if v, _ := s.Voters(ctx, "m1", "v1"); len(v) != 1 {
		t.Errorf("the invalid ballots changed the voters: %v", v)
	}
	// Durable.
	s = env.h.Reopen(t, s)
	if v, err := s.Voters(ctx, "m1", "v1"); err != nil || !maps.Equal(v, map[string]string{"p2": "k-p2"}) {
		t.Errorf("Voters(v1) after reopen = %v, %v", v, err)
	}
}

// testBallotsConcurrent casts 2,000 ballots at once: all are stored; racing
// duplicates of one voter store one; racing retries of one ballot (one key)
// are all acknowledged.
func testBallotsConcurrent(t *testing.T, env *env) {
	s := env.open(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 2000)
	for i := range 2000 {
		wg.Go(func() {
			errs <- s.StoreBallot(ctx, store.Ballot{Meeting: "m1", Poll: "v1", Participant: fmt.Sprintf("p%d", i), Key: "k", Data: []byte(`{"choice":"agree"}`), Secret: true})
		})
	}
	dup := make(chan error, 10)
	retries := make(chan error, 10)
	for i := range 10 {
		wg.Go(func() {
			dup <- s.StoreBallot(ctx, store.Ballot{Meeting: "m1", Poll: "v1", Participant: "p-dup", Key: fmt.Sprint("k", i), Data: []byte(`{"choice":"agree"}`)})
		})
		wg.Go(func() {
			retries <- s.StoreBallot(ctx, store.Ballot{Meeting: "m1", Poll: "v1", Participant: "p-retry", Key: "same", Data: []byte(`{"choice":"agree"}`)})
		})
	}
	wg.Wait()
	close(errs)
	close(dup)
	close(retries)
	for err := range retries {
		if err != nil {
			t.Errorf("a retry with the same key = %v; want nil", err)
		}
	}
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	ok := 0
	for err := range dup {
		if err == nil {
			ok++
		} else if KindOf(err) != meeting.KindConflict {
			t.Errorf("duplicate = %v; want conflict", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of 10 racing duplicates stored; want 1", ok)
	}
	ballots, _ := s.Ballots(ctx, "m1", "v1")
	voters, _ := s.Voters(ctx, "m1", "v1")
	if len(ballots) != 2002 || len(voters) != 2002 {
		t.Errorf("stored %d ballots, %d voters; want 2002 each", len(ballots), len(voters))
	}
}

// testBallotCancelled: as for Append, nil means stored and ctx.Err() means
// not stored, whenever the context is cancelled.
func testBallotCancelled(t *testing.T, env *env) {
	s := env.open(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.StoreBallot(ctx, ballot("v", "dead", "k", true)); !errors.Is(err, context.Canceled) {
		t.Errorf("StoreBallot(cancelled ctx) = %v; want context.Canceled", err)
	}
	const n = 300
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		ctx, cancel := context.WithCancel(context.Background())
		wg.Go(func() { errs[i] = s.StoreBallot(ctx, ballot("v", fmt.Sprint("p", i), "k", i%2 == 0)) })
		wg.Go(func() {
			time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
			cancel()
		})
	}
	wg.Wait()
	voters, err := s.Voters(context.Background(), "m1", "v")
	if err != nil {
		t.Fatal(err)
	}
	ballots, _ := s.Ballots(context.Background(), "m1", "v")
	if len(ballots) != len(voters) {
		t.Errorf("%d ballots for %d voters", len(ballots), len(voters))
	}
	if _, ok := voters["dead"]; ok {
		t.Error("a ballot cast with a cancelled context was stored")
	}
	for i, err := range errs {
		_, stored := voters[fmt.Sprint("p", i)]
		switch {
		case err == nil && !stored:
			t.Errorf("ballot %d returned nil but is not stored", i)
		case errors.Is(err, context.Canceled) && stored:
			t.Errorf("ballot %d returned %v but is stored", i, err)
		case err != nil && !errors.Is(err, context.Canceled):
			t.Errorf("ballot %d: %v; want nil or context.Canceled", i, err)
		}
	}
}

// testCloseBox checks CloseBox's answers one at a time.
func testCloseBox(t *testing.T, env *env) {
	s := env.open(t)
	ctx := context.Background()
	for i := range 3 {
		if err := s.StoreBallot(ctx, ballot("v1", fmt.Sprint("p", i), "k", true)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.StoreBallot(ctx, ballot("v2", "p0", "k", false)); err != nil {
		t.Fatal(err)
	}
	if err := s.CloseBox(ctx, "m1", "v1"); err != nil {
		t.Fatal(err)
	}
	if err := s.CloseBox(ctx, "m1", "v1"); err != nil {
		t.Errorf("closing a closed box = %v; want nil (no-op)", err)
	}
	// A new voter is refused; a retry of a stored ballot is acknowledged;
	// a stored voter with another key is a duplicate, not "closed".
	err := s.StoreBallot(ctx, ballot("v1", "late", "k", true))
	if !errors.Is(err, store.ErrBoxClosed) || KindOf(err) != meeting.KindConflict {
		t.Errorf("a new voter after CloseBox = %v; want ErrBoxClosed (a Conflict)", err)
	}
	if err := s.StoreBallot(ctx, ballot("v1", "p1", "k", true)); err != nil {
		t.Errorf("a retry of a stored ballot after CloseBox = %v; want nil", err)
	}
	if err := s.StoreBallot(ctx, ballot("v1", "p1", "other", true)); KindOf(err) != meeting.KindConflict || errors.Is(err, store.ErrBoxClosed) {
		t.Errorf("a stored voter with another key after CloseBox = %v; want a duplicate Conflict", err)
	}
	// Other boxes stay open.
	if err := s.StoreBallot(ctx, ballot("v2", "p1", "k", false)); err != nil {
		t.Errorf("a ballot in another poll = %v; want nil", err)
	}
	other := ballot("v1", "p9", "k", true)
	other.Meeting = "m2"
	if err := s.StoreBallot(ctx, other); err != nil {
		t.Errorf("a ballot in the same poll of another meeting = %v; want nil", err)
	}
	// A box closed before its first ballot refuses the first ballot.
	if err := s.CloseBox(ctx, "m1", "v3"); err != nil {
		t.Fatal(err)
	}
	if err := s.StoreBallot(ctx, ballot("v3", "p0", "k", false)); !errors.Is(err, store.ErrBoxClosed) {
		t.Errorf("a ballot in a box closed before any = %v; want ErrBoxClosed", err)
	}
	if v, _ := s.Voters(ctx, "m1", "v1"); len(v) != 3 {
		t.Errorf("Voters(v1) = %v; want the 3 stored before the close", v)
	}
	// Closed for good.
	s = env.h.Reopen(t, s)
	if err := s.StoreBallot(ctx, ballot("v1", "later", "k", true)); !errors.Is(err, store.ErrBoxClosed) {
		t.Errorf("a new voter after reopen = %v; want ErrBoxClosed", err)
	}
}

// fence casts ballots of new voters continuously through stores (round
// robin, many at a time) while closer closes the box, and checks the fence
// from outside: the voters read right after CloseBox returned are exactly
// the ballots acknowledged (nil), whenever they were acknowledged, and stay
// so; every other ballot got ErrBoxClosed; no new voter is acknowledged
// after CloseBox returned.
func fence(t *testing.T, stores []store.Store, closer store.Store, secret bool) {
	ctx := context.Background()
	const casters = 40
	var closed atomic.Bool
	var next atomic.Int64
	type result struct {
		voter       string
		err         error
		startedLate bool // began after CloseBox returned
	}
	results := make(chan result, 100000)
	var wg sync.WaitGroup
	for c := range casters {
		st := stores[c%len(stores)]
		wg.Go(func() {
			for {
				late := closed.Load()
				voter := fmt.Sprint("p", next.Add(1))
				err := st.StoreBallot(ctx, ballot("v", voter, "k-"+voter, secret))
				results <- result{voter, err, late}
				if late {
					return // one ballot after the close is enough
				}
			}
		})
	}
	// Let some ballots through, then close while casting goes on.
	WaitFor(t, "some ballots", func() bool { return next.Load() > 200 })
	if err := closer.CloseBox(ctx, "m1", "v"); err != nil {
		t.Fatal(err)
	}
	closed.Store(true)
	atClose, err := closer.Voters(ctx, "m1", "v")
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(results)
	acked, refused := 0, 0
	for r := range results {
		_, visible := atClose[r.voter]
		switch {
		case r.err == nil:
			acked++
			if !visible {
				t.Errorf("%s was acknowledged but not among the voters read right after CloseBox returned", r.voter)
			}
			if r.startedLate {
				t.Errorf("%s, cast after CloseBox returned, was acknowledged", r.voter)
			}
		case errors.Is(r.err, store.ErrBoxClosed):
			refused++
			if visible {
				t.Errorf("%s got ErrBoxClosed but is among the voters", r.voter)
			}
		default:
			t.Errorf("%s: %v; want nil or ErrBoxClosed", r.voter, r.err)
		}
	}
	if acked != len(atClose) {
		t.Errorf("%d ballots acknowledged, %d voters right after the close", acked, len(atClose))
	}
	if refused < casters {
		t.Errorf("%d ballots refused; want at least one per caster (%d)", refused, casters)
	}
	for i, st := range stores {
		now, err := st.Voters(ctx, "m1", "v")
		if err != nil || !maps.Equal(now, atClose) {
			t.Errorf("store %d: voters changed after the close: %d then %d (%v)", i, len(atClose), len(now), err)
		}
		if b, err := st.Ballots(ctx, "m1", "v"); err != nil || len(b) != len(atClose) {
			t.Errorf("store %d: %d ballots for %d voters (%v)", i, len(b), len(atClose), err)
		}
		// A retry of a stored ballot after the close, on any node: nil.
		for v, k := range atClose {
			if err := st.StoreBallot(ctx, store.Ballot{Meeting: "m1", Poll: "v", Participant: v, Key: k, Data: []byte("{}"), Secret: secret}); err != nil {
				t.Errorf("store %d: retry of %s after the close = %v; want nil", i, v, err)
			}
			break
		}
	}
	t.Logf("%d acknowledged, %d refused", acked, refused)
}

func testCloseBoxFence(t *testing.T, env *env) {
	for _, secret := range []bool{false, true} {
		t.Run(fmt.Sprint("secret=", secret), func(t *testing.T) {
			s := env.open(t)
			fence(t, []store.Store{s}, s, secret)
		})
	}
}

func testCloseBoxFenceAcrossNodes(t *testing.T, env *env) {
	s := env.open(t)
	peer := env.h.Peer(t, s)
	// Ballots through both nodes; the box closed through one of them.
	fence(t, []store.Store{s, peer}, s, true)
}

func testReplaceSecretBallots(t *testing.T, env *env) {
	s := env.open(t)
	ctx := context.Background()
	const n = 50
	keys := map[string]string{}
	for i := range n {
		p := fmt.Sprintf("p%02d", i)
		keys[p] = "key-" + p
		b := store.Ballot{Meeting: "m1", Poll: "kin", Participant: p, Key: keys[p], Data: []byte(fmt.Sprintf("sealed-%d", i)), Secret: true}
		if err := s.StoreBallot(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	// Another poll, left as it is.
	if err := s.StoreBallot(ctx, ballot("open", "p00", "k", false)); err != nil {
		t.Fatal(err)
	}
	plain := make([][]byte, n)
	for i := range plain {
		plain[i] = []byte(fmt.Sprintf(`{"choice":"c%d"}`, i%3))
	}
	rand.Shuffle(n, func(i, j int) { plain[i], plain[j] = plain[j], plain[i] })

	// An open box is refused, and nothing changes.
	err := s.ReplaceSecretBallots(ctx, "m1", "kin", plain)
	if KindOf(err) != meeting.KindConflict {
		t.Errorf("ReplaceSecretBallots(open box) = %v; want Conflict", err)
	}
	checkMessages(t, err)
	if err := s.ReplaceSecretBallots(ctx, "m1", "never", plain); KindOf(err) != meeting.KindConflict {
		t.Errorf("ReplaceSecretBallots(unknown poll) = %v; want Conflict", err)
	}
	if b, _ := s.Ballots(ctx, "m1", "never"); len(b) != 0 {
		t.Errorf("ReplaceSecretBallots of an unknown poll stored %d ballots", len(b))
	}
	before, _ := s.Ballots(ctx, "m1", "kin")
	if len(before) != n || string(before[0].Data[:7]) != "sealed-" {
		t.Fatalf("ballots after a refused replace: %d, first %q; want the %d sealed ones", len(before), before[0].Data, n)
	}

	if err := s.CloseBox(ctx, "m1", "kin"); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceSecretBallots(ctx, "m1", "kin", plain); err != nil {
		t.Fatal(err)
	}
	check := func(s store.Store) {
		t.Helper()
		got, err := s.Ballots(ctx, "m1", "kin")
		if err != nil {
			t.Fatal(err)
		}
		want := make([]string, n)
		for i, p := range plain {
			want[i] = string(p)
		}
		slices.Sort(want)
		if diff := cmp.Diff(want, ballotData(got)); diff != "" {
			t.Errorf("Ballots after replace (-want +got):\n%s", diff)
		}
		for _, b := range got {
			if b.Participant != "" {
				t.Errorf("a replaced secret ballot has voter %q", b.Participant)
			}
		}
		if v, err := s.Voters(ctx, "m1", "kin"); err != nil || !maps.Equal(v, keys) {
			t.Errorf("Voters after replace = %d voters, %v; want the same %d with their keys", len(v), err, n)
		}
		if refs, err := s.UnfinalisedSecretPolls(ctx); err != nil || len(refs) != 0 {
			t.Errorf("UnfinalisedSecretPolls after replace = %v, %v; want none", refs, err)
		}
		// The box stays closed; retries are still recognised.
		if err := s.StoreBallot(ctx, store.Ballot{Meeting: "m1", Poll: "kin", Participant: "p07", Key: keys["p07"], Data: []byte("x"), Secret: true}); err != nil {
			t.Errorf("retry after replace = %v; want nil", err)
		}
		if err := s.StoreBallot(ctx, store.Ballot{Meeting: "m1", Poll: "kin", Participant: "p07", Key: "other", Data: []byte("x"), Secret: true}); KindOf(err) != meeting.KindConflict || errors.Is(err, store.ErrBoxClosed) {
			t.Errorf("another key after replace = %v; want a duplicate Conflict", err)
		}
		if err := s.StoreBallot(ctx, ballot("kin", "late", "k", true)); !errors.Is(err, store.ErrBoxClosed) {
			t.Errorf("a new voter after replace = %v; want ErrBoxClosed", err)
		}
		if b, _ := s.Ballots(ctx, "m1", "kin"); len(b) != n {
			t.Errorf("%d ballots after the late ones; want %d", len(b), n)
		}
		if b, _ := s.Ballots(ctx, "m1", "open"); len(b) != 1 || b[0].Participant != "p00" {
			t.Errorf("the other poll's ballots = %+v; want p00's, untouched", b)
		}
	}
	check(s)
	// Again, in another order (the room does so at start for a closed poll
	// whose key a crash left behind): each ballot is still kept once.
	rand.Shuffle(n, func(i, j int) { plain[i], plain[j] = plain[j], plain[i] })
	if err := s.ReplaceSecretBallots(ctx, "m1", "kin", plain); err != nil {
		t.Fatalf("ReplaceSecretBallots again = %v", err)
	}
	check(s)
	check(env.h.Reopen(t, s))
}

func testUnfinalisedSecretPolls(t *testing.T, env *env) {
	s := env.open(t)
	ctx := context.Background()
	if refs, err := s.UnfinalisedSecretPolls(ctx); err != nil || len(refs) != 0 {
		t.Fatalf("UnfinalisedSecretPolls(empty) = %v, %v; want none", refs, err)
	}
	cast := func(m, poll string, secret bool) {
		b := ballot(poll, "p1", "k", secret)
		b.Meeting = m
		if err := s.StoreBallot(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	cast("m2", "s-open", true)   // secret, box open: listed
	cast("m1", "s-closed", true) // secret, closed: listed
	cast("m1", "named", false)   // named poll: never listed
	cast("m1", "s-done", true)   // secret, finalised: not listed
	for _, p := range []string{"s-closed", "s-done", "named"} {
		if err := s.CloseBox(ctx, "m1", p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CloseBox(ctx, "m1", "empty"); err != nil { // no ballots: not listed
		t.Fatal(err)
	}
	if err := s.ReplaceSecretBallots(ctx, "m1", "s-done", [][]byte{[]byte("x")}); err != nil {
		t.Fatal(err)
	}
	refs, err := s.UnfinalisedSecretPolls(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(refs, func(i, j int) bool {
		return refs[i].Meeting+"\x00"+refs[i].Poll < refs[j].Meeting+"\x00"+refs[j].Poll
	})
	want := []store.PollRef{{Meeting: "m1", Poll: "s-closed"}, {Meeting: "m2", Poll: "s-open"}}
	if diff := cmp.Diff(want, refs); diff != "" {
		t.Errorf("UnfinalisedSecretPolls (-want +got):\n%s", diff)
	}
}
