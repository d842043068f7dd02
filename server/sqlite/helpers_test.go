package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/sqlite"
)

// baseAt has nanoseconds and a non-UTC zone, to test both round-trip.
var baseAt = time.Date(2026, 5, 19, 8, 0, 0, 123456789, time.FixedZone("ICT", 7*3600))

// openDB opens a database file in a fresh temporary directory.
func openDB(t testing.TB) (*sqlite.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "phonghop.db")
	return openPath(t, path), path
}

// openPath opens path and closes it when the test ends.
func openPath(t testing.TB, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// chain returns n sealed events of meeting id following (seq, head).
func chain(id string, seq int64, head string, n int) []meeting.Event {
	events := make([]meeting.Event, n)
	for i := range events {
		s := seq + int64(i) + 1
		events[i] = meeting.Event{
			Meeting: id,
			At:      baseAt.Add(time.Duration(s) * 1001 * time.Nanosecond),
			Actor:   "account:admin",
			Type:    meeting.EventNoticeSent,
			Data:    []byte(fmt.Sprintf(`{"id":"n%d","text":"Thông báo số %d"}`, s, s)),
		}
	}
	meeting.Seal(seq, head, events)
	return events
}

// mustAppend appends events or fails the test.
func mustAppend(t testing.TB, db *sqlite.DB, events []meeting.Event) {
	t.Helper()
	if err := db.Append(context.Background(), events); err != nil {
		t.Fatalf("Append(%s seq %d..): %v", events[0].Meeting, events[0].Seq, err)
	}
}

// mustEvents returns all events of meeting id.
func mustEvents(t testing.TB, db *sqlite.DB, id string) []meeting.Event {
	t.Helper()
	got, err := db.Events(context.Background(), id, 0, 0)
	if err != nil {
		t.Fatalf("Events(%q): %v", id, err)
	}
	return got
}

// kindOf is meeting.KindOf that also says whether err is a *meeting.Error.
func kindOf(err error) meeting.Kind {
	var me *meeting.Error
	if err != nil && !errors.As(err, &me) {
		return "not *meeting.Error: " + meeting.Kind(err.Error())
	}
	return meeting.KindOf(err)
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
