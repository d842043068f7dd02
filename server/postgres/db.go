// Package postgres is the store (store.Store) of a server running as many
// nodes that share one PostgreSQL (15 or later) database, through pgx v5.
// It keeps the promises of the SQLite store — package storetest checks
// both the same way — and adds what many nodes need: the database, not
// one process, decides who appends and who votes, and every node hears of
// every commit.
//
// # What the database enforces
//
//   - The event log: one row per (meeting, seq) (primary key); seq 1 and
//     only seq 1 has no predecessor; every other event's prev is the stored
//     hash of the event before it (a foreign key of events on itself); the
//     meeting's head (meetings.head_seq, head_hash) is always a stored event
//     (a deferred foreign key). An append moves the head with a fenced
//     UPDATE ... WHERE head_seq = s AND head_hash = h, in the same statement
//     that inserts its events: of two nodes appending after the same head,
//     the second updates no row (it waits for the first to commit, then
//     finds the head moved) and stores nothing (Conflict). A node with a
//     stale view gets the same Conflict.
//   - The ballot box: one voter row per (poll, participant) (primary key), so
//     a ballot is stored once whatever node takes it and however often it
//     is retried; the retry's key is compared with the stored one.
//   - The CloseBox fence: a ballot's statement locks its box row FOR SHARE
//     where NOT closed before inserting its voter; CloseBox's UPDATE needs
//     the row exclusively, so it waits for every transaction holding that
//     lock to commit, and every later ballot statement finds the box closed
//     (after waiting, PostgreSQL re-checks NOT closed on the new row
//     version). When CloseBox returns, every ballot that will ever be
//     acknowledged is committed.
//
// # Group commit
//
// As in the SQLite store, Append and StoreBallot hand their request to one
// writer goroutine per process, which takes every pending request and
// stores them in one transaction, pipelined (pgx batches: a round trip per
// 256 requests, not per statement), and commits once: one WAL flush for a
// burst of ballots. Statements are written so that a refusal (a conflict, a
// duplicate vote, a closed box) is a row not written, not an error, so one
// request's refusal does not abort the others. An unexpected error (a
// deadlock with another node, a lost connection before the commit) rolls
// the batch back and its requests are retried one transaction each, so each
// gets its own outcome. Requests are sorted (ballots by poll and voter,
// events by meeting, keeping each meeting's order) so that batches of two
// nodes take row locks in the same order and do not deadlock. A request is
// answered only after its commit: nil means committed. If the connection
// breaks during COMMIT, the outcome is looked up with pg_xact_status on
// another connection (committed: nil; aborted: an error); if it cannot be
// learned, the error says the outcome is unknown (a ballot's retry with
// the same key then learns it).
//
// # Notifications and leadership
//
// The transaction that appends events also runs pg_notify('phonghop_commits',
// 'meeting seq') for each meeting's last seq: PostgreSQL delivers it to
// every listening node only if and when the transaction commits, in commit
// order. It carries no event: a node reads the events by seq, so a lost
// notification costs a delay, never an event. Listen uses one dedicated
// connection per process (LISTEN), reconnects by itself when it breaks, and
// after every reconnection sends its listeners a Resync (they may have
// missed commits meanwhile). This process's own commits are also published
// directly, before their callers are answered.
//
// TryLead takes pg_try_advisory_lock on a dedicated connection per lease,
// checked every second; when the connection breaks (or a check does not
// answer within 5 s) the lease's Lost channel is closed. PostgreSQL
// releases the lock when it notices the session is gone, which for a node
// cut off from the network takes until TCP gives up (the server's
// tcp_keepalives_* settings): a leader must stop its work when Lost closes,
// and work done under a lease must be safe to repeat (the archive is).
//
// # Secret ballots on disk
//
// The room gives this store, for a secret poll, only sealed ballots while
// the poll is open (AES-GCM under a per-poll key kept in object storage,
// never in the database; see package ballotseal), and the plain ballots,
// shuffled, at the close (ReplaceSecretBallots), after which the key is
// destroyed. What PostgreSQL keeps:
//
//   - Heap order. A heap table keeps rows where they were written, in
//     order, whatever their primary key: poll_voters and poll_ballots both
//     hold the open poll's rows in the order of casting (by batch), so an
//     operator can pair the i-th voter with the i-th sealed ballot. That
//     pairs voters with ciphertexts, not with choices.
//   - Dead tuples. ReplaceSecretBallots deletes those rows and inserts the
//     voters again in participant order and the plain ballots in the order
//     given, in one transaction. The deleted rows stay in their pages as
//     dead tuples until VACUUM prunes them, and their bytes can stay in the
//     page's free space until overwritten; VACUUM FULL or a dump and restore
//     rewrites the table, but the old files' blocks are left to the file
//     system. They are still only ciphertexts in cast order.
//   - WAL. Every insert is in the write-ahead log, in commit order, voters
//     next to their sealed ballots of the same batch; the WAL is recycled
//     after checkpoints but may be archived or streamed to replicas for
//     ever. No store can erase it, which is why plain choices never reach
//     it before the close: the close writes them shuffled, apart from any
//     voter (the voters are rewritten in participant order, not cast order).
//
// So an operator with the database, its files, its WAL archive or a dump
// can learn who voted in each poll, each plain ballot after the close (not
// whose), and how many; while the poll is open, the sealed ballots in cast
// order. With the poll's key as well (copied from object storage while the
// poll was open), they can link voters to choices as finely as the group
// commit batches (exactly, for a voter who voted alone in a quiet moment):
// the key and the database must not be copied by the same person during a
// poll. After the close has been acknowledged the key no longer exists and
// nothing kept orders the plain ballots like the voters. One limit stays:
// AES-GCM does not hide a ballot's length, so ballots of different lengths
// (a "disagree" is longer than an "agree") can be told apart by the length
// of their ciphertext, in cast order, without the key, unless the room pads
// them to one length before sealing.
//
// # Errors and settings
//
// Errors are *meeting.Error as store.Store says: NotFound, Conflict and
// Invalid with Vietnamese and English messages, meeting.Internal wrapping
// the driver's error otherwise. Open refuses a database written by a newer
// version (Conflict) or whose applied migrations were edited (Internal),
// before writing anything. PostgreSQL's own settings decide durability:
// keep fsync and synchronous_commit on (the defaults), or an acknowledged
// event can be lost in a crash of the database machine.
package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

