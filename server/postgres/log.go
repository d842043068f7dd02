package postgres

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

// verifyPage is how many events Verify reads at a time.
const verifyPage = 1000

// pipelineSize is how many requests of a batch are sent per round trip.
const pipelineSize = 256

// Stats counts the work of the group-commit writer since Open.
type Stats struct {
	Requests int64 // Append and StoreBallot calls the writer answered
	Batches  int64 // transactions the writer committed
	Events   int64 // events committed
	MaxBatch int64 // the most requests committed in one transaction
	Retried  int64 // batches rolled back and retried one request at a time
}

type stats struct {
	requests, batches, events, maxBatch, retried atomic.Int64
}

// Stats returns the writer's counters; Requests/Batches is the average
// number of requests that shared one commit.
func (db *DB) Stats() Stats {
	return Stats{
		Requests: db.stats.requests.Load(),
		Batches:  db.stats.batches.Load(),
		Events:   db.stats.events.Load(),
		MaxBatch: db.stats.maxBatch.Load(),
		Retried:  db.stats.retried.Load(),
	}
}

// ---- group commit ----

// States of a request: pending until the writer takes it (taken) or its
// caller gives up (cancelled); whoever wins the compare-and-swap decides.
const (
	reqPending int32 = iota
	reqTaken
	reqCancelled
)

// request is one Append or StoreBallot waiting for the writer.
type request struct {
	events []meeting.Event // the caller's slice; not copied
	aud    []string        // audience JSON per event; "" for everyone
	ballot *store.Ballot   // set instead of events by StoreBallot
	state  atomic.Int32
	err    error
	done   chan struct{} // capacity 1; the writer sends exactly once if taken

	// Filled while the batch runs.
	inserted, open bool // a ballot's voter row was inserted; its box was open
}

// queue is the hand-off between callers and the writer goroutine: mu
// guards pending and closed and is never held during I/O.
type queue struct {
	mu      sync.Mutex
	cond    sync.Cond
	pending []*request
	closed  bool
}

func (q *queue) init() { q.cond.L = &q.mu }

func (q *queue) push(r *request) bool {
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

// take waits for pending requests and returns them all; nil once closed
// and drained.
func (q *queue) take() []*request {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.pending) == 0 && !q.closed {
		q.cond.Wait()
	}
	batch := q.pending
	q.pending = nil
	return batch
}

func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
}

// Append implements store.EventLog. It is group-committed with every other
// Append and StoreBallot pending in this process, and returns after the
// commit. Cancellation: if ctx is done before the writer takes the request,
// Append returns ctx.Err() and stores nothing; once taken, it waits for the
// outcome.
func (db *DB) Append(ctx context.Context, events []meeting.Event) error {
	if len(events) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &request{done: make(chan struct{}, 1)}
	if err := r.prepare(events); err != nil {
		return err
	}
	return db.await(ctx, r)
}

// await queues r and waits for its outcome (see Append).
func (db *DB) await(ctx context.Context, r *request) error {
	if !db.queue.push(r) {
		return meeting.Internal(ErrClosed)
	}
	select {
	case <-r.done:
	case <-ctx.Done():
		if r.state.CompareAndSwap(reqPending, reqCancelled) {
			return ctx.Err()
		}
		<-r.done // taken: wait for the outcome
	}
	return r.err
}

