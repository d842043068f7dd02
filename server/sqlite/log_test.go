package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/sqlite"
)

func TestAppendEventsRoundTrip(t *testing.T) {
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
		{"empty strings", func(e *meeting.Event) { e.Actor, e.Type = "", "" }},
	}
	db, _ := openDB(t)
	ctx := context.Background()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("m%d", i)
			events := chain(id, 0, "", 3)
			for j := range events {
				tt.edit(&events[j])
			}
			meeting.Seal(0, "", events)
			mustAppend(t, db, events)

			got, err := db.Events(ctx, id, 0, 0)
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

func TestEventsAfterLimit(t *testing.T) {
	db, _ := openDB(t)
	all := chain("m", 0, "", 10)
	mustAppend(t, db, all[:4])
	mustAppend(t, db, all[4:])
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
		got, err := db.Events(context.Background(), "m", tt.after, tt.limit)
		if err != nil {
			t.Fatalf("Events(after %d, limit %d): %v", tt.after, tt.limit, err)
		}
		if diff := cmp.Diff(tt.want, got); len(tt.want)+len(got) > 0 && diff != "" {
			t.Errorf("Events(after %d, limit %d) (-want +got):\n%s", tt.after, tt.limit, diff)
		}
	}
	got, err := db.Events(context.Background(), "unknown", 0, 0)
	if err != nil || len(got) != 0 {
		t.Errorf("Events(unknown) = %d events, %v; want 0, nil", len(got), err)
	}
}

