package storetest

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

var eventTests = []test{
	{name: "RoundTrip", f: testRoundTrip},
	{name: "EventsAfterLimit", f: testEventsAfterLimit},
	{name: "HeadAndEpoch", f: testHeadAndEpoch},
	{name: "MeetingIDs", f: testMeetingIDs},
	{name: "EventsOfType", f: testEventsOfType},
	{name: "AppendRejects", f: testAppendRejects},
	{name: "AppendManyMeetingsConcurrently", f: testAppendManyMeetings},
	{name: "AppendRaceSameMeeting", f: testAppendRaceSameMeeting},
	{name: "AppendCancelled", f: testAppendCancelled},
	{name: "DurableAcrossReopen", f: testDurableAcrossReopen},
	{name: "CloseDuringAppends", f: testCloseDuringAppends},
	{name: "Verify", f: testVerify},
	{name: "AppendRaceAcrossNodes", f: testAppendRaceAcrossNodes, peer: true},
}

func testRoundTrip(t *testing.T, env *env) {
	tests := []struct {
		name string
		edit func(e *meeting.Event)
	}{
		{"plain", func(e *meeting.Event) {}},
		{"no data", func(e *meeting.Event) { e.Data = nil }},
		{"odd JSON bytes", func(e *meeting.Event) {
			e.Data = []byte("{ \"b\" : 1,\n\t\"a\":\"Nghị quyết \\u00e9 \\\"x\\\"\" , \"z\":[ ] }")
		}},
		{"binary-looking bytes", func(e *meeting.Event) { e.Data = []byte{'"', 0, 0xff, 0xfe, '"'} }},
		{"roles audience", func(e *meeting.Event) {
			e.Audience = meeting.Audience{Roles: []meeting.Role{meeting.RoleSecretary, meeting.RoleChair}}
		}},
		{"participant audience", func(e *meeting.Event) { e.Audience = meeting.Audience{Participants: []string{"p3", "p7"}} }},
		{"both audiences", func(e *meeting.Event) {
			e.Audience = meeting.Audience{Roles: []meeting.Role{meeting.RoleChair}, Participants: []string{"p3"}}
		}},
		{"UTC time", func(e *meeting.Event) { e.At = time.Date(2030, 1, 2, 3, 4, 5, 999999999, time.UTC) }},
		{"local time, 1 ns", func(e *meeting.Event) { e.At = time.Date(2026, 1, 1, 0, 0, 0, 1, time.FixedZone("X", -9*3600-30*60)) }},
		{"time with monotonic reading", func(e *meeting.Event) { e.At = time.Now() }},
		{"before 1970", func(e *meeting.Event) { e.At = time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC) }},
		{"empty strings", func(e *meeting.Event) { e.Actor, e.Type = "", "" }},
		{"Vietnamese actor and type", func(e *meeting.Event) { e.Actor, e.Type = "đại biểu:Trần Thị Ánh", "ghi.chú" }},
	}
	s := env.open(t)
	ctx := context.Background()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("m%d", i)
			events := Chain(id, 0, "", 3)
			for j := range events {
				tt.edit(&events[j])
			}
			meeting.Seal(0, "", events)
			MustAppend(t, s, events)

			got, err := s.Events(ctx, id, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(events, got); diff != "" {
				t.Errorf("Events (-want +got):\n%s", diff)
			}
			for j := range got {
				if !bytes.Equal(got[j].Data, events[j].Data) || (got[j].Data == nil) != (events[j].Data == nil) {
					t.Errorf("event %d Data = %q; want %q", got[j].Seq, got[j].Data, events[j].Data)
				}
				if got[j].At.Location() != time.UTC {
					t.Errorf("event %d At location = %v; want UTC", got[j].Seq, got[j].At.Location())
				}
				if !got[j].At.Equal(events[j].At) || got[j].At.Nanosecond() != events[j].At.UTC().Nanosecond() {
					t.Errorf("event %d At = %v; want %v", got[j].Seq, got[j].At, events[j].At.UTC())
				}
				if got[j].Hash != meeting.ComputeHash(got[j]) {
					t.Errorf("event %d read back does not hash to its Hash", got[j].Seq)
				}
			}
			if _, err := meeting.VerifyChain(0, "", got); err != nil {
				t.Errorf("VerifyChain(read back) = %v; want nil", err)
			}
		})
	}
}

