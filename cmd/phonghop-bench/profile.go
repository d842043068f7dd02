package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/phonghop/phonghop/internal/benchprofile"
)

// Profiles of the server under the bench (-server-profile DIR): the bench
// builds phonghop with -tags benchprofile (cmd/phonghop/benchprofile.go),
// which starts internal/benchprofile's toggler, and starts it with profileEnv set.
// SIGUSR1 starts a CPU profile and, sent again, stops it; the bench sends
// it around each measured phase and renames the file after the phase
// (connect.pprof, fanout.pprof, …), for `go tool pprof`. The floor hub
// (this binary) has the toggler too. A stock phonghop has no toggler, and
// SIGUSR1 would kill it: the bench signals only a process whose toggler
// announced itself with a file (ready) in the directory.

// profileEnv names the directory the toggler writes into.
const profileEnv = benchprofile.EnvDir

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
