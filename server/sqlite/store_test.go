package sqlite_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/phonghop/phonghop/server/store"
	"github.com/phonghop/phonghop/server/store/storetest"
)

// TestStore runs the conformance suite against SQLite files. SQLite is a
// single-node store: no Hooks.Peer.
func TestStore(t *testing.T) {
	var mu sync.Mutex
	paths := map[store.Store]string{} // each open store's file
	open := func(t *testing.T, path string) store.Store {
		db := openPath(t, path)
		mu.Lock()
		paths[db] = path
		mu.Unlock()
		return db
	}
	pathOf := func(t *testing.T, s store.Store) string {
		mu.Lock()
		defer mu.Unlock()
		p, ok := paths[s]
		if !ok {
			t.Fatal("not a store of this test")
		}
		return p
	}
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, filepath.Join(t.TempDir(), "phonghop.db"))
	}, storetest.Hooks{
		Tamper: func(t *testing.T, s store.Store, meetingID string, seq int64, tm storetest.Tampering) {
			// A separate database/sql handle, as someone editing the file would.
			raw, err := sql.Open("sqlite", pathOf(t, s)+"?_pragma=busy_timeout(10000)")
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			var q string
			var arg any
			switch {
			case tm.Delete:
				q = "DELETE FROM events"
			case tm.Data != nil:
				q, arg = "UPDATE events SET data = ?", tm.Data
			case tm.AtDelta != 0:
				q, arg = "UPDATE events SET at = at + ?", int64(tm.AtDelta)
			case tm.Actor != "":
				q, arg = "UPDATE events SET actor = ?", tm.Actor
			case tm.Audience != "":
				q, arg = "UPDATE events SET audience = ?", tm.Audience
			default:
				t.Fatalf("empty tampering %+v", tm)
			}
			args := []any{meetingID, seq}
			if arg != nil {
				args = append([]any{arg}, args...)
			}
			res, err := raw.Exec(q+" WHERE meeting_id = ? AND seq = ?", args...)
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				t.Fatalf("tampering changed %d rows; want 1", n)
			}
		},
		Reopen: func(t *testing.T, s store.Store) store.Store {
			path := pathOf(t, s)
			if err := s.Close(); err != nil {
				t.Fatal(fmt.Errorf("close before reopen: %w", err))
			}
			return open(t, path)
		},
	})
}