func TestHeadAndEpoch(t *testing.T) {
	db, path := openDB(t)
	ctx := context.Background()

	if _, _, _, err := db.Head(ctx, "m"); kindOf(err) != meeting.KindNotFound {
		t.Fatalf("Head(before any append) error kind = %q; want %q", kindOf(err), meeting.KindNotFound)
	}
	events := chain("m", 0, "", 5)
	mustAppend(t, db, events[:2])
	seq, hash, epoch, err := db.Head(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	if seq != 2 || hash != events[1].Hash {
		t.Errorf("Head = %d, %s; want 2, %s", seq, hash, events[1].Hash)
	}
	if b, err := hex.DecodeString(epoch); err != nil || len(b) != 16 {
		t.Errorf("epoch = %q; want 16 bytes in hex", epoch)
	}
	mustAppend(t, db, events[2:])
	seq, hash, epoch2, err := db.Head(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	if seq != 5 || hash != events[4].Hash || epoch2 != epoch {
		t.Errorf("Head after 5 = %d, %s, %s; want 5, %s, %s (epoch unchanged)", seq, hash, epoch2, events[4].Hash, epoch)
	}

	// Another meeting gets its own epoch.
	mustAppend(t, db, chain("other", 0, "", 1))
	if _, _, e, _ := db.Head(ctx, "other"); e == epoch || e == "" {
		t.Errorf("epoch of another meeting = %q; want a different non-empty one (first: %q)", e, epoch)
	}

	// Stable across reopen.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openPath(t, path)
	seq, hash, epoch3, err := db.Head(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	if seq != 5 || hash != events[4].Hash || epoch3 != epoch {
		t.Errorf("Head after reopen = %d, %s, %s; want 5, %s, %s", seq, hash, epoch3, events[4].Hash, epoch)
	}

	// ResetEpoch changes it, durably, and leaves the log alone.
	newEpoch, err := db.ResetEpoch(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	if newEpoch == epoch || len(newEpoch) != 32 {
		t.Errorf("ResetEpoch = %q; want a new 32-hex-digit epoch (old %q)", newEpoch, epoch)
	}
	seq, _, epoch4, err := db.Head(ctx, "m")
	if err != nil || epoch4 != newEpoch || seq != 5 {
		t.Errorf("Head after ResetEpoch = %d, %q, %v; want 5, %q, nil", seq, epoch4, err, newEpoch)
	}
	if _, err := db.ResetEpoch(ctx, "nope"); kindOf(err) != meeting.KindNotFound {
		t.Errorf("ResetEpoch(unknown) kind = %q; want %q", kindOf(err), meeting.KindNotFound)
	}
}

func TestMeetingIDs(t *testing.T) {
	db, _ := openDB(t)
	ids, err := db.MeetingIDs(context.Background())
	if err != nil || len(ids) != 0 {
		t.Fatalf("MeetingIDs(empty) = %v, %v; want none", ids, err)
	}
	want := []string{"zeta", "alpha", "mu", "beta"}
	for _, id := range want {
		mustAppend(t, db, chain(id, 0, "", 1))
	}
	// More events do not reorder.
	e := mustEvents(t, db, "zeta")
	mustAppend(t, db, chain("zeta", 1, e[0].Hash, 1))
	got, err := db.MeetingIDs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MeetingIDs (-want +got):\n%s", diff)
	}
}

func TestAppendRejects(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	base := chain("m", 0, "", 3)
	mustAppend(t, db, base)
	head := base[2].Hash

	tests := []struct {
		name   string
		events func() []meeting.Event
		kind   meeting.Kind
	}{
		{"gap", func() []meeting.Event { return chain("m", 4, head, 1) }, meeting.KindConflict},
		{"wrong prev", func() []meeting.Event { return chain("m", 3, base[1].Hash, 2) }, meeting.KindConflict},
		{"duplicate seq", func() []meeting.Event { return chain("m", 2, base[1].Hash, 1) }, meeting.KindConflict},
		{"duplicate seq 1", func() []meeting.Event { return chain("m", 0, "", 1) }, meeting.KindConflict},
		{"stale batch overlapping head", func() []meeting.Event { return chain("m", 1, base[0].Hash, 4) }, meeting.KindConflict},
		{"seq 1 with prev", func() []meeting.Event { return chain("new", 0, "not-empty", 2) }, meeting.KindConflict},
		{"new meeting starting at 2", func() []meeting.Event { return chain("new", 1, "", 1) }, meeting.KindConflict},
		{"seq 0", func() []meeting.Event { return chain("new", -1, "", 1) }, meeting.KindConflict},
		{"mixed meetings", func() []meeting.Event {
			e := chain("m", 3, head, 2)
			e[1].Meeting = "other"
			meeting.Seal(3, head, e)
			return e
		}, meeting.KindConflict},
		{"mixed meetings, second new", func() []meeting.Event {
			return append(chain("new", 0, "", 1), chain("new2", 0, "", 1)...)
		}, meeting.KindConflict},
		{"gap inside the batch", func() []meeting.Event {
			e := chain("m", 3, head, 3)
			return []meeting.Event{e[0], e[2]}
		}, meeting.KindConflict},
		{"broken link inside the batch", func() []meeting.Event {
			e := chain("m", 3, head, 3)
			e[2].Prev = e[0].Hash
			e[2].Hash = meeting.ComputeHash(e[2])
			return e
		}, meeting.KindConflict},
		{"wrong hash", func() []meeting.Event {
			e := chain("m", 3, head, 2)
			e[1].Data = []byte(`{"forged":true}`)
			return e
		}, meeting.KindInvalid},
		{"zero time", func() []meeting.Event {
			e := chain("m", 3, head, 1)
			e[0].At = time.Time{}
			meeting.Seal(3, head, e)
			return e
		}, meeting.KindInvalid},
		{"time beyond 2262", func() []meeting.Event {
			e := chain("m", 3, head, 1)
			e[0].At = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
			meeting.Seal(3, head, e)
			return e
		}, meeting.KindInvalid},
		{"no meeting ID", func() []meeting.Event { return chain("", 0, "", 1) }, meeting.KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.Append(ctx, tt.events())
			if got := kindOf(err); got != tt.kind {
				t.Fatalf("Append error kind = %q (%v); want %q", got, err, tt.kind)
			}
			var me *meeting.Error
			if errors.As(err, &me) && (me.Message == "" || me.MessageEN == "") {
				t.Errorf("error messages = %q / %q; want both set", me.Message, me.MessageEN)
			}
			if diff := cmp.Diff(base, mustEvents(t, db, "m")); diff != "" {
				t.Errorf("log of m changed (-want +got):\n%s", diff)
			}
			for _, id := range []string{"new", "new2", "other", ""} {
				if got := mustEvents(t, db, id); len(got) != 0 {
					t.Errorf("Events(%q) = %d events; want none", id, len(got))
				}
				if _, _, _, err := db.Head(ctx, id); kindOf(err) != meeting.KindNotFound {
					t.Errorf("Head(%q) kind = %q; want %q (no meeting row)", id, kindOf(err), meeting.KindNotFound)
				}
			}
		})
	}
	if err := db.Append(ctx, nil); err != nil {
		t.Errorf("Append(nil) = %v; want nil", err)
	}
	// After all that, the right successor still fits.
	mustAppend(t, db, chain("m", 3, head, 2))
	if err := db.Verify(ctx, "m"); err != nil {
		t.Errorf("Verify = %v; want nil", err)
	}
}

func TestGroupCommitManyMeetings(t *testing.T) {
	db, _ := openDB(t)
	const n = 200
	before := db.Stats()
	start := make(chan struct{})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			events := chain(fmt.Sprintf("m%03d", i), 0, "", 1+i%3)
			<-start
			errs[i] = db.Append(context.Background(), events)
		})
	}
	close(start)
	wg.Wait()
	wantEvents := int64(0)
	for i, err := range errs {
		if err != nil {
			t.Errorf("Append m%03d: %v", i, err)
		}
		wantEvents += int64(1 + i%3)
	}
	st := db.Stats()
	requests, batches, events := st.Requests-before.Requests, st.Batches-before.Batches, st.Events-before.Events
	t.Logf("%d requests in %d batches", requests, batches)
	if requests != n || events != wantEvents {
		t.Errorf("Stats: %d requests, %d events; want %d, %d", requests, events, n, wantEvents)
	}
	if batches >= requests || batches < 1 {
		t.Errorf("Stats: %d batches for %d requests; want 1 <= batches < requests (group commit)", batches, requests)
	}
	ids, err := db.MeetingIDs(context.Background())
	if err != nil || len(ids) != n {
		t.Fatalf("MeetingIDs = %d, %v; want %d", len(ids), err, n)
	}
	for i := range n {
		id := fmt.Sprintf("m%03d", i)
		if diff := cmp.Diff(chain(id, 0, "", 1+i%3), mustEvents(t, db, id)); diff != "" {
			t.Errorf("Events(%s) (-want +got):\n%s", id, diff)
		}
	}
}

