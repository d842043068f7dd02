-- 0001: the event log. Shipped migrations are append-only: never edit this
-- file; add a new numbered file instead.

-- One row per meeting that has at least one event. epoch changes when the
-- log is rebuilt or restored, telling clients their replica is stale.
-- created_at is unix nanoseconds (server clock) of the first append.
CREATE TABLE meetings (
	id         TEXT    PRIMARY KEY,
	epoch      TEXT    NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;

-- The hash-chained events of every meeting (see meeting.Event).
--   at       unix nanoseconds, UTC
--   data     the JSON payload bytes verbatim; NULL when empty
--   audience JSON of meeting.Audience; NULL for everyone
CREATE TABLE events (
	meeting_id TEXT    NOT NULL REFERENCES meetings (id),
	seq        INTEGER NOT NULL CHECK (seq > 0),
	at         INTEGER NOT NULL,
	actor      TEXT    NOT NULL,
	type       TEXT    NOT NULL,
	data       BLOB,
	audience   TEXT,
	prev       TEXT    NOT NULL,
	hash       TEXT    NOT NULL,
	PRIMARY KEY (meeting_id, seq)
) STRICT, WITHOUT ROWID;
