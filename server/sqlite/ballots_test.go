package sqlite_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/sqlite"
	"github.com/phonghop/phonghop/server/store"
)

func TestBallotBox(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	open := store.Ballot{Meeting: "m1", Poll: "v1", Participant: "p2", Key: "k-p2", Data: []byte(`{"choice":"agree"}`)}
	secret := store.Ballot{Meeting: "m1", Poll: "v2", Participant: "p2", Key: "k-p2b", Data: []byte(`{"choice":"disagree"}`), Secret: true}
	for _, b := range []store.Ballot{open, secret} {
		if err := db.StoreBallot(ctx, b); err != nil {
			t.Fatalf("StoreBallot(%s) = %v", b.Poll, err)
		}
	}
	// One voter, one ballot: a second ballot is refused and stores nothing.
	again := open
	again.Key, again.Data = "k-other", []byte(`{"choice":"disagree"}`)
	if err := db.StoreBallot(ctx, again); meeting.KindOf(err) != meeting.KindConflict {
		t.Errorf("second ballot = %v; want conflict", err)
	}
	voters, err := db.Voters(ctx, "m1", "v1")
	if err != nil || len(voters) != 1 || voters["p2"] != "k-p2" {
		t.Errorf("Voters(v1) = %v, %v; want p2 with key k-p2", voters, err)
	}
	ballots, err := db.Ballots(ctx, "m1", "v1")
	if err != nil || len(ballots) != 1 || ballots[0].Participant != "p2" || string(ballots[0].Data) != `{"choice":"agree"}` {
		t.Errorf("Ballots(v1) = %+v, %v; want p2's agree", ballots, err)
	}
	ballots, err = db.Ballots(ctx, "m1", "v2")
	if err != nil || len(ballots) != 1 || ballots[0].Participant != "" {
		t.Errorf("Ballots(v2) = %+v, %v; want one ballot without a voter", ballots, err)
	}
	for _, bad := range []store.Ballot{{Meeting: "m1", Poll: "v1", Participant: "p3", Data: []byte("{}")}, {Meeting: "m1", Poll: "v1", Participant: "p3", Key: "k"}} {
		if err := db.StoreBallot(ctx, bad); meeting.KindOf(err) != meeting.KindInvalid {
			t.Errorf("StoreBallot(%+v) = %v; want invalid", bad, err)
		}
	}
}

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

// TestBallotsGroupCommitted casts 2,000 ballots at once: all are stored, in
// far fewer commits than ballots; racing duplicates of one voter store one.
func TestBallotsGroupCommitted(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	before := db.Stats()
	var wg sync.WaitGroup
	errs := make(chan error, 2000)
	for i := 0; i < 2000; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.StoreBallot(ctx, store.Ballot{Meeting: "m1", Poll: "v1", Participant: fmt.Sprintf("p%d", i), Key: "k", Data: []byte(`{"choice":"agree"}`), Secret: true})
		}()
	}
	// Ten racing ballots of one voter with different keys: exactly one is
	// stored; ten racing retries of another's ballot (one key): one stored,
	// all acknowledged.
	dup := make(chan error, 10)
	retries := make(chan error, 10)
	for i := 0; i < 10; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			dup <- db.StoreBallot(ctx, store.Ballot{Meeting: "m1", Poll: "v1", Participant: "p-dup", Key: fmt.Sprint("k", i), Data: []byte(`{"choice":"agree"}`)})
		}()
		go func() {
			defer wg.Done()
			retries <- db.StoreBallot(ctx, store.Ballot{Meeting: "m1", Poll: "v1", Participant: "p-retry", Key: "same", Data: []byte(`{"choice":"agree"}`)})
		}()
	}
	wg.Wait()
	close(errs)
	close(dup)
	close(retries)
	for err := range retries {
		if err != nil {
			t.Errorf("a retry with the same key = %v; want nil", err)
		}
	}
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	ok := 0
	for err := range dup {
		if err == nil {
			ok++
		} else if meeting.KindOf(err) != meeting.KindConflict {
			t.Errorf("duplicate = %v; want conflict", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of 10 racing duplicates stored; want 1", ok)
	}
	ballots, _ := db.Ballots(ctx, "m1", "v1")
	voters, _ := db.Voters(ctx, "m1", "v1")
	if len(ballots) != 2002 || len(voters) != 2002 {
		t.Errorf("stored %d ballots, %d voters; want 2002 each", len(ballots), len(voters))
	}
	after := db.Stats()
	if batches := after.Batches - before.Batches; batches >= 2020/4 {
		t.Errorf("2,020 ballots took %d commits; want group commit (far fewer)", batches)
	} else {
		t.Logf("2,020 ballots in %d commits", batches)
	}
}