func testEventsAfterLimit(t *testing.T, env *env) {
	s := env.open(t)
	all := Chain("m", 0, "", 10)
	MustAppend(t, s, all[:4])
	MustAppend(t, s, all[4:])
	tests := []struct {
		after int64
		limit int
		want  []meeting.Event
	}{
		{0, 0, all},
		{0, -1, all},
		{0, 3, all[:3]},
		{4, 0, all[4:]},
		{4, 2, all[4:6]},
		{9, 5, all[9:]},
		{10, 0, nil},
		{99, 0, nil},
		{-5, 1, all[:1]},
	}
	for _, tt := range tests {
		got, err := s.Events(context.Background(), "m", tt.after, tt.limit)
		if err != nil {
			t.Fatalf("Events(after %d, limit %d): %v", tt.after, tt.limit, err)
		}
		if diff := cmp.Diff(tt.want, got); len(tt.want)+len(got) > 0 && diff != "" {
			t.Errorf("Events(after %d, limit %d) (-want +got):\n%s", tt.after, tt.limit, diff)
		}
	}
	got, err := s.Events(context.Background(), "unknown", 0, 0)
	if err != nil || len(got) != 0 {
		t.Errorf("Events(unknown) = %d events, %v; want 0, nil", len(got), err)
	}
}

