package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

const (
	sqlHead          = "SELECT seq, hash FROM events WHERE meeting_id = ? ORDER BY seq DESC LIMIT 1"
	sqlInsertMeeting = "INSERT INTO meetings (id, epoch, created_at) VALUES (?, ?, ?)"
	sqlInsertEvent   = "INSERT INTO events (meeting_id, seq, at, actor, type, data, audience, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
	sqlEvents        = "SELECT seq, at, actor, type, data, audience, prev, hash FROM events WHERE meeting_id = ? AND seq > ? ORDER BY seq LIMIT ?"
	sqlHeadEpoch     = `SELECT m.epoch, coalesce(e.seq, 0), coalesce(e.hash, '')
FROM meetings m LEFT JOIN events e ON e.meeting_id = m.id
WHERE m.id = ? ORDER BY e.seq DESC LIMIT 1`
	sqlMeetingIDs = "SELECT id FROM meetings ORDER BY rowid"
)

// verifyPage is how many events Verify reads at a time.
const verifyPage = 1000

// counter is a statistics counter.
type counter = atomic.Int64

// Stats counts the work of the group-commit writer since Open.
type Stats struct {
	Requests int64 // Append, StoreBallot and PairDevice calls the writer answered (stored or refused)
	Batches  int64 // transactions the writer committed
	Events   int64 // events committed
}

// Stats returns the writer's counters. Requests/Batches is the average
// number of Appends that shared one commit (one fsync).
func (db *DB) Stats() Stats {
	return Stats{
		Requests: db.statsRequests.Load(),
		Batches:  db.statsBatches.Load(),
		Events:   db.statsEvents.Load(),
	}
}

// ---- group commit ----

// States of an appendReq. A request is pending from enqueueing until the
// writer takes it (pending → taken) or its caller gives up (pending →
// cancelled); whoever wins the compare-and-swap decides its fate.
const (
	reqPending int32 = iota
	reqTaken
	reqCancelled
)

// appendReq is one Append call waiting for the writer. Requests are pooled:
// a request goes back to the pool only once its caller has received the
// answer, which is the writer's last touch of it. A cancelled request is
// never pooled, because the writer may still hold it in a batch.
type appendReq struct {
	events []meeting.Event // the caller's slice; not copied
	ballot *store.Ballot   // set instead of events by StoreBallot
	pair   *pairReq        // set instead of events by PairDevice
	// secretRow is set by storeBallot when it recorded a new voter of a
	// secret poll: the ballot's own row is written after every request of
	// the batch, in a random order (see insertSecretBallots).
	secretRow bool
	aud       []string // audience JSON per event; "" for everyone
	state     atomic.Int32
	err       error
	done      chan struct{} // capacity 1; the writer sends exactly once if taken
}

var reqPool = sync.Pool{New: func() any { return &appendReq{done: make(chan struct{}, 1)} }}

// appendQueue is the hand-off between Append callers and the writer
// goroutine.
//
// Locking: mu guards pending and closed, and nothing else; it is held only
// to append to or swap the slice, never during I/O, so callers never wait
// for a commit to enqueue. cond (on mu) wakes the writer when pending
// becomes non-empty or closed is set. The writer owns a batch exclusively
// once it has swapped it out of pending.
type appendQueue struct {
	mu      sync.Mutex
	cond    sync.Cond
	pending []*appendReq
	closed  bool
}

func (q *appendQueue) init() { q.cond.L = &q.mu }

// push enqueues r, reporting false if the queue is closed.
func (q *appendQueue) push(r *appendReq) bool {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return false
	}
	q.pending = append(q.pending, r)
	q.mu.Unlock()
	q.cond.Signal()
	return true
}

// take waits until requests are pending and returns them all, giving the
// queue spare (emptied) as its next buffer, so steady-state batching
// allocates nothing. It returns nil when the queue is closed and drained.
func (q *appendQueue) take(spare []*appendReq) []*appendReq {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.pending) == 0 && !q.closed {
		q.cond.Wait()
	}
	if len(q.pending) == 0 {
		return nil
	}
	batch := q.pending
	q.pending = spare[:0]
	return batch
}

