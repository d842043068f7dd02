package postgres

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

// publisher hands notifications to the process's Notifier, dropping any
// seq not above the highest already published for its meeting: this
// process's own commits arrive twice (published at once, then through
// PostgreSQL), and a notification from PostgreSQL may come after a later
// local one. So each meeting's seqs only grow.
type publisher struct {
	mu   sync.Mutex // guards high; held while publishing, to keep the order
	high map[string]int64
	n    *store.Notifier
}

func (p *publisher) publish(meetingID string, seq int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if seq <= p.high[meetingID] {
		return
	}
	if p.high == nil {
		p.high = map[string]int64{}
	}
	p.high[meetingID] = seq
	p.n.Publish(meetingID, seq)
}

// listenWait bounds how long Listen waits for the first LISTEN.
const listenWait = 30 * time.Second

// Listen implements store.Cluster. The first call starts the listener: a
// dedicated connection that runs LISTEN and forwards notifications; Listen
// returns once LISTEN is in place, so every commit after it is heard.
// When the connection breaks the listener reconnects by itself (with
// backoff) and then sends every listener a Resync.
func (db *DB) Listen(ctx context.Context) (<-chan store.Notification, error) {
	done, err := db.enter()
	if err != nil {
		return nil, err
	}
	defer done()
	// Registered first: nothing published from now on is missed.
	lctx, stop := context.WithCancel(ctx)
	ch, err := db.notify.Listen(lctx)
	if err != nil {
		stop()
		return nil, err
	}
	db.listenMu.Lock()
	if !db.started {
		db.started = true
		db.wg.Add(1)
		go db.listener()
	}
	db.listenMu.Unlock()
	wctx, cancel := context.WithTimeout(ctx, listenWait)
	defer cancel()
	select {
	case <-db.listenOK:
		context.AfterFunc(ctx, stop) // lctx lives as long as ctx
		return ch, nil
	case <-wctx.Done():
		stop()
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return nil, meeting.Internal(errors.New("postgres: could not LISTEN for commits (the database does not answer)"))
	}
}

// listener is the goroutine that keeps a LISTEN connection open until
// Close.
func (db *DB) listener() {
	defer db.wg.Done()
	first := true
	for wait := 100 * time.Millisecond; db.bg.Err() == nil; wait = min(2*wait, 5*time.Second) {
		conn, err := pgx.ConnectConfig(db.bg, db.connCfg.Copy())
		if err == nil {
			if _, err = conn.Exec(db.bg, "LISTEN "+channel); err != nil {
				conn.Close(context.Background())
			}
		}
		if err != nil {
			select {
			case <-db.bg.Done():
			case <-time.After(wait):
			}
			continue
		}
		if first {
			close(db.listenOK)
			first = false
		} else {
			// Commits while we were away were not heard: tell everyone.
			db.notify.Resync()
		}
		wait = 50 * time.Millisecond
		for {
			n, err := conn.WaitForNotification(db.bg)
			if err != nil {
				break
			}
			m, seq, ok := parsePayload(n.Payload)
			if ok {
				db.pub.publish(m, seq)
			}
		}
		conn.Close(context.Background())
	}
}

// parsePayload parses "meeting seq".
func parsePayload(p string) (string, int64, bool) {
	i := strings.LastIndexByte(p, ' ')
	if i <= 0 {
		return "", 0, false
	}
	seq, err := strconv.ParseInt(p[i+1:], 10, 64)
	if err != nil {
		return "", 0, false
	}
	return p[:i], seq, true
}

// Lease timing: the leader's connection is checked every leasePing; a
// check that does not answer within leaseTimeout loses the lease.
const (
	leasePing    = time.Second
	leaseTimeout = 5 * time.Second
)

// lease is leadership held through an advisory lock on a dedicated
// connection.
type lease struct {
	db   *DB
	key  int64
	lost chan struct{}
	stop chan struct{}

	mu   sync.Mutex // guards conn (one user at a time) and the ending
	conn *pgx.Conn
	once sync.Once
	gone chan struct{} // closed when the watch goroutine has exited
}

