package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/postgres"
	"github.com/phonghop/phonghop/server/sqlite"
	"github.com/phonghop/phonghop/server/store"
)

// openTimeout bounds connecting to PostgreSQL and migrating at start-up.
const openTimeout = 30 * time.Second

// checkDatabaseURL checks the PHONGHOP_DATABASE_URL setting (empty: SQLite).
// PostgreSQL is for several nodes, so it needs documents (and ballot keys)
// in S3/MinIO, which every node reaches: a local folder is refused.
func checkDatabaseURL(c config) error {
	if c.databaseURL == "" {
		return nil
	}
	if !strings.HasPrefix(c.databaseURL, "postgres://") && !strings.HasPrefix(c.databaseURL, "postgresql://") {
		return fmt.Errorf("PHONGHOP_DATABASE_URL (-database-url): want a postgres://user@host:5432/database URL, or nothing for SQLite in the data directory")
	}
	if c.s3.Endpoint == "" {
		return fmt.Errorf("PHONGHOP_DATABASE_URL is set (several nodes share PostgreSQL): documents must be on S3/MinIO, which every node reaches; set PHONGHOP_S3_ENDPOINT (-s3-endpoint) and its bucket and keys (a local documents folder would be on one node only)")
	}
	return nil
}

// openStore opens the server's store: PostgreSQL at c.databaseURL, else
// SQLite in <data>/phonghop.db (creating the data directory). It returns
// the store and where it is, for the start-up message. With PostgreSQL it
// writes nothing under the data directory.
func openStore(ctx context.Context, c config) (store.Store, string, error) {
	if c.databaseURL != "" {
		octx, cancel := context.WithTimeout(ctx, openTimeout)
		defer cancel()
		where := postgres.Describe(c.databaseURL)
		db, err := postgres.Open(octx, c.databaseURL)
		if err != nil {
			return nil, "", fmt.Errorf("PHONGHOP_DATABASE_URL (%s): %w", where, startError{err})
		}
		return db, "PostgreSQL " + where, nil
	}
	if err := os.MkdirAll(c.data, 0o700); err != nil {
		return nil, "", fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(c.data, "phonghop.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, "", err
	}
	return db, "SQLite " + path, nil
}

// startError is a store's error as an operator reads it at start-up: the
// store's messages (Vietnamese, then English) and its cause, without the
// kind and the generic "internal error, please try again" of an API
// answer.
type startError struct{ err error }

func (e startError) Unwrap() error { return e.err }

func (e startError) Error() string {
	var me *meeting.Error
	if !errors.As(e.err, &me) {
		return e.err.Error()
	}
	if me.Err != nil && me.Kind == meeting.KindInternal {
		return me.Err.Error() // the generic message says nothing here
	}
	msg := me.Message + " / " + me.MessageEN
	if me.Err != nil {
		msg += ": " + me.Err.Error()
	}
	return msg
}
