package postgres_test

import (
	"context"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/phonghop/phonghop/internal/pgtest"
	"github.com/phonghop/phonghop/server/postgres"
	"github.com/phonghop/phonghop/server/store"
	"github.com/phonghop/phonghop/server/store/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// openURL opens the store at url and closes it when t ends.
func openURL(t testing.TB, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openDB opens a store on a fresh database of the shared server and
// returns it with the database's URL.
func openDB(t testing.TB) (*postgres.DB, string) {
	t.Helper()
	url := pgtest.Shared(t).NewDatabase(t)
	return openURL(t, url), url
}

// superuser runs f on a superuser connection to url, outside the store.
func superuser(t testing.TB, url string, f func(c *pgx.Conn)) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	f(c)
}

// TestStore runs the conformance suite against PostgreSQL, with a second
// store on the same database as the peer node.
func TestStore(t *testing.T) {
	var mu sync.Mutex
	urls := map[store.Store]string{}
	open := func(t *testing.T, url string) store.Store {
		db := openURL(t, url)
		mu.Lock()
		urls[db] = url
		mu.Unlock()
		return db
	}
	urlOf := func(t *testing.T, s store.Store) string {
		mu.Lock()
		defer mu.Unlock()
		u, ok := urls[s]
		if !ok {
			t.Fatal("not a store of this test")
		}
		return u
	}
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, pgtest.Shared(t).NewDatabase(t))
	}, storetest.Hooks{
		Tamper: func(t *testing.T, s store.Store, meetingID string, seq int64, tm storetest.Tampering) {
			superuser(t, urlOf(t, s), func(c *pgx.Conn) {
				ctx := context.Background()
				// As an attacker with the superuser would: without the
				// foreign keys that protect the chain.
				if _, err := c.Exec(ctx, "SET session_replication_role = replica"); err != nil {
					t.Fatal(err)
				}
				var q string
				var arg any
				switch {
				case tm.Delete:
					q = "DELETE FROM events"
				case tm.Data != nil:
					q, arg = "UPDATE events SET data = $3", tm.Data
				case tm.AtDelta != 0:
					q, arg = "UPDATE events SET at = at + $3", int64(tm.AtDelta)
				case tm.Actor != "":
					q, arg = "UPDATE events SET actor = $3", tm.Actor
				case tm.Audience != "":
					q, arg = "UPDATE events SET audience = $3", tm.Audience
				default:
					t.Fatalf("empty tampering %+v", tm)
				}
				args := []any{meetingID, seq}
				if arg != nil {
					args = append(args, arg)
				}
				tag, err := c.Exec(ctx, q+" WHERE meeting_id = $1 AND seq = $2", args...)
				if err != nil {
					t.Fatal(err)
				}
				if tag.RowsAffected() != 1 {
					t.Fatalf("tampering changed %d rows; want 1", tag.RowsAffected())
				}
			})
		},
		Reopen: func(t *testing.T, s store.Store) store.Store {
			url := urlOf(t, s)
			if err := s.Close(); err != nil {
				t.Fatalf("close before reopen: %v", err)
			}
			return open(t, url)
		},
		Peer: func(t *testing.T, s store.Store) store.Store {
			return open(t, urlOf(t, s))
		},
	})
}