func TestAppendRaceSameMeeting(t *testing.T) {
	db, _ := openDB(t)
	base := chain("m", 0, "", 7)
	mustAppend(t, db, base)
	const n = 50
	start := make(chan struct{})
	errs := make([]error, n)
	candidates := make([][]meeting.Event, n)
	var wg sync.WaitGroup
	for i := range n {
		events := chain("m", 7, base[6].Hash, 1+i%2)
		for j := range events {
			events[j].Actor = fmt.Sprintf("participant:p%d", i)
		}
		meeting.Seal(7, base[6].Hash, events)
		candidates[i] = events
		wg.Go(func() {
			<-start
			errs[i] = db.Append(context.Background(), events)
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch kindOf(err) {
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
	want := append(append([]meeting.Event(nil), base...), candidates[winner]...)
	if diff := cmp.Diff(want, mustEvents(t, db, "m")); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
	if err := db.Verify(context.Background(), "m"); err != nil {
		t.Errorf("Verify = %v", err)
	}
}

// TestBatchSavepoints puts requests that fail inside their savepoint (after
// writing some rows) between good ones in one batch: only the failing ones
// are undone.
func TestBatchSavepoints(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	// Inserting an event by actor "boom" fails, after the request's
	// earlier rows were written.
	if _, err := sqlite.WriteDB(db).Exec(`CREATE TRIGGER boom BEFORE INSERT ON events
WHEN NEW.actor = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END`); err != nil {
		t.Fatal(err)
	}
	boom := chain("boom", 0, "", 3)
	boom[2].Actor = "boom"
	meeting.Seal(0, "", boom)
	// A meeting row without events: appending seq 1 passes the head check
	// but fails inserting the meetings row.
	if _, err := sqlite.WriteDB(db).Exec("INSERT INTO meetings (id, epoch, created_at) VALUES ('ghost', 'e', 0)"); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, db, chain("a", 0, "", 1))
	a := mustEvents(t, db, "a")
	aBoom := chain("a", 3, chain("a", 0, "", 3)[2].Hash, 2)
	aBoom[1].Actor = "boom"
	meeting.Seal(3, aBoom[0].Prev, aBoom)

	release := HoldWriterWithDummy(t, db)
	reqs := []struct {
		events []meeting.Event
		kind   meeting.Kind
	}{
		{chain("a", 1, a[0].Hash, 2), ""},
		{boom, meeting.KindInternal},
		{chain("a", 1, a[0].Hash, 1), meeting.KindConflict}, // a's seq 2 is taken by the first request
		{chain("b", 0, "", 3), ""},
		{aBoom, meeting.KindInternal}, // follows a's head (3) in this batch, fails at its 2nd event
		{chain("ghost", 0, "", 2), meeting.KindInternal},
		{chain("a", 3, chain("a", 0, "", 3)[2].Hash, 1), ""}, // a's head is still 3
	}
	errs := make([]error, len(reqs))
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Go(func() { errs[i] = db.Append(ctx, r.events) })
		waitFor(t, "request queued", func() bool { return sqlite.PendingAppends(db) == i+1 })
	}
	takenBefore := sqlite.BatchesTaken(db) // includes the dummy's batch
	release()
	wg.Wait()
	for i, r := range reqs {
		if kindOf(errs[i]) != r.kind {
			t.Errorf("request %d: %v; want kind %q", i, errs[i], r.kind)
		}
	}
	if got := sqlite.BatchesTaken(db) - takenBefore; got != 1 {
		t.Errorf("the %d requests took %d batches; want 1", len(reqs), got)
	}
	if diff := cmp.Diff(chain("a", 0, "", 4), mustEvents(t, db, "a")); diff != "" {
		t.Errorf("log of a (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(chain("b", 0, "", 3), mustEvents(t, db, "b")); diff != "" {
		t.Errorf("log of b (-want +got):\n%s", diff)
	}
	for _, id := range []string{"boom", "ghost"} {
		if got := mustEvents(t, db, id); len(got) != 0 {
			t.Errorf("log of %s has %d events; want 0", id, len(got))
		}
	}
	if _, _, _, err := db.Head(ctx, "boom"); kindOf(err) != meeting.KindNotFound {
		t.Errorf("Head(boom) = %v; want NotFound (its meeting row rolled back)", err)
	}
	if _, _, epoch, err := db.Head(ctx, "ghost"); err != nil || epoch != "e" {
		t.Errorf("ghost Head epoch = %q, %v; want the untouched row", epoch, err)
	}
}

// HoldWriterWithDummy blocks the writer goroutine inside a batch (holding
// a dummy request) so that the next requests queue up in pending; release
// lets everything run. It waits for the dummy to finish on release.
func HoldWriterWithDummy(t *testing.T, db *sqlite.DB) (release func()) {
	t.Helper()
	unhold := sqlite.HoldWriter(t, db)
	taken := sqlite.BatchesTaken(db)
	dummy := make(chan error, 1)
	id := fmt.Sprintf("dummy-%d", time.Now().UnixNano())
	go func() { dummy <- db.Append(context.Background(), chain(id, 0, "", 1)) }()
	waitFor(t, "dummy taken by the writer", func() bool { return sqlite.BatchesTaken(db) == taken+1 })
	var once sync.Once
	release = func() {
		once.Do(func() {
			unhold()
			if err := <-dummy; err != nil {
				t.Errorf("dummy Append: %v", err)
			}
		})
	}
	t.Cleanup(release)
	return release
}

func TestAppendCancelledBeforeTaken(t *testing.T) {
	db, _ := openDB(t)
	release := HoldWriterWithDummy(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- db.Append(ctx, chain("m", 0, "", 2)) }()
	waitFor(t, "request queued", func() bool { return sqlite.PendingAppends(db) == 1 })
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Append = %v; want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Append did not return on cancel while the writer was busy")
	}
	release()
	// A later append goes through, and the cancelled one was not written.
	mustAppend(t, db, chain("other", 0, "", 1))
	if got := mustEvents(t, db, "m"); len(got) != 0 {
		t.Errorf("cancelled Append stored %d events; want 0", len(got))
	}
	// Already-cancelled context: not even queued.
	if err := db.Append(ctx, chain("m", 0, "", 1)); !errors.Is(err, context.Canceled) {
		t.Errorf("Append(cancelled ctx) = %v; want context.Canceled", err)
	}
	if got := mustEvents(t, db, "m"); len(got) != 0 {
		t.Errorf("stored %d events; want 0", len(got))
	}
}

func TestAppendCancelledAfterTaken(t *testing.T) {
	db, _ := openDB(t)
	unhold := sqlite.HoldWriter(t, db)
	taken := sqlite.BatchesTaken(db)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- db.Append(ctx, chain("m", 0, "", 2)) }()
	waitFor(t, "request taken", func() bool { return sqlite.BatchesTaken(db) == taken+1 })
	cancel()
	select {
	case err := <-done:
		t.Fatalf("Append returned %v while its batch was still running; want it to wait", err)
	case <-time.After(50 * time.Millisecond):
	}
	unhold()
	if err := <-done; err != nil {
		t.Errorf("Append = %v; want nil (taken requests are committed)", err)
	}
	if got := mustEvents(t, db, "m"); len(got) != 2 {
		t.Errorf("stored %d events; want 2", len(got))
	}
}

func TestDurableAcrossReopen(t *testing.T) {
	db, path := openDB(t)
	want := map[string][]meeting.Event{}
	for _, id := range []string{"a", "b", "c"} {
		want[id] = chain(id, 0, "", 25)
		for i := 0; i < 25; i += 5 {
			mustAppend(t, db, want[id][i:i+5])
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close = %v; want nil", err)
	}
	if err := db.Append(context.Background(), chain("z", 0, "", 1)); !errors.Is(err, sqlite.ErrClosed) || kindOf(err) != meeting.KindInternal {
		t.Errorf("Append after Close = %v; want an internal error wrapping ErrClosed", err)
	}

	db = openPath(t, path)
	for id, events := range want {
		if diff := cmp.Diff(events, mustEvents(t, db, id)); diff != "" {
			t.Errorf("Events(%s) after reopen (-want +got):\n%s", id, diff)
		}
		if err := db.Verify(context.Background(), id); err != nil {
			t.Errorf("Verify(%s) = %v", id, err)
		}
	}
}

// TestCloseDuringAppends closes the database while appends are running:
// each Append either stored its events (nil) or failed with ErrClosed, and
// Close returns only once the writer has answered everything.
func TestCloseDuringAppends(t *testing.T) {
	db, path := openDB(t)
	const n = 50
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprint("m", i)
			seq, head := int64(0), ""
			for {
				events := chain(id, seq, head, 1)
				if errs[i] = db.Append(context.Background(), events); errs[i] != nil {
					return
				}
				seq, head = events[0].Seq, events[0].Hash
			}
		})
	}
	waitFor(t, "some commits", func() bool { return db.Stats().Batches >= 5 })
	if err := db.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	wg.Wait()
	stored := db.Stats().Events
	for i, err := range errs {
		if !errors.Is(err, sqlite.ErrClosed) {
			t.Errorf("appender %d stopped with %v; want ErrClosed", i, err)
		}
	}
	db = openPath(t, path)
	var total int64
	for i := range n {
		id := fmt.Sprint("m", i)
		total += int64(len(mustEvents(t, db, id)))
		if err := db.Verify(context.Background(), id); err != nil && kindOf(err) != meeting.KindNotFound {
			t.Errorf("Verify(%s) = %v", id, err)
		}
	}
	if total != stored {
		t.Errorf("reopened database has %d events; the writer committed %d", total, stored)
	}
}

