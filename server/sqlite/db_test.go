package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/sqlite"
)

func TestMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	ctx := context.Background()
	versions := func(db *sqlite.DB) map[string]int64 {
		t.Helper()
		rows, err := sqlite.ReadDB(db).Query("SELECT version, applied_at FROM schema_migrations")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		m := map[string]int64{}
		for rows.Next() {
			var v string
			var at int64
			if err := rows.Scan(&v, &at); err != nil {
				t.Fatal(err)
			}
			m[v] = at
		}
		return m
	}

	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	first := versions(db)
	if got := sqlite.MigrationsApplied(db); got < 2 || got != len(first) {
		t.Errorf("first Open applied %d migrations, recorded %d; want all (>= 2), each recorded", got, len(first))
	}
	for _, v := range []string{"0001_events.sql", "0002_auth.sql"} {
		if _, ok := first[v]; !ok {
			t.Errorf("schema_migrations lacks %s", v)
		}
	}
	mustAppend(t, db, chain("m", 0, "", 2))
	db.Close()

	db2, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if got := sqlite.MigrationsApplied(db2); got != 0 {
		t.Errorf("second Open applied %d migrations; want 0", got)
	}
	second := versions(db2)
	for v, at := range first {
		if second[v] != at {
			t.Errorf("migration %s applied_at changed from %d to %d", v, at, second[v])
		}
	}
	if len(second) != len(first) {
		t.Errorf("schema_migrations has %d rows after reopen; want %d", len(second), len(first))
	}
	if got := len(mustEvents(t, db2, "m")); got != 2 {
		t.Errorf("events after reopen = %d; want 2", got)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	db := openPath(t, path)
	if _, err := sqlite.WriteDB(db).Exec("INSERT INTO schema_migrations (version, sha256, applied_at) VALUES ('9999_future.sql', 'x', 0)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db2, err := sqlite.Open(context.Background(), path)
	if err == nil {
		db2.Close()
	}
	if kindOf(err) != meeting.KindConflict {
		t.Errorf("Open(newer schema) = %v; want Conflict", err)
	}
}

func TestOpenRefusesEditedMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	db := openPath(t, path)
	if _, err := sqlite.WriteDB(db).Exec("UPDATE schema_migrations SET sha256 = 'edited' WHERE version = '0001_events.sql'"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db2, err := sqlite.Open(context.Background(), path)
	if err == nil {
		db2.Close()
	}
	if kindOf(err) != meeting.KindInternal || !strings.Contains(err.Error(), "0001_events.sql was edited") {
		t.Errorf("Open(edited migration) = %v; want an internal error naming 0001_events.sql", err)
	}
}

func TestOpenInvalidPath(t *testing.T) {
	for _, p := range []string{"", "a?b.db"} {
		if db, err := sqlite.Open(context.Background(), p); kindOf(err) != meeting.KindInvalid {
			if err == nil {
				db.Close()
			}
			t.Errorf("Open(%q) = %v; want Invalid", p, err)
		}
	}
	if db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "no", "such", "dir", "x.db")); err == nil {
		db.Close()
		t.Error("Open(path in a missing directory) = nil; want an error")
	}
}

// TestPragmas checks every connection of both pools, not just the first.
func TestPragmas(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	check := func(name string, pool *sql.DB, n int, queryOnly int) {
		t.Helper()
		var conns []*sql.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for range n {
			c, err := pool.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
		}
		for i, c := range conns {
			want := map[string]any{"journal_mode": "wal", "synchronous": int64(2), "foreign_keys": int64(1), "busy_timeout": int64(10000), "query_only": int64(queryOnly)}
			for pragma, w := range want {
				var got any
				if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != w {
					t.Errorf("%s connection %d: PRAGMA %s = %v (%T); want %v", name, i, pragma, got, got, w)
				}
			}
		}
	}
	check("write", sqlite.WriteDB(db), 1, 0)
	check("read", sqlite.ReadDB(db), 4, 1)
	if _, err := sqlite.ReadDB(db).Exec("DELETE FROM events"); err == nil {
		t.Error("a write through the read pool succeeded; want query_only to refuse it")
	}
}
