package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"

	"github.com/phonghop/phonghop/server/meeting"
)

const (
	sqlInsertVoter  = "INSERT INTO poll_voters (meeting_id, poll, participant, key) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"
	sqlInsertBallot = "INSERT INTO poll_ballots (meeting_id, poll, id, participant, ballot) VALUES (?, ?, ?, ?, ?)"
	sqlVoters       = "SELECT participant, key FROM poll_voters WHERE meeting_id = ? AND poll = ?"
	sqlBallots      = "SELECT coalesce(participant, ''), ballot FROM poll_ballots WHERE meeting_id = ? AND poll = ?"
)

// Ballot is one cast ballot as the ballot box stores it.
type Ballot struct {
	Meeting, Poll string
	// Participant is the voter. It is stored with the ballot only when
	// Secret is false; for a secret poll it goes to the voters table alone.
	Participant string
	// Key is the tablet's idempotency key, stored with the voter only.
	Key string
	// Data is the ballot (JSON of meeting's ballot form), stored verbatim.
	Data []byte
	// Secret stores the ballot apart from its voter.
	Secret bool
}

// StoreBallot durably records that b.Participant voted (with b.Key) and,
// separately, what was voted. It is group-committed with Append (one fsync
// for every ballot and event pending at the time) and returns only after
// its batch committed. It returns Conflict if the participant has already
// voted in the poll (nothing is stored), Invalid for a malformed ballot.
// Cancellation is as for Append: ctx.Err() means not stored.
func (db *DB) StoreBallot(ctx context.Context, b Ballot) error {
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

// storeBallot runs inside the writer's batch transaction, in the request's
// savepoint (see appendOne).
func storeBallot(ctx context.Context, st *batchStmts, b *Ballot) error {
	n, err := rowsAffected(st.insertVoter.ExecContext(ctx, b.Meeting, b.Poll, b.Participant, b.Key))
	if err != nil {
		return meeting.Internal(err)
	}
	if n == 0 {
		return meeting.Errorf(meeting.KindConflict, "Đại biểu đã bỏ phiếu trong lần biểu quyết này.", "the participant has already voted in this poll")
	}
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return meeting.Internal(err)
	}
	var voter any // NULL for a secret ballot
	if !b.Secret {
		voter = b.Participant
	}
	if _, err := st.insertBallot.ExecContext(ctx, b.Meeting, b.Poll, id, voter, b.Data); err != nil {
		return meeting.Internal(err)
	}
	return nil
}

// Voters returns who voted in a poll, with their idempotency keys.
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

// StoredBallot is a ballot read back from the box: Participant is empty for
// a secret poll.
type StoredBallot struct {
	Participant string
	Data        []byte
}

// Ballots returns the ballots of a poll, in no meaningful order (for a
// secret poll, the order of their random ids).
func (db *DB) Ballots(ctx context.Context, meetingID, poll string) ([]StoredBallot, error) {
	rows, err := db.r.QueryContext(ctx, sqlBallots, meetingID, poll)
	if err != nil {
		return nil, internal(ctx, err)
	}
	defer rows.Close()
	var out []StoredBallot
	for rows.Next() {
		var b StoredBallot
		if err := rows.Scan(&b.Participant, &b.Data); err != nil {
			return nil, internal(ctx, err)
		}
		out = append(out, b)
	}
	return out, internalOrNil(ctx, rows.Err())
}

func internalOrNil(ctx context.Context, err error) error {
	if err == nil || errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return internal(ctx, err)
}
