package main

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// scrape reads the server's /metrics (Prometheus text format) into a map
// from series (name and labels, as written) to value.
func (b *bench) scrape(ctx context.Context) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := (&http.Client{Transport: b.tr, Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: HTTP %d", resp.StatusCode)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out, sc.Err()
}

// cpuMark is a point in time with the CPU time used so far by the bench,
// the server and the machine.
type cpuMark struct {
	t       time.Time
	bench   float64 // seconds, user+system, this process
	server  float64 // seconds, user+system, of the server; NaN if unknown
	machine float64 // busy seconds of all CPUs (/proc/stat); NaN if unknown
	pid     int     // the server's process, 0 if it is not ours (-server)
	// Seconds the bench's and the server's threads waited, runnable, for
	// a CPU; NaN if unknown.
	benchWait, serverWait float64
	procs                 map[int]procStat
	load1                 float64
}

// mark records the CPU used so far, the server's from /proc when it is our
// child (pid), else from its /metrics.
func (b *bench) mark(ctx context.Context) cpuMark { return b.markPID(ctx, b.serverPID) }

// markPID is mark for the server process pid (0: from /metrics).
func (b *bench) markPID(ctx context.Context, pid int) cpuMark {
	m := cpuMark{t: time.Now(), bench: selfCPU(), server: math.NaN(), machine: machineCPU(), pid: pid, load1: loadavg(),
		benchWait: procWait(0), serverWait: math.NaN()}
	if pid > 0 {
		m.server = procCPU(pid)
		m.serverWait = procWait(pid)
	} else if mm, err := b.scrape(ctx); err == nil {
		if v, ok := mm["process_cpu_seconds_total"]; ok {
			m.server = v
		}
	}
	m.procs = procTable()
	return m
}

// cpuUse is the wall time and CPU time of a phase. CPU shares are of one
// core: 2.0 is both cores of a 2-core machine.
type cpuUse struct {
	Wall        float64 `json:"wall_s"`
	BenchCPU    float64 `json:"bench_cpu_s"`
	ServerCPU   float64 `json:"server_cpu_s"`
	BenchCores  float64 `json:"bench_cores"`
	ServerCores float64 `json:"server_cores"`
	// OtherCores is the CPU used meanwhile by everything else on the
	// machine (kernel threads, other processes): a busy neighbour
	// spoils the figures.
	OtherCores float64 `json:"other_cores"`
	// WaitCores is the time the bench's and the server's threads spent
	// runnable but waiting for a CPU, per second of the phase: how much
	// the phase was delayed by a shortage of CPU, whoever held it (the
	// other processes, or the bench and the server each other); -1 if
	// unknown.
	WaitCores       float64 `json:"wait_cores"`
	BenchWaitCores  float64 `json:"bench_wait_cores"`
	ServerWaitCores float64 `json:"server_wait_cores"`
	// TopOthers are the other processes that used the most.
	TopOthers []procUse `json:"top_others,omitempty"`
	// OtherWindowS is the window OtherCores and TopOthers were measured
	// over when the phase was shorter than a second.
	OtherWindowS float64 `json:"other_window_s,omitempty"`
	Load1        float64 `json:"loadavg_1m"` // at the start
}

// until returns the use between m and later mark n.
func (m cpuMark) until(n cpuMark) *cpuUse {
	u := &cpuUse{Wall: round3(n.t.Sub(m.t).Seconds()), BenchCPU: round3(n.bench - m.bench), ServerCPU: round3(n.server - m.server), Load1: m.load1}
	if math.IsNaN(u.ServerCPU) {
		u.ServerCPU = -1
	}
	if u.Wall > 0 {
		u.BenchCores = round3(u.BenchCPU / u.Wall)
		u.ServerCores = round3(u.ServerCPU / u.Wall)
		server := n.server - m.server
		if math.IsNaN(server) {
			server = 0
		}
		if other := (n.machine - m.machine) - (n.bench - m.bench) - server; !math.IsNaN(other) {
			u.OtherCores = round3(max(other, 0) / u.Wall)
		}
		bw, sw := (n.benchWait-m.benchWait)/u.Wall, (n.serverWait-m.serverWait)/u.Wall
		u.BenchWaitCores, u.ServerWaitCores, u.WaitCores = round3(bw), round3(sw), round3(bw+sw)
		if math.IsNaN(bw) || math.IsNaN(sw) {
			u.BenchWaitCores, u.ServerWaitCores, u.WaitCores = -1, -1, -1
		}
		if m.procs != nil && n.procs != nil {
			u.TopOthers = topOthers(m.procs, n.procs, u.Wall, os.Getpid(), m.pid)
		}
	}
	return u
}

// selfCPU returns the user+system CPU seconds of this process.
func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// machineCPU returns the busy CPU seconds of the whole machine since boot
// (all but idle and iowait in /proc/stat), or NaN.
func machineCPU() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return math.NaN()
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return math.NaN()
	}
	var busy float64
	for i, v := range f[1:] {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return math.NaN()
		}
		if i != 3 && i != 4 && i < 8 { // not idle, iowait, guest (counted in user)
			busy += x
		}
	}
	return busy / 100 // USER_HZ
}

// percentile returns the p-th percentile (nearest rank) of xs, which it
// sorts.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	slices.Sort(xs)
	rank := int(math.Ceil(p / 100 * float64(len(xs))))
	return xs[min(max(rank, 1), len(xs))-1]
}

// median returns the median of xs (the mean of the middle two for an even
// count) without changing xs.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// round3 rounds x to 3 decimals (for the JSON).
func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// ms returns d in milliseconds, rounded to microseconds.
func ms(ns float64) float64 { return round3(ns / 1e6) }