func testHeadAndEpoch(t *testing.T, env *env) {
	s := env.open(t)
	ctx := context.Background()

	if _, _, _, err := s.Head(ctx, "m"); KindOf(err) != meeting.KindNotFound {
		t.Fatalf("Head(before any append) error kind = %q; want %q", KindOf(err), meeting.KindNotFound)
	}
	events := Chain("m", 0, "", 5)
	MustAppend(t, s, events[:2])
	seq, hash, epoch, err := s.Head(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	if seq != 2 || hash != events[1].Hash {
		t.Errorf("Head = %d, %s; want 2, %s", seq, hash, events[1].Hash)
	}
	if b, err := hex.DecodeString(epoch); err != nil || len(b) != 16 {
		t.Errorf("epoch = %q; want 16 bytes in hex", epoch)
	}
	MustAppend(t, s, events[2:])
	seq, hash, epoch2, err := s.Head(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	if seq != 5 || hash != events[4].Hash || epoch2 != epoch {
		t.Errorf("Head after 5 = %d, %s, %s; want 5, %s, %s (epoch unchanged)", seq, hash, epoch2, events[4].Hash, epoch)
	}

	// Another meeting gets its own epoch.
	MustAppend(t, s, Chain("other", 0, "", 1))
	if _, _, e, _ := s.Head(ctx, "other"); e == epoch || e == "" {
		t.Errorf("epoch of another meeting = %q; want a different non-empty one (first: %q)", e, epoch)
	}

	// Stable across reopen.
	s = env.h.Reopen(t, s)
	seq, hash, epoch3, err := s.Head(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	if seq != 5 || hash != events[4].Hash || epoch3 != epoch {
		t.Errorf("Head after reopen = %d, %s, %s; want 5, %s, %s", seq, hash, epoch3, events[4].Hash, epoch)
	}

	// ResetEpoch changes it, durably, and leaves the log alone.
	newEpoch, err := s.ResetEpoch(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	if newEpoch == epoch || len(newEpoch) != 32 {
		t.Errorf("ResetEpoch = %q; want a new 32-hex-digit epoch (old %q)", newEpoch, epoch)
	}
	seq, _, epoch4, err := s.Head(ctx, "m")
	if err != nil || epoch4 != newEpoch || seq != 5 {
		t.Errorf("Head after ResetEpoch = %d, %q, %v; want 5, %q, nil", seq, epoch4, err, newEpoch)
	}
	if _, _, e, _ := s.Head(ctx, "other"); e == newEpoch {
		t.Error("ResetEpoch(m) changed the epoch of another meeting")
	}
	s = env.h.Reopen(t, s)
	if _, _, e, err := s.Head(ctx, "m"); err != nil || e != newEpoch {
		t.Errorf("epoch after ResetEpoch and reopen = %q, %v; want %q (durable)", e, err, newEpoch)
	}
	if _, err := s.ResetEpoch(ctx, "nope"); KindOf(err) != meeting.KindNotFound {
		t.Errorf("ResetEpoch(unknown) kind = %q; want %q", KindOf(err), meeting.KindNotFound)
	}
	// The log still extends from its head.
	MustAppend(t, s, Chain("m", 5, events[4].Hash, 1))
}

func testMeetingIDs(t *testing.T, env *env) {
	s := env.open(t)
	ids, err := s.MeetingIDs(context.Background())
	if err != nil || len(ids) != 0 {
		t.Fatalf("MeetingIDs(empty) = %v, %v; want none", ids, err)
	}
	want := []string{"zeta", "alpha", "mu", "beta"}
	for _, id := range want {
		MustAppend(t, s, Chain(id, 0, "", 1))
	}
	// More events do not reorder.
	e := MustEvents(t, s, "zeta")
	MustAppend(t, s, Chain("zeta", 1, e[0].Hash, 1))
	got, err := s.MeetingIDs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MeetingIDs (-want +got):\n%s", diff)
	}
}

func testEventsOfType(t *testing.T, env *env) {
	s := env.open(t)
	ctx := context.Background()
	mk := func(id string, types ...string) []meeting.Event {
		events := Chain(id, 0, "", len(types))
		for i := range events {
			events[i].Type = types[i]
			events[i].Audience = meeting.Audience{Roles: []meeting.Role{meeting.RoleChair}}
		}
		meeting.Seal(0, "", events)
		MustAppend(t, s, events)
		return events
	}
	b := mk("b", "x", "y", "x", "z")
	a := mk("a", "y", "x")
	mk("c", "z")
	got, err := s.EventsOfType(ctx, "x", "y")
	if err != nil {
		t.Fatal(err)
	}
	var want []meeting.Event
	for _, e := range []meeting.Event{a[0], a[1], b[0], b[1], b[2]} { // by meeting, then seq
		e.Audience = meeting.Audience{}
		want = append(want, e)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("EventsOfType(x, y) (-want +got):\n%s", diff)
	}
	if got, err := s.EventsOfType(ctx, "none"); err != nil || len(got) != 0 {
		t.Errorf("EventsOfType(none) = %d events, %v; want none", len(got), err)
	}
	if got, err := s.EventsOfType(ctx); err != nil || len(got) != 0 {
		t.Errorf("EventsOfType() = %d events, %v; want none", len(got), err)
	}
}

func testAppendRejects(t *testing.T, env *env) {
	s := env.open(t)
	ctx := context.Background()
	base := Chain("m", 0, "", 3)
	MustAppend(t, s, base)
	head := base[2].Hash

	tests := []struct {
		name   string
		events func() []meeting.Event
		kind   meeting.Kind
	}{
		{"gap", func() []meeting.Event { return Chain("m", 4, head, 1) }, meeting.KindConflict},
		{"wrong prev", func() []meeting.Event { return Chain("m", 3, base[1].Hash, 2) }, meeting.KindConflict},
		{"duplicate seq", func() []meeting.Event { return Chain("m", 2, base[1].Hash, 1) }, meeting.KindConflict},
		{"duplicate seq 1", func() []meeting.Event { return Chain("m", 0, "", 1) }, meeting.KindConflict},
		{"stale batch overlapping head", func() []meeting.Event { return Chain("m", 1, base[0].Hash, 4) }, meeting.KindConflict},
		{"seq 1 with prev", func() []meeting.Event { return Chain("new", 0, "not-empty", 2) }, meeting.KindConflict},
		{"new meeting starting at 2", func() []meeting.Event { return Chain("new", 1, "", 1) }, meeting.KindConflict},
		{"seq 0", func() []meeting.Event { return Chain("new", -1, "", 1) }, meeting.KindConflict},
		{"mixed meetings", func() []meeting.Event {
			e := Chain("m", 3, head, 2)
			e[1].Meeting = "other"
			meeting.Seal(3, head, e)
			return e
		}, meeting.KindConflict},
		{"mixed meetings, second new", func() []meeting.Event {
			return append(Chain("new", 0, "", 1), Chain("new2", 0, "", 1)...)
		}, meeting.KindConflict},
		{"gap inside the batch", func() []meeting.Event {
			e := Chain("m", 3, head, 3)
			return []meeting.Event{e[0], e[2]}
		}, meeting.KindConflict},
		{"broken link inside the batch", func() []meeting.Event {
			e := Chain("m", 3, head, 3)
			e[2].Prev = e[0].Hash
			e[2].Hash = meeting.ComputeHash(e[2])
			return e
		}, meeting.KindConflict},
		{"wrong hash", func() []meeting.Event {
			e := Chain("m", 3, head, 2)
			e[1].Data = []byte(`{"forged":true}`)
			return e
		}, meeting.KindInvalid},
		{"zero time", func() []meeting.Event {
			e := Chain("m", 3, head, 1)
			e[0].At = time.Time{}
			meeting.Seal(3, head, e)
			return e
		}, meeting.KindInvalid},
		{"time beyond 2262", func() []meeting.Event {
			e := Chain("m", 3, head, 1)
			e[0].At = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
			meeting.Seal(3, head, e)
			return e
		}, meeting.KindInvalid},
		{"no meeting ID", func() []meeting.Event { return Chain("", 0, "", 1) }, meeting.KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Append(ctx, tt.events())
			if got := KindOf(err); got != tt.kind {
				t.Fatalf("Append error kind = %q (%v); want %q", got, err, tt.kind)
			}
			checkMessages(t, err)
			if diff := cmp.Diff(base, MustEvents(t, s, "m")); diff != "" {
				t.Errorf("log of m changed (-want +got):\n%s", diff)
			}
			for _, id := range []string{"new", "new2", "other", ""} {
				if got := MustEvents(t, s, id); len(got) != 0 {
					t.Errorf("Events(%q) = %d events; want none", id, len(got))
				}
				if _, _, _, err := s.Head(ctx, id); KindOf(err) != meeting.KindNotFound {
					t.Errorf("Head(%q) kind = %q; want %q (no meeting row)", id, KindOf(err), meeting.KindNotFound)
				}
			}
		})
	}
	if err := s.Append(ctx, nil); err != nil {
		t.Errorf("Append(nil) = %v; want nil", err)
	}
	if ids, _ := s.MeetingIDs(ctx); !slices.Equal(ids, []string{"m"}) {
		t.Errorf("MeetingIDs after the refused appends = %v; want [m]", ids)
	}
	// After all that, the right successor still fits.
	MustAppend(t, s, Chain("m", 3, head, 2))
	if err := s.Verify(ctx, "m"); err != nil {
		t.Errorf("Verify = %v; want nil", err)
	}
}

// testAppendManyMeetings appends to 200 meetings at once (the group-commit
// case): every append is stored, each meeting's log exactly.
func testAppendManyMeetings(t *testing.T, env *env) {
	s := env.open(t)
	const n = 200
	start := make(chan struct{})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			events := Chain(fmt.Sprintf("m%03d", i), 0, "", 1+i%3)
			<-start
			errs[i] = s.Append(context.Background(), events)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Append m%03d: %v", i, err)
		}
	}
	ids, err := s.MeetingIDs(context.Background())
	if err != nil || len(ids) != n {
		t.Fatalf("MeetingIDs = %d, %v; want %d", len(ids), err, n)
	}
	for i := range n {
		id := fmt.Sprintf("m%03d", i)
		if diff := cmp.Diff(Chain(id, 0, "", 1+i%3), MustEvents(t, s, id)); diff != "" {
			t.Errorf("Events(%s) (-want +got):\n%s", id, diff)
		}
	}
}

