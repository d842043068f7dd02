package sqlite_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/sqlite"
)

// helperEnv names the database file for TestHelperProcess.
const helperEnv = "PHONGHOP_SQLITE_CRASH_HELPER_DB"

// crashWriters is how many goroutines of the helper append concurrently,
// each to its own meeting, so that the killed process has batches of
// several requests in flight.
const crashWriters = 4

// TestHelperProcess is not a real test: TestCrashDurability runs the test
// binary again with only this test and helperEnv set. It appends events in
// a loop and prints "ack MEETING SEQ" after every Append that returned nil,
// until it is killed (or gives up after a minute, should the parent die).
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process for TestCrashDurability")
	}
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	var mu sync.Mutex // one line per write(2)
	deadline := time.Now().Add(time.Minute)
	var wg sync.WaitGroup
	for w := range crashWriters {
		wg.Go(func() {
			id := fmt.Sprint("crash", w)
			seq, head, _, err := db.Head(context.Background(), id) // resume an earlier round's log
			if err != nil && kindOf(err) != meeting.KindNotFound {
				fmt.Fprintln(os.Stderr, "head:", err)
				os.Exit(2)
			}
			for n := 0; time.Now().Before(deadline); n++ {
				events := chain(id, seq, head, 1+n%3) // batches of 1 to 3 events
				if err := db.Append(context.Background(), events); err != nil {
					fmt.Fprintln(os.Stderr, "append:", err)
					os.Exit(3)
				}
				last := events[len(events)-1]
				seq, head = last.Seq, last.Hash
				mu.Lock()
				fmt.Fprintf(os.Stdout, "ack %s %d\n", id, seq)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	os.Exit(4) // not killed in time
}

// TestCrashDurability kills (SIGKILL) a process in the middle of appending
// and checks that every append it acknowledged is in the reopened database
// and the chains verify.
func TestCrashDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	for round := range 3 { // the later rounds crash over an existing, recovered log
		const wantAcks = 300
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"="+path)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill() }) // if the test fails before the kill
		acked := map[string]int64{}
		acks := 0
		sc := bufio.NewScanner(stdout)
		for acks < wantAcks && sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) != 3 || f[0] != "ack" {
				continue
			}
			seq, err := strconv.ParseInt(f[2], 10, 64)
			if err != nil {
				t.Fatalf("bad ack line %q", sc.Text())
			}
			acked[f[1]] = max(acked[f[1]], seq)
			acks++
		}
		// Kill while it is still appending: it does not stop between acks.
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		if acks < wantAcks {
			t.Fatalf("round %d: helper gave %d acks before exiting; want %d\nstderr:\n%s", round, acks, wantAcks, stderr.String())
		}

		db, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
		}
		for w := range crashWriters {
			id := fmt.Sprint("crash", w)
			events, err := db.Events(context.Background(), id, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(events)) < acked[id] {
				t.Errorf("round %d: %s has %d events; %d were acknowledged", round, id, len(events), acked[id])
			}
			// The helper's events are deterministic: the stored log is
			// exactly the start of what it would write.
			if want := chain(id, 0, "", len(events)); !cmp.Equal(want, events) {
				t.Errorf("round %d: %s: stored events differ from the ones written", round, id)
			}
			if err := db.Verify(context.Background(), id); err != nil {
				t.Errorf("round %d: Verify(%s) = %v", round, id, err)
			}
			t.Logf("round %d: %s: %d acknowledged, %d stored", round, id, acked[id], len(events))
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