// ErrClosed is the cause (wrapped in a meeting.Internal error) of calls made
// after Close.
var ErrClosed = errors.New("postgres: store is closed")

//go:embed migrations/*.sql
var migrationFS embed.FS

// channel is the notification channel of commits.
const channel = "phonghop_commits"

// batchTimeout bounds one batch transaction: a database that does not
// answer fails the requests instead of holding them for ever.
const batchTimeout = 60 * time.Second

// DB is the store. It is safe for concurrent use. Close it when done.
type DB struct {
	pool    *pgxpool.Pool
	connCfg *pgx.ConnConfig // for the dedicated connections (Listen, TryLead)

	// migrated is how many migrations Open applied (for tests).
	migrated int

	// The group commit (see writer).
	queue      queue
	writerDone chan struct{}

	// bg is cancelled by Close: it ends the listener and lease goroutines.
	bg     context.Context
	stopBG context.CancelFunc
	wg     sync.WaitGroup // the listener and lease goroutines

	notify   store.Notifier
	pub      publisher
	listenMu sync.Mutex    // guards listening
	listenOK chan struct{} // closed once the first LISTEN is in place
	listenEr error         // the first connection's error, if it failed
	started  bool

	leaseMu sync.Mutex
	leases  map[*lease]struct{}

	closeMu   sync.RWMutex // held (read) by calls, (write) by Close
	closed    bool
	closeOnce sync.Once
	closeErr  error

	stats stats
}

