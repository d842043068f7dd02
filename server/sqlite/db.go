// Package sqlite is the server's embedded store: the hash-chained event log of
// every meeting and the auth store (accounts, sessions, pairing codes), in one
// SQLite file accessed through the cgo-free driver modernc.org/sqlite.
//
// # Connections
//
// A DB holds two connection pools to the same file:
//
//   - w, the write connection: a pool of exactly one connection. Every write
//     goes through it: the group-commit writer goroutine's batches (see
//     [DB.Append]), the auth store's writes, migrations and ResetEpoch.
//     SQLite allows one writer at a time anyway; with a single connection the
//     waiting happens in database/sql's pool (ordered, cancellable, no
//     polling) instead of in SQLite's busy handler (sleep-and-retry), a write
//     never fails with SQLITE_BUSY because of another connection of this
//     process, and the write connection's prepared statements stay prepared.
//     Its transactions begin IMMEDIATE, so a transaction that reads and then
//     writes can never be refused the upgrade to a write lock.
//   - r, the read pool: several connections with query_only set. In WAL mode
//     readers see the last committed state and neither block the writer nor
//     are blocked by it, so reads (Events, Head, Session, ...) never queue
//     behind a batch being committed.
//
// Every connection of both pools gets the same pragmas from the DSN (the
// driver runs them on each new pooled connection): journal_mode=WAL,
// synchronous=FULL (the WAL is fsynced at every commit, so a committed
// transaction survives a process kill and a power loss), foreign_keys=ON and
// busy_timeout=10000 (another process, such as a backup tool, holding the
// lock is waited for up to 10 s) and secure_delete=ON (deleted cells and
// freed pages are overwritten with zeros: a secret ballot rewritten at the
// close leaves no copy of its first cell, see ReplaceSecretBallots).
//
// # Errors
//
// Errors are *meeting.Error: KindNotFound, KindConflict and KindInvalid with
// Vietnamese and English messages for what callers can act on, and
// meeting.Internal wrapping the driver's error (reachable with errors.Is and
// errors.As) for everything else.
package sqlite

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

// ErrClosed is the cause (wrapped in a meeting.Internal error) of calls made
// after Close.
var ErrClosed = errors.New("sqlite: database is closed")

// pragmas are applied by the driver to every new connection, in both pools.
// The driver runs busy_timeout first whatever the order here.
const pragmas = "_pragma=busy_timeout(10000)" +
	"&_pragma=journal_mode(WAL)" +
	"&_pragma=synchronous(FULL)" +
	"&_pragma=foreign_keys(1)" +
	"&_pragma=secure_delete(1)"

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is the store. It is safe for concurrent use. Close it when done.
type DB struct {
	w *sql.DB // the one write connection (MaxOpenConns 1)
	r *sql.DB // the read pool (query_only)

	// migrated is how many migrations Open applied (for tests).
	migrated int

	// Prepared statements. Those on w are used by the writer goroutine
	// through Tx.StmtContext, which reuses the statement already prepared on
	// the single connection instead of preparing it again.
	wHead, wInsertMeeting, wInsertEvent   *sql.Stmt
	wSavepoint, wRelease, wRollbackTo     *sql.Stmt
	wInsertVoter, wInsertBallot           *sql.Stmt
	wInsertSealed                         *sql.Stmt
	wVoterKey, wEnsureBox, wBoxClosed     *sql.Stmt
	wRedeem, wInsertSession               *sql.Stmt
	rEvents, rHead, rMeetingIDs, rSession *sql.Stmt
	rAccount                              *sql.Stmt
	stmts                                 []*sql.Stmt // all of the above, to close

	// The group commit: Append callers push onto log; the writer goroutine
	// (see writer) takes batches from it and closes writerDone on exit.
	log        appendQueue
	writerDone chan struct{}

	notify store.Notifier    // commit notifications (Listen)
	leases store.LocalLeases // leadership inside this process (TryLead)

	closeOnce sync.Once
	closeErr  error

	// Counters, written by the writer goroutine only (see Stats).
	statsBatches, statsRequests, statsEvents counter
	taken                                    counter // batches taken from the queue (for tests)
}

