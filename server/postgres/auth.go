package postgres

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

// The auth store's writes are rare: each is one statement (or one
// transaction) on a pooled connection with the caller's context, outside
// the group commit.

// foldKey returns the key under which username is stored: every rune
// replaced by the smallest rune of its Unicode simple case-folding orbit.
// Two usernames have the same key exactly when strings.EqualFold reports
// them equal. It is the SQLite store's, so that both agree (and the
// database's collation plays no part).
func foldKey(username string) string {
	return strings.Map(func(r rune) rune {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		return m
	}, username)
}

// CreateAccount implements store.Auth.
func (db *DB) CreateAccount(ctx context.Context, a store.Account) error {
	if strings.TrimSpace(a.Username) == "" || a.PasswordHash == "" {
		return meeting.Errorf(meeting.KindInvalid, "Tên đăng nhập và mật khẩu không được để trống.", "username and password hash must not be empty")
	}
	done, err := db.enter()
	if err != nil {
		return err
	}
	defer done()
	tag, err := db.pool.Exec(ctx,
		"INSERT INTO accounts (key, username, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
		foldKey(a.Username), a.Username, a.DisplayName, a.PasswordHash, clampNanos(nowIfZero(a.CreatedAt)))
	if err != nil {
		return internal(ctx, err)
	}
	if tag.RowsAffected() == 0 {
		return meeting.Errorf(meeting.KindConflict, "Tên đăng nhập %q đã được dùng.", "username %q is taken", a.Username)
	}
	return nil
}

// Account implements store.Auth.
func (db *DB) Account(ctx context.Context, username string) (store.Account, error) {
	done, err := db.enter()
	if err != nil {
		return store.Account{}, err
	}
	defer done()
	var a store.Account
	var created int64
	err = db.pool.QueryRow(ctx, "SELECT username, display_name, password_hash, created_at FROM accounts WHERE key = $1",
		foldKey(username)).Scan(&a.Username, &a.DisplayName, &a.PasswordHash, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Account{}, notFoundAccount(username)
	}
	if err != nil {
		return store.Account{}, internal(ctx, err)
	}
	a.CreatedAt = fromNanos(created)
	return a, nil
}

func notFoundAccount(username string) error {
	return meeting.Errorf(meeting.KindNotFound, "Không tìm thấy tài khoản %q.", "account %q not found", username)
}

// CountAccounts implements store.Auth.
func (db *DB) CountAccounts(ctx context.Context) (int, error) {
	done, err := db.enter()
	if err != nil {
		return 0, err
	}
	defer done()
	var n int
	if err := db.pool.QueryRow(ctx, "SELECT count(*) FROM accounts").Scan(&n); err != nil {
		return 0, internal(ctx, err)
	}
	return n, nil
}

// SetPassword implements store.Auth.
func (db *DB) SetPassword(ctx context.Context, username, hash string) error {
	if hash == "" {
		return meeting.Errorf(meeting.KindInvalid, "Mật khẩu không được để trống.", "password hash must not be empty")
	}
	done, err := db.enter()
	if err != nil {
		return err
	}
	defer done()
	tag, err := db.pool.Exec(ctx, "UPDATE accounts SET password_hash = $1 WHERE key = $2", hash, foldKey(username))
	if err != nil {
		return internal(ctx, err)
	}
	if tag.RowsAffected() == 0 {
		return notFoundAccount(username)
	}
	return nil
}

