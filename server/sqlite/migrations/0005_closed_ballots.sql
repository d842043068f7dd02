-- 0005: secret ballots in append-only tables. Shipped migrations are
-- append-only: never edit this file; add a new numbered file instead.
--
-- SQLite moves cells between pages when a b-tree page splits, and a moved
-- cell leaves its old bytes behind in the page's free space, where no
-- DELETE (and no secure_delete) reaches them. poll_ballots, keyed by random
-- IDs, splits anywhere; these two tables are rowid tables only ever
-- appended to (rows go at the end of the b-tree, which SQLite fills by
-- starting a new page, moving nothing), so a ballot is only ever where it
-- was written, and a DELETE (with secure_delete) erases it.
--
-- sealed_ballots: a secret poll's ballots while it is open, sealed (see
-- server/ballotseal), without the voter. Rows of one group commit are
-- written in a random order; rows of successive commits follow each other,
-- as the commits do (the bound docs/ballots.md states for an open poll).
-- At the close they are deleted.
CREATE TABLE sealed_ballots (
	meeting_id TEXT NOT NULL,
	poll       TEXT NOT NULL,
	ballot     BLOB NOT NULL
) STRICT;

-- closed_ballots: a closed secret poll's ballots, opened, appended at the
-- close in a random order. No later poll's ballot shares their pages (a
-- write to a shared page would copy them into the WAL again). The rowid is
-- a ballot's place in the shuffled order; poll_boxes records each poll's
-- range of rowids.
CREATE TABLE closed_ballots (
	meeting_id TEXT NOT NULL,
	poll       TEXT NOT NULL,
	ballot     BLOB NOT NULL
) STRICT;

ALTER TABLE poll_boxes ADD COLUMN first_ballot INTEGER;
ALTER TABLE poll_boxes ADD COLUMN last_ballot INTEGER;
