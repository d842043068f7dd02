-- 0002: the auth store. Shipped migrations are append-only: never edit this
-- file; add a new numbered file instead. All times are unix nanoseconds.

-- Secretary accounts. key is the username case-folded (see foldKey), so
-- usernames are unique case-insensitively; username keeps the spelling
-- given at creation.
CREATE TABLE accounts (
	key           TEXT    PRIMARY KEY,
	username      TEXT    NOT NULL,
	display_name  TEXT    NOT NULL,
	password_hash TEXT    NOT NULL,
	created_at    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Login sessions of accounts and paired devices, by token hash.
CREATE TABLE sessions (
	token_hash  BLOB    PRIMARY KEY,
	kind        TEXT    NOT NULL CHECK (kind IN ('account', 'device')),
	account     TEXT    NOT NULL,
	meeting     TEXT    NOT NULL,
	participant TEXT    NOT NULL,
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_participant ON sessions (meeting, participant);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Unused one-time pairing codes, by code hash.
CREATE TABLE pairing_codes (
	code_hash   BLOB    PRIMARY KEY,
	meeting     TEXT    NOT NULL,
	participant TEXT    NOT NULL,
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX pairing_codes_participant ON pairing_codes (meeting, participant);
CREATE INDEX pairing_codes_expires ON pairing_codes (expires_at);
