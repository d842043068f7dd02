package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/sqlite"
)

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