// Open opens (creating if needed) the database file at path, applies the
// pending schema migrations and starts the group-commit writer goroutine.
// ctx bounds the opening and migrating only.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" || strings.ContainsRune(path, '?') {
		return nil, meeting.Errorf(meeting.KindInvalid, "Đường dẫn cơ sở dữ liệu không hợp lệ: %q.", "invalid database path %q", path)
	}
	db := &DB{writerDone: make(chan struct{})}
	var err error
	// The driver strips the query from a plain file name and applies the
	// parameters it knows; SQLite itself never sees them.
	db.w, err = sql.Open("sqlite", path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, meeting.Internal(err)
	}
	db.w.SetMaxOpenConns(1)
	db.w.SetMaxIdleConns(1)
	db.w.SetConnMaxLifetime(0)
	db.w.SetConnMaxIdleTime(0)
	fail := func(err error) (*DB, error) {
		for _, s := range db.stmts {
			s.Close()
		}
		if db.r != nil {
			db.r.Close()
		}
		db.w.Close()
		return nil, err
	}
	// The first connection converts the file to WAL (a persistent setting)
	// before any reader connects. Check it took: WAL is what lets readers
	// run beside the writer and what makes synchronous=FULL cheap.
	var mode string
	if err := db.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fail(meeting.Internal(err))
	}
	if !strings.EqualFold(mode, "wal") {
		return fail(meeting.Internal(fmt.Errorf("sqlite: journal_mode is %q, want wal", mode)))
	}
	if db.migrated, err = migrate(ctx, db.w); err != nil {
		return fail(err)
	}

	db.r, err = sql.Open("sqlite", path+"?"+pragmas+"&_query_only=1")
	if err != nil {
		return fail(meeting.Internal(err))
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	db.r.SetMaxOpenConns(n)
	db.r.SetMaxIdleConns(n)

	prep := []struct {
		to  **sql.Stmt
		on  *sql.DB
		sql string
	}{
		{&db.wHead, db.w, sqlHead},
		{&db.wInsertMeeting, db.w, sqlInsertMeeting},
		{&db.wInsertEvent, db.w, sqlInsertEvent},
		{&db.wSavepoint, db.w, "SAVEPOINT request"},
		{&db.wRelease, db.w, "RELEASE request"},
		{&db.wRollbackTo, db.w, "ROLLBACK TO request"},
		{&db.wInsertVoter, db.w, sqlInsertVoter},
		{&db.wInsertBallot, db.w, sqlInsertBallot},
		{&db.wInsertSealed, db.w, sqlInsertSealed},
		{&db.wVoterKey, db.w, sqlVoterKey},
		{&db.wEnsureBox, db.w, sqlEnsureBox},
		{&db.wBoxClosed, db.w, sqlBoxClosed},
		{&db.wRedeem, db.w, sqlRedeem},
		{&db.wInsertSession, db.w, sqlInsertSession},
		{&db.rEvents, db.r, sqlEvents},
		{&db.rHead, db.r, sqlHeadEpoch},
		{&db.rMeetingIDs, db.r, sqlMeetingIDs},
		{&db.rSession, db.r, sqlSession},
		{&db.rAccount, db.r, sqlAccount},
	}
	for _, p := range prep {
		s, err := p.on.PrepareContext(ctx, p.sql)
		if err != nil {
			return fail(meeting.Internal(fmt.Errorf("prepare %q: %w", p.sql, err)))
		}
		*p.to = s
		db.stmts = append(db.stmts, s)
	}

	db.log.init()
	go db.writer()
	return db, nil
}

// Close stops the writer goroutine and waits for it, then closes the
// connections. Appends already queued when Close is called are still
// committed (or failed) and answered; Appends after Close, and any other
// call, fail with an Internal error wrapping ErrClosed (or database/sql's
// "database is closed"). Close is idempotent; later calls return the first
// call's result.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		db.log.close()
		<-db.writerDone
		db.notify.Close()
		var errs []error
		for _, s := range db.stmts {
			errs = append(errs, s.Close())
		}
		// The read pool first: the last connection to close checkpoints the
		// WAL into the database file and removes it.
		errs = append(errs, db.r.Close(), db.w.Close())
		if err := errors.Join(errs...); err != nil {
			db.closeErr = meeting.Internal(err)
		}
	})
	return db.closeErr
}