// raceAppends has n racers append different successors of base's head to
// meeting m through the stores (round robin) and checks that exactly one
// won, that the others got a Conflict, and that the log is base followed by
// the winner's events.
func raceAppends(t *testing.T, stores []store.Store, base []meeting.Event, n int) {
	head := base[len(base)-1]
	start := make(chan struct{})
	errs := make([]error, n)
	candidates := make([][]meeting.Event, n)
	var wg sync.WaitGroup
	for i := range n {
		events := Chain("m", head.Seq, head.Hash, 1+i%2)
		for j := range events {
			events[j].Actor = fmt.Sprintf("participant:p%d", i)
		}
		meeting.Seal(head.Seq, head.Hash, events)
		candidates[i] = events
		s := stores[i%len(stores)]
		wg.Go(func() {
			<-start
			errs[i] = s.Append(context.Background(), events)
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch KindOf(err) {
		case "":
			if winner >= 0 {
				t.Errorf("both %d and %d won", winner, i)
			}
			winner = i
		case meeting.KindConflict:
		default:
			t.Errorf("racer %d: %v; want nil or a conflict", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no racer won")
	}
	want := append(slices.Clone(base), candidates[winner]...)
	for i, s := range stores {
		if diff := cmp.Diff(want, MustEvents(t, s, "m")); diff != "" {
			t.Errorf("log through store %d (-want +got):\n%s", i, diff)
		}
		if err := s.Verify(context.Background(), "m"); err != nil {
			t.Errorf("Verify = %v", err)
		}
	}
}

func testAppendRaceSameMeeting(t *testing.T, env *env) {
	s := env.open(t)
	base := Chain("m", 0, "", 7)
	MustAppend(t, s, base)
	raceAppends(t, []store.Store{s}, base, 50)
}

// testAppendRaceAcrossNodes: racers on two nodes append the same seq; the
// database lets exactly one win.
func testAppendRaceAcrossNodes(t *testing.T, env *env) {
	s := env.open(t)
	peer := env.h.Peer(t, s)
	base := Chain("m", 0, "", 7)
	MustAppend(t, s, base)
	for round := range 5 {
		b := MustEvents(t, s, "m")
		raceAppends(t, []store.Store{s, peer}, b, 20)
		if t.Failed() {
			t.Fatalf("round %d failed", round)
		}
	}
	// A stale node (one that did not see the other's append) gets a
	// Conflict and stores nothing.
	b := MustEvents(t, s, "m")
	last := b[len(b)-1]
	MustAppend(t, s, Chain("m", last.Seq, last.Hash, 1))
	stale := Chain("m", last.Seq, last.Hash, 2)
	stale[0].Actor = "participant:stale"
	meeting.Seal(last.Seq, last.Hash, stale)
	if err := peer.Append(context.Background(), stale); KindOf(err) != meeting.KindConflict {
		t.Errorf("stale append on the peer = %v; want Conflict", err)
	}
	if got := MustEvents(t, peer, "m"); len(got) != len(b)+1 {
		t.Errorf("log has %d events; want %d", len(got), len(b)+1)
	}
}

// testAppendCancelled checks the cancellation contract from outside: nil
// always means stored, ctx.Err() always means not stored, whenever the
// context is cancelled.
func testAppendCancelled(t *testing.T, env *env) {
	s := env.open(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Append(ctx, Chain("dead", 0, "", 1)); !errors.Is(err, context.Canceled) {
		t.Errorf("Append(cancelled ctx) = %v; want context.Canceled", err)
	}
	if got := MustEvents(t, s, "dead"); len(got) != 0 {
		t.Errorf("Append with a cancelled context stored %d events", len(got))
	}

	const n = 300
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		ctx, cancel := context.WithCancel(context.Background())
		wg.Go(func() { errs[i] = s.Append(ctx, Chain(fmt.Sprint("c", i), 0, "", 2)) })
		wg.Go(func() {
			// Cancel at a random moment: before, during or after the commit.
			time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
			cancel()
		})
	}
	wg.Wait()
	stored, cancelled := 0, 0
	for i, err := range errs {
		got := len(MustEvents(t, s, fmt.Sprint("c", i)))
		switch {
		case err == nil:
			stored++
			if got != 2 {
				t.Errorf("append %d returned nil but %d events are stored", i, got)
			}
		case errors.Is(err, context.Canceled):
			cancelled++
			if got != 0 {
				t.Errorf("append %d returned %v but %d events are stored", i, err, got)
			}
		default:
			t.Errorf("append %d: %v; want nil or context.Canceled", i, err)
		}
	}
	t.Logf("%d stored, %d cancelled", stored, cancelled)
	// The store still works.
	MustAppend(t, s, Chain("after", 0, "", 1))
}

func testDurableAcrossReopen(t *testing.T, env *env) {
	s := env.open(t)
	want := map[string][]meeting.Event{}
	for _, id := range []string{"a", "b", "c"} {
		want[id] = Chain(id, 0, "", 25)
		for i := 0; i < 25; i += 5 {
			MustAppend(t, s, want[id][i:i+5])
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v; want nil", err)
	}
	ctx := context.Background()
	calls := map[string]func() error{
		"Append": func() error { return s.Append(ctx, Chain("z", 0, "", 1)) },
		"Events": func() error { _, err := s.Events(ctx, "a", 0, 0); return err },
		"StoreBallot": func() error {
			return s.StoreBallot(ctx, store.Ballot{Meeting: "a", Poll: "v", Participant: "p", Key: "k", Data: []byte("{}")})
		},
		"CreateSession": func() error {
			return s.CreateSession(ctx, store.Session{TokenHash: h("x"), Kind: store.SessionAccount, ExpiresAt: t0})
		},
		"Ping": func() error { return s.Ping(ctx) },
	}
	for name, call := range calls {
		if err := call(); KindOf(err) != meeting.KindInternal {
			t.Errorf("%s after Close = %v; want an Internal error", name, err)
		}
	}

	s = env.h.Reopen(t, s)
	for id, events := range want {
		if diff := cmp.Diff(events, MustEvents(t, s, id)); diff != "" {
			t.Errorf("Events(%s) after reopen (-want +got):\n%s", id, diff)
		}
		if err := s.Verify(ctx, id); err != nil {
			t.Errorf("Verify(%s) = %v", id, err)
		}
	}
	if _, _, _, err := s.Head(ctx, "z"); KindOf(err) != meeting.KindNotFound {
		t.Errorf("the append after Close was stored: Head(z) = %v", err)
	}
}

// testCloseDuringAppends closes the store while appends are running: each
// Append either stored its events (nil) or failed with an Internal error,
// Close returns only once they are answered, and the reopened log holds
// exactly the acknowledged events.
func testCloseDuringAppends(t *testing.T, env *env) {
	s := env.open(t)
	const n = 50
	errs := make([]error, n)
	acked := make([]int64, n)
	var wg sync.WaitGroup
	var count sync.WaitGroup
	count.Add(1)
	var once sync.Once
	var mu sync.Mutex
	total := 0
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprint("m", i)
			seq, head := int64(0), ""
			for {
				events := Chain(id, seq, head, 1)
				if errs[i] = s.Append(context.Background(), events); errs[i] != nil {
					return
				}
				seq, head = events[0].Seq, events[0].Hash
				acked[i] = seq
				mu.Lock()
				if total++; total >= 5*n {
					once.Do(count.Done)
				}
				mu.Unlock()
			}
		})
	}
	count.Wait()
	if err := s.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	wg.Wait()
	for i, err := range errs {
		if KindOf(err) != meeting.KindInternal {
			t.Errorf("appender %d stopped with %v; want an Internal error (closed)", i, err)
		}
	}
	s = env.h.Reopen(t, s)
	for i := range n {
		id := fmt.Sprint("m", i)
		// Nothing acknowledged is lost, and nothing that failed is stored:
		// Close waits for the writes in progress and answers them.
		got := int64(len(MustEvents(t, s, id)))
		if got != acked[i] {
			t.Errorf("%s: %d events stored; %d acknowledged", id, got, acked[i])
		}
		if err := s.Verify(context.Background(), id); err != nil && KindOf(err) != meeting.KindNotFound {
			t.Errorf("Verify(%s) = %v", id, err)
		}
	}
}

func testVerify(t *testing.T, env *env) {
	const n = 2500 // more than two pages of a paged read
	tests := []struct {
		name    string
		tamper  Tampering
		seq     int64
		wantSeq string // the seq the error must name
	}{
		{"intact", Tampering{}, 0, ""},
		{"data changed", Tampering{Data: []byte(`{"id":"n1","text":"forged"}`)}, 1700, "1700"},
		{"data changed in page 1", Tampering{Data: []byte(`{}`)}, 3, "3"},
		{"time changed", Tampering{AtDelta: time.Nanosecond}, 1000, "1000"},
		{"actor changed", Tampering{Actor: "account:mallory"}, 2500, "2500"},
		{"row deleted", Tampering{Delete: true}, 1001, "1002"},
		{"first row deleted", Tampering{Delete: true}, 1, "2"},
		{"audience added", Tampering{Audience: `{"roles":["chair"]}`}, 42, "42"},
	}
	all := Chain("m", 0, "", n)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := env.open(t)
			for i := 0; i < n; i += 250 {
				MustAppend(t, s, all[i:i+250])
			}
			MustAppend(t, s, Chain("other", 0, "", 3))
			ctx := context.Background()
			if tt.seq != 0 {
				env.h.Tamper(t, s, "m", tt.seq, tt.tamper)
			}
			err := s.Verify(ctx, "m")
			if tt.wantSeq == "" {
				if err != nil {
					t.Errorf("Verify = %v; want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Verify = nil; want an error")
			}
			first := regexp.MustCompile(`\d+`).FindString(err.Error())
			if first != tt.wantSeq || !strings.Contains(err.Error(), tt.wantSeq) {
				t.Errorf("Verify = %v; want it to name seq %s first", err, tt.wantSeq)
			}
			var me *meeting.Error
			if !errors.As(err, &me) || !strings.Contains(me.Message, tt.wantSeq) {
				t.Errorf("Verify error %v: want a *meeting.Error whose Vietnamese message names %s", err, tt.wantSeq)
			}
			if err := s.Verify(ctx, "other"); err != nil {
				t.Errorf("Verify(other) = %v; want nil", err)
			}
		})
	}
	t.Run("unknown meeting", func(t *testing.T) {
		s := env.open(t)
		if err := s.Verify(context.Background(), "nope"); KindOf(err) != meeting.KindNotFound {
			t.Errorf("Verify(unknown) kind = %q; want %q", KindOf(err), meeting.KindNotFound)
		}
	})
}
