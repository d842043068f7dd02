package sqlite

import (
	"context"

	"github.com/phonghop/phonghop/server/meeting"
)

// AppendDecided implements store.EventLog. One process owns an SQLite
// database, and its callers serialise the appends of a meeting themselves
// (the room holds its lock from deciding to appending), so there is no
// other appender to wait for: it reads the events after after, lets decide
// choose, and appends through the group commit like Append.
func (db *DB) AppendDecided(ctx context.Context, id string, after int64, decide func(missed []meeting.Event) ([]meeting.Event, error)) error {
	if _, _, _, err := db.Head(ctx, id); err != nil {
		return err
	}
	missed, err := db.Events(ctx, id, after, 0)
	if err != nil {
		return err
	}
	events, err := decide(missed)
	if err != nil || len(events) == 0 {
		return err
	}
	if events[0].Meeting != id {
		return meeting.Errorf(meeting.KindInvalid, "Sự kiện không thuộc cuộc họp %q.", "the events do not belong to meeting %q", id)
	}
	return db.Append(ctx, events)
}
