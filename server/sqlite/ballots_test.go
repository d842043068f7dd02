package sqlite_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/sqlite"
	"github.com/phonghop/phonghop/server/store"
)

// TestSecretBallotStorageUnlinkable inspects the raw tables of a secret
// poll: while it is open its ballots sit in sealed_ballots, with no voter,
// no key, no time and no column shared with the voters table but the poll;
// after ReplaceSecretBallots they sit in closed_ballots in the order given
// (the caller's shuffle), the voters in participant order, and nothing of
// the poll is left in sealed_ballots or poll_ballots.
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
	columns := func(table string) string {
		cols, err := w.QueryContext(ctx, "SELECT name FROM pragma_table_info(?)", table)
		if err != nil {
			t.Fatal(err)
		}
		defer cols.Close()
		var names []string
		for cols.Next() {
			var n string
			cols.Scan(&n)
			names = append(names, n)
		}
		return fmt.Sprint(names)
	}
	for table, want := range map[string]string{
		"poll_ballots":   "[meeting_id poll id participant ballot]",
		"sealed_ballots": "[meeting_id poll ballot]",
		"closed_ballots": "[meeting_id poll ballot]",
	} {
		if got := columns(table); got != want {
			t.Errorf("%s columns = %s; want %s: a new column may link ballots to voters, review the secrecy argument", table, got, want)
		}
	}
	count := func(q string) int {
		var n int
		if err := w.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("SELECT count(*) FROM sealed_ballots WHERE poll = 'kin'"); n != 50 {
		t.Errorf("%d sealed rows; want 50", n)
	}
	if n := count("SELECT count(*) FROM poll_ballots WHERE poll = 'kin'"); n != 0 {
		t.Errorf("%d secret rows in poll_ballots; want 0", n)
	}
	rows, err := w.QueryContext(ctx, "SELECT ballot FROM sealed_ballots WHERE poll = 'kin'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var ballot string
		rows.Scan(&ballot)
		for i := 0; i < 50; i++ {
			if strings.Contains(ballot, fmt.Sprintf("key-%d", i)) || strings.Contains(ballot, fmt.Sprintf("p%d\"", i)) {
				t.Errorf("secret ballot %s contains a voter or key", ballot)
			}
		}
	}
	rows.Close()

	// The close: the caller gives the ballots in a shuffled order.
	if err := db.ReplaceSecretBallots(ctx, "m1", "kin", [][]byte{[]byte("x")}); meeting.KindOf(err) != meeting.KindConflict {
		t.Errorf("ReplaceSecretBallots before CloseBox = %v; want conflict", err)
	}
	if err := db.CloseBox(ctx, "m1", "kin"); err != nil {
		t.Fatal(err)
	}
	var given [][]byte
	for _, i := range rand.Perm(50) {
		given = append(given, []byte(fmt.Sprintf(`{"choice":"c%d"}   `, i%3)))
	}
	if err := db.ReplaceSecretBallots(ctx, "m1", "kin", given); err != nil {
		t.Fatal(err)
	}
	if n := count("SELECT count(*) FROM sealed_ballots WHERE poll = 'kin'") + count("SELECT count(*) FROM poll_ballots WHERE poll = 'kin'"); n != 0 {
		t.Errorf("%d rows of the closed poll left where it was open; want 0", n)
	}
	var got [][]byte
	rows, err = w.QueryContext(ctx, "SELECT ballot FROM closed_ballots WHERE poll = 'kin' ORDER BY rowid")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var b []byte
		rows.Scan(&b)
		got = append(got, b)
	}
	rows.Close()
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", given) {
		t.Errorf("closed_ballots in rowid order = %q; want the order given", got)
	}
	var voters []string
	rows, err = w.QueryContext(ctx, "SELECT participant FROM poll_voters WHERE poll = 'kin'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v string
		rows.Scan(&v)
		voters = append(voters, v)
	}
	rows.Close()
	if len(voters) != 50 || !slices.IsSorted(voters) {
		t.Errorf("voters = %v; want 50 in participant order", voters)
	}
	stored, err := db.Ballots(ctx, "m1", "kin")
	if err != nil || len(stored) != 50 {
		t.Errorf("Ballots after the close = %d, %v; want 50", len(stored), err)
	}
	// Again (a restart after a crash before the key was destroyed): nothing
	// changes.
	if err := db.ReplaceSecretBallots(ctx, "m1", "kin", [][]byte{[]byte("other")}); err != nil {
		t.Fatal(err)
	}
	if n := count("SELECT count(*) FROM closed_ballots WHERE poll = 'kin'"); n != 50 {
		t.Errorf("a second ReplaceSecretBallots left %d rows; want the 50 of the first", n)
	}
	if refs, err := db.UnfinalisedSecretPolls(ctx); err != nil || len(refs) != 0 {
		t.Errorf("UnfinalisedSecretPolls = %v, %v; want none", refs, err)
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
