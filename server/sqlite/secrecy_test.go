package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/phonghop/phonghop/internal/sqlitefile"
	"github.com/phonghop/phonghop/server/sqlite"
	"github.com/phonghop/phonghop/server/store"
)

// cellOrder reads the database file and WAL at path byte by byte and
// returns, for rows of poll m1/v1, the voters in the order of their cells
// in poll_voters and the ballots in the order of their cells in
// sealed_ballots, each in the order SQLite wrote them (a new cell goes below
// the previous ones of its page; the test's rows fit in one page each).
func cellOrder(t *testing.T, path string) (voters, ballots []string) {
	t.Helper()
	file, _ := os.ReadFile(path)
	wal, _ := os.ReadFile(path + "-wal")
	d, err := sqlitefile.Open(file, wal)
	if err != nil {
		t.Fatal(err)
	}
	type cell struct {
		page   uint32
		offset int
		value  string
	}
	var vs, bs []cell
	for _, v := range d.Versions {
		if !v.Current {
			continue
		}
		p, err := sqlitefile.ParsePage(v.Data, v.Page == 1, d.Usable())
		if err != nil {
			continue
		}
		for _, c := range p.Cells {
			vals, err := sqlitefile.Record(c.Local)
			if err != nil || len(vals) < 3 || string(vals[0].Bytes) != "m1" || string(vals[1].Bytes) != "v1" {
				continue
			}
			switch len(vals) {
			case 4: // poll_voters
				vs = append(vs, cell{v.Page, c.Offset, string(vals[2].Bytes)})
			case 3: // sealed_ballots (before migration 0005: poll_ballots)
				bs = append(bs, cell{v.Page, c.Offset, string(vals[2].Bytes)})
			case 5:
				bs = append(bs, cell{v.Page, c.Offset, string(vals[4].Bytes)})
			}
		}
	}
	order := func(cs []cell) []string {
		sort.Slice(cs, func(i, j int) bool {
			if cs[i].page != cs[j].page {
				return cs[i].page < cs[j].page
			}
			return cs[i].offset > cs[j].offset // written first: highest
		})
		var out []string
		for _, c := range cs {
			out = append(out, c.value)
		}
		return out
	}
	return order(vs), order(bs)
}

// TestSecretBallotsOfOneCommitInRandomOrder: the secret ballots that share
// a group commit are written in a random order, not in the order of their
// voters' rows. Before, a copy of the files taken while the poll was open
// paired each voter with their ballot inside a commit by the order of the
// cells (the voters' order and the ballots' order were the same), so the
// bound "no finer than the group commit" did not hold.
func TestSecretBallotsOfOneCommitInRandomOrder(t *testing.T) {
	db, path := openDB(t)
	ctx := context.Background()
	const n = 30
	// Hold the writer so that all n ballots queue up and share one commit.
	release := sqlite.HoldWriter(t, db)
	before := sqlite.BatchesTaken(db)
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() {
			// Enqueue in voter order, one after the other.
			errs <- db.StoreBallot(ctx, store.Ballot{Meeting: "m1", Poll: "v1", Participant: fmt.Sprintf("p%02d", i), Key: "k", Data: []byte(fmt.Sprintf("b%02d", i)), Secret: true})
		}()
		for sqlite.PendingAppends(db)+int(sqlite.BatchesTaken(db)-before) < i+1 {
			time.Sleep(time.Millisecond)
		}
	}
	release()
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if b := sqlite.BatchesTaken(db) - before; b > 2 {
		t.Fatalf("%d batches; want the ballots in one or two commits", b)
	}
	voters, ballots := cellOrder(t, path)
	if len(voters) != n || len(ballots) != n {
		t.Fatalf("found %d voter cells and %d ballot cells; want %d each", len(voters), len(ballots), n)
	}
	// Where each voter's ballot sits in the ballots' order.
	at := map[string]int{}
	for i, b := range ballots {
		at["p"+strings.TrimPrefix(b, "b")] = i
	}
	same := 0
	var d2 float64
	for i, v := range voters {
		if at[v] == i {
			same++
		}
		d := float64(at[v] - i)
		d2 += d * d
	}
	rho := 1 - 6*d2/float64(n*(n*n-1))
	t.Logf("voters' cells and their ballots' cells: %d of %d in the same place, Spearman's ρ %.2f", same, n, rho)
	// A random order: ρ is about N(0, 1/29); 0.9 is five standard deviations.
	if rho > 0.9 {
		t.Errorf("the ballots' cells follow their voters' cells (ρ %.2f, %d of %d in place): a copy of the files pairs them inside a commit", rho, same, n)
	}
}
