-- 0003: the ballot box. Shipped migrations are append-only: never edit this
-- file; add a new numbered file instead.
--
-- Ballots are not meeting events: casting one must not fan out to every
-- tablet, and a secret ballot must not sit next to its voter. So:
--
-- poll_voters says WHO voted (one row per voter and poll, with the
-- tablet's idempotency key so a retry gets its original acknowledgement).
CREATE TABLE poll_voters (
	meeting_id  TEXT NOT NULL,
	poll        TEXT NOT NULL,
	participant TEXT NOT NULL,
	key         TEXT NOT NULL,
	PRIMARY KEY (meeting_id, poll, participant)
) STRICT, WITHOUT ROWID;

-- poll_ballots says WHAT was voted. For an open poll participant names the
-- voter (results are by name). For a secret poll participant is NULL and id
-- is 16 random bytes: no voter, no key, no time, no counter; the table has
-- no rowid, so rows are stored in the order of their random ids, not in the
-- order they were cast.
CREATE TABLE poll_ballots (
	meeting_id  TEXT NOT NULL,
	poll        TEXT NOT NULL,
	id          BLOB NOT NULL,
	participant TEXT,
	ballot      BLOB NOT NULL,
	PRIMARY KEY (meeting_id, poll, id)
) STRICT, WITHOUT ROWID;
