// Package store declares what the server needs of its database: the event
// log of every meeting, the ballot box, accounts, sessions and pairing
// codes, counters of failed attempts, and (for many nodes) commit
// notifications and leadership. Package sqlite implements it in one file
// for a single node; package postgres implements it for many nodes sharing
// one PostgreSQL database. Package storetest is the conformance suite both
// run: a behaviour promised here is tested there once, against each.
//
// # Errors
//
// Every method returns *meeting.Error values: KindNotFound, KindConflict and
// KindInvalid (with Vietnamese and English messages) for what a caller can
// act on, as each method's contract says; KindUnavailable (see Unavailable)
// when the database could not be reached or went away before the call
// committed anything; anything else is KindInternal wrapping the driver's
// error. A cancelled context returns ctx.Err() itself when nothing was
// stored.
//
// # Durability
//
// A nil error from a write means it is committed and survives a crash of
// the process (and, with the stores' settings, of the machine).
package store

import (
	"context"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// KindUnavailable is the error kind of a call refused because the database
// does not answer (unreachable, restarting, shutting down): nothing of the
// call was done, and the same call may succeed in a moment. (A write whose
// commit was sent but whose outcome could not be learned is Internal, not
// Unavailable: it may have been done.) The web layer answers it with 503.
const KindUnavailable meeting.Kind = "unavailable"

// Unavailable returns the KindUnavailable error for cause (kept for the
// logs, never shown).
func Unavailable(cause error) *meeting.Error {
	return &meeting.Error{Kind: KindUnavailable,
		Message:   "Cơ sở dữ liệu tạm thời không trả lời; thao tác chưa được thực hiện. Vui lòng thử lại sau ít phút.",
		MessageEN: "the database is not answering for now; nothing was done; please try again in a moment",
		Err:       cause}
}

// Store is everything the server keeps in its database.
type Store interface {
	EventLog
	BallotBox
	Auth
	Limits
	Cluster

	// Ping reports whether the database answers reads and writes.
	Ping(ctx context.Context) error
	// Close waits for writes in progress and releases the database. Calls
	// after Close fail with an Internal error. Idempotent.
	Close() error
}

// EventLog is the hash-chained log of every meeting (see meeting.Event).
type EventLog interface {
	// Append stores events, which must all belong to one meeting, be
	// consecutive and hash-chained, and follow the meeting's stored head:
	// events[0].Seq is the head's seq plus one and events[0].Prev the head's
	// hash (for Seq 1, Prev is "" and the meeting is created with a fresh
	// epoch). Otherwise it returns Conflict (Invalid for a malformed event)
	// and stores nothing. All or nothing; an empty events is a no-op. The
	// database enforces this, so two processes can never both append the
	// same seq. A nil error means durable. After the commit, listeners (see
	// Cluster.Listen) are told (meeting, last seq).
	//
	// If ctx is done before the store began committing, Append returns
	// ctx.Err() and stored nothing; once it began, it waits for the
	// outcome, so nil always means stored and ctx.Err() always means not.
	Append(ctx context.Context, events []meeting.Event) error
	// AppendDecided appends to meeting id the events decide makes, deciding
	// while no other appender can append to the meeting: decide is called
	// once, with the events stored after seq after (those the caller has
	// not seen; possibly none), and returns the events to append, which
	// must follow the last of them (or after). None appends nothing; an
	// error from decide is returned as it is, nothing appended. The rest is
	// as Append: Conflict if the events do not follow the head (then the
	// caller's after was not its head), all or nothing, nil means durable,
	// listeners told. NotFound if the meeting does not exist.
	//
	// It is the fair path of a caller that lost an Append race (several
	// processes append to one meeting): Append is optimistic, and a process
	// that keeps deciding on a state one commit old could lose every race
	// to one that appends in a loop. AppendDecided waits for the meeting's
	// lock instead, and locks are granted in order of request, so it wins
	// after at most the appends already queued before it. decide runs with
	// the lock held: it must be quick and must not call the store. In the
	// SQLite store one process owns the database, and the lock is the
	// caller's own (the room serialises a meeting's appends).
	AppendDecided(ctx context.Context, id string, after int64, decide func(missed []meeting.Event) ([]meeting.Event, error)) error
	// Events returns the events of meeting id with seq > after, in order, at
	// most limit of them (all if limit <= 0). An unknown meeting has none
	// (not an error). Data comes back byte for byte, At in UTC.
	Events(ctx context.Context, id string, after int64, limit int) ([]meeting.Event, error)
	// Head returns the seq and hash of the meeting's last event and the
	// log's epoch; NotFound if the meeting does not exist.
	Head(ctx context.Context, id string) (seq int64, hash string, epoch string, err error)
	// MeetingIDs returns every meeting's ID in order of creation.
	MeetingIDs(ctx context.Context) ([]string, error)
	// EventsOfType returns, across all meetings, the events of the given
	// types ordered by meeting and seq, without their Audience.
	EventsOfType(ctx context.Context, types ...string) ([]meeting.Event, error)
	// Verify checks the hash chain of the meeting's whole log; NotFound for
	// an unknown meeting, Internal naming the first bad seq when broken.
	Verify(ctx context.Context, id string) error
	// ResetEpoch gives the meeting a new random epoch (after the log was
	// rebuilt or restored) and returns it; NotFound if it does not exist.
	ResetEpoch(ctx context.Context, id string) (string, error)
}

// Ballot is one cast ballot as the box stores it.
type Ballot struct {
	Meeting, Poll string
	// Participant is the voter. It is stored with the ballot only when
	// Secret is false; for a secret poll it is stored apart, in the voters'
	// record, and nothing stored links the two.
	Participant string
	// Key is the tablet's idempotency key, stored with the voter only.
	Key string
	// Data is the ballot, opaque to the store (for a secret poll it is
	// sealed by the caller under a key the store never sees).
	Data []byte
	// Secret stores the ballot apart from its voter.
	Secret bool
}

// StoredBallot is a ballot read back from the box.
type StoredBallot struct {
	Participant string // empty for a secret poll
	Data        []byte
}

// PollRef names a poll of a meeting.
type PollRef struct {
	Meeting, Poll string
}

// BallotBox stores ballots, durably and apart from the event log (casting a
// ballot must not fan out). Its writes are group-committed: a burst of
// ballots shares one commit.
type BallotBox interface {
	// StoreBallot durably records that b.Participant voted (with b.Key)
	// and, apart from that when b.Secret, what was voted. It returns nil
	// once committed, and nil without storing anything again when the
	// participant already voted in the poll with the same key (a retry,
	// possibly through another node). It returns Conflict if the
	// participant voted with another key, ErrBoxClosed (a Conflict) if the
	// box was closed (CloseBox) and the participant had not voted, Invalid
	// for a ballot missing its meeting, poll, participant, key or data.
	StoreBallot(ctx context.Context, b Ballot) error
	// Voters returns who voted in a poll, with their keys.
	Voters(ctx context.Context, meetingID, poll string) (map[string]string, error)
	// Ballots returns the ballots of a poll in no meaningful order.
	Ballots(ctx context.Context, meetingID, poll string) ([]StoredBallot, error)
	// CloseBox closes the poll's box: when it returns, every StoreBallot
	// that returned nil before is visible to Voters and Ballots, and every
	// later StoreBallot of a new voter returns ErrBoxClosed, on any node.
	// Closing a closed box is a no-op.
	CloseBox(ctx context.Context, meetingID, poll string) error
	// ReplaceSecretBallots replaces every ballot of a closed secret poll by
	// data, stored in the order given (the caller shuffles it), rewrites the
	// poll's voters' record in participant order, and marks the poll
	// finalised, in one transaction; the store then removes what it can of
	// the old rows' traces (see docs/ballots.md for what each store can).
	// After it, nothing the store keeps orders the ballots like the voters.
	// Conflict if the box is not closed. It may be called again for a poll
	// already finalised (the room does, at start, for a poll whose key a
	// crash left behind): the store then either does nothing but remove
	// those traces again (SQLite) or rewrites the ballots again in the new
	// order given (PostgreSQL); either way each ballot is kept once.
	ReplaceSecretBallots(ctx context.Context, meetingID, poll string, data [][]byte) error
	// UnfinalisedSecretPolls lists the polls whose box holds secret ballots
	// not yet replaced by ReplaceSecretBallots, closed or not.
	UnfinalisedSecretPolls(ctx context.Context) ([]PollRef, error)
}

// ErrBoxClosed is StoreBallot's answer to a new voter after CloseBox.
var ErrBoxClosed = &meeting.Error{Kind: meeting.KindConflict,
	Message:   "Hòm phiếu đã đóng; phiếu không được tính.",
	MessageEN: "the ballot box is closed; the ballot is not counted"}

// Session kinds.
const (
	SessionAccount = "account" // a secretary logged in with an account
	SessionDevice  = "device"  // a participant's paired tablet
)

// Account is a secretary's login.
type Account struct {
	Username     string // unique, compared case-insensitively
	DisplayName  string
	PasswordHash string // opaque to the store (hashing is the caller's)
	CreatedAt    time.Time
}

// Session is a login session of an account or a paired device. Only the
// hash of its token is stored.
type Session struct {
	TokenHash   []byte
	Kind        string // SessionAccount or SessionDevice
	Account     string // username, for account sessions
	Meeting     string // for device sessions
	Participant string // for device sessions
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// PairingCode is a one-time code a secretary issues so that a participant's
// tablet can pair. Only the hash of the code is stored.
type PairingCode struct {
	CodeHash    []byte
	Meeting     string
	Participant string
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// Auth stores secretary accounts, sessions and pairing codes.
type Auth interface {
	// CreateAccount stores a new account; Invalid without a username or
	// password hash, Conflict if the username (case-insensitively) exists.
	// A zero CreatedAt is set to now.
	CreateAccount(ctx context.Context, a Account) error
	// Account returns the account (username compared case-insensitively);
	// NotFound if none.
	Account(ctx context.Context, username string) (Account, error)
	// CountAccounts returns the number of accounts.
	CountAccounts(ctx context.Context) (int, error)
	// SetPassword replaces an account's password hash; NotFound if none.
	SetPassword(ctx context.Context, username, hash string) error

	// CreateSession stores a session; Invalid without a token hash, kind or
	// expiry; Conflict if its token hash exists.
	CreateSession(ctx context.Context, s Session) error
	// Session returns the unexpired session with that token hash at now;
	// NotFound if none (or expired).
	Session(ctx context.Context, tokenHash []byte, now time.Time) (Session, error)
	// DeleteSession removes a session (no error if there is none).
	DeleteSession(ctx context.Context, tokenHash []byte) error
	// DeleteParticipantSessions removes the device sessions of one
	// participant and returns their token hashes.
	DeleteParticipantSessions(ctx context.Context, meetingID, participant string) ([][]byte, error)
	// DeleteExpiredSessions removes sessions expired at now; returns how many.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)

	// CreatePairingCodes stores codes in one transaction, all or nothing;
	// each replaces its participant's earlier unused codes. Invalid without
	// a hash, participant or expiry; Conflict if another live code has the
	// same hash (an expired one does not block). A zero CreatedAt is now.
	CreatePairingCodes(ctx context.Context, codes []PairingCode) error
	// RedeemPairingCode consumes an unexpired code: it is deleted and
	// returned, at most once even when redeemed concurrently; NotFound if
	// unknown, expired or already used.
	RedeemPairingCode(ctx context.Context, codeHash []byte, now time.Time) (PairingCode, error)
	// PairDevice redeems a pairing code and stores a device session for
	// its participant in one durable write: both or neither. sess.Kind is
	// set to SessionDevice and sess.Meeting and sess.Participant are set
	// from the code (what the caller put there is ignored); a zero
	// CreatedAt is now. Invalid without a token hash or expiry; NotFound as
	// RedeemPairingCode (nothing stored); Conflict if the token hash exists
	// (the code is then not consumed). Concurrent calls may share one
	// commit (a congress pairs thousands of tablets at once).
	PairDevice(ctx context.Context, codeHash []byte, now time.Time, sess Session) (PairingCode, error)
	// DeleteExpiredPairingCodes removes codes expired at now; returns how many.
	DeleteExpiredPairingCodes(ctx context.Context, now time.Time) (int, error)
}

// Limits counts failed attempts (wrong pairing codes, wrong passwords) by
// key in fixed windows, shared by every node.
type Limits interface {
	// AddFailure counts one failure of key in the window of length window
	// that contains now (windows start at multiples of window since the
	// Unix epoch) and returns the window's count including it.
	AddFailure(ctx context.Context, key string, now time.Time, window time.Duration) (int, error)
	// Failures returns key's count in the window that contains now.
	Failures(ctx context.Context, key string, now time.Time, window time.Duration) (int, error)
	// DeleteExpiredFailures removes the counts of windows that ended before
	// now minus keep; returns how many.
	DeleteExpiredFailures(ctx context.Context, now time.Time, keep time.Duration) (int, error)
}

// Notification says that a meeting's log grew to Seq. Resync instead says
// that notifications may have been missed (the listener reconnected): the
// receiver must check every meeting it follows.
type Notification struct {
	Meeting string
	Seq     int64
	Resync  bool
}

// Cluster lets nodes that share the database learn of each other's commits
// and elect one node for a background job. A single-node store answers
// from its own process.
type Cluster interface {
	// Listen returns a channel of the notifications of commits made after
	// Listen returned (by this process and any other), closed when ctx is
	// done or the store closes. Notifications are in commit order per
	// meeting; a slow receiver may miss some, and is then sent a Resync.
	Listen(ctx context.Context) (<-chan Notification, error)
	// TryLead tries to become the one leader of name among every process
	// sharing the database. If another process leads, it returns nil, nil.
	// The returned Lease's Lost channel is closed if leadership is lost
	// (such as when the connection that holds it breaks); Release gives it
	// up.
	TryLead(ctx context.Context, name string) (Lease, error)
}

// Lease is held leadership (see Cluster.TryLead).
type Lease interface {
	// Lost is closed when the leadership is lost or released.
	Lost() <-chan struct{}
	// Release gives the leadership up. Idempotent.
	Release()
}
