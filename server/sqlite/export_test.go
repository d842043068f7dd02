package sqlite

import (
	"context"
	"database/sql"
	"testing"
)

// MigrationsApplied returns how many migrations Open applied.
func MigrationsApplied(db *DB) int { return db.migrated }

// WriteDB and ReadDB expose the two pools.
func WriteDB(db *DB) *sql.DB { return db.w }
func ReadDB(db *DB) *sql.DB  { return db.r }

// PendingAppends returns how many Appends wait to be taken by the writer.
func PendingAppends(db *DB) int {
	db.log.mu.Lock()
	defer db.log.mu.Unlock()
	return len(db.log.pending)
}

// BatchesTaken returns how many batches the writer has taken.
func BatchesTaken(db *DB) int64 { return db.taken.Load() }

// HoldWriter takes the single write connection, so the writer goroutine
// blocks at its next batch's BEGIN until release is called.
func HoldWriter(t testing.TB, db *DB) (release func()) {
	t.Helper()
	conn, err := db.w.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return func() { conn.Close() }
}
