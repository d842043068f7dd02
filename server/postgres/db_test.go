package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/phonghop/phonghop/internal/pgtest"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/postgres"
	"github.com/phonghop/phonghop/server/store"
	"github.com/phonghop/phonghop/server/store/storetest"
)

var (
	chain  = storetest.Chain
	kindOf = storetest.KindOf
)

// tables returns the tables of the database at url with their row counts.
func tables(t *testing.T, url string) map[string]int {
	t.Helper()
	out := map[string]int{}
	superuser(t, url, func(c *pgx.Conn) {
		ctx := context.Background()
		rows, err := c.Query(ctx, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
		if err != nil {
			t.Fatal(err)
		}
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			var k int
			if err := c.QueryRow(ctx, "SELECT count(*) FROM "+n).Scan(&k); err != nil {
				t.Fatal(err)
			}
			out[n] = k
		}
	})
	return out
}

func TestMigrations(t *testing.T) {
	db, url := openDB(t)
	if got := postgres.MigrationsApplied(db); got < 1 {
		t.Errorf("first Open applied %d migrations; want all (>= 1)", got)
	}
	storetest.MustAppend(t, db, chain("m", 0, "", 2))
	db.Close()
	before := tables(t, url)
	if before["schema_migrations"] != postgres.MigrationsApplied(db) || before["events"] != 2 {
		t.Errorf("tables after the first Open: %v", before)
	}
	db2 := openURL(t, url)
	if got := postgres.MigrationsApplied(db2); got != 0 {
		t.Errorf("second Open applied %d migrations; want 0", got)
	}
	// Nodes starting at once: one migrates, the others see it done.
	fresh := pgtest.Shared(t).NewDatabase(t)
	var wg sync.WaitGroup
	applied := make([]int, 4)
	for i := range applied {
		wg.Go(func() {
			db, err := postgres.Open(context.Background(), fresh)
			if err != nil {
				t.Errorf("concurrent Open: %v", err)
				return
			}
			applied[i] = postgres.MigrationsApplied(db)
			db.Close()
		})
	}
	wg.Wait()
	slices.Sort(applied)
	if applied[len(applied)-1] < 1 || applied[len(applied)-2] != 0 {
		t.Errorf("migrations applied by 4 nodes starting at once: %v; want all by one, none by the others", applied)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	db, url := openDB(t)
	storetest.MustAppend(t, db, chain("m", 0, "", 2))
	db.Close()
	superuser(t, url, func(c *pgx.Conn) {
		if _, err := c.Exec(context.Background(), "INSERT INTO schema_migrations VALUES ('9999_future.sql', 'x', 0)"); err != nil {
			t.Fatal(err)
		}
	})
	before := tables(t, url)
	db2, err := postgres.Open(context.Background(), url)
	if err == nil {
		db2.Close()
	}
	if kindOf(err) != meeting.KindConflict || !strings.Contains(err.Error(), "newer version") {
		t.Errorf("Open(newer schema) = %v; want a Conflict saying a newer version wrote it", err)
	}
	if after := tables(t, url); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("Open of a newer schema wrote: tables %v, then %v", before, after)
	}
}

func TestOpenRefusesEditedMigration(t *testing.T) {
	db, url := openDB(t)
	db.Close()
	superuser(t, url, func(c *pgx.Conn) {
		if _, err := c.Exec(context.Background(), "UPDATE schema_migrations SET sha256 = 'edited' WHERE version = '0001_schema.sql'"); err != nil {
			t.Fatal(err)
		}
	})
	db2, err := postgres.Open(context.Background(), url)
	if err == nil {
		db2.Close()
	}
	if kindOf(err) != meeting.KindInternal || !strings.Contains(err.Error(), "0001_schema.sql was edited") {
		t.Errorf("Open(edited migration) = %v; want an internal error naming 0001_schema.sql", err)
	}
}