// CreateSession implements store.Auth.
func (db *DB) CreateSession(ctx context.Context, s store.Session) error {
	if len(s.TokenHash) == 0 || (s.Kind != store.SessionAccount && s.Kind != store.SessionDevice) || s.ExpiresAt.IsZero() {
		return meeting.Errorf(meeting.KindInvalid, "Phiên đăng nhập không hợp lệ.", "invalid session (token hash, kind or expiry)")
	}
	done, err := db.enter()
	if err != nil {
		return err
	}
	defer done()
	tag, err := db.pool.Exec(ctx, `INSERT INTO sessions (token_hash, kind, account, meeting, participant, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		s.TokenHash, s.Kind, s.Account, s.Meeting, s.Participant, clampNanos(nowIfZero(s.CreatedAt)), clampNanos(s.ExpiresAt))
	if err != nil {
		return internal(ctx, err)
	}
	if tag.RowsAffected() == 0 {
		return meeting.Errorf(meeting.KindConflict, "Phiên đăng nhập đã tồn tại.", "the session exists")
	}
	return nil
}

// Session implements store.Auth.
func (db *DB) Session(ctx context.Context, tokenHash []byte, now time.Time) (store.Session, error) {
	done, err := db.enter()
	if err != nil {
		return store.Session{}, err
	}
	defer done()
	s := store.Session{TokenHash: bytes.Clone(tokenHash)}
	var created, expires int64
	err = db.pool.QueryRow(ctx, "SELECT kind, account, meeting, participant, created_at, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2",
		tokenHash, clampNanos(now)).Scan(&s.Kind, &s.Account, &s.Meeting, &s.Participant, &created, &expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Session{}, meeting.Errorf(meeting.KindNotFound, "Phiên đăng nhập không tồn tại hoặc đã hết hạn.", "session not found or expired")
	}
	if err != nil {
		return store.Session{}, internal(ctx, err)
	}
	s.CreatedAt, s.ExpiresAt = fromNanos(created), fromNanos(expires)
	return s, nil
}

// DeleteSession implements store.Auth.
func (db *DB) DeleteSession(ctx context.Context, tokenHash []byte) error {
	done, err := db.enter()
	if err != nil {
		return err
	}
	defer done()
	_, err = db.pool.Exec(ctx, "DELETE FROM sessions WHERE token_hash = $1", tokenHash)
	return internal(ctx, err)
}

// DeleteParticipantSessions implements store.Auth.
func (db *DB) DeleteParticipantSessions(ctx context.Context, meetingID, participant string) ([][]byte, error) {
	if participant == "" {
		return nil, meeting.Errorf(meeting.KindInvalid, "Thiếu mã đại biểu.", "participant must not be empty")
	}
	done, err := db.enter()
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := db.pool.Query(ctx, "DELETE FROM sessions WHERE meeting = $1 AND participant = $2 RETURNING token_hash", meetingID, participant)
	if err != nil {
		return nil, internal(ctx, err)
	}
	hashes, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	return hashes, internal(ctx, err)
}

// DeleteExpiredSessions implements store.Auth.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	return db.execCount(ctx, "DELETE FROM sessions WHERE expires_at <= $1", clampNanos(now))
}

// execCount runs a statement and returns how many rows it changed.
func (db *DB) execCount(ctx context.Context, sql string, args ...any) (int, error) {
	done, err := db.enter()
	if err != nil {
		return 0, err
	}
	defer done()
	tag, err := db.pool.Exec(ctx, sql, args...)
	if err != nil {
		return 0, internal(ctx, err)
	}
	return int(tag.RowsAffected()), nil
}

// CreatePairingCodes implements store.Auth, in one transaction.
func (db *DB) CreatePairingCodes(ctx context.Context, codes []store.PairingCode) error {
	for _, c := range codes {
		if len(c.CodeHash) == 0 || c.Participant == "" || c.ExpiresAt.IsZero() {
			return meeting.Errorf(meeting.KindInvalid, "Mã ghép nối không hợp lệ.", "invalid pairing code (hash, participant or expiry)")
		}
	}
	done, err := db.enter()
	if err != nil {
		return err
	}
	defer done()
	conflict := false
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, c := range codes {
			created := clampNanos(nowIfZero(c.CreatedAt))
			b.Queue("DELETE FROM pairing_codes WHERE meeting = $1 AND participant = $2", c.Meeting, c.Participant)
			b.Queue("DELETE FROM pairing_codes WHERE code_hash = $1 AND expires_at <= $2", c.CodeHash, created)
			b.Queue("INSERT INTO pairing_codes (code_hash, meeting, participant, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
				c.CodeHash, c.Meeting, c.Participant, created, clampNanos(c.ExpiresAt))
		}
		br := tx.SendBatch(ctx, b)
		defer br.Close()
		for range codes {
			for range 2 {
				if _, err := br.Exec(); err != nil {
					return err
				}
			}
			tag, err := br.Exec()
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				conflict = true
				return errConflict
			}
		}
		return br.Close()
	})
	if conflict {
		return meeting.Errorf(meeting.KindConflict, "Mã ghép nối bị trùng, hãy tạo lại.", "a pairing code is in use; issue again")
	}
	return internal(ctx, err)
}

// RedeemPairingCode implements store.Auth: one DELETE ... RETURNING, so of
// concurrent redeems of one code (on any node) exactly one gets it.
func (db *DB) RedeemPairingCode(ctx context.Context, codeHash []byte, now time.Time) (store.PairingCode, error) {
	done, err := db.enter()
	if err != nil {
		return store.PairingCode{}, err
	}
	defer done()
	c := store.PairingCode{CodeHash: bytes.Clone(codeHash)}
	var created, expires int64
	err = db.pool.QueryRow(ctx,
		"DELETE FROM pairing_codes WHERE code_hash = $1 AND expires_at > $2 RETURNING meeting, participant, created_at, expires_at",
		codeHash, clampNanos(now)).Scan(&c.Meeting, &c.Participant, &created, &expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.PairingCode{}, meeting.Errorf(meeting.KindNotFound, "Mã ghép nối không đúng, đã dùng hoặc đã hết hạn.", "pairing code unknown, used or expired")
	}
	if err != nil {
		return store.PairingCode{}, internal(ctx, err)
	}
	c.CreatedAt, c.ExpiresAt = fromNanos(created), fromNanos(expires)
	return c, nil
}

// DeleteExpiredPairingCodes implements store.Auth.
func (db *DB) DeleteExpiredPairingCodes(ctx context.Context, now time.Time) (int, error) {
	return db.execCount(ctx, "DELETE FROM pairing_codes WHERE expires_at <= $1", clampNanos(now))
}

// PairDevice implements store.Auth: the code's DELETE ... RETURNING and the
// session's INSERT in one transaction (one commit instead of two), so of
// concurrent redeems of one code exactly one gets it, with its session.
func (db *DB) PairDevice(ctx context.Context, codeHash []byte, now time.Time, sess store.Session) (store.PairingCode, error) {
	if len(sess.TokenHash) == 0 || sess.ExpiresAt.IsZero() {
		return store.PairingCode{}, meeting.Errorf(meeting.KindInvalid, "Phiên đăng nhập không hợp lệ.", "invalid session (token hash or expiry)")
	}
	done, err := db.enter()
	if err != nil {
		return store.PairingCode{}, err
	}
	defer done()
	c := store.PairingCode{CodeHash: bytes.Clone(codeHash)}
	var notFound, exists bool
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var created, expires int64
		err := tx.QueryRow(ctx,
			"DELETE FROM pairing_codes WHERE code_hash = $1 AND expires_at > $2 RETURNING meeting, participant, created_at, expires_at",
			codeHash, clampNanos(now)).Scan(&c.Meeting, &c.Participant, &created, &expires)
		if errors.Is(err, pgx.ErrNoRows) {
			notFound = true
			return errConflict
		}
		if err != nil {
			return err
		}
		c.CreatedAt, c.ExpiresAt = fromNanos(created), fromNanos(expires)
		tag, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, kind, account, meeting, participant, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
			sess.TokenHash, store.SessionDevice, sess.Account, c.Meeting, c.Participant, clampNanos(nowIfZero(sess.CreatedAt)), clampNanos(sess.ExpiresAt))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			exists = true
			return errConflict // roll the redeem back
		}
		return nil
	})
	switch {
	case notFound:
		return store.PairingCode{}, meeting.Errorf(meeting.KindNotFound, "Mã ghép nối không đúng, đã dùng hoặc đã hết hạn.", "pairing code unknown, used or expired")
	case exists:
		return store.PairingCode{}, meeting.Errorf(meeting.KindConflict, "Phiên đăng nhập đã tồn tại.", "the session exists")
	case err != nil:
		return store.PairingCode{}, internal(ctx, err)
	}
	return c, nil
}