// Open connects to the database at url (postgres://... or key=value
// settings, as pgx and libpq accept them; PGPASSWORD and ~/.pgpass are
// used for a password not in the URL), applies the pending migrations and
// starts the group-commit writer. ctx bounds the connecting and migrating.
// A malformed URL is Invalid, an unreachable database Internal, and a
// database written by a newer version Conflict; errors never show the
// password.
func Open(ctx context.Context, dbURL string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, meeting.Errorf(meeting.KindInvalid, "Địa chỉ cơ sở dữ liệu không hợp lệ: %v.", "invalid database URL: %v", redactErr(err, dbURL))
	}
	cfg.MaxConns = max(cfg.MaxConns, 8)
	cfg.ConnConfig.RuntimeParams["application_name"] = "phonghop"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, meeting.Internal(redactErr(err, dbURL))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, meeting.Internal(fmt.Errorf("cannot reach the database %s: %w", Describe(dbURL), redactErr(err, dbURL)))
	}
	db := &DB{pool: pool, connCfg: cfg.ConnConfig, writerDone: make(chan struct{}),
		listenOK: make(chan struct{}), leases: map[*lease]struct{}{}}
	db.pub.n = &db.notify
	if db.migrated, err = migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	db.bg, db.stopBG = context.WithCancel(context.Background())
	db.queue.init()
	go db.writer()
	return db, nil
}

// Describe returns the database URL without its password (in the user
// part or a password= parameter), for messages.
func Describe(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil || u.Scheme == "" {
		return "(key=value settings)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// passwords returns the passwords dbURL holds (user part, password=).
func passwords(dbURL string) []string {
	var out []string
	if u, err := url.Parse(dbURL); err == nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			out = append(out, pw)
		}
		if pw := u.Query().Get("password"); pw != "" {
			out = append(out, pw)
		}
	}
	for _, f := range strings.Fields(dbURL) { // key=value settings
		if v, ok := strings.CutPrefix(f, "password="); ok && v != "" {
			out = append(out, strings.Trim(v, "'"))
		}
	}
	return out
}

// redactErr returns err with the URL's passwords, if any, replaced.
func redactErr(err error, dbURL string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, pw := range passwords(dbURL) {
		msg = strings.ReplaceAll(msg, pw, "xxxxx")
	}
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}

// Close stops the writer (requests already queued are still committed and
// answered), ends the listener and the leases (releasing their locks), and
// closes the connections. Calls after Close fail with an Internal error
// wrapping ErrClosed. Idempotent.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		db.queue.close()
		<-db.writerDone
		db.closeMu.Lock()
		db.closed = true
		db.closeMu.Unlock()
		db.leaseMu.Lock()
		leases := make([]*lease, 0, len(db.leases))
		for l := range db.leases {
			leases = append(leases, l)
		}
		db.leaseMu.Unlock()
		for _, l := range leases {
			l.Release()
		}
		db.stopBG()
		db.wg.Wait()
		db.notify.Close()
		db.pool.Close()
	})
	return db.closeErr
}

// enter marks the start of a call; it fails after Close. Call the returned
// func when done.
func (db *DB) enter() (func(), error) {
	db.closeMu.RLock()
	if db.closed {
		db.closeMu.RUnlock()
		return nil, meeting.Internal(ErrClosed)
	}
	return db.closeMu.RUnlock, nil
}

// Ping reports whether the database answers and takes writes (a standby
// in recovery is read-only: an error).
func (db *DB) Ping(ctx context.Context) error {
	done, err := db.enter()
	if err != nil {
		return err
	}
	defer done()
	var recovering bool
	if err := db.pool.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&recovering); err != nil {
		return internal(ctx, err)
	}
	if recovering {
		return meeting.Internal(errors.New("postgres: the database is a read-only standby (in recovery)"))
	}
	return nil
}

// migrationLock is the advisory lock that serialises migrations of nodes
// starting at once.
const migrationLock = 0x70686f6e67686f70 // "phonghop"