// prepare checks what can be checked of events without the database, in
// the caller's goroutine, and fills r.
func (r *request) prepare(events []meeting.Event) error {
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

// writer is the group-commit goroutine: it takes every pending request,
// commits them as one transaction and answers them, until Close.
func (db *DB) writer() {
	defer close(db.writerDone)
	for {
		batch := db.queue.take()
		if batch == nil {
			return
		}
		n := 0
		for _, r := range batch {
			if r.state.CompareAndSwap(reqPending, reqTaken) {
				batch[n] = r
				n++
			}
		}
		if n > 0 {
			db.commit(batch[:n])
		}
	}
}

// commit stores batch in one transaction and answers every request. On an
// unexpected error the transaction is rolled back and each request is run
// in a transaction of its own.
func (db *DB) commit(batch []*request) {
	// Ballots first, by box and voter; then events by meeting, each
	// meeting's requests in their order: every node takes row locks in the
	// same order.
	slices.SortStableFunc(batch, func(a, b *request) int {
		switch {
		case a.ballot != nil && b.ballot != nil:
			return cmp.Or(strings.Compare(a.ballot.Meeting, b.ballot.Meeting), strings.Compare(a.ballot.Poll, b.ballot.Poll),
				strings.Compare(a.ballot.Participant, b.ballot.Participant))
		case a.ballot != nil:
			return -1
		case b.ballot != nil:
			return 1
		}
		return strings.Compare(a.events[0].Meeting, b.events[0].Meeting)
	})
	err := db.runBatch(batch)
	if err != nil && len(batch) > 1 && !errors.Is(err, errOutcomeKnown) {
		db.stats.retried.Add(1)
		for _, r := range batch {
			r.err, r.inserted, r.open = nil, false, false
			if err := db.runBatch([]*request{r}); err != nil {
				r.err = err // nothing of it committed (or unknown)
			}
		}
	} else if err != nil {
		for _, r := range batch {
			r.err = err // the batch's outcome overrides each request's
		}
	}
	var events int64
	for _, r := range batch {
		if r.err == nil {
			events += int64(len(r.events))
		}
	}
	db.stats.requests.Add(int64(len(batch)))
	db.stats.events.Add(events)
	for _, r := range batch {
		r.done <- struct{}{}
	}
}

// errOutcomeKnown marks a batch error after which retrying request by
// request is wrong: the transaction may have committed (its outcome could
// not be learned) or was found committed/aborted as a whole.
var errOutcomeKnown = errors.New("postgres: batch outcome settled")

// outcomeError is a batch error that must not be retried.
type outcomeError struct{ err error }

func (e *outcomeError) Error() string { return e.err.Error() }
func (e *outcomeError) Is(target error) bool {
	return target == errOutcomeKnown
}
func (e *outcomeError) Unwrap() error { return e.err }

// runBatch runs batch in one transaction. It sets each request's own
// outcome (r.err) and returns an error for the batch as a whole (nothing
// committed, or the outcome unknown), which overrides them.
func (db *DB) runBatch(batch []*request) error {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return failed(err)
	}
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return failed(err)
	}
	defer tx.Rollback(context.Background()) // no-op after Commit
	now := time.Now().UnixNano()
	boxes := map[[2]string]bool{}
	for start := 0; start < len(batch); start += pipelineSize {
		chunk := batch[start:min(start+pipelineSize, len(batch))]
		if err := db.sendChunk(ctx, tx, chunk, boxes, now); err != nil {
			return failed(err)
		}
	}
	if err := insertSecretBallots(ctx, tx, batch); err != nil {
		return failed(err)
	}
	// Ballots not inserted: a retry, a second voter's ballot or a closed
	// box. Their voter rows, if any, are committed by now or written by
	// this transaction (the insert waited for any other writer).
	var lookups []*request
	for _, r := range batch {
		if r.ballot != nil && !r.inserted {
			lookups = append(lookups, r)
		}
	}
	if len(lookups) > 0 {
		b := &pgx.Batch{}
		for _, r := range lookups {
			b.Queue("SELECT key FROM poll_voters WHERE meeting_id = $1 AND poll = $2 AND participant = $3",
				r.ballot.Meeting, r.ballot.Poll, r.ballot.Participant)
		}
		br := tx.SendBatch(ctx, b)
		for _, r := range lookups {
			var key string
			switch err := br.QueryRow().Scan(&key); {
			case err == nil && key == r.ballot.Key:
				r.err = nil // a retry of a stored ballot
			case err == nil:
				r.err = errDuplicate
			case errors.Is(err, pgx.ErrNoRows) && !r.open:
				r.err = store.ErrBoxClosed
			case errors.Is(err, pgx.ErrNoRows):
				r.err = meeting.Internal(errors.New("postgres: ballot neither stored nor found"))
			default:
				br.Close()
				return failed(err)
			}
		}
		if err := br.Close(); err != nil {
			return failed(err)
		}
	}

	// Notify each meeting's last stored seq, inside the transaction:
	// delivered on commit only.
	var payloads []string
	last := map[string]int64{}
	wrote := false
	for _, r := range batch {
		if r.err != nil {
			continue
		}
		if r.ballot != nil {
			wrote = wrote || r.inserted
			continue
		}
		wrote = true
		e := &r.events[len(r.events)-1]
		last[e.Meeting] = max(last[e.Meeting], e.Seq)
	}
	if !wrote {
		return nil // nothing to commit: the deferred Rollback ends it
	}
	for m, seq := range last {
		payloads = append(payloads, m+" "+strconv.FormatInt(seq, 10))
	}
	b := &pgx.Batch{}
	if len(payloads) > 0 {
		b.Queue("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p", channel, payloads)
	}
	b.Queue("SELECT pg_current_xact_id()::text")
	br := tx.SendBatch(ctx, b)
	if len(payloads) > 0 {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return failed(err)
		}
	}
	var xid string
	if err := br.QueryRow().Scan(&xid); err != nil {
		br.Close()
		return failed(err)
	}
	if err := br.Close(); err != nil {
		return failed(err)
	}
	if err := db.commitTx(ctx, tx, xid); err != nil {
		return err
	}
	db.stats.batches.Add(1)
	if n := int64(len(batch)); n > db.stats.maxBatch.Load() {
		db.stats.maxBatch.Store(n) // only the writer goroutine stores
	}
	// Tell this process's listeners before answering.
	for m, seq := range last {
		db.pub.publish(m, seq)
	}
	return nil
}

// commitTx commits tx, whose transaction ID is xid. If the connection
// breaks during the COMMIT, the outcome is looked up on another connection:
// nil if the transaction committed; an *outcomeError if it did not or if
// that cannot be learned (the error then says the outcome is unknown).
func (db *DB) commitTx(ctx context.Context, tx pgx.Tx, xid string) error {
	err := tx.Commit(ctx)
	if err == nil {
		return nil
	}
	if sqlState(err) != "" {
		return failed(err) // the server refused the commit: nothing stored
	}
	if committed, rerr := db.xactCommitted(xid); rerr != nil {
		return &outcomeError{meeting.Internal(fmt.Errorf("postgres: the commit's outcome is unknown (%v; %v)", err, rerr))}
	} else if !committed {
		return &outcomeError{meeting.Internal(fmt.Errorf("postgres: the commit failed: %w", err))}
	}
	return nil
}

// sendChunk sends the statements of chunk in one pipeline and reads their
// results into the requests.
func (db *DB) sendChunk(ctx context.Context, tx pgx.Tx, chunk []*request, boxes map[[2]string]bool, now int64) error {
	b := &pgx.Batch{}
	for _, r := range chunk {
		if r.ballot == nil {
			continue
		}
		k := [2]string{r.ballot.Meeting, r.ballot.Poll}
		if !boxes[k] {
			boxes[k] = true
			b.Queue(sqlEnsureBox, r.ballot.Meeting, r.ballot.Poll)
		}
	}
	nBoxes := b.Len()
	for _, r := range chunk {
		if bl := r.ballot; bl != nil {
			if bl.Secret {
				// The ballot's own row comes later (insertSecretBallots).
				b.Queue(sqlCastVoter, bl.Meeting, bl.Poll, bl.Participant, bl.Key)
				continue
			}
			b.Queue(sqlCast, bl.Meeting, bl.Poll, bl.Participant, bl.Key, randomID(), bl.Participant, bl.Data)
			continue
		}
		if !canFollow(&r.events[0]) {
			continue // refused without a statement (see below)
		}
		sql, args := r.appendStatement(now)
		b.Queue(sql, args...)
	}
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	for range nBoxes {
		if _, err := br.Exec(); err != nil {
			return err
		}
	}
	for _, r := range chunk {
		if r.ballot != nil {
			if err := br.QueryRow().Scan(&r.inserted, &r.open); err != nil {
				return err
			}
			r.err = nil
			continue
		}
		first := &r.events[0]
		if !canFollow(first) {
			r.err = errNotFollowing(first)
			continue
		}
		tag, err := br.Exec()
		if err != nil {
			return err
		}
		if tag.RowsAffected() != int64(len(r.events)) {
			r.err = errNotFollowing(first)
		} else {
			r.err = nil
		}
	}
	return br.Close()
}

