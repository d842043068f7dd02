package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

// runJSON runs the bench with args and returns its JSON line.
func runJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, append(args, "-timeout", "3m", "-quiet-wait", "0", "-retries", "0"), func(string) string { return "" }, &stdout, &stderr)
	t.Logf("stderr:\n%s", stderr.String())
	if err != nil {
		t.Fatalf("run(%q): %v\nstdout:\n%s", args, err, stdout.String())
	}
	lines := strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("last line of stdout is not JSON: %v", err)
	}
	return got
}

// num returns the number at a dotted path of the JSON object.
func num(t *testing.T, m map[string]any, path string) float64 {
	t.Helper()
	var v any = m
	for _, k := range strings.Split(path, ".") {
		o, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s: %v is not an object", path, v)
		}
		v = o[k]
	}
	f, ok := v.(float64)
	if !ok || math.IsNaN(f) {
		t.Fatalf("%s = %v (%T); want a number", path, v, v)
	}
	return f
}

// TestCongressEndToEnd runs the congress scenario with 20 lean tablets:
// the floor, then phonghop (connect, fan-out, vote and publish, snapshot
// sizes), and checks that every figure is in the JSON line.
func TestCongressEndToEnd(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("starts a floor hub, a server and 20 connections")
	}
	got := runJSON(t, "-scenario", "congress", "-n", "20", "-changes", "3", "-sizes", "5,40", "-idle-gc-wait", "0", "-idle-wait", "0s")
	if got["scenario"] != "congress" || got["tablet"] != "lean" || got["error"] != nil {
		t.Fatalf("scenario %v, tablet %v, error %v", got["scenario"], got["tablet"], got["error"])
	}
	for _, k := range []string{"floor.connect_s", "floor.last_p50_ms", "floor.last_p99_ms", "floor.send_p50_ms",
		"setup.connect_s", "setup.pair_s", "last_p50_ms", "last_p99_ms", "send_p50_ms", "publish_ms", "close_ms", "console_result_ms", "all_acked_ms",
		"ratios_to_floor.connect", "ratios_to_floor.last_p50", "ratios_to_floor.last_p99",
		"connect_phase.cpu.wall_s", "fanout_phase.cpu.wall_s", "floor.fanout_phase.cpu.wall_s"} {
		if v := num(t, got, k); v <= 0 || v > 120_000 {
			t.Errorf("%s = %v; want > 0 and sane", k, v)
		}
	}
	// CPU is counted in 10 ms ticks: with 20 tablets the work figures may
	// be 0, but they are there (TestWorkOf checks the arithmetic).
	for _, k := range []string{"work.server_us_per_event", "floor.work.server_us_per_event", "work.server_us_per_conn", "ratios_to_floor.cpu_fanout"} {
		if v := num(t, got, k); v < 0 {
			t.Errorf("%s = %v; want ≥ 0", k, v)
		}
	}
	for _, k := range []string{"tablets_lost", "floor.tablets_lost", "reconnected_tablets"} {
		if v := num(t, got, k); v != 0 {
			t.Errorf("%s = %v; want 0", k, v)
		}
	}
	if num(t, got, "counted") != 20 || got["vote_valid"] != true {
		t.Errorf("counted %v, vote_valid %v; want 20, true", got["counted"], got["vote_valid"])
	}
	// The snapshot a delegate receives: the main meeting's (20 delegates),
	// then the sizes meeting at 5 and 40 delegates, which must grow.
	if num(t, got, "snapshot_bytes") < 1000 {
		t.Errorf("snapshot_bytes = %v; want a snapshot", got["snapshot_bytes"])
	}
	sizes, _ := got["snapshot_sizes"].([]any)
	if len(sizes) != 2 {
		t.Fatalf("snapshot_sizes = %v; want 2 points", got["snapshot_sizes"])
	}
	s5, s40 := sizes[0].(map[string]any), sizes[1].(map[string]any)
	if s5["participants"] != 5.0 || s40["participants"] != 40.0 || s5["bytes"].(float64) <= 0 || s40["bytes"].(float64) <= s5["bytes"].(float64) {
		t.Errorf("snapshot_sizes = %v; want 5 then 40 participants, growing", sizes)
	}
	if got["nice"] != float64(niceness()) {
		t.Errorf("nice = %v; want %d", got["nice"], niceness())
	}
	if _, ok := got["clean"].(bool); !ok {
		t.Errorf("clean = %v; want a boolean", got["clean"])
	}
}

