//go:build benchprofile

// This file is compiled only with -tags benchprofile, which
// cmd/phonghop-bench uses for -server-profile: with
// PHONGHOP_BENCH_PROFILE_DIR set, SIGUSR1 starts a CPU profile of the server
// and, sent again, writes it; SIGUSR2 writes a heap profile. A release build
// has none of it (and SIGUSR1 keeps its default action). The code is a copy
// of cmd/phonghop-bench/profile.go's toggler: keep the two alike.

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
)

func init() {
	startProfileToggler(os.Getenv("PHONGHOP_BENCH_PROFILE_DIR"), os.Stderr)
}

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
