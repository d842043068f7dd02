package sqlite

import (
	"context"
	"database/sql"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

// CreatePairingCodes stores codes in one transaction (a printable sheet for
// a whole congress): each replaces its participant's earlier unused codes.
// All or nothing. CodeHash, Participant and ExpiresAt must be set (Invalid);
// a zero CreatedAt is set to now. Conflict if another live code has the same
// hash (the caller should draw new codes); an expired code with the same
// hash does not block a new one.
func (db *DB) CreatePairingCodes(ctx context.Context, codes []store.PairingCode) error {
	for _, c := range codes {
		if len(c.CodeHash) == 0 || c.Participant == "" || c.ExpiresAt.IsZero() {
			return meeting.Errorf(meeting.KindInvalid, "Mã ghép nối không hợp lệ.", "invalid pairing code (hash, participant or expiry)")
		}
	}
	conflict := false
	err := inTx(ctx, db.w, func(tx *sql.Tx) error {
		for _, c := range codes {
			created := clampNanos(nowIfZero(c.CreatedAt))
			if _, err := tx.ExecContext(ctx, "DELETE FROM pairing_codes WHERE meeting = ? AND participant = ?", c.Meeting, c.Participant); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM pairing_codes WHERE code_hash = ? AND expires_at <= ?", c.CodeHash, created); err != nil {
				return err
			}
			n, err := rowsAffected(tx.ExecContext(ctx,
				"INSERT INTO pairing_codes (code_hash, meeting, participant, created_at, expires_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
				c.CodeHash, c.Meeting, c.Participant, created, clampNanos(c.ExpiresAt)))
			if err != nil {
				return err
			}
			if n == 0 {
				conflict = true
				return errConflict
			}
		}
		return nil
	})
	if conflict {
		return meeting.Errorf(meeting.KindConflict, "Mã ghép nối bị trùng, hãy tạo lại.", "a pairing code is in use; issue again")
	}
	if err != nil {
		return internal(ctx, err)
	}
	return nil
}

// Ping reports whether the database answers reads and writes.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.r.PingContext(ctx); err != nil {
		return internal(ctx, err)
	}
	if err := db.w.PingContext(ctx); err != nil {
		return internal(ctx, err)
	}
	return nil
}