func TestVerify(t *testing.T) {
	const n = 2500 // more than two of Verify's pages
	tests := []struct {
		name    string
		tamper  string // SQL run directly against the file; ? is the seq
		seq     int64
		wantSeq string // the seq the error must name
	}{
		{"intact", "", 0, ""},
		{"data changed", "UPDATE events SET data = CAST('{\"id\":\"n1\",\"text\":\"forged\"}' AS BLOB) WHERE meeting_id = 'm' AND seq = ?", 1700, "1700"},
		{"data changed in page 1", "UPDATE events SET data = CAST('{}' AS BLOB) WHERE meeting_id = 'm' AND seq = ?", 3, "3"},
		{"time changed", "UPDATE events SET at = at + 1 WHERE meeting_id = 'm' AND seq = ?", 1000, "1000"},
		{"actor changed", "UPDATE events SET actor = 'account:mallory' WHERE meeting_id = 'm' AND seq = ?", 2500, "2500"},
		{"row deleted", "DELETE FROM events WHERE meeting_id = 'm' AND seq = ?", 1001, "1002"},
		{"first row deleted", "DELETE FROM events WHERE meeting_id = 'm' AND seq = ?", 1, "2"},
		{"audience added", "UPDATE events SET audience = '{\"roles\":[\"chair\"]}' WHERE meeting_id = 'm' AND seq = ?", 42, "42"},
	}
	// Build the log once; each case tampers with its own copy of the file.
	template := filepath.Join(t.TempDir(), "template.db")
	db, err := sqlite.Open(context.Background(), template)
	if err != nil {
		t.Fatal(err)
	}
	all := chain("m", 0, "", n)
	for i := 0; i < n; i += 250 {
		mustAppend(t, db, all[i:i+250])
	}
	mustAppend(t, db, chain("other", 0, "", 3))
	if err := db.Close(); err != nil { // checkpoints: the whole database is in the one file
		t.Fatal(err)
	}
	file, err := os.ReadFile(template)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "copy.db")
			if err := os.WriteFile(path, file, 0o600); err != nil {
				t.Fatal(err)
			}
			db := openPath(t, path)
			ctx := context.Background()
			if got := len(mustEvents(t, db, "m")); got != n {
				t.Fatalf("copied log has %d events; want %d", got, n)
			}
			if tt.tamper != "" {
				// A separate database/sql handle, as someone editing the file would.
				raw, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
				if err != nil {
					t.Fatal(err)
				}
				defer raw.Close()
				res, err := raw.Exec(tt.tamper, tt.seq)
				if err != nil {
					t.Fatal(err)
				}
				if k, _ := res.RowsAffected(); k != 1 {
					t.Fatalf("tamper changed %d rows; want 1", k)
				}
			}
			err := db.Verify(ctx, "m")
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
			if err := db.Verify(ctx, "other"); err != nil {
				t.Errorf("Verify(other) = %v; want nil", err)
			}
		})
	}
	t.Run("unknown meeting", func(t *testing.T) {
		db, _ := openDB(t)
		if err := db.Verify(context.Background(), "nope"); kindOf(err) != meeting.KindNotFound {
			t.Errorf("Verify(unknown) kind = %q; want %q", kindOf(err), meeting.KindNotFound)
		}
	})
}