func TestOpenBadURL(t *testing.T) {
	srv := pgtest.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tests := []struct {
		name, url string
		kind      meeting.Kind
	}{
		{"not a URL", "postgres://a b:c", meeting.KindInvalid},
		{"bad port", "postgres://user:s3cret-pw@127.0.0.1:notaport/db", meeting.KindInvalid},
		{"unknown setting", "postgres://127.0.0.1/db?frobnicate=1&password=s3cret-pw", meeting.KindInternal},
		{"nobody listening", "postgres://user:s3cret-pw@127.0.0.1:1/db?connect_timeout=5", meeting.KindInternal},
		{"no such database", strings.Replace(srv.URL("nope"), "postgres@", "postgres:s3cret-pw@", 1), meeting.KindInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := postgres.Open(ctx, tt.url)
			if err == nil {
				db.Close()
				t.Fatal("Open = nil; want an error")
			}
			if kindOf(err) != tt.kind {
				t.Errorf("Open = %v; want kind %q", err, tt.kind)
			}
			if strings.Contains(err.Error(), "s3cret-pw") {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
	if d := postgres.Describe("postgres://u:s3cret-pw@db.example:5432/phonghop"); strings.Contains(d, "s3cret") || !strings.Contains(d, "db.example:5432/phonghop") {
		t.Errorf("Describe = %q; want the URL without its password", d)
	}
}

// TestGroupCommitBatches: 2,000 concurrent ballots share far fewer commits.
func TestGroupCommitBatches(t *testing.T) {
	db, _ := openDB(t)
	before := db.Stats()
	var wg sync.WaitGroup
	for i := range 2000 {
		wg.Go(func() {
			if err := db.StoreBallot(context.Background(), store.Ballot{Meeting: "m", Poll: "v", Participant: fmt.Sprint("p", i), Key: "k", Data: []byte("sealed"), Secret: true}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	st := db.Stats()
	batches := st.Batches - before.Batches
	t.Logf("2,000 ballots in %d commits (largest %d, %d retried batches)", batches, st.MaxBatch, st.Retried)
	if st.Requests-before.Requests != 2000 || batches >= 2000/4 || batches < 1 {
		t.Errorf("%d requests in %d commits; want 2000 in far fewer", st.Requests-before.Requests, batches)
	}
}

// TestNotificationPayload listens as another program would: a commit is
// announced as "meeting seq" (the last seq), nothing more, and a refused
// append is not announced.
func TestNotificationPayload(t *testing.T) {
	db, url := openDB(t)
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "LISTEN phonghop_commits"); err != nil {
		t.Fatal(err)
	}
	storetest.MustAppend(t, db, chain("m1", 0, "", 3))
	if err := db.Append(ctx, chain("m1", 0, "", 1)); kindOf(err) != meeting.KindConflict {
		t.Fatal(err)
	}
	e := storetest.MustEvents(t, db, "m1")
	storetest.MustAppend(t, db, chain("m1", 3, e[2].Hash, 1))
	var got []string
	for range 2 {
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		n, err := c.WaitForNotification(wctx)
		cancel()
		if err != nil {
			t.Fatalf("after %v: %v", got, err)
		}
		got = append(got, n.Payload)
	}
	if want := []string{"m1 3", "m1 4"}; !slices.Equal(got, want) {
		t.Errorf("payloads = %q; want %q", got, want)
	}
}

// terminate ends the backends of url's database whose query matches.
func terminate(t *testing.T, url, query string) int {
	t.Helper()
	var n int
	superuser(t, url, func(c *pgx.Conn) {
		err := c.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE $1`, query).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
	})
	return n
}

// TestListenReconnects: the listener's connection is killed; the listener
// reconnects by itself, sends a Resync, and hears later commits.
func TestListenReconnects(t *testing.T) {
	db, url := openDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := db.Listen(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := terminate(t, url, "LISTEN%"); n != 1 {
		t.Fatalf("terminated %d LISTEN connections; want 1", n)
	}
	resync := false
	timeout := time.After(20 * time.Second)
	for !resync {
		select {
		case n := <-ch:
			resync = n.Resync
		case <-timeout:
			t.Fatal("no Resync after the listener's connection was killed")
		}
	}
	// Another node's commit (not published locally) is heard.
	other := openURL(t, url)
	storetest.MustAppend(t, other, chain("m", 0, "", 2))
	for {
		select {
		case n := <-ch:
			if n.Meeting == "m" && n.Seq == 2 {
				return
			}
		case <-timeout:
			t.Fatal("a commit after the reconnection was not heard")
		}
	}
}

// TestLeaseLost: the leader's connection is killed; Lost closes and another
// node can lead.
func TestLeaseLost(t *testing.T) {
	db, url := openDB(t)
	other := openURL(t, url)
	l, err := db.TryLead(context.Background(), "archiver")
	if err != nil || l == nil {
		t.Fatalf("TryLead = %v, %v", l, err)
	}
	if n := terminate(t, url, "%pg_try_advisory_lock%"); n != 1 {
		t.Fatalf("terminated %d lease connections; want 1", n)
	}
	select {
	case <-l.Lost():
	case <-time.After(15 * time.Second):
		t.Fatal("Lost not closed after the lease's connection was killed")
	}
	storetest.WaitFor(t, "another node to lead", func() bool {
		l2, err := other.TryLead(context.Background(), "archiver")
		if err != nil {
			t.Fatal(err)
		}
		return l2 != nil
	})
}

// TestDatabaseRestart kills PostgreSQL (SIGKILL) under a running store:
// every call fails at once with KindUnavailable while it is down, nothing acknowledged is lost, the
// store works again after the restart without being reopened, and
// listeners get a Resync.
func TestDatabaseRestart(t *testing.T) {
	srv := pgtest.Start(t, pgtest.Options{})
	url := srv.NewDatabase(t)
	db := openURL(t, url)
	ctx := context.Background()
	ch, err := db.Listen(ctx)
	if err != nil {
		t.Fatal(err)
	}
	events := chain("m", 0, "", 10)
	storetest.MustAppend(t, db, events[:5])
	if err := db.StoreBallot(ctx, store.Ballot{Meeting: "m", Poll: "v", Participant: "p1", Key: "k1", Data: []byte("x"), Secret: true}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	// Every call fails at once, as Unavailable with both messages: the
	// caller can tell "nothing was done, try again" from a bug.
	for name, call := range map[string]func() error{
		"Append": func() error { return db.Append(ctx, events[5:7]) },
		"AppendDecided": func() error {
			return db.AppendDecided(ctx, "m", 5, func([]meeting.Event) ([]meeting.Event, error) { return events[5:7], nil })
		},
		"StoreBallot": func() error {
			return db.StoreBallot(ctx, store.Ballot{Meeting: "m", Poll: "v", Participant: "p2", Key: "k2", Data: []byte("y"), Secret: true})
		},
		"Events":  func() error { _, err := db.Events(ctx, "m", 0, 0); return err },
		"Session": func() error { _, err := db.Session(ctx, []byte("h"), time.Now()); return err },
		"Ping":    func() error { return db.Ping(ctx) },
	} {
		start := time.Now()
		err := call()
		var me *meeting.Error
		if !errors.As(err, &me) || me.Kind != store.KindUnavailable || me.Message == "" || me.MessageEN == "" {
			t.Errorf("%s while the database is down = %v; want kind %s with both messages", name, err, store.KindUnavailable)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s took %v to fail; want at once", name, d)
		}
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	// The failed append stored nothing: the next one follows seq 5.
	storetest.MustAppend(t, db, events[5:])
	if got := storetest.MustEvents(t, db, "m"); len(got) != 10 {
		t.Errorf("%d events after the restart; want 10", len(got))
	}
	if err := db.StoreBallot(ctx, store.Ballot{Meeting: "m", Poll: "v", Participant: "p1", Key: "k1", Data: []byte("x"), Secret: true}); err != nil {
		t.Errorf("retry of a ballot acknowledged before the crash = %v; want nil", err)
	}
	timeout := time.After(30 * time.Second)
	for resync := false; !resync; {
		select {
		case n := <-ch:
			resync = n.Resync
		case <-timeout:
			t.Fatal("no Resync after the database restarted")
		}
	}
	if err := db.Verify(ctx, "m"); err != nil {
		t.Error(err)
	}
}

// TestSecretBallotRows looks at the heap as an operator would after
// ReplaceSecretBallots: the live ballot rows are in the order given, with
// no voter, and the live voter rows in participant order, not in the
// order they voted.
func TestSecretBallotRows(t *testing.T) {
	db, url := openDB(t)
	ctx := context.Background()
	const n = 40
	for i := range n {
		// Voters vote in reverse name order.
		p := fmt.Sprintf("p%02d", n-1-i)
		if err := db.StoreBallot(ctx, store.Ballot{Meeting: "m", Poll: "v", Participant: p, Key: "k" + p, Data: []byte("sealed-" + p), Secret: true}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.CloseBox(ctx, "m", "v"); err != nil {
		t.Fatal(err)
	}
	given := make([][]byte, n)
	for i := range given {
		given[i] = []byte(fmt.Sprintf(`{"choice":"c%02d"}`, (i*7)%n))
	}
	if err := db.ReplaceSecretBallots(ctx, "m", "v", given); err != nil {
		t.Fatal(err)
	}
	superuser(t, url, func(c *pgx.Conn) {
		rows, err := c.Query(ctx, "SELECT ballot, participant IS NULL FROM poll_ballots WHERE poll = 'v' ORDER BY ctid")
		if err != nil {
			t.Fatal(err)
		}
		var i int
		for rows.Next() {
			var b []byte
			var noVoter bool
			if err := rows.Scan(&b, &noVoter); err != nil {
				t.Fatal(err)
			}
			if i >= n || string(b) != string(given[i]) || !noVoter {
				t.Errorf("heap row %d = %q (no voter: %v); want %q without a voter", i, b, noVoter, given[min(i, n-1)])
			}
			i++
		}
		if i != n {
			t.Errorf("%d live ballot rows; want %d", i, n)
		}
		rows, err = c.Query(ctx, "SELECT participant FROM poll_voters WHERE poll = 'v' ORDER BY ctid")
		if err != nil {
			t.Fatal(err)
		}
		voters, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		if !slices.IsSorted(voters) || len(voters) != n {
			t.Errorf("voter rows in heap order: %v; want %d in participant order", voters, n)
		}
	})
}

// TestBatchErrorIsolated: a request that fails with an error inside a batch
// (here a trigger refuses actor "boom") rolls the batch back; every other
// request of the batch is then run on its own and stored, and the failing
// one alone gets the error.
func TestBatchErrorIsolated(t *testing.T) {
	db, url := openDB(t)
	superuser(t, url, func(c *pgx.Conn) {
		_, err := c.Exec(context.Background(), `CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW.actor = 'boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$;
CREATE TRIGGER boom BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION boom();`)
		if err != nil {
			t.Fatal(err)
		}
	})
	for round := 0; db.Stats().Retried == 0; round++ {
		if round == 20 {
			t.Fatal("no batch held a failing request in 20 rounds")
		}
		const n = 40
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			events := chain(fmt.Sprintf("r%d-m%d", round, i), 0, "", 2)
			if i%10 == 3 {
				events[1].Actor = "boom"
				meeting.Seal(0, "", events)
			}
			wg.Go(func() { errs[i] = db.Append(context.Background(), events) })
		}
		wg.Wait()
		for i, err := range errs {
			id := fmt.Sprintf("r%d-m%d", round, i)
			got := len(storetest.MustEvents(t, db, id))
			if i%10 == 3 {
				if kindOf(err) != meeting.KindInternal || got != 0 {
					t.Errorf("%s (boom) = %v with %d events stored; want Internal, none", id, err, got)
				}
			} else if err != nil || got != 2 {
				t.Errorf("%s = %v with %d events stored; want nil, 2", id, err, got)
			}
		}
	}
}
