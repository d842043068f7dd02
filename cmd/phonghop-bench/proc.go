package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// This machine is shared: every measured phase notes the CPU of the bench,
// of the server (phonghop or the floor hub) and of everything else, from
// /proc, and names the other processes that used the most.

// clockTicks is USER_HZ, the unit of /proc CPU times (100 on Linux).
const clockTicks = 100

// procCPU returns the user+system CPU seconds of process pid so far, from
// /proc/<pid>/stat, or NaN.
func procCPU(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return math.NaN()
	}
	_, cpu, ok := parseStat(b)
	if !ok {
		return math.NaN()
	}
	return cpu
}

// parseStat reads the command name and user+system seconds from the
// contents of /proc/<pid>/stat.
func parseStat(b []byte) (comm string, cpu float64, ok bool) {
	i, j := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if i < 0 || j < i {
		return "", 0, false
	}
	f := strings.Fields(string(b[j+1:]))
	// After the name: state (field 3), …, utime (14), stime (15).
	if len(f) < 13 {
		return "", 0, false
	}
	ut, err1 := strconv.ParseFloat(f[11], 64)
	st, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return "", 0, false
	}
	return string(b[i+1 : j]), (ut + st) / clockTicks, true
}

// procWait returns the seconds the threads of process pid (0: this one)
// have spent runnable but waiting for a CPU (/proc/<pid>/task/*/schedstat,
// second field), or NaN. Threads that ended are not counted.
func procWait(pid int) float64 {
	dir := "/proc/self/task"
	if pid > 0 {
		dir = "/proc/" + strconv.Itoa(pid) + "/task"
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return math.NaN()
	}
	var ns float64
	for _, e := range ents {
		b, err := os.ReadFile(dir + "/" + e.Name() + "/schedstat")
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) >= 2 {
			if v, err := strconv.ParseFloat(f[1], 64); err == nil {
				ns += v
			}
		}
	}
	return ns / 1e9
}

// procStat is one process's CPU so far.
type procStat struct {
	comm string
	cpu  float64
}

// procTable reads the CPU of every process on the machine.
func procTable() map[int]procStat {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	out := make(map[int]procStat, len(ents))
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		if comm, cpu, ok := parseStat(b); ok {
			out[pid] = procStat{comm, cpu}
		}
	}
	return out
}

// procUse is another process's CPU during a phase.
type procUse struct {
	PID   int     `json:"pid"`
	Comm  string  `json:"comm"`
	Cores float64 `json:"cores"`
}

// topOthers returns the processes but those in mine that used the most CPU
// between two tables over wall seconds (at most 4, each ≥ 0.02 cores).
// Processes that began and ended in between are not seen (the machine-wide
// figure counts them).
func topOthers(before, after map[int]procStat, wall float64, mine ...int) []procUse {
	if wall <= 0 {
		return nil
	}
	var out []procUse
	for pid, a := range after {
		if slices.Contains(mine, pid) {
			continue
		}
		b, ok := before[pid]
		if !ok || b.cpu > a.cpu {
			b = procStat{} // started during the phase (or a pid reused)
		}
		if c := (a.cpu - b.cpu) / wall; c >= 0.02 {
			out = append(out, procUse{PID: pid, Comm: a.comm, Cores: round3(c)})
		}
	}
	slices.SortFunc(out, func(x, y procUse) int {
		if x.Cores != y.Cores {
			if x.Cores > y.Cores {
				return -1
			}
			return 1
		}
		return x.PID - y.PID
	})
	return out[:min(len(out), 4)]
}

// niceness returns this process's nice value (0 if unknown).
func niceness() int {
	// The raw getpriority(2) returns 20 - nice on Linux.
	prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
	if err != nil {
		return 0
	}
	return 20 - prio
}

// loadavg returns the 1-minute load average, or NaN.
func loadavg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return math.NaN()
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return math.NaN()
	}
	return v
}

// describeOthers prints procUses for a progress line.
func describeOthers(ps []procUse) string {
	var s []string
	for _, p := range ps {
		s = append(s, fmt.Sprintf("%s[%d] %.2f", p.Comm, p.PID, p.Cores))
	}
	if len(s) == 0 {
		return "short-lived processes"
	}
	return strings.Join(s, ", ")
}

// otherCores measures, over d, the cores used by everything but the bench
// and process pid (0: none).
func otherCores(ctx context.Context, pid int, d time.Duration) (float64, error) {
	m0, b0, s0, t0 := machineCPU(), selfCPU(), 0.0, time.Now()
	if pid > 0 {
		s0 = procCPU(pid)
	}
	if err := sleep(ctx, d); err != nil {
		return 0, err
	}
	m1, b1, s1 := machineCPU(), selfCPU(), 0.0
	if pid > 0 {
		s1 = procCPU(pid)
	}
	other := (m1 - m0) - (b1 - b0) - (s1 - s0)
	if math.IsNaN(other) {
		return 0, nil
	}
	return max(other, 0) / time.Since(t0).Seconds(), nil
}

// waitQuiet waits (at most -quiet-wait) until the rest of the machine used
// at most -max-other cores over one second, so that a measured phase does
// not start in the middle of someone's build. It returns how long it
// waited; the phase itself is checked afterwards all the same.
func (b *bench) waitQuiet(ctx context.Context, pid int) (time.Duration, error) {
	start := time.Now()
	if b.cfg.quietWait <= 0 {
		return 0, nil
	}
	announced := false
	for {
		other, err := otherCores(ctx, pid, time.Second)
		if err != nil {
			return time.Since(start), err
		}
		if other <= b.cfg.maxOther {
			return time.Since(start), nil
		}
		if time.Since(start) >= b.cfg.quietWait {
			b.p.printf("the machine is still busy (other processes %.2f cores) after %v: measuring anyway", other, b.cfg.quietWait)
			return time.Since(start), nil
		}
		if !announced {
			b.p.printf("waiting for other processes to calm down (%.2f cores > %.2f; at most %v)", other, b.cfg.maxOther, b.cfg.quietWait)
			announced = true
		}
	}
}
