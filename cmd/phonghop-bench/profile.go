package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"
)

// Profiles of the server under the bench (-server-profile DIR): the bench
// builds phonghop with -tags benchprofile (cmd/phonghop/benchprofile.go),
// which holds the same toggler as below, and starts it with profileEnv set.
// SIGUSR1 starts a CPU profile and, sent again, stops it; the bench sends
// it around each measured phase and renames the file after the phase
// (connect.pprof, fanout.pprof, …), for `go tool pprof`. The floor hub
// (this binary) has the toggler too. A stock phonghop has no toggler, and
// SIGUSR1 would kill it: the bench signals only a process whose toggler
// announced itself with a file (ready) in the directory.

// profileEnv names the directory the toggler writes into.
const profileEnv = "PHONGHOP_BENCH_PROFILE_DIR"

// startProfileToggler starts the signal-driven profiler when dir is not
// empty: SIGUSR1 toggles a CPU profile (written to dir/cpu-K.pprof, K = 1,
// 2, … when stopped), SIGUSR2 writes dir/heap-K.pprof after a GC. It
// writes dir/ready (its pid) once it listens.
func startProfileToggler(dir string, log io.Writer) {
	if dir == "" {
		return
	}
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, syscall.SIGUSR1, syscall.SIGUSR2)
	if err := os.WriteFile(filepath.Join(dir, "ready"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		fmt.Fprintln(log, "benchprofile:", err)
		return
	}
	go func() {
		var cpu *os.File
		cpus, heaps := 0, 0
		for sig := range ch {
			switch {
			case sig == syscall.SIGUSR2:
				heaps++
				runtime.GC()
				writeProfile(log, filepath.Join(dir, fmt.Sprintf("heap-%d.pprof", heaps)), func(f *os.File) error { return pprof.WriteHeapProfile(f) })
			case cpu == nil:
				f, err := os.Create(filepath.Join(dir, "cpu.tmp"))
				if err == nil {
					if err = pprof.StartCPUProfile(f); err != nil {
						f.Close()
					} else {
						cpu = f
					}
				}
				if err != nil {
					fmt.Fprintln(log, "benchprofile:", err)
				}
			default:
				pprof.StopCPUProfile()
				cpus++
				if err := cpu.Close(); err != nil {
					fmt.Fprintln(log, "benchprofile:", err)
				}
				if err := os.Rename(cpu.Name(), filepath.Join(dir, fmt.Sprintf("cpu-%d.pprof", cpus))); err != nil {
					fmt.Fprintln(log, "benchprofile:", err)
				}
				cpu = nil
			}
		}
	}()
}

// writeProfile writes a profile to path through a temporary file.
func writeProfile(log io.Writer, path string, write func(*os.File) error) {
	f, err := os.Create(path + ".tmp")
	if err == nil {
		err = write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = os.Rename(path+".tmp", path)
	}
	if err != nil {
		fmt.Fprintln(log, "benchprofile:", err)
	}
}

// profiled is a process the bench profiles: its directory and how many
// CPU and heap profiles it has written.
type profiled struct {
	dir         string
	cpus, heaps int
}

// addProfiled registers process pid, whose toggler writes into dir, once
// its ready file names it.
func (b *bench) addProfiled(pid int, dir string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		if s, err := os.ReadFile(filepath.Join(dir, "ready")); err == nil && string(s) == strconv.Itoa(pid) {
			b.profiles[pid] = &profiled{dir: dir}
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("process %d wrote no %s/ready: was it built with -tags benchprofile?", pid, dir)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// profile starts a CPU profile of pid (if it is profiled) and returns the
// function that stops it and names the file name.pprof (a repeated phase
// overwrites it: the last attempt's is kept).
func (b *bench) profile(pid int, name string) func() {
	pr := b.profiles[pid]
	if pr == nil {
		return func() {}
	}
	if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
		b.p.printf("profile %s: %v", name, err)
		return func() {}
	}
	return func() {
		if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
			b.p.printf("profile %s: %v", name, err)
			return
		}
		pr.cpus++
		b.collect(filepath.Join(pr.dir, fmt.Sprintf("cpu-%d.pprof", pr.cpus)), filepath.Join(pr.dir, name+".pprof"))
	}
}

// heapProfile asks pid for a heap profile (after a GC) named name.pprof.
func (b *bench) heapProfile(pid int, name string) {
	pr := b.profiles[pid]
	if pr == nil {
		return
	}
	if err := syscall.Kill(pid, syscall.SIGUSR2); err != nil {
		b.p.printf("heap profile %s: %v", name, err)
		return
	}
	pr.heaps++
	b.collect(filepath.Join(pr.dir, fmt.Sprintf("heap-%d.pprof", pr.heaps)), filepath.Join(pr.dir, name+".pprof"))
}

// collect waits (at most 10 s) for the toggler's file and renames it.
func (b *bench) collect(from, to string) {
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(from); err == nil {
			if err := os.Rename(from, to); err != nil {
				b.p.printf("profile: %v", err)
			} else {
				b.p.printf("profile: %s", to)
			}
			return
		}
		if time.Now().After(deadline) {
			b.p.printf("profile: %s did not appear", from)
			return
		}
	}
}
