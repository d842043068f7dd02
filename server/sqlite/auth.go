package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

// The auth store's writes are rare, so they run directly on the write
// connection (db.w) with the caller's context instead of going through the
// group-commit writer. They cannot deadlock with it: the writer holds the
// single connection only for the duration of one batch transaction and
// never waits for anything else while holding it, and an auth write holds
// it only for its own statement or transaction; each simply waits in
// database/sql's pool for the other to finish.

const (
	sqlAccount = "SELECT username, display_name, password_hash, created_at FROM accounts WHERE key = ?"
	sqlSession = "SELECT kind, account, meeting, participant, created_at, expires_at FROM sessions WHERE token_hash = ? AND expires_at > ?"
)

// foldKey returns the key under which username is stored: every rune
// replaced by the smallest rune of its Unicode simple case-folding orbit.
// Two usernames have the same key exactly when strings.EqualFold reports
// them equal. (It does not normalize: callers should pass NFC text.)
func foldKey(username string) string {
	return strings.Map(func(r rune) rune {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		return m
	}, username)
}

// nowIfZero returns t, or the current time if t is zero.
func nowIfZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

// rowsAffected returns res's row count.
func rowsAffected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// ---- accounts ----

// CreateAccount stores a new account. Username and PasswordHash must not be
// empty (Invalid). It returns Conflict if an account with the same username,
// compared case-insensitively, exists. A zero CreatedAt is set to now.
func (db *DB) CreateAccount(ctx context.Context, a store.Account) error {
	if strings.TrimSpace(a.Username) == "" || a.PasswordHash == "" {
		return meeting.Errorf(meeting.KindInvalid, "Tên đăng nhập và mật khẩu không được để trống.", "username and password hash must not be empty")
	}
	n, err := rowsAffected(db.w.ExecContext(ctx,
		"INSERT INTO accounts (key, username, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
		foldKey(a.Username), a.Username, a.DisplayName, a.PasswordHash, clampNanos(nowIfZero(a.CreatedAt))))
	if err != nil {
		return internal(ctx, err)
	}
	if n == 0 {
		return meeting.Errorf(meeting.KindConflict, "Tên đăng nhập %q đã được dùng.", "username %q is taken", a.Username)
	}
	return nil
}

