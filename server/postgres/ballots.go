package postgres

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

// errDuplicate answers a second ballot of one voter with another key.
var errDuplicate = meeting.Errorf(meeting.KindConflict, "Đại biểu đã bỏ phiếu trong lần biểu quyết này.", "the participant has already voted in this poll")

// StoreBallot implements store.BallotBox. It is group-committed with every
// other request pending in this process (see the package documentation)
// and returns after the commit. Cancellation is as for Append.
func (db *DB) StoreBallot(ctx context.Context, b store.Ballot) error {
	if b.Meeting == "" || b.Poll == "" || b.Participant == "" || b.Key == "" || len(b.Data) == 0 {
		return meeting.Errorf(meeting.KindInvalid, "Phiếu bầu thiếu thông tin.", "the ballot lacks its meeting, poll, voter, key or content")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.await(ctx, &request{ballot: &b, done: make(chan struct{}, 1)})
}

// Voters implements store.BallotBox.
func (db *DB) Voters(ctx context.Context, meetingID, poll string) (map[string]string, error) {
	done, err := db.enter()
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := db.pool.Query(ctx, "SELECT participant, key FROM poll_voters WHERE meeting_id = $1 AND poll = $2", meetingID, poll)
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
	return out, internal(ctx, rows.Err())
}

// Ballots implements store.BallotBox.
func (db *DB) Ballots(ctx context.Context, meetingID, poll string) ([]store.StoredBallot, error) {
	done, err := db.enter()
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := db.pool.Query(ctx, "SELECT coalesce(participant, ''), ballot FROM poll_ballots WHERE meeting_id = $1 AND poll = $2", meetingID, poll)
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
	return out, internal(ctx, rows.Err())
}

// CloseBox implements store.BallotBox. Its UPDATE of the box row waits for
// every ballot transaction holding the row FOR SHARE (see sqlCast), on any
// node, to end; ballot statements after it find the box closed.
func (db *DB) CloseBox(ctx context.Context, meetingID, poll string) error {
	done, err := db.enter()
	if err != nil {
		return err
	}
	defer done()
	_, err = db.pool.Exec(ctx, `INSERT INTO poll_boxes (meeting_id, poll, closed) VALUES ($1, $2, true)
ON CONFLICT (meeting_id, poll) DO UPDATE SET closed = true WHERE NOT poll_boxes.closed`, meetingID, poll)
	return internal(ctx, err)
}

// ReplaceSecretBallots implements store.BallotBox, in one transaction: the
// voters are inserted again in participant order and the ballots in the
// order given, with new random ids. PostgreSQL cannot wipe the rows it
// replaces (see the package documentation: they are sealed ballots, dead
// tuples until VACUUM, and WAL records).
func (db *DB) ReplaceSecretBallots(ctx context.Context, meetingID, poll string, data [][]byte) error {
	done, err := db.enter()
	if err != nil {
		return err
	}
	defer done()
	notClosed := false
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var closed bool
		switch err := tx.QueryRow(ctx, "SELECT closed FROM poll_boxes WHERE meeting_id = $1 AND poll = $2 FOR UPDATE", meetingID, poll).Scan(&closed); {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return err
		}
		if !closed {
			notClosed = true
			return errConflict
		}
		rows, err := tx.Query(ctx, "SELECT participant, key FROM poll_voters WHERE meeting_id = $1 AND poll = $2", meetingID, poll)
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
		participants, keys := make([]string, len(voters)), make([]string, len(voters))
		for i, v := range voters {
			participants[i], keys[i] = v.participant, v.key
		}
		ids := make([][]byte, len(data))
		for i := range ids {
			ids[i] = randomID()
		}
		b := &pgx.Batch{}
		b.Queue("DELETE FROM poll_voters WHERE meeting_id = $1 AND poll = $2", meetingID, poll)
		b.Queue("DELETE FROM poll_ballots WHERE meeting_id = $1 AND poll = $2", meetingID, poll)
		// WITH ORDINALITY ... ORDER BY: rows are written in the order given.
		b.Queue(`INSERT INTO poll_voters (meeting_id, poll, participant, key)
SELECT $1, $2, v.participant, v.key FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS v(participant, key, i) ORDER BY v.i`,
			meetingID, poll, participants, keys)
		b.Queue(`INSERT INTO poll_ballots (meeting_id, poll, id, participant, ballot)
SELECT $1, $2, d.id, NULL, d.ballot FROM unnest($3::bytea[], $4::bytea[]) WITH ORDINALITY AS d(id, ballot, i) ORDER BY d.i`,
			meetingID, poll, ids, data)
		b.Queue("UPDATE poll_boxes SET finalised = true WHERE meeting_id = $1 AND poll = $2", meetingID, poll)
		return tx.SendBatch(ctx, b).Close()
	})
	if notClosed {
		return meeting.Errorf(meeting.KindConflict, "Hòm phiếu chưa đóng.", "the ballot box is not closed")
	}
	return internal(ctx, err)
}

// errConflict makes a transaction roll back; it never leaves the package.
var errConflict = errors.New("conflict")

// UnfinalisedSecretPolls implements store.BallotBox.
func (db *DB) UnfinalisedSecretPolls(ctx context.Context) ([]store.PollRef, error) {
	done, err := db.enter()
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := db.pool.Query(ctx, `SELECT x.meeting_id, x.poll FROM poll_boxes x
WHERE NOT x.finalised AND EXISTS (
	SELECT 1 FROM poll_ballots b WHERE b.meeting_id = x.meeting_id AND b.poll = x.poll AND b.participant IS NULL)
ORDER BY x.meeting_id COLLATE "C", x.poll COLLATE "C"`)
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
	return out, internal(ctx, rows.Err())
}