// close makes push fail from now on and wakes the writer so it drains what
// is pending and exits.
func (q *appendQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
}

// Append stores events, which must all belong to one meeting, be
// consecutive and hash-chained, and follow the meeting's stored head:
// events[0].Seq is the head's seq plus one and events[0].Prev the head's
// hash (for Seq 1, Prev is "" and the meeting is created with a fresh epoch).
// Otherwise Append returns a Conflict error (a malformed event, such as one
// without a meeting ID or with a wrong hash, is Invalid) and stores nothing.
// Either all events are stored or none. An empty events is a no-op.
//
// Appends are group-committed: the writer goroutine stores every Append
// pending at the time in one transaction, each in its own savepoint (so one
// Append's conflict undoes only that Append), and commits once, with one
// fsync. Append returns only after its batch has committed: a nil error
// means the events are durable. The caller must not modify events until
// Append returns.
//
// Cancellation: if ctx is done before the writer takes the request, Append
// returns ctx.Err() and nothing is stored. Once the writer has taken it the
// request is committed or failed as a whole and Append waits for that
// outcome (at most one batch's commit) whatever ctx does, so a nil error
// always means stored and ctx.Err() always means not stored.
func (db *DB) Append(ctx context.Context, events []meeting.Event) error {
	if len(events) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	r := reqPool.Get().(*appendReq)
	if err := r.prepare(events); err != nil {
		r.reset()
		reqPool.Put(r)
		return err
	}
	return db.await(ctx, r)
}

// await queues r for the writer and waits for its outcome (see Append for
// the cancellation rules), then returns r to the pool when it may.
func (db *DB) await(ctx context.Context, r *appendReq) error {
	if !db.log.push(r) {
		r.reset()
		reqPool.Put(r)
		return meeting.Internal(ErrClosed)
	}
	select {
	case <-r.done:
	case <-ctx.Done():
		if r.state.CompareAndSwap(reqPending, reqCancelled) {
			// The writer will skip r; it still holds r, so r is not pooled.
			return ctx.Err()
		}
		<-r.done // taken: wait for the outcome
	}
	err := r.err
	r.reset()
	reqPool.Put(r)
	return err
}

// reset clears r for reuse.
func (r *appendReq) reset() {
	r.events, r.ballot, r.pair, r.err, r.secretRow = nil, nil, nil, nil, false
	clear(r.aud)
	r.aud = r.aud[:0]
	r.state.Store(reqPending)
}

// prepare checks what can be checked of events without the database (in the
// caller's goroutine, so that work runs in parallel) and fills r.
func (r *appendReq) prepare(events []meeting.Event) error {
	id := events[0].Meeting
	if id == "" {
		return meeting.Errorf(meeting.KindInvalid, "Sự kiện thiếu mã cuộc họp.", "the event has no meeting ID")
	}
	for i := range events {
		e := &events[i]
		if e.Meeting != id {
			return meeting.Errorf(meeting.KindConflict, "Các sự kiện không thuộc cùng một cuộc họp (%q và %q).", "the events belong to more than one meeting (%q and %q)", id, e.Meeting)
		}
		if i > 0 {
			p := &events[i-1]
			if e.Seq != p.Seq+1 {
				return meeting.Errorf(meeting.KindConflict, "Sự kiện số %d không liền sau sự kiện số %d.", "event %d does not follow event %d", e.Seq, p.Seq)
			}
			if e.Prev != p.Hash {
				return meeting.Errorf(meeting.KindConflict, "Sự kiện số %d không nối với sự kiện trước.", "event %d does not link to its predecessor", e.Seq)
			}
		}
		if e.At.IsZero() || e.At.Before(minTime) || e.At.After(maxTime) {
			return meeting.Errorf(meeting.KindInvalid, "Thời điểm của sự kiện số %d không hợp lệ.", "event %d has an invalid time", e.Seq)
		}
		if e.Hash != meeting.ComputeHash(*e) {
			return meeting.Errorf(meeting.KindInvalid, "Mã băm của sự kiện số %d không đúng.", "event %d has a wrong hash", e.Seq)
		}
		aud := ""
		if !e.Audience.Everyone() {
			b, err := json.Marshal(e.Audience)
			if err != nil {
				return meeting.Internal(err)
			}
			aud = string(b)
		}
		r.aud = append(r.aud, aud)
	}
	r.events = events
	return nil
}

