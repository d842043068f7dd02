package sqlite

import (
	"context"
	"time"

	"github.com/phonghop/phonghop/server/store"
)

// Listen implements store.Cluster: only this process writes the file, so
// the notifications are those of its own commits (see commit).
func (db *DB) Listen(ctx context.Context) (<-chan store.Notification, error) {
	return db.notify.Listen(ctx)
}

// TryLead implements store.Cluster inside this process.
func (db *DB) TryLead(ctx context.Context, name string) (store.Lease, error) {
	return db.leases.TryLead(ctx, name)
}

// AddFailure implements store.Limits.
func (db *DB) AddFailure(ctx context.Context, key string, now time.Time, window time.Duration) (int, error) {
	var n int
	err := db.w.QueryRowContext(ctx, `INSERT INTO failures (key, window_start, count) VALUES (?, ?, 1)
ON CONFLICT DO UPDATE SET count = count + 1 RETURNING count`, key, windowStart(now, window)).Scan(&n)
	if err != nil {
		return 0, internal(ctx, err)
	}
	return n, nil
}

// Failures implements store.Limits.
func (db *DB) Failures(ctx context.Context, key string, now time.Time, window time.Duration) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, "SELECT count FROM failures WHERE key = ? AND window_start = ?", key, windowStart(now, window)).Scan(&n)
	if err := internalOrNil(ctx, err); err != nil {
		return 0, err
	}
	return n, nil
}

// DeleteExpiredFailures implements store.Limits.
func (db *DB) DeleteExpiredFailures(ctx context.Context, now time.Time, keep time.Duration) (int, error) {
	n, err := rowsAffected(db.w.ExecContext(ctx, "DELETE FROM failures WHERE window_start < ?", clampNanos(now.Add(-keep))))
	if err != nil {
		return 0, internal(ctx, err)
	}
	return int(n), nil
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
