-- 0001: the whole schema of the PostgreSQL store. Shipped migrations are
-- append-only: never edit this file; add a new numbered file instead. Times
-- are unix nanoseconds (bigint, UTC), as in the SQLite store, so that
-- events keep their nanoseconds.

-- One row per meeting that has at least one event. ord is the order of
-- creation (MeetingIDs). epoch changes when the log is rebuilt or restored.
-- (head_seq, head_hash) is the meeting's last event: every append moves it
-- with a fenced UPDATE ... WHERE head_seq = <the seq the append follows>,
-- so of two nodes appending the same seq one updates no row and stores
-- nothing. The deferred foreign key makes the head always a stored event.
CREATE TABLE meetings (
	id         text   PRIMARY KEY,
	ord        bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
	epoch      text   NOT NULL,
	created_at bigint NOT NULL,
	head_seq   bigint NOT NULL CHECK (head_seq > 0),
	head_hash  text   NOT NULL
);

-- The hash-chained events of every meeting (see meeting.Event).
--   data     the JSON payload bytes verbatim; NULL when empty
--   audience JSON of meeting.Audience; NULL for everyone
-- The database itself enforces the chain's shape: one event per (meeting,
-- seq); seq 1 and only seq 1 has no predecessor; every other event's prev
-- is the stored hash of the event before it (the self-referencing foreign
-- key through prev_seq). Whether each hash is the right digest of its
-- event is what Verify checks.
CREATE TABLE events (
	meeting_id text   NOT NULL REFERENCES meetings (id),
	seq        bigint NOT NULL CHECK (seq > 0),
	at         bigint NOT NULL,
	actor      text   NOT NULL,
	type       text   NOT NULL,
	data       bytea,
	audience   text,
	prev       text   NOT NULL,
	hash       text   NOT NULL,
	prev_seq   bigint GENERATED ALWAYS AS (NULLIF(seq - 1, 0)) STORED,
	PRIMARY KEY (meeting_id, seq),
	UNIQUE (meeting_id, seq, hash),
	CHECK ((seq = 1) = (prev = '')),
	FOREIGN KEY (meeting_id, prev_seq, prev) REFERENCES events (meeting_id, seq, hash)
);
CREATE INDEX events_type ON events (type);

ALTER TABLE meetings ADD FOREIGN KEY (id, head_seq, head_hash)
	REFERENCES events (meeting_id, seq, hash) DEFERRABLE INITIALLY DEFERRED;

-- The ballot box. poll_boxes: one row per poll that has taken a ballot or
-- been closed. A ballot's transaction locks its box row FOR SHARE where
-- NOT closed before inserting the voter; CloseBox's UPDATE waits for those
-- locks, so no ballot commits after CloseBox has returned. finalised: the
-- secret ballots were rewritten at the close (ReplaceSecretBallots).
CREATE TABLE poll_boxes (
	meeting_id text    NOT NULL,
	poll       text    NOT NULL,
	closed     boolean NOT NULL DEFAULT false,
	finalised  boolean NOT NULL DEFAULT false,
	PRIMARY KEY (meeting_id, poll)
);

-- WHO voted: one row per voter and poll, with the tablet's idempotency key
-- (the primary key makes a second ballot of one voter impossible).
CREATE TABLE poll_voters (
	meeting_id  text NOT NULL,
	poll        text NOT NULL,
	participant text NOT NULL,
	key         text NOT NULL,
	PRIMARY KEY (meeting_id, poll, participant)
);

-- WHAT was voted. For a named poll participant names the voter; for a
-- secret poll it is NULL and id is 16 random bytes. Unlike SQLite's
-- WITHOUT ROWID table, PostgreSQL's heap keeps rows in the order they were
-- written whatever the key: see the package documentation for what that
-- means for secret ballots.
CREATE TABLE poll_ballots (
	meeting_id  text  NOT NULL,
	poll        text  NOT NULL,
	id          bytea NOT NULL,
	participant text,
	ballot      bytea NOT NULL,
	PRIMARY KEY (meeting_id, poll, id)
);

-- Failed attempts per key and fixed window (window_start: unix nanoseconds).
CREATE TABLE failures (
	key          text    NOT NULL,
	window_start bigint  NOT NULL,
	count        integer NOT NULL,
	PRIMARY KEY (key, window_start)
);
CREATE INDEX failures_window ON failures (window_start);

-- Secretary accounts; key is the username case-folded (unique
-- case-insensitively), username keeps the spelling given at creation.
CREATE TABLE accounts (
	key           text   PRIMARY KEY,
	username      text   NOT NULL,
	display_name  text   NOT NULL,
	password_hash text   NOT NULL,
	created_at    bigint NOT NULL
);

-- Login sessions of accounts and paired devices, by token hash.
CREATE TABLE sessions (
	token_hash  bytea  PRIMARY KEY,
	kind        text   NOT NULL CHECK (kind IN ('account', 'device')),
	account     text   NOT NULL,
	meeting     text   NOT NULL,
	participant text   NOT NULL,
	created_at  bigint NOT NULL,
	expires_at  bigint NOT NULL
);
CREATE INDEX sessions_participant ON sessions (meeting, participant);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Unused one-time pairing codes, by code hash.
CREATE TABLE pairing_codes (
	code_hash   bytea  PRIMARY KEY,
	meeting     text   NOT NULL,
	participant text   NOT NULL,
	created_at  bigint NOT NULL,
	expires_at  bigint NOT NULL
);
CREATE INDEX pairing_codes_participant ON pairing_codes (meeting, participant);
CREATE INDEX pairing_codes_expires ON pairing_codes (expires_at);
