// Package storetest is the conformance suite of store.Store: every promise
// written in package store's doc comments, tested once, run against each
// implementation (server/sqlite, server/postgres) from its own tests:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { ... a fresh, empty store ... }, storetest.Hooks{...})
//	}
//
// The suite tests from outside the store, as its callers (and attackers)
// would: through the interface, with concurrent callers, cancelled
// contexts, closes during writes and, through Hooks, the few things only
// the implementation can do (rewrite a row behind the store's back, reopen
// the same database, open it from a second node). What is an
// implementation's own (SQLite's pragmas and group-commit batches,
// PostgreSQL's locks and notifications) is tested in its package.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

// Tampering is a change to one stored event made directly in the database,
// as someone with write access to it (not through the store) would. Only
// the set fields apply.
type Tampering struct {
	Data     []byte        // the event's data becomes Data
	AtDelta  time.Duration // added to the event's time
	Actor    string        // the event's actor becomes Actor
	Audience string        // the event's stored audience becomes this JSON
	Delete   bool          // the event's row is deleted
}

// Hooks reach below the store's interface, where only the implementation
// can.
type Hooks struct {
	// Tamper applies tm to the stored event (meetingID, seq) of s directly
	// in its database, failing t if no row changed.
	Tamper func(t *testing.T, s store.Store, meetingID string, seq int64, tm Tampering)
	// Reopen closes s (if it is not closed yet) and opens the same
	// database again, as a restarted process would.
	Reopen func(t *testing.T, s store.Store) store.Store
	// Peer, if not nil, opens another store on s's database, as a second
	// node would: the suite then checks the promises made "on any node"
	// and "by this process and any other" across the two. A single-node
	// store leaves it nil.
	Peer func(t *testing.T, s store.Store) store.Store
}

// Run runs the suite. open must return a new, empty store each time; it is
// called once per subtest (more for those that reopen), and subtests run in
// parallel. open should close the store when t ends.
func Run(t *testing.T, open func(t *testing.T) store.Store, h Hooks) {
	if h.Tamper == nil || h.Reopen == nil {
		t.Fatal("storetest: Hooks.Tamper and Hooks.Reopen are required")
	}
	groups := []struct {
		name  string
		tests []test
	}{
		{"Events", eventTests},
		{"Ballots", ballotTests},
		{"Auth", authTests},
		{"Limits", limitTests},
		{"Cluster", clusterTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					if tc.peer && h.Peer == nil {
						t.Skip("single-node store (no Hooks.Peer)")
					}
					tc.f(t, &env{open: open, h: h})
				})
			}
		})
	}
}

// test is one subtest of the suite.
type test struct {
	name string
	f    func(t *testing.T, e *env)
	peer bool // needs Hooks.Peer
}

// env is what a subtest gets: the way to open stores and the hooks.
type env struct {
	open func(t *testing.T) store.Store
	h    Hooks
}

// ---- helpers, exported for implementations' own tests ----

// BaseAt is the time of the events Chain makes. It has nanoseconds and a
// non-UTC zone, to test both round-trip.
var BaseAt = time.Date(2026, 5, 19, 8, 0, 0, 123456789, time.FixedZone("ICT", 7*3600))

// Chain returns n sealed events of meeting id following (seq, head): the
// same events for the same arguments.
func Chain(id string, seq int64, head string, n int) []meeting.Event {
	events := make([]meeting.Event, n)
	for i := range events {
		s := seq + int64(i) + 1
		events[i] = meeting.Event{
			Meeting: id,
			At:      BaseAt.Add(time.Duration(s) * 1001 * time.Nanosecond),
			Actor:   "account:admin",
			Type:    meeting.EventNoticeSent,
			Data:    []byte(fmt.Sprintf(`{"id":"n%d","text":"Thông báo số %d"}`, s, s)),
		}
	}
	meeting.Seal(seq, head, events)
	return events
}

// KindOf is meeting.KindOf that also says when err is not a *meeting.Error.
func KindOf(err error) meeting.Kind {
	var me *meeting.Error
	if err != nil && !errors.As(err, &me) {
		return "not *meeting.Error: " + meeting.Kind(err.Error())
	}
	return meeting.KindOf(err)
}

// WaitFor polls cond until it holds or 10 s pass.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// MustAppend appends events or fails t.
func MustAppend(t testing.TB, s store.EventLog, events []meeting.Event) {
	t.Helper()
	if err := s.Append(context.Background(), events); err != nil {
		t.Fatalf("Append(%s seq %d..): %v", events[0].Meeting, events[0].Seq, err)
	}
}

// MustEvents returns every event of meeting id or fails t.
func MustEvents(t testing.TB, s store.EventLog, id string) []meeting.Event {
	t.Helper()
	got, err := s.Events(context.Background(), id, 0, 0)
	if err != nil {
		t.Fatalf("Events(%q): %v", id, err)
	}
	return got
}

// checkMessages fails t unless err is a *meeting.Error with both messages.
func checkMessages(t *testing.T, err error) {
	t.Helper()
	var me *meeting.Error
	if !errors.As(err, &me) {
		t.Errorf("error %v is not a *meeting.Error", err)
		return
	}
	if me.Message == "" || me.MessageEN == "" {
		t.Errorf("error messages = %q / %q; want both set", me.Message, me.MessageEN)
	}
}