// Account returns the account username (compared case-insensitively), or
// NotFound.
func (db *DB) Account(ctx context.Context, username string) (store.Account, error) {
	var a store.Account
	var created int64
	err := db.rAccount.QueryRowContext(ctx, foldKey(username)).Scan(&a.Username, &a.DisplayName, &a.PasswordHash, &created)
	if errors.Is(err, sql.ErrNoRows) {
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

// CountAccounts returns the number of accounts (zero means the server still
// needs its first administrator).
func (db *DB) CountAccounts(ctx context.Context) (int, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM accounts").Scan(&n); err != nil {
		return 0, internal(ctx, err)
	}
	return n, nil
}

// SetPassword replaces the password hash of account username, or returns
// NotFound. It does not end the account's sessions.
func (db *DB) SetPassword(ctx context.Context, username, hash string) error {
	if hash == "" {
		return meeting.Errorf(meeting.KindInvalid, "Mật khẩu không được để trống.", "password hash must not be empty")
	}
	n, err := rowsAffected(db.w.ExecContext(ctx, "UPDATE accounts SET password_hash = ? WHERE key = ?", hash, foldKey(username)))
	if err != nil {
		return internal(ctx, err)
	}
	if n == 0 {
		return notFoundAccount(username)
	}
	return nil
}

// ---- sessions ----

// CreateSession stores s. TokenHash must not be empty, Kind must be
// store.SessionAccount or store.SessionDevice and ExpiresAt set (Invalid otherwise); a
// zero CreatedAt is set to now. Conflict if the token hash exists.
func (db *DB) CreateSession(ctx context.Context, s store.Session) error {
	if len(s.TokenHash) == 0 || (s.Kind != store.SessionAccount && s.Kind != store.SessionDevice) || s.ExpiresAt.IsZero() {
		return meeting.Errorf(meeting.KindInvalid, "Phiên đăng nhập không hợp lệ.", "invalid session (token hash, kind or expiry)")
	}
	n, err := rowsAffected(db.w.ExecContext(ctx,
		`INSERT INTO sessions (token_hash, kind, account, meeting, participant, created_at, expires_at)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		s.TokenHash, s.Kind, s.Account, s.Meeting, s.Participant, clampNanos(nowIfZero(s.CreatedAt)), clampNanos(s.ExpiresAt)))
	if err != nil {
		return internal(ctx, err)
	}
	if n == 0 {
		return meeting.Errorf(meeting.KindConflict, "Phiên đăng nhập đã tồn tại.", "the session exists")
	}
	return nil
}

// Session returns the session with tokenHash if it has not expired at now
// (ExpiresAt after now); NotFound if it is missing or expired.
func (db *DB) Session(ctx context.Context, tokenHash []byte, now time.Time) (store.Session, error) {
	s := store.Session{TokenHash: bytes.Clone(tokenHash)}
	var created, expires int64
	err := db.rSession.QueryRowContext(ctx, tokenHash, clampNanos(now)).Scan(&s.Kind, &s.Account, &s.Meeting, &s.Participant, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Session{}, meeting.Errorf(meeting.KindNotFound, "Phiên đăng nhập không tồn tại hoặc đã hết hạn.", "session not found or expired")
	}
	if err != nil {
		return store.Session{}, internal(ctx, err)
	}
	s.CreatedAt, s.ExpiresAt = fromNanos(created), fromNanos(expires)
	return s, nil
}

// DeleteSession deletes the session with tokenHash (logout). Deleting a
// missing session is not an error.
func (db *DB) DeleteSession(ctx context.Context, tokenHash []byte) error {
	if _, err := db.w.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = ?", tokenHash); err != nil {
		return internal(ctx, err)
	}
	return nil
}

// DeleteParticipantSessions deletes every session of participant in
// meetingID (for example when the participant is removed or re-paired) and
// returns the deleted token hashes, so the caller can close their
// connections. participant must not be empty (Invalid).
func (db *DB) DeleteParticipantSessions(ctx context.Context, meetingID, participant string) ([][]byte, error) {
	if participant == "" {
		return nil, meeting.Errorf(meeting.KindInvalid, "Thiếu mã đại biểu.", "participant must not be empty")
	}
	rows, err := db.w.QueryContext(ctx, "DELETE FROM sessions WHERE meeting = ? AND participant = ? RETURNING token_hash", meetingID, participant)
	if err != nil {
		return nil, internal(ctx, err)
	}
	defer rows.Close()
	var hashes [][]byte
	for rows.Next() {
		var h []byte
		if err := rows.Scan(&h); err != nil {
			return nil, internal(ctx, err)
		}
		hashes = append(hashes, h)
	}
	if err := rows.Err(); err != nil {
		return nil, internal(ctx, err)
	}
	return hashes, nil
}

// DeleteExpiredSessions deletes the sessions expired at now (ExpiresAt not
// after now) and returns how many. Expired sessions are never returned by
// Session anyway; this only reclaims space.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	n, err := rowsAffected(db.w.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at <= ?", clampNanos(now)))
	if err != nil {
		return 0, internal(ctx, err)
	}
	return int(n), nil
}

// ---- pairing codes ----

// CreatePairingCode stores c and, in the same transaction, deletes the
// participant's earlier unused codes, so only the newest code works. It is
// CreatePairingCodes of one code.
func (db *DB) CreatePairingCode(ctx context.Context, c store.PairingCode) error {
	return db.CreatePairingCodes(ctx, []store.PairingCode{c})
}

// errConflict makes inTx roll back; it never leaves the package.
var errConflict = errors.New("conflict")

// RedeemPairingCode consumes the code with codeHash and returns it. It is
// one DELETE ... RETURNING on the single write connection, so it is atomic:
// of concurrent redeems of one code exactly one succeeds. NotFound if the
// code is unknown, already used or expired at now.
func (db *DB) RedeemPairingCode(ctx context.Context, codeHash []byte, now time.Time) (store.PairingCode, error) {
	c := store.PairingCode{CodeHash: bytes.Clone(codeHash)}
	var created, expires int64
	err := db.w.QueryRowContext(ctx,
		"DELETE FROM pairing_codes WHERE code_hash = ? AND expires_at > ? RETURNING meeting, participant, created_at, expires_at",
		codeHash, clampNanos(now)).Scan(&c.Meeting, &c.Participant, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return store.PairingCode{}, meeting.Errorf(meeting.KindNotFound, "Mã ghép nối không đúng, đã dùng hoặc đã hết hạn.", "pairing code unknown, used or expired")
	}
	if err != nil {
		return store.PairingCode{}, internal(ctx, err)
	}
	c.CreatedAt, c.ExpiresAt = fromNanos(created), fromNanos(expires)
	return c, nil
}

// DeleteExpiredPairingCodes deletes the codes expired at now and returns how
// many.
func (db *DB) DeleteExpiredPairingCodes(ctx context.Context, now time.Time) (int, error) {
	n, err := rowsAffected(db.w.ExecContext(ctx, "DELETE FROM pairing_codes WHERE expires_at <= ?", clampNanos(now)))
	if err != nil {
		return 0, internal(ctx, err)
	}
	return int(n), nil
}

// SQL of PairDevice, prepared on the write connection.
const (
	sqlRedeem        = "DELETE FROM pairing_codes WHERE code_hash = ? AND expires_at > ? RETURNING meeting, participant, created_at, expires_at"
	sqlInsertSession = `INSERT INTO sessions (token_hash, kind, account, meeting, participant, created_at, expires_at)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
)

// pairReq is one PairDevice call in the writer's batch: its inputs, and
// the redeemed code once stored.
type pairReq struct {
	codeHash []byte
	now      time.Time
	sess     store.Session
	code     store.PairingCode // set by storePairing
}

// errPairNotFound answers a code that is unknown, used or expired.
var errPairNotFound = meeting.Errorf(meeting.KindNotFound, "Mã ghép nối không đúng, đã dùng hoặc đã hết hạn.", "pairing code unknown, used or expired")

// errSessionExists answers a session whose token hash is taken.
var errSessionExists = meeting.Errorf(meeting.KindConflict, "Phiên đăng nhập đã tồn tại.", "the session exists")

// PairDevice implements store.Auth. The request goes through the
// group-commit writer like an Append, in its own savepoint: the code's
// DELETE ... RETURNING and the session's INSERT are undone together if
// either fails, and every pairing pending at the time shares one commit
// (one fsync) with the appends and ballots of the batch. A nil error means
// both are durable.
func (db *DB) PairDevice(ctx context.Context, codeHash []byte, now time.Time, sess store.Session) (store.PairingCode, error) {
	if len(sess.TokenHash) == 0 || sess.ExpiresAt.IsZero() {
		return store.PairingCode{}, meeting.Errorf(meeting.KindInvalid, "Phiên đăng nhập không hợp lệ.", "invalid session (token hash or expiry)")
	}
	if err := ctx.Err(); err != nil {
		return store.PairingCode{}, err
	}
	sess.Kind = store.SessionDevice
	sess.CreatedAt = nowIfZero(sess.CreatedAt)
	p := &pairReq{codeHash: codeHash, now: now, sess: sess}
	r := reqPool.Get().(*appendReq)
	r.pair = p
	if err := db.await(ctx, r); err != nil {
		return store.PairingCode{}, err
	}
	return p.code, nil
}

// storePairing runs inside the writer's batch transaction, in the
// request's savepoint (see appendOne).
func storePairing(ctx context.Context, st *batchStmts, p *pairReq) error {
	c := store.PairingCode{CodeHash: bytes.Clone(p.codeHash)}
	var created, expires int64
	err := st.redeem.QueryRowContext(ctx, p.codeHash, clampNanos(p.now)).Scan(&c.Meeting, &c.Participant, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return errPairNotFound
	}
	if err != nil {
		return meeting.Internal(err)
	}
	c.CreatedAt, c.ExpiresAt = fromNanos(created), fromNanos(expires)
	s := p.sess
	n, err := rowsAffected(st.insertSession.ExecContext(ctx, s.TokenHash, store.SessionDevice, s.Account, c.Meeting, c.Participant, clampNanos(s.CreatedAt), clampNanos(s.ExpiresAt)))
	if err != nil {
		return meeting.Internal(err)
	}
	if n == 0 {
		return errSessionExists
	}
	p.code = c
	return nil
}