// writer is the group-commit goroutine, started by Open. It loops: wait for
// pending requests, take them all, commit them as one batch, answer every
// caller. It is the only goroutine that runs appends, so batches never
// interleave. It exits when Close has closed the queue and every request
// queued before that has been answered; Close waits for that (writerDone)
// before closing the connections.
func (db *DB) writer() {
	defer close(db.writerDone)
	var spare []*appendReq
	for {
		batch := db.log.take(spare)
		if batch == nil {
			return
		}
		db.taken.Add(1)
		db.commit(batch)
		clear(batch) // drop references so answered requests are not kept alive
		spare = batch[:0]
	}
}

// batchStmts are the write statements bound to one batch's transaction.
type batchStmts struct {
	head, insertMeeting, insertEvent, savepoint, release, rollbackTo *sql.Stmt
	insertVoter, insertBallot, voterKey, ensureBox, boxClosed        *sql.Stmt
	insertSealed                                                     *sql.Stmt
	redeem, insertSession                                            *sql.Stmt
}

// commit runs the requests of batch in one transaction and answers them.
// It uses a context without a Done channel: the batch belongs to many
// callers, none of whom may cancel it (and the driver then needs no
// interrupt watcher per statement).
func (db *DB) commit(batch []*appendReq) {
	ctx := context.Background()
	// Take the requests whose callers are still waiting.
	n := 0
	for _, r := range batch {
		if r.state.CompareAndSwap(reqPending, reqTaken) {
			batch[n] = r
			n++
		}
	}
	clear(batch[n:])
	batch = batch[:n]
	if n == 0 {
		return
	}

	answer := func(err error) {
		var requests, events int64
		for _, r := range batch {
			if err != nil && r.err == nil {
				r.err = err
			}
			if r.err == nil {
				events += int64(len(r.events))
			}
			requests++
		}
		db.statsRequests.Add(requests)
		db.statsEvents.Add(events)
		// Sending is the last touch: the caller may pool r at once.
		for _, r := range batch {
			r.done <- struct{}{}
		}
	}

	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		answer(meeting.Internal(err))
		return
	}
	st := batchStmts{
		head:          tx.StmtContext(ctx, db.wHead),
		insertMeeting: tx.StmtContext(ctx, db.wInsertMeeting),
		insertEvent:   tx.StmtContext(ctx, db.wInsertEvent),
		savepoint:     tx.StmtContext(ctx, db.wSavepoint),
		release:       tx.StmtContext(ctx, db.wRelease),
		rollbackTo:    tx.StmtContext(ctx, db.wRollbackTo),
		insertVoter:   tx.StmtContext(ctx, db.wInsertVoter),
		insertBallot:  tx.StmtContext(ctx, db.wInsertBallot),
		insertSealed:  tx.StmtContext(ctx, db.wInsertSealed),
		voterKey:      tx.StmtContext(ctx, db.wVoterKey),
		ensureBox:     tx.StmtContext(ctx, db.wEnsureBox),
		boxClosed:     tx.StmtContext(ctx, db.wBoxClosed),
		redeem:        tx.StmtContext(ctx, db.wRedeem),
		insertSession: tx.StmtContext(ctx, db.wInsertSession),
	}
	stored := 0
	now := time.Now().UnixNano()
	for _, r := range batch {
		err := appendOne(ctx, &st, r, now)
		var fatal *fatalError
		if errors.As(err, &fatal) {
			// The transaction is no longer usable: fail the whole batch.
			tx.Rollback()
			answer(meeting.Internal(fatal.err))
			return
		}
		r.err = err
		if err == nil {
			stored++
		}
	}
	if err := insertSecretBallots(ctx, &st, batch); err != nil {
		tx.Rollback()
		answer(meeting.Internal(err))
		return
	}
	if stored == 0 {
		// Nothing to make durable: skip the commit's fsync.
		if err := tx.Rollback(); err != nil {
			answer(meeting.Internal(err))
			return
		}
		answer(nil)
		return
	}
	if err := tx.Commit(); err != nil {
		// A failed commit stored nothing (SQLite rolls back): every request
		// not already refused fails.
		answer(meeting.Internal(err))
		return
	}
	db.statsBatches.Add(1)
	// Tell listeners before answering: a caller that has its answer may
	// rely on every listener having been told.
	for _, r := range batch {
		if r.err == nil && len(r.events) > 0 {
			last := &r.events[len(r.events)-1]
			db.notify.Publish(last.Meeting, last.Seq)
		}
	}
	answer(nil)
}

