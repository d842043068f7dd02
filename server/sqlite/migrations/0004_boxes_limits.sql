-- 0004: ballot boxes and failure counters. Shipped migrations are
-- append-only: never edit this file; add a new numbered file instead.

-- One row per poll that has taken a ballot or been closed. closed: no new
-- voter's ballot is stored any more (store.BallotBox.CloseBox). finalised:
-- the poll's secret ballots have been rewritten in an order unrelated to
-- the voters (ReplaceSecretBallots).
CREATE TABLE poll_boxes (
	meeting_id TEXT    NOT NULL,
	poll       TEXT    NOT NULL,
	closed     INTEGER NOT NULL DEFAULT 0,
	finalised  INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (meeting_id, poll)
) STRICT, WITHOUT ROWID;

-- Boxes of ballots stored before this migration: open (the server closes
-- them again through the poll's state), not finalised.
INSERT INTO poll_boxes (meeting_id, poll)
	SELECT DISTINCT meeting_id, poll FROM poll_voters;

-- Failed attempts (wrong pairing codes, wrong passwords) per key and fixed
-- window (window_start: unix nanoseconds).
CREATE TABLE failures (
	key          TEXT    NOT NULL,
	window_start INTEGER NOT NULL,
	count        INTEGER NOT NULL,
	PRIMARY KEY (key, window_start)
) STRICT, WITHOUT ROWID;
CREATE INDEX failures_window ON failures (window_start);