// TryLead implements store.Cluster with pg_try_advisory_lock on a new
// connection kept for the lease.
func (db *DB) TryLead(ctx context.Context, name string) (store.Lease, error) {
	done, err := db.enter()
	if err != nil {
		return nil, err
	}
	defer done()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	conn, err := pgx.ConnectConfig(ctx, db.connCfg.Copy())
	if err != nil {
		return nil, internal(ctx, err)
	}
	key := leaseKey(name)
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&ok); err != nil || !ok {
		conn.Close(context.Background())
		return nil, internal(ctx, err)
	}
	l := &lease{db: db, key: key, conn: conn, lost: make(chan struct{}), stop: make(chan struct{}), gone: make(chan struct{})}
	db.leaseMu.Lock()
	db.leases[l] = struct{}{}
	db.leaseMu.Unlock()
	go l.watch()
	return l, nil
}

// watch checks the lease's connection until it breaks or Release.
func (l *lease) watch() {
	defer close(l.gone)
	t := time.NewTicker(leasePing)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		l.mu.Lock()
		ctx, cancel := context.WithTimeout(context.Background(), leaseTimeout)
		err := l.conn.Ping(ctx)
		cancel()
		l.mu.Unlock()
		if err != nil {
			l.end(false)
			return
		}
	}
}

// Lost implements store.Lease.
func (l *lease) Lost() <-chan struct{} { return l.lost }

// Release implements store.Lease: the lock is given up before Release
// returns (another node's TryLead then succeeds).
func (l *lease) Release() { l.end(true) }

// end ends the lease once: unlocks (if asked and possible), closes the
// connection and Lost.
func (l *lease) end(unlock bool) {
	l.once.Do(func() {
		close(l.stop)
		l.mu.Lock()
		ctx, cancel := context.WithTimeout(context.Background(), leaseTimeout)
		if unlock {
			l.conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", l.key)
		}
		l.conn.Close(ctx) // ends the session: PostgreSQL drops its locks
		cancel()
		l.mu.Unlock()
		close(l.lost)
		l.db.leaseMu.Lock()
		delete(l.db.leases, l)
		l.db.leaseMu.Unlock()
	})
}

// ---- limits ----

// AddFailure implements store.Limits with one upsert.
func (db *DB) AddFailure(ctx context.Context, key string, now time.Time, window time.Duration) (int, error) {
	done, err := db.enter()
	if err != nil {
		return 0, err
	}
	defer done()
	var n int
	err = db.pool.QueryRow(ctx, `INSERT INTO failures (key, window_start, count) VALUES ($1, $2, 1)
ON CONFLICT (key, window_start) DO UPDATE SET count = failures.count + 1 RETURNING count`, key, windowStart(now, window)).Scan(&n)
	if err != nil {
		return 0, internal(ctx, err)
	}
	return n, nil
}

// Failures implements store.Limits.
func (db *DB) Failures(ctx context.Context, key string, now time.Time, window time.Duration) (int, error) {
	done, err := db.enter()
	if err != nil {
		return 0, err
	}
	defer done()
	var n int
	err = db.pool.QueryRow(ctx, "SELECT count FROM failures WHERE key = $1 AND window_start = $2", key, windowStart(now, window)).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, internal(ctx, err)
	}
	return n, nil
}

// DeleteExpiredFailures implements store.Limits. Like the SQLite store, it
// removes the counts of windows that started before now-keep (the store
// does not keep window lengths): callers pass a keep at least as long as
// their window, so that the current window is never removed.
func (db *DB) DeleteExpiredFailures(ctx context.Context, now time.Time, keep time.Duration) (int, error) {
	return db.execCount(ctx, "DELETE FROM failures WHERE window_start < $1", clampNanos(now.Add(-keep)))
}

// windowStart returns the start of the window of length w containing t, in
// unix nanoseconds (windows start at multiples of w since the epoch).
func windowStart(t time.Time, w time.Duration) int64 {
	n := clampNanos(t)
	if w <= 0 {
		return n
	}
	s := n - n%int64(w)
	if n < 0 && n%int64(w) != 0 {
		s -= int64(w)
	}
	return s
}
