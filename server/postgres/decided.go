package postgres

import (
	"context"
	"errors"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/phonghop/phonghop/server/meeting"
)

// AppendDecided implements store.EventLog in one transaction of its own
// (not the group commit: this is the path of callers that lost a race, so
// it is taken rarely and must not hold a batch up). It locks the meeting's
// row FOR UPDATE: every other Append of the meeting, on any node, then
// waits at its fenced UPDATE of that row and finds the head moved when this
// commits, and other AppendDecided calls queue behind it; PostgreSQL grants
// a row's lock to waiters in order. With the lock held it reads the events
// after after, lets decide choose, inserts its events with Append's fenced
// statement, notifies, and commits.
//
// Cancellation: ctx bounds the statements before COMMIT (then nothing is
// stored: ctx.Err()); the COMMIT itself is not cancelled, and its outcome
// is looked up if the connection breaks (as in the group commit).
func (db *DB) AppendDecided(ctx context.Context, id string, after int64, decide func(missed []meeting.Event) ([]meeting.Event, error)) error {
	done, err := db.enter()
	if err != nil {
		return err
	}
	defer done()
	if err := ctx.Err(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, batchTimeout)
	defer cancel()
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return internal(ctx, err)
	}
	defer tx.Rollback(context.Background()) // no-op after Commit
	// One round trip: lock the head row, then read what the caller missed
	// (the second statement runs once the first has the lock).
	b := &pgx.Batch{}
	b.Queue("SELECT head_seq FROM meetings WHERE id = $1 FOR UPDATE", id)
	b.Queue("SELECT seq, at, actor, type, data, coalesce(audience, ''), prev, hash FROM events WHERE meeting_id = $1 AND seq > $2 ORDER BY seq", id, after)
	br := tx.SendBatch(ctx, b)
	var head int64
	if err := br.QueryRow().Scan(&head); err != nil {
		br.Close()
		if errors.Is(err, pgx.ErrNoRows) {
			return notFoundMeeting(id)
		}
		return internal(ctx, err)
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return internal(ctx, err)
	}
	missed, err := scanEvents(ctx, rows, id)
	if err != nil {
		br.Close()
		return err
	}
	if err := br.Close(); err != nil {
		return internal(ctx, err)
	}
	events, err := decide(missed)
	if err != nil || len(events) == 0 {
		return err
	}
	r := &request{}
	if err := r.prepare(events); err != nil {
		return err
	}
	first, last := &events[0], &events[len(events)-1]
	if first.Meeting != id {
		return meeting.Errorf(meeting.KindInvalid, "Sự kiện không thuộc cuộc họp %q.", "the events do not belong to meeting %q", id)
	}
	if !canFollow(first) || first.Seq == 1 {
		return errNotFollowing(first)
	}
	// One round trip: the fenced insert, the notification (delivered on
	// commit only) and the transaction's ID (to learn the outcome of a
	// COMMIT whose answer is lost).
	sql, args := r.appendStatement(0)
	b = &pgx.Batch{}
	b.Queue(sql, args...)
	b.Queue("SELECT pg_notify($1, $2), pg_current_xact_id()::text", channel, id+" "+strconv.FormatInt(last.Seq, 10))
	br = tx.SendBatch(ctx, b)
	tag, err := br.Exec()
	if err != nil {
		br.Close()
		return internal(ctx, err)
	}
	if tag.RowsAffected() != int64(len(events)) {
		br.Close()
		return errNotFollowing(first)
	}
	var xid string
	if err := br.QueryRow().Scan(nil, &xid); err != nil {
		br.Close()
		return internal(ctx, err)
	}
	if err := br.Close(); err != nil {
		return internal(ctx, err)
	}
	cctx, ccancel := context.WithTimeout(context.Background(), batchTimeout)
	defer ccancel()
	if err := db.commitTx(cctx, tx, xid); err != nil {
		return err
	}
	db.pub.publish(id, last.Seq)
	return nil
}