// migrate applies the embedded migrations not yet recorded in
// schema_migrations, in file-name order, each in its own transaction, and
// returns how many it applied.
//
// Shipped migrations are append-only, and migrate enforces it: it records
// each migration's SHA-256 and refuses to open a database where an applied
// migration's recorded checksum differs from the embedded file (someone
// edited a shipped migration). It also refuses a database that records a
// migration this binary does not know: a newer version wrote it, and old
// code must not run against a newer schema.
func migrate(ctx context.Context, w *sql.DB) (int, error) {
	if _, err := w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    TEXT    PRIMARY KEY,
	sha256     TEXT    NOT NULL,
	applied_at INTEGER NOT NULL
) STRICT`); err != nil {
		return 0, meeting.Internal(err)
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return 0, meeting.Internal(err)
	}
	slices.Sort(names)
	bodies := make(map[string]string, len(names))
	sums := make(map[string]string, len(names))
	for i, n := range names {
		b, err := migrationFS.ReadFile(n)
		if err != nil {
			return 0, meeting.Internal(err)
		}
		names[i] = strings.TrimPrefix(n, "migrations/")
		sum := sha256.Sum256(b)
		bodies[names[i]], sums[names[i]] = string(b), hex.EncodeToString(sum[:])
	}

	recorded, err := appliedMigrations(ctx, w)
	if err != nil {
		return 0, meeting.Internal(err)
	}
	for v, sum := range recorded {
		switch want, ok := sums[v]; {
		case !ok:
			return 0, meeting.Errorf(meeting.KindConflict,
				"Cơ sở dữ liệu được tạo bởi phiên bản mới hơn (có bản chuyển đổi %s).",
				"the database was written by a newer version (it has migration %s)", v)
		case sum != want:
			return 0, meeting.Internal(fmt.Errorf("sqlite: migration %s was edited after it was applied (sha256 %s, applied %s)", v, want, sum))
		}
	}

	n := 0
	for _, name := range names {
		if _, ok := recorded[name]; ok {
			continue
		}
		applied := false
		if err := inTx(ctx, w, func(tx *sql.Tx) error {
			// Another process may have applied it since we looked; the
			// IMMEDIATE transaction makes this check and the change atomic.
			var one int
			switch err := tx.QueryRowContext(ctx, "SELECT 1 FROM schema_migrations WHERE version = ?", name).Scan(&one); {
			case err == nil:
				return nil
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
			if _, err := tx.ExecContext(ctx, bodies[name]); err != nil {
				return fmt.Errorf("migration %s: %w", name, err)
			}
			applied = true
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, sha256, applied_at) VALUES (?, ?, ?)",
				name, sums[name], time.Now().UnixNano())
			return err
		}); err != nil {
			return n, meeting.Internal(err)
		}
		if applied {
			n++
		}
	}
	return n, nil
}

// appliedMigrations returns the recorded migrations and their checksums.
func appliedMigrations(ctx context.Context, w *sql.DB) (map[string]string, error) {
	rows, err := w.QueryContext(ctx, "SELECT version, sha256 FROM schema_migrations")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var v, sum string
		if err := rows.Scan(&v, &sum); err != nil {
			return nil, err
		}
		m[v] = sum
	}
	return m, rows.Err()
}

// inTx runs f in a transaction on db, committing if f returns nil.
func inTx(ctx context.Context, db *sql.DB, f func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		return errors.Join(err, ignoreDone(tx.Rollback()))
	}
	return tx.Commit()
}

// ignoreDone drops sql.ErrTxDone, which Rollback returns when the context
// already rolled the transaction back.
func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// internal wraps a driver error, turning a cancelled context back into the
// context's own error so callers can tell "you gave up" from "we broke".
func internal(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && (errors.Is(err, ctxErr) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return ctxErr
	}
	var me *meeting.Error
	if errors.As(err, &me) {
		return err
	}
	return meeting.Internal(err)
}

// newEpoch returns 16 random bytes in hex.
func newEpoch() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand since Go 1.24)
	return hex.EncodeToString(b[:])
}

// Times are stored as int64 unix nanoseconds (UTC), which covers the years
// 1678 to 2262 exactly.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// clampNanos returns t in unix nanoseconds, clamped to the int64 range (so an
// expiry of "never", such as year 9999, stays in the far future).
func clampNanos(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// fromNanos is the inverse of t.UnixNano, in UTC.
func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }
