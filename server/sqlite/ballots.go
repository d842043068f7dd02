package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

// The ballot box (store.BallotBox): poll_voters says who voted (with the
// tablet's key); what was voted is in poll_ballots for an open poll (with
// the voter), in sealed_ballots for a secret poll while it is open (sealed,
// without the voter) and in closed_ballots after its close (opened, in a
// random order); poll_boxes says whether the box is closed and whether a
// secret poll's ballots were rewritten at the close. See migration 0005
// and docs/ballots.md for what the files keep and for how long.

const (
	sqlVoterKey     = "SELECT key FROM poll_voters WHERE meeting_id = ? AND poll = ? AND participant = ?"
	sqlEnsureBox    = "INSERT INTO poll_boxes (meeting_id, poll) VALUES (?, ?) ON CONFLICT DO NOTHING"
	sqlBoxClosed    = "SELECT closed FROM poll_boxes WHERE meeting_id = ? AND poll = ?"
	sqlInsertVoter  = "INSERT INTO poll_voters (meeting_id, poll, participant, key) VALUES (?, ?, ?, ?)"
	sqlInsertBallot = "INSERT INTO poll_ballots (meeting_id, poll, id, participant, ballot) VALUES (?, ?, ?, ?, ?)"
	sqlInsertSealed = "INSERT INTO sealed_ballots (meeting_id, poll, ballot) VALUES (?, ?, ?)"
	sqlVoters       = "SELECT participant, key FROM poll_voters WHERE meeting_id = ? AND poll = ?"
	sqlBallots      = `SELECT coalesce(participant, ''), ballot FROM poll_ballots WHERE meeting_id = ?1 AND poll = ?2
UNION ALL
SELECT '', ballot FROM sealed_ballots WHERE meeting_id = ?1 AND poll = ?2
UNION ALL
SELECT '', c.ballot FROM poll_boxes x JOIN closed_ballots c ON c.rowid BETWEEN x.first_ballot AND x.last_ballot
WHERE x.meeting_id = ?1 AND x.poll = ?2 AND c.meeting_id = ?1 AND c.poll = ?2`
)

// StoreBallot implements store.BallotBox. It is group-committed with Append
// (one fsync for every ballot and event pending at the time) and returns
// only after its batch committed. Cancellation is as for Append.
func (db *DB) StoreBallot(ctx context.Context, b store.Ballot) error {
	if b.Meeting == "" || b.Poll == "" || b.Participant == "" || b.Key == "" || len(b.Data) == 0 {
		return meeting.Errorf(meeting.KindInvalid, "Phiếu bầu thiếu thông tin.", "the ballot lacks its meeting, poll, voter, key or content")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	r := reqPool.Get().(*appendReq)
	r.ballot = &b
	return db.await(ctx, r)
}

// errDuplicate answers a second ballot of one voter with another key.
var errDuplicate = meeting.Errorf(meeting.KindConflict, "Đại biểu đã bỏ phiếu trong lần biểu quyết này.", "the participant has already voted in this poll")

// storeBallot runs inside the writer's batch transaction, in the request's
// savepoint (see appendOne). It records the voter and, for an open poll,
// the ballot; a secret poll's ballot is left for insertSecretBallots.
func storeBallot(ctx context.Context, st *batchStmts, r *appendReq) error {
	b := r.ballot
	var key string
	switch err := st.voterKey.QueryRowContext(ctx, b.Meeting, b.Poll, b.Participant).Scan(&key); {
	case err == nil && key == b.Key:
		return nil // a retry of a stored ballot
	case err == nil:
		return errDuplicate
	case !errors.Is(err, sql.ErrNoRows):
		return meeting.Internal(err)
	}
	if _, err := st.ensureBox.ExecContext(ctx, b.Meeting, b.Poll); err != nil {
		return meeting.Internal(err)
	}
	var closed bool
	if err := st.boxClosed.QueryRowContext(ctx, b.Meeting, b.Poll).Scan(&closed); err != nil {
		return meeting.Internal(err)
	}
	if closed {
		return store.ErrBoxClosed
	}
	if _, err := st.insertVoter.ExecContext(ctx, b.Meeting, b.Poll, b.Participant, b.Key); err != nil {
		return meeting.Internal(err)
	}
	if b.Secret {
		r.secretRow = true
		return nil
	}
	if _, err := st.insertBallot.ExecContext(ctx, b.Meeting, b.Poll, randomID(), b.Participant, b.Data); err != nil {
		return meeting.Internal(err)
	}
	return nil
}

// insertSecretBallots writes the rows of the secret ballots whose voters
// the batch recorded, after every request's voter row and in a random
// order. SQLite places each new cell of a page below the previous ones, so
// cells written in request order would tell, inside a group commit, whose
// ballot is whose (the voters' cells are in request order too). Written
// this way, a copy of the files taken while the poll is open links a voter
// to the ballots of their commit, no finer. A failure fails the batch (the
// voters' rows are in the same transaction).
func insertSecretBallots(ctx context.Context, st *batchStmts, batch []*appendReq) error {
	var rows []*store.Ballot
	for _, r := range batch {
		if r.secretRow && r.err == nil {
			rows = append(rows, r.ballot)
		}
	}
	if len(rows) > 1 {
		var seed [32]byte
		rand.Read(seed[:]) // never fails
		mrand.New(mrand.NewChaCha8(seed)).Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	}
	for _, b := range rows {
		if _, err := st.insertSealed.ExecContext(ctx, b.Meeting, b.Poll, b.Data); err != nil {
			return err
		}
	}
	return nil
}

// randomID returns 16 random bytes, a ballot's key in poll_ballots (an
// open poll's now; secret ballots stored before migration 0005 too).
func randomID() []byte {
	id := make([]byte, 16)
	rand.Read(id) // never fails (crypto/rand since Go 1.24)
	return id
}

// Voters implements store.BallotBox.
func (db *DB) Voters(ctx context.Context, meetingID, poll string) (map[string]string, error) {
	rows, err := db.r.QueryContext(ctx, sqlVoters, meetingID, poll)
	if err != nil {
		return nil, internal(ctx, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var p, k string
		if err := rows.Scan(&p, &k); err != nil {
			return nil, internal(ctx, err)
		}
		out[p] = k
	}
	return out, internalOrNil(ctx, rows.Err())
}

// Ballots implements store.BallotBox. For a secret poll the order is that
// of the random ids.
func (db *DB) Ballots(ctx context.Context, meetingID, poll string) ([]store.StoredBallot, error) {
	rows, err := db.r.QueryContext(ctx, sqlBallots, meetingID, poll)
	if err != nil {
		return nil, internal(ctx, err)
	}
	defer rows.Close()
	var out []store.StoredBallot
	for rows.Next() {
		var b store.StoredBallot
		if err := rows.Scan(&b.Participant, &b.Data); err != nil {
			return nil, internal(ctx, err)
		}
		out = append(out, b)
	}
	return out, internalOrNil(ctx, rows.Err())
}

// CloseBox implements store.BallotBox. Every write of this process goes
// through the one write connection, so when the update has committed every
// batch that stored a ballot before it has committed too, and every later
// batch reads closed.
func (db *DB) CloseBox(ctx context.Context, meetingID, poll string) error {
	_, err := db.w.ExecContext(ctx, "INSERT INTO poll_boxes (meeting_id, poll, closed) VALUES (?, ?, 1) ON CONFLICT DO UPDATE SET closed = 1", meetingID, poll)
	return internalOrNil(ctx, err)
}

// ReplaceSecretBallots implements store.BallotBox. In one transaction the
// poll's sealed rows are deleted from sealed_ballots (and, for a poll cast
// before migration 0005, poll_ballots) and its ballots appended to
// closed_ballots in the order given (see migration 0005: appended rows
// move no cell, and no later poll's ballot shares their pages), and its
// voters are rewritten in participant order. secure_delete (set on every
// connection) zeroes the deleted cells and freed pages. Then the
// write-ahead log is checkpointed and truncated, so that neither the
// database file nor its WAL keeps the cells the ballots and voters were
// first written in, whose places followed the order of casting.
//
// For a poll already finalised (a crash after the commit, before the WAL
// was truncated or the key destroyed) it changes nothing and truncates the
// WAL again.
func (db *DB) ReplaceSecretBallots(ctx context.Context, meetingID, poll string, data [][]byte) error {
	notClosed := false
	err := inTx(ctx, db.w, func(tx *sql.Tx) error {
		var closed, finalised bool
		switch err := tx.QueryRowContext(ctx, "SELECT closed, finalised FROM poll_boxes WHERE meeting_id = ? AND poll = ?", meetingID, poll).Scan(&closed, &finalised); {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		}
		if !closed {
			notClosed = true
			return errConflict
		}
		if finalised {
			return nil
		}
		rows, err := tx.QueryContext(ctx, sqlVoters, meetingID, poll)
		if err != nil {
			return err
		}
		type voter struct{ participant, key string }
		var voters []voter
		for rows.Next() {
			var v voter
			if err := rows.Scan(&v.participant, &v.key); err != nil {
				rows.Close()
				return err
			}
			voters = append(voters, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		slices.SortFunc(voters, func(a, b voter) int { return strings.Compare(a.participant, b.participant) })
		if _, err := tx.ExecContext(ctx, "DELETE FROM poll_voters WHERE meeting_id = ? AND poll = ?", meetingID, poll); err != nil {
			return err
		}
		for _, table := range []string{"sealed_ballots", "poll_ballots"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE meeting_id = ? AND poll = ?", meetingID, poll); err != nil {
				return err
			}
		}
		for _, v := range voters {
			if _, err := tx.ExecContext(ctx, sqlInsertVoter, meetingID, poll, v.participant, v.key); err != nil {
				return err
			}
		}
		// A row that fills a page of its own goes first, so that this
		// poll's ballots start on a new page: appending to the last page
		// of the previous poll's ballots would copy that page, with some
		// of its ballots, into the WAL again.
		var pageSize int
		if err := tx.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO closed_ballots (meeting_id, poll, ballot) VALUES ('', '', zeroblob(?))", pageSize-pageFiller); err != nil {
			return err
		}
		var first, last any // NULL for a poll without ballots
		for i, d := range data {
			res, err := tx.ExecContext(ctx, "INSERT INTO closed_ballots (meeting_id, poll, ballot) VALUES (?, ?, ?)", meetingID, poll, d)
			if err != nil {
				return err
			}
			id, err := res.LastInsertId()
			if err != nil {
				return err
			}
			if i == 0 {
				first = id
			}
			last = id
		}
		_, err = tx.ExecContext(ctx, "UPDATE poll_boxes SET finalised = 1, first_ballot = ?, last_ballot = ? WHERE meeting_id = ? AND poll = ?", first, last, meetingID, poll)
		return err
	})
	if notClosed {
		return meeting.Errorf(meeting.KindConflict, "Hòm phiếu chưa đóng.", "the ballot box is not closed")
	}
	if err != nil {
		return internal(ctx, err)
	}
	return db.truncateWAL(ctx)
}

// pageFiller is how much shorter than a page the blob of the row that
// fills a page of closed_ballots is: the cell's header and SQLite's largest
// payload kept in a table leaf (the page size less 35 bytes), so that it
// fits in a page alone, without overflow, and in no page that holds
// anything else.
const pageFiller = 35 + 8

// truncateWAL copies every frame of the write-ahead log into the database
// file and truncates the log to zero bytes. A reader still using an older
// snapshot holds the checkpoint back; it is retried until ctx is done.
func (db *DB) truncateWAL(ctx context.Context) error {
	for wait := time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		var busy, logFrames, checkpointed int
		if err := db.w.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &checkpointed); err != nil {
			return internal(ctx, err)
		}
		if busy == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return internal(ctx, fmt.Errorf("sqlite: WAL checkpoint still busy: %w", ctx.Err()))
		case <-time.After(wait):
		}
	}
}

// UnfinalisedSecretPolls implements store.BallotBox.
func (db *DB) UnfinalisedSecretPolls(ctx context.Context) ([]store.PollRef, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT DISTINCT b.meeting_id, b.poll FROM (
	SELECT meeting_id, poll FROM sealed_ballots
	UNION SELECT meeting_id, poll FROM poll_ballots WHERE participant IS NULL
) b JOIN poll_boxes x ON x.meeting_id = b.meeting_id AND x.poll = b.poll
WHERE x.finalised = 0 ORDER BY b.meeting_id, b.poll`)
	if err != nil {
		return nil, internal(ctx, err)
	}
	defer rows.Close()
	var out []store.PollRef
	for rows.Next() {
		var p store.PollRef
		if err := rows.Scan(&p.Meeting, &p.Poll); err != nil {
			return nil, internal(ctx, err)
		}
		out = append(out, p)
	}
	return out, internalOrNil(ctx, rows.Err())
}

func internalOrNil(ctx context.Context, err error) error {
	if err == nil || errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return internal(ctx, err)
}
