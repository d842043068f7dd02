package sqlite_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/phonghop/phonghop/server/sqlite"
	"github.com/phonghop/phonghop/server/store"
)

// TestSecretBallotStorageUnlinkable inspects the raw tables after a secret
// poll: the ballots table holds no voter, no key, no time and no sequence
// shared with the voters table.
func TestSecretBallotStorageUnlinkable(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	for i := 0; i < 50; i++ {
		b := store.Ballot{Meeting: "m1", Poll: "kin", Participant: fmt.Sprintf("p%d", i), Key: fmt.Sprintf("key-%d", i), Data: []byte(fmt.Sprintf(`{"choice":"c%d"}`, i%3)), Secret: true}
		if err := db.StoreBallot(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	w := sqlite.WriteDB(db)
	cols, err := w.QueryContext(ctx, "SELECT name FROM pragma_table_info('poll_ballots')")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for cols.Next() {
		var n string
		cols.Scan(&n)
		names = append(names, n)
	}
	cols.Close()
	if fmt.Sprint(names) != "[meeting_id poll id participant ballot]" {
		t.Errorf("poll_ballots columns = %v; a new column may link ballots to voters: review the secrecy argument", names)
	}
	rows, err := w.QueryContext(ctx, "SELECT id, participant, ballot FROM poll_ballots WHERE poll = 'kin' ORDER BY rowid")
	if err == nil {
		rows.Close()
		t.Error("poll_ballots has a rowid (an insertion order)")
	}
	rows, err = w.QueryContext(ctx, "SELECT id, participant, ballot FROM poll_ballots WHERE poll = 'kin'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var order []int
	for rows.Next() {
		var id []byte
		var participant *string
		var ballot string
		if err := rows.Scan(&id, &participant, &ballot); err != nil {
			t.Fatal(err)
		}
		if participant != nil {
			t.Errorf("secret ballot stored with voter %q", *participant)
		}
		for i := 0; i < 50; i++ {
			if strings.Contains(ballot, fmt.Sprintf("key-%d", i)) || strings.Contains(ballot, fmt.Sprintf("p%d\"", i)) {
				t.Errorf("secret ballot %s contains a voter or key", ballot)
			}
		}
		var c int
		fmt.Sscanf(ballot, `{"choice":"c%d"}`, &c)
		order = append(order, c)
	}
	// Stored order is by random id, not cast order (c0 c1 c2 c0 c1 ...).
	inCastOrder := true
	for i, c := range order {
		if c != i%3 {
			inCastOrder = false
		}
	}
	if len(order) != 50 || inCastOrder {
		t.Errorf("read %d ballots, in cast order: %v; want 50 in random order", len(order), inCastOrder)
	}
}

// TestBallotsGroupCommitted casts 2,000 ballots at once: they share far
// fewer commits than ballots (the conformance suite checks what is stored).
func TestBallotsGroupCommitted(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	before := db.Stats()
	var wg sync.WaitGroup
	for i := range 2000 {
		wg.Go(func() {
			if err := db.StoreBallot(ctx, store.Ballot{Meeting: "m1", Poll: "v1", Participant: fmt.Sprintf("p%d", i), Key: "k", Data: []byte(`{"choice":"agree"}`), Secret: true}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	after := db.Stats()
	if requests := after.Requests - before.Requests; requests != 2000 {
		t.Errorf("the writer answered %d requests; want 2000", requests)
	}
	if batches := after.Batches - before.Batches; batches >= 2000/4 {
		t.Errorf("2,000 ballots took %d commits; want group commit (far fewer)", batches)
	} else {
		t.Logf("2,000 ballots in %d commits", batches)
	}
}
