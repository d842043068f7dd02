package meetingtest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Property is a property test over random meetings: Meetings meetings of
// consecutive seeds from Seed, each generated and checked with the
// options Options returns (a new value per run: a Check hook may keep
// state). A failing meeting is shrunk to a minimal script breaking the
// same invariant, written to Dir (where Regressions runs it from then on)
// and reported with the command that reruns it.
type Property struct {
	Name     string // the test's name, for the rerun command ("TestMeetingProperties")
	Package  string // its package, for the rerun command ("./server/meeting")
	Seed     uint64 // 0: from the clock
	Meetings int
	Steps    func(seed uint64) int // the length of the meeting of seed
	Options  func() Options
	Dir      string // where failing scripts are kept ("testdata/prop")
}

// Run runs the property test and returns the runs' statistics.
func (p Property) Run(t *testing.T) Stats {
	t.Helper()
	base := p.Seed
	if base == 0 {
		base = uint64(time.Now().UnixNano())
	}
	t.Logf("%d random meetings from seed %d (rerun: go test %s -run '%s$' -prop.seed=%d -prop.meetings=%d)", p.Meetings, base, p.Package, p.Name, base, p.Meetings)
	// Small heaps, many short-lived states: collect less often.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	var (
		next   atomic.Int64
		stop   atomic.Bool
		mu     sync.Mutex
		stats  Stats
		failed *failure
		wg     sync.WaitGroup
	)
	start := time.Now()
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				i := next.Add(1) - 1
				if i >= int64(p.Meetings) {
					return
				}
				seed := base + uint64(i)
				sc, r, err := Generate(seed, p.Steps(seed), p.Options())
				mu.Lock()
				stats.Add(r.Stats)
				if err != nil && (failed == nil || seed < failed.seed) {
					failed = &failure{seed: seed, script: sc, err: err}
					stop.Store(true)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	t.Logf("%d steps (%d accepted, %d refused, %d skipped), %d ballots cast and %d refused, %d polls counted (%d ballots issued), in %s",
		stats.Steps, total(stats.Accepted), total(stats.Refused), stats.Skipped, stats.Ballots, stats.Refusals, stats.Counted, stats.Issued,
		time.Since(start).Round(time.Millisecond))
	if failed != nil {
		p.report(t, failed)
	}
	return stats
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// failure is a meeting that broke an invariant.
type failure struct {
	seed   uint64
	script Script
	err    error
}

// report shrinks the failing script, keeps it in p.Dir and fails t.
func (p Property) report(t *testing.T, f *failure) {
	t.Helper()
	inv := InvariantOf(f.err)
	min := Shrink(f.script, func(sc Script) bool {
		_, err := Exec(sc, p.Options())
		return err != nil && InvariantOf(err) == inv
	})
	_, err := Exec(min, p.Options())
	rerun := fmt.Sprintf("go test %s -run '%s$' -prop.seed=%d -prop.meetings=1", p.Package, p.Name, f.seed)
	name := filepath.Join(p.Dir, fmt.Sprintf("%s-%d.txt", inv, f.seed))
	text := fmt.Sprintf("# %s\n# Shrunk from the %d steps of the meeting of seed %d (%s).\n%s",
		strings.ReplaceAll(fmt.Sprint(err), "\n", "\n# "), len(f.script), f.seed, rerun, min)
	kept := "not kept"
	if werr := os.MkdirAll(p.Dir, 0o755); werr != nil {
		t.Logf("cannot keep the script: %v", werr)
	} else if werr := os.WriteFile(name, []byte(text), 0o644); werr != nil {
		t.Logf("cannot keep the script: %v", werr)
	} else {
		kept = "kept in " + name + " (a regression test from now on)"
	}
	t.Fatalf("meeting of seed %d: %v\n\nshrunk to %d of %d steps, %s:\n%s\nrerun: %s", f.seed, f.err, len(min), len(f.script), kept, min, rerun)
}

// Regressions runs every script kept in dir (each once broke an invariant:
// its first lines say which) with the options opts returns; none may again.
func Regressions(t *testing.T, dir string, opts func() Options) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			sc, err := ParseScript(string(b))
			if err != nil {
				t.Fatal(err)
			}
			r, err := Exec(sc, opts())
			if err != nil {
				t.Fatal(err)
			}
			if total(r.Stats.Accepted) == 0 {
				t.Fatalf("no step of %s was accepted: the script tests nothing", name)
			}
		})
	}
}