// migrate applies the embedded migrations not yet recorded in
// schema_migrations, in file-name order, each in its own transaction, and
// returns how many it applied. Like the SQLite store's, it records each
// migration's SHA-256 and refuses (before writing anything) a database
// where an applied migration's checksum differs from the embedded file, or
// that records a migration this binary does not know (a newer version
// wrote it).
func migrate(ctx context.Context, pool *pgxpool.Pool) (int, error) {
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

	conn, err := pool.Acquire(ctx)
	if err != nil {
		return 0, internal(ctx, err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(migrationLock)); err != nil {
		return 0, internal(ctx, err)
	}
	defer conn.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", int64(migrationLock))

	// Look before writing anything: a newer schema must not be touched.
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass('schema_migrations') IS NOT NULL").Scan(&exists); err != nil {
		return 0, internal(ctx, err)
	}
	recorded := map[string]string{}
	if exists {
		rows, err := conn.Query(ctx, "SELECT version, sha256 FROM schema_migrations")
		if err != nil {
			return 0, internal(ctx, err)
		}
		for rows.Next() {
			var v, sum string
			if err := rows.Scan(&v, &sum); err != nil {
				rows.Close()
				return 0, internal(ctx, err)
			}
			recorded[v] = sum
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, internal(ctx, err)
		}
	}
	for v, sum := range recorded {
		switch want, ok := sums[v]; {
		case !ok:
			return 0, meeting.Errorf(meeting.KindConflict,
				"Cơ sở dữ liệu được tạo bởi phiên bản mới hơn (có bản chuyển đổi %s).",
				"the database was written by a newer version (it has migration %s)", v)
		case sum != want:
			return 0, meeting.Internal(fmt.Errorf("postgres: migration %s was edited after it was applied (sha256 %s, applied %s)", v, want, sum))
		}
	}
	if !exists {
		if _, err := conn.Exec(ctx, `CREATE TABLE schema_migrations (
	version    text   PRIMARY KEY,
	sha256     text   NOT NULL,
	applied_at bigint NOT NULL
)`); err != nil {
			return 0, internal(ctx, err)
		}
	}
	n := 0
	for _, name := range names {
		if _, ok := recorded[name]; ok {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, bodies[name]); err != nil {
				return fmt.Errorf("migration %s: %w", name, err)
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, sha256, applied_at) VALUES ($1, $2, $3)",
				name, sums[name], time.Now().UnixNano())
			return err
		})
		if err != nil {
			return n, internal(ctx, err)
		}
		n++
	}
	return n, nil
}

// internal wraps a driver error, turning a cancelled context back into the
// context's own error so callers can tell "you gave up" from "we broke".
func internal(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil && (errors.Is(err, ctxErr) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return ctxErr
	}
	var me *meeting.Error
	if errors.As(err, &me) {
		return err
	}
	return failed(err)
}

// failed wraps the driver error of a call that committed nothing:
// Unavailable when the database could not be reached or went away (see
// unreachable), Internal otherwise.
func failed(err error) error {
	if unreachable(err) {
		return store.Unavailable(err)
	}
	return meeting.Internal(err)
}

// unreachable reports whether err says that the database did not answer:
// no connection could be made, the connection broke, the server is
// shutting down or starting up, or it did not answer in time.
func unreachable(err error) bool {
	var ce *pgconn.ConnectError
	switch code := sqlState(err); {
	case errors.As(err, &ce):
		return true
	case code != "":
		// Class 08: connection exceptions; 57P01..57P03: administrator,
		// crash or start-up shutdown; 53300: too many connections.
		return strings.HasPrefix(code, "08") || code == "57P01" || code == "57P02" || code == "57P03" || code == "53300"
	}
	var ne net.Error
	return errors.As(err, &ne) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE)
}

// sqlState returns err's SQLSTATE, or "".
func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// newEpoch returns 16 random bytes in hex.
func newEpoch() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand since Go 1.24)
	return hex.EncodeToString(b[:])
}

// randomID returns 16 random bytes (a secret ballot's key).
func randomID() []byte {
	id := make([]byte, 16)
	rand.Read(id)
	return id
}

// leaseKey returns the advisory lock key of a leadership name.
func leaseKey(name string) int64 {
	sum := sha256.Sum256([]byte("phonghop:lead:" + name))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// Times are stored as int64 unix nanoseconds (UTC), as in the SQLite store.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// clampNanos returns t in unix nanoseconds, clamped to the int64 range.
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

// nowIfZero returns t, or the current time if t is zero.
func nowIfZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

var _ store.Store = (*DB)(nil)