// fatalError marks an error after which the batch's transaction cannot
// continue (a savepoint could not be rolled back or released).
type fatalError struct{ err error }

func (f *fatalError) Error() string { return f.err.Error() }

// appendOne stores r's events inside the batch transaction, in a savepoint
// so a failure undoes only r. It returns r's outcome, or a *fatalError.
func appendOne(ctx context.Context, st *batchStmts, r *appendReq, now int64) error {
	if r.ballot != nil {
		return inSavepoint(ctx, st, func() error { return storeBallot(ctx, st, r) })
	}
	if r.pair != nil {
		return inSavepoint(ctx, st, func() error { return storePairing(ctx, st, r.pair) })
	}
	first := &r.events[0]
	var seq int64
	var hash string
	switch err := st.head.QueryRowContext(ctx, first.Meeting).Scan(&seq, &hash); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return meeting.Internal(err)
	}
	// The check reads only: a conflict needs no savepoint to undo.
	if first.Seq != seq+1 || first.Prev != hash {
		return meeting.Errorf(meeting.KindConflict,
			"Sự kiện số %d không nối tiếp nhật ký của cuộc họp (đang ở số %d).",
			"event %d does not follow the log head (seq %d)", first.Seq, seq)
	}
	return inSavepoint(ctx, st, func() error { return insertEvents(ctx, st, r, now) })
}

// inSavepoint runs f in the request savepoint, undoing f's writes if it
// fails. It returns f's error, or a *fatalError if the savepoint itself
// failed.
func inSavepoint(ctx context.Context, st *batchStmts, f func() error) error {
	if _, err := st.savepoint.ExecContext(ctx); err != nil {
		return &fatalError{err}
	}
	err := f()
	if err != nil {
		if _, err2 := st.rollbackTo.ExecContext(ctx); err2 != nil {
			return &fatalError{errors.Join(err, err2)}
		}
	}
	if _, err2 := st.release.ExecContext(ctx); err2 != nil {
		return &fatalError{errors.Join(err, err2)}
	}
	return err
}

// insertEvents writes r's events (and the meeting row, for Seq 1).
func insertEvents(ctx context.Context, st *batchStmts, r *appendReq, now int64) error {
	if r.events[0].Seq == 1 {
		if _, err := st.insertMeeting.ExecContext(ctx, r.events[0].Meeting, newEpoch(), now); err != nil {
			return meeting.Internal(err)
		}
	}
	for i := range r.events {
		e := &r.events[i]
		var data, aud any // NULL unless set
		if len(e.Data) > 0 {
			data = []byte(e.Data)
		}
		if r.aud[i] != "" {
			aud = r.aud[i]
		}
		if _, err := st.insertEvent.ExecContext(ctx, e.Meeting, e.Seq, e.At.UnixNano(), e.Actor, e.Type, data, aud, e.Prev, e.Hash); err != nil {
			return meeting.Internal(err)
		}
	}
	return nil
}

// ---- reads ----

// Events returns the events of meeting id with seq > after, in order, at
// most limit of them (all if limit <= 0). A meeting without events (or
// unknown) has none; that is not an error. Data comes back byte for byte,
// At in UTC to the nanosecond.
func (db *DB) Events(ctx context.Context, id string, after int64, limit int) ([]meeting.Event, error) {
	lim := int64(limit)
	if limit <= 0 {
		lim = -1 // SQLite: no limit
	}
	rows, err := db.rEvents.QueryContext(ctx, id, after, lim)
	if err != nil {
		return nil, internal(ctx, err)
	}
	defer rows.Close()
	var out []meeting.Event
	if limit > 0 {
		out = make([]meeting.Event, 0, min(limit, verifyPage))
	}
	for rows.Next() {
		e := meeting.Event{Meeting: id}
		var at int64
		var aud sql.RawBytes
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Type, (*[]byte)(&e.Data), &aud, &e.Prev, &e.Hash); err != nil {
			return nil, internal(ctx, err)
		}
		e.At = fromNanos(at)
		if len(aud) > 0 {
			if err := json.Unmarshal(aud, &e.Audience); err != nil {
				return nil, meeting.Internal(err)
			}
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, internal(ctx, err)
	}
	return out, nil
}

