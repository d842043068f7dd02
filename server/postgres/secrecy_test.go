package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/phonghop/phonghop/server/store"
)

// TestSecretBallotsOfOneCommitInRandomOrder: the secret ballots that share
// a group commit are written after the batch's voters and in a random
// order. Before, each sealed ballot was written right after its voter (one
// statement each, the batch sorted by participant), so the heap (ctid
// order) and the WAL put every voter next to their own ballot: whoever had
// the poll's key as well paired them exactly, not only by commit.
func TestSecretBallotsOfOneCommitInRandomOrder(t *testing.T) {
	db, url := openDB(t)
	ctx := context.Background()
	const n = 30
	cast := func(i int) error {
		return db.StoreBallot(ctx, store.Ballot{Meeting: "m1", Poll: "v1", Participant: fmt.Sprintf("p%02d", i), Key: "k", Data: []byte(fmt.Sprintf("b%02d", i)), Secret: true})
	}
	if err := cast(0); err != nil { // makes the box
		t.Fatal(err)
	}
	// Hold the box row: the writer's next batch waits on it while the
	// other ballots queue up behind it, to share the batch after.
	hold, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close(ctx)
	tx, err := hold.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "SELECT 1 FROM poll_boxes WHERE meeting_id = 'm1' AND poll = 'v1' FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, n)
	for i := 1; i < n; i++ {
		go func() { errs <- cast(i) }()
		time.Sleep(5 * time.Millisecond) // queued in voter order
	}
	time.Sleep(100 * time.Millisecond)
	tx.Rollback(ctx)
	for i := 1; i < n; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	// Heap order of the voters and of their ballots.
	order := func(q string) []string {
		rows, err := hold.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	voters := order("SELECT participant FROM poll_voters WHERE poll = 'v1' ORDER BY ctid")
	ballots := order("SELECT convert_from(ballot, 'UTF8') FROM poll_ballots WHERE poll = 'v1' ORDER BY ctid")
	if len(voters) != n || len(ballots) != n {
		t.Fatalf("%d voters, %d ballots; want %d each", len(voters), len(ballots), n)
	}
	at := map[string]int{}
	for i, b := range ballots {
		at["p"+strings.TrimPrefix(b, "b")] = i
	}
	var d2 float64
	same := 0
	for i, v := range voters {
		d := float64(at[v] - i)
		d2 += d * d
		if at[v] == i {
			same++
		}
	}
	rho := 1 - 6*d2/float64(n*(n*n-1))
	t.Logf("voters' heap order and their ballots': %d of %d in the same place, Spearman's ρ %.2f", same, n, rho)
	if rho > 0.9 { // a random order: ρ ≈ N(0, 1/29); 0.9 is five standard deviations
		t.Errorf("the ballots' heap order follows their voters' (ρ %.2f, %d of %d in place): the heap pairs them inside a commit", rho, same, n)
	}
}