// TestFloorScenario runs the floor alone and checks that its hub, a child
// process, served the lean tablets and stopped.
func TestFloorScenario(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("starts a floor hub and 30 connections")
	}
	got := runJSON(t, "-scenario", "floor", "-n", "30", "-changes", "4")
	floor, ok := got["floor"].(map[string]any)
	if !ok {
		t.Fatalf("floor = %v", got["floor"])
	}
	if n := len(floor["last_ms"].([]any)); n != 4 {
		t.Errorf("floor.last_ms has %d values; want 4", n)
	}
	if p50, p99 := num(t, got, "floor.last_p50_ms"), num(t, got, "floor.last_p99_ms"); p50 <= 0 || p50 > p99 {
		t.Errorf("floor last p50 %v, p99 %v", p50, p99)
	}
	if num(t, got, "floor.event_bytes") < 300 {
		t.Errorf("floor.event_bytes = %v; want the size of a phonghop event", floor["event_bytes"])
	}
	if hub := num(t, got, "floor.connect_phase.cpu.server_cpu_s"); hub < 0 {
		t.Errorf("the hub's CPU was not read from /proc: %v", hub)
	}
}

func TestParseStat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		comm string
		cpu  float64
		ok   bool
	}{
		{"1234 (phonghop) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0 100 0 0", "phonghop", 3.0, true},
		{"77 (tmux: server (1)) R 1 77 77 0 -1 0 0 0 0 0 7 3 0 0", "tmux: server (1)", 0.1, true},
		{"77 (x) R 1 2", "", 0, false},
		{"no parentheses", "", 0, false},
	} {
		comm, cpu, ok := parseStat([]byte(tc.in))
		if comm != tc.comm || math.Abs(cpu-tc.cpu) > 1e-9 || ok != tc.ok {
			t.Errorf("parseStat(%q) = %q, %v, %v; want %q, %v, %v", tc.in, comm, cpu, ok, tc.comm, tc.cpu, tc.ok)
		}
	}
	if cpu := procCPU(os.Getpid()); math.IsNaN(cpu) || cpu < 0 {
		t.Errorf("procCPU(self) = %v", cpu)
	}
}

func TestTopOthers(t *testing.T) {
	before := map[int]procStat{1: {"init", 10}, 2: {"go", 5}, 3: {"bench", 1}, 4: {"kworker/0:1", 2}, 9: {"old", 50}}
	after := map[int]procStat{1: {"init", 10.01}, 2: {"go", 7}, 3: {"bench", 3}, 4: {"kworker/0:1-events", 2.5}, 5: {"compile", 1}, 9: {"reused", 0.5}}
	got := topOthers(before, after, 2, 3)
	want := []procUse{{2, "go", 1}, {5, "compile", 0.5}, {4, "kworker/0:1-events", 0.25}, {9, "reused", 0.25}}
	if len(got) != len(want) {
		t.Fatalf("topOthers = %+v; want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("topOthers[%d] = %+v; want %+v", i, got[i], want[i])
		}
	}
}

func TestWorkOf(t *testing.T) {
	connect := &phaseRun{CPU: &cpuUse{ServerCPU: 0.44, BenchCPU: 0.6}}
	fanout := &phaseRun{CPU: &cpuUse{ServerCPU: 0.66, BenchCPU: 0.3}}
	w := workOf(connect, fanout, 2000, 30)
	want := work{ServerUsPerConn: 220, BenchUsPerConn: 300, ServerUsPerEvent: 11, BenchUsPerEvent: 5}
	if *w != want {
		t.Errorf("workOf = %+v; want %+v", *w, want)
	}
	if w := workOf(nil, nil, 2000, 30); *w != (work{}) {
		t.Errorf("workOf(nil phases) = %+v; want zeros", *w)
	}
}