// Head returns the seq and hash of meeting id's last event and the log's
// epoch. It returns NotFound if the meeting does not exist.
func (db *DB) Head(ctx context.Context, id string) (seq int64, hash string, epoch string, err error) {
	err = db.rHead.QueryRowContext(ctx, id).Scan(&epoch, &seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", "", notFoundMeeting(id)
	}
	if err != nil {
		return 0, "", "", internal(ctx, err)
	}
	return seq, hash, epoch, nil
}

func notFoundMeeting(id string) error {
	return meeting.Errorf(meeting.KindNotFound, "Không tìm thấy cuộc họp %q.", "meeting %q not found", id)
}

// MeetingIDs returns the IDs of all meetings, in order of creation (of
// their first append).
func (db *DB) MeetingIDs(ctx context.Context) ([]string, error) {
	rows, err := db.rMeetingIDs.QueryContext(ctx)
	if err != nil {
		return nil, internal(ctx, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, internal(ctx, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, internal(ctx, err)
	}
	return ids, nil
}

// Verify reads the whole log of meeting id, a page at a time, and checks its
// hash chain with meeting.VerifyChain. It returns NotFound for an unknown
// meeting, and for a broken chain VerifyChain's Internal error, whose
// message names the first bad seq.
func (db *DB) Verify(ctx context.Context, id string) error {
	if _, _, _, err := db.Head(ctx, id); err != nil {
		return err
	}
	var seq int64
	var prev string
	for {
		page, err := db.Events(ctx, id, seq, verifyPage)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		if _, err := meeting.VerifyChain(seq, prev, page); err != nil {
			return err
		}
		last := page[len(page)-1]
		seq, prev = last.Seq, last.Hash
		if len(page) < verifyPage {
			return nil
		}
	}
}

// ResetEpoch gives meeting id a new random epoch and returns it. It is used
// after the log has been rebuilt or restored: clients that see a different
// epoch drop their replica and fetch a snapshot. NotFound if the meeting
// does not exist.
func (db *DB) ResetEpoch(ctx context.Context, id string) (string, error) {
	epoch := newEpoch()
	res, err := db.w.ExecContext(ctx, "UPDATE meetings SET epoch = ? WHERE id = ?", epoch, id)
	if err != nil {
		return "", internal(ctx, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return "", internal(ctx, err)
	} else if n == 0 {
		return "", notFoundMeeting(id)
	}
	return epoch, nil
}

// EventsOfType returns, across all meetings, the events whose type is one
// of types, ordered by meeting and seq, without their Audience. It scans the whole log (there is no
// index on type): meant for a check at startup, such as finding finalised
// minutes that were never archived.
func (db *DB) EventsOfType(ctx context.Context, types ...string) ([]meeting.Event, error) {
	if len(types) == 0 {
		return nil, nil
	}
	q := "SELECT meeting_id, seq, at, actor, type, data, prev, hash FROM events WHERE type IN (?" +
		strings.Repeat(", ?", len(types)-1) + ") ORDER BY meeting_id, seq"
	args := make([]any, len(types))
	for i, t := range types {
		args[i] = t
	}
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, internal(ctx, err)
	}
	defer rows.Close()
	var out []meeting.Event
	for rows.Next() {
		var e meeting.Event
		var at int64
		if err := rows.Scan(&e.Meeting, &e.Seq, &at, &e.Actor, &e.Type, (*[]byte)(&e.Data), &e.Prev, &e.Hash); err != nil {
			return nil, internal(ctx, err)
		}
		e.At = fromNanos(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, internal(ctx, err)
	}
	return out, nil
}