// insertSecretBallots writes the rows of the secret ballots whose voters
// the batch recorded, after every voter row of the batch and in a random
// order, in one statement. Written with their voters (voter, ballot, next
// voter, ...), each sealed ballot sat next to its voter in the heap and in
// the WAL, and the batch's voters were sorted by participant: whoever also
// had the poll's key paired every voter with their ballot, finer than the
// group commit that docs/ballots.md gives as the bound while a poll is
// open.
func insertSecretBallots(ctx context.Context, tx pgx.Tx, batch []*request) error {
	var rows []*store.Ballot
	for _, r := range batch {
		if r.ballot != nil && r.ballot.Secret && r.inserted {
			rows = append(rows, r.ballot)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	var seed [32]byte
	rand.Read(seed[:]) // never fails
	mrand.New(mrand.NewChaCha8(seed)).Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	ms, ps, ids, data := make([]string, len(rows)), make([]string, len(rows)), make([][]byte, len(rows)), make([][]byte, len(rows))
	for i, b := range rows {
		ms[i], ps[i], ids[i], data[i] = b.Meeting, b.Poll, randomID(), b.Data
	}
	_, err := tx.Exec(ctx, sqlSecretBallots, ms, ps, ids, data)
	return err
}

// appendStatement returns the statement (sqlAppend or sqlAppendNew) and
// arguments that store r's events; it inserts len(r.events) rows if they
// follow the head, none otherwise. now is the creation time of a new
// meeting, in unix nanoseconds.
func (r *request) appendStatement(now int64) (string, []any) {
	first, last := &r.events[0], &r.events[len(r.events)-1]
	n := len(r.events)
	seqs, ats := make([]int64, n), make([]int64, n)
	actors, types, auds, prevs, hashes := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	datas := make([][]byte, n)
	for i := range r.events {
		e := &r.events[i]
		seqs[i], ats[i], actors[i], types[i], auds[i], prevs[i], hashes[i] = e.Seq, e.At.UnixNano(), e.Actor, e.Type, r.aud[i], e.Prev, e.Hash
		datas[i] = []byte(e.Data)
		if datas[i] == nil {
			datas[i] = []byte{}
		}
	}
	if first.Seq == 1 {
		return sqlAppendNew, []any{first.Meeting, last.Seq, last.Hash, newEpoch(), now, seqs, ats, actors, types, datas, auds, prevs, hashes}
	}
	return sqlAppend, []any{first.Meeting, last.Seq, last.Hash, first.Seq - 1, first.Prev, seqs, ats, actors, types, datas, auds, prevs, hashes}
}

// canFollow reports whether an append starting with first can follow any
// head: seq 1 without a predecessor, or a later seq with one. (The
// database's CHECK would refuse the others with an error that aborts the
// whole batch.)
func canFollow(first *meeting.Event) bool {
	return first.Seq >= 1 && (first.Seq == 1) == (first.Prev == "")
}

// errNotFollowing answers an append that does not follow its meeting's head.
func errNotFollowing(first *meeting.Event) error {
	return meeting.Errorf(meeting.KindConflict,
		"Sự kiện số %d không nối tiếp nhật ký của cuộc họp.",
		"event %d does not follow the log head", first.Seq)
}

const (
	sqlEnsureBox = "INSERT INTO poll_boxes (meeting_id, poll) VALUES ($1, $2) ON CONFLICT DO NOTHING"
	// sqlCast inserts a ballot if its box is open (locking the box row FOR
	// SHARE: the CloseBox fence) and its voter has not voted; it says
	// whether the voter row was inserted and whether the box was open.
	sqlCast = `WITH box AS (
	SELECT 1 FROM poll_boxes WHERE meeting_id = $1 AND poll = $2 AND NOT closed FOR SHARE
), voter AS (
	INSERT INTO poll_voters (meeting_id, poll, participant, key)
	SELECT $1, $2, $3, $4 FROM box
	ON CONFLICT DO NOTHING
	RETURNING 1
), ballot AS (
	INSERT INTO poll_ballots (meeting_id, poll, id, participant, ballot)
	SELECT $1, $2, $5, NULLIF($6::text, ''), $7 FROM voter
)
SELECT EXISTS (SELECT 1 FROM voter), EXISTS (SELECT 1 FROM box)`
	// sqlCastVoter is sqlCast for a secret ballot: the voter only.
	sqlCastVoter = `WITH box AS (
	SELECT 1 FROM poll_boxes WHERE meeting_id = $1 AND poll = $2 AND NOT closed FOR SHARE
), voter AS (
	INSERT INTO poll_voters (meeting_id, poll, participant, key)
	SELECT $1, $2, $3, $4 FROM box
	ON CONFLICT DO NOTHING
	RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM voter), EXISTS (SELECT 1 FROM box)`
	// sqlSecretBallots inserts secret ballots (no voter) in the order of
	// the arrays.
	sqlSecretBallots = `INSERT INTO poll_ballots (meeting_id, poll, id, participant, ballot)
SELECT d.m, d.p, d.id, NULL, d.b FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[]) WITH ORDINALITY AS d(m, p, id, b, i) ORDER BY d.i`
	// sqlEvents inserts the events of one append, from arrays ($6...),
	// once head has produced the meeting's row.
	sqlEventsFromHead = `INSERT INTO events (meeting_id, seq, at, actor, type, data, audience, prev, hash)
SELECT head.id, e.seq, e.at, e.actor, e.type, NULLIF(e.data, ''::bytea), NULLIF(e.audience, ''), e.prev, e.hash
FROM head, unnest($6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::bytea[], $11::text[], $12::text[], $13::text[])
	AS e(seq, at, actor, type, data, audience, prev, hash)`
	// sqlAppend moves the head from ($4, $5) to ($2, $3), fenced: no row
	// if the head is elsewhere, and then no events.
	sqlAppend = `WITH head AS (
	UPDATE meetings SET head_seq = $2, head_hash = $3
	WHERE id = $1 AND head_seq = $4 AND head_hash = $5
	RETURNING id
) ` + sqlEventsFromHead
	// sqlAppendNew creates the meeting (epoch $4, created at $5) with its
	// head at ($2, $3); no row if it exists.
	sqlAppendNew = `WITH head AS (
	INSERT INTO meetings (id, epoch, created_at, head_seq, head_hash) VALUES ($1, $4, $5, $2, $3)
	ON CONFLICT (id) DO NOTHING
	RETURNING id
) ` + sqlEventsFromHead
)

// xactCommitted learns, on another connection, whether transaction xid
// committed; it waits while it is still in progress, up to 30 s.
func (db *DB) xactCommitted(xid string) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		var status *string
		err := db.pool.QueryRow(ctx, "SELECT pg_xact_status($1::xid8)", xid).Scan(&status)
		switch {
		case err == nil && status != nil && *status == "committed":
			return true, nil
		case err == nil && status != nil && *status == "aborted":
			return false, nil
		case err == nil && status == nil:
			return false, errors.New("transaction too old to look up")
		}
		select {
		case <-ctx.Done():
			return false, fmt.Errorf("transaction %s: %v", xid, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// ---- reads ----

// Events implements store.EventLog.
func (db *DB) Events(ctx context.Context, id string, after int64, limit int) ([]meeting.Event, error) {
	done, err := db.enter()
	if err != nil {
		return nil, err
	}
	defer done()
	return readEvents(ctx, db.pool, id, after, limit)
}

// readEvents reads events of meeting id with seq > after (at most limit).
func readEvents(ctx context.Context, q *pgxpool.Pool, id string, after int64, limit int) ([]meeting.Event, error) {
	var lim *int64
	if limit > 0 {
		l := int64(limit)
		lim = &l
	}
	rows, err := q.Query(ctx, "SELECT seq, at, actor, type, data, coalesce(audience, ''), prev, hash FROM events WHERE meeting_id = $1 AND seq > $2 ORDER BY seq LIMIT $3", id, after, lim)
	if err != nil {
		return nil, internal(ctx, err)
	}
	return scanEvents(ctx, rows, id)
}

// scanEvents reads the rows of readEvents's query (and closes them).
func scanEvents(ctx context.Context, rows pgx.Rows, id string) ([]meeting.Event, error) {
	defer rows.Close()
	var out []meeting.Event
	for rows.Next() {
		e := meeting.Event{Meeting: id}
		var at int64
		var aud string
		var data []byte
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Type, &data, &aud, &e.Prev, &e.Hash); err != nil {
			return nil, internal(ctx, err)
		}
		if data != nil {
			e.Data = data
		}
		e.At = fromNanos(at)
		if aud != "" {
			if err := json.Unmarshal([]byte(aud), &e.Audience); err != nil {
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

// Head implements store.EventLog.
func (db *DB) Head(ctx context.Context, id string) (seq int64, hash string, epoch string, err error) {
	done, err := db.enter()
	if err != nil {
		return 0, "", "", err
	}
	defer done()
	err = db.pool.QueryRow(ctx, "SELECT head_seq, head_hash, epoch FROM meetings WHERE id = $1", id).Scan(&seq, &hash, &epoch)
	if errors.Is(err, pgx.ErrNoRows) {
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

// MeetingIDs implements store.EventLog.
func (db *DB) MeetingIDs(ctx context.Context) ([]string, error) {
	done, err := db.enter()
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := db.pool.Query(ctx, "SELECT id FROM meetings ORDER BY ord")
	if err != nil {
		return nil, internal(ctx, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, internal(ctx, err)
}

// Verify implements store.EventLog: it reads the log a page at a time and
// checks it with meeting.VerifyChain.
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

// ResetEpoch implements store.EventLog.
func (db *DB) ResetEpoch(ctx context.Context, id string) (string, error) {
	done, err := db.enter()
	if err != nil {
		return "", err
	}
	defer done()
	epoch := newEpoch()
	tag, err := db.pool.Exec(ctx, "UPDATE meetings SET epoch = $1 WHERE id = $2", epoch, id)
	if err != nil {
		return "", internal(ctx, err)
	}
	if tag.RowsAffected() == 0 {
		return "", notFoundMeeting(id)
	}
	return epoch, nil
}

// EventsOfType implements store.EventLog (meetings in byte order of their
// IDs, whatever the database's collation).
func (db *DB) EventsOfType(ctx context.Context, types ...string) ([]meeting.Event, error) {
	if len(types) == 0 {
		return nil, nil
	}
	done, err := db.enter()
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := db.pool.Query(ctx, `SELECT meeting_id, seq, at, actor, type, data, prev, hash FROM events
WHERE type = ANY($1) ORDER BY meeting_id COLLATE "C", seq`, types)
	if err != nil {
		return nil, internal(ctx, err)
	}
	defer rows.Close()
	var out []meeting.Event
	for rows.Next() {
		var e meeting.Event
		var at int64
		var data []byte
		if err := rows.Scan(&e.Meeting, &e.Seq, &at, &e.Actor, &e.Type, &data, &e.Prev, &e.Hash); err != nil {
			return nil, internal(ctx, err)
		}
		if data != nil {
			e.Data = data
		}
		e.At = fromNanos(at)
		out = append(out, e)
	}
	return out, internal(ctx, rows.Err())
}
