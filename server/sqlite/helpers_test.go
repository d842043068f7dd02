package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/sqlite"
	"github.com/phonghop/phonghop/server/store/storetest"
)

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

// The suite's helpers, under the names these tests always used.
var (
	chain   = storetest.Chain
	kindOf  = storetest.KindOf
	waitFor = storetest.WaitFor
)

func mustAppend(t testing.TB, db *sqlite.DB, events []meeting.Event) {
	t.Helper()
	storetest.MustAppend(t, db, events)
}

func mustEvents(t testing.TB, db *sqlite.DB, id string) []meeting.Event {
	t.Helper()
	return storetest.MustEvents(t, db, id)
}
