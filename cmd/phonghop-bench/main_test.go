package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// TestFanoutEndToEnd runs the fanout scenario with 20 tablets against a
// child server (built from this module unless a phonghop binary sits next
// to the test binary) and checks the JSON line. It is skipped with -short,
// except under CI.
func TestFanoutEndToEnd(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" { // under CI it always runs
		t.Skip("starts a server process and 20 connections")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	getenv := func(string) string { return "" }
	err := run(ctx, []string{"-scenario", "fanout", "-tablet", "sdk", "-n", "20", "-changes", "3", "-timeout", "2m", "-quiet-wait", "0", "-retries", "0"}, getenv, &stdout, &stderr)
	t.Logf("stderr:\n%s", stderr.String())
	if err != nil {
		t.Fatalf("run: %v\nstdout:\n%s", err, stdout.String())
	}
	lines := strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")
	last := lines[len(lines)-1]
	var got map[string]any
	if err := json.Unmarshal([]byte(last), &got); err != nil {
		t.Fatalf("last line of stdout is not JSON: %v\n%s", err, last)
	}
	if got["scenario"] != "fanout" || got["n"] != 20.0 || got["changes"] != 3.0 {
		t.Errorf("scenario, n, changes = %v, %v, %v; want fanout, 20, 3", got["scenario"], got["n"], got["changes"])
	}
	num := func(key string) float64 {
		t.Helper()
		v, ok := got[key].(float64)
		if !ok {
			t.Fatalf("%q is %v (%T), want a number", key, got[key], got[key])
		}
		return v
	}
	for _, k := range []string{"last_p50_ms", "last_p99_ms", "last_max_ms", "all_p50_ms", "send_p50_ms", "setup_s"} {
		if v := num(k); v <= 0 || v > 60_000 {
			t.Errorf("%s = %v, want > 0 and sane", k, v)
		}
	}
	if p50, p99, mx := num("last_p50_ms"), num("last_p99_ms"), num("last_max_ms"); p50 > p99 || p99 > mx {
		t.Errorf("last p50 %v, p99 %v, max %v are out of order", p50, p99, mx)
	}
	if num("all_p50_ms") > num("last_max_ms") {
		t.Errorf("all_p50_ms %v > last_max_ms %v", num("all_p50_ms"), num("last_max_ms"))
	}
	if num("reconnected_tablets") != 0 || got["valid"] != true {
		t.Errorf("reconnected_tablets = %v, valid = %v; want 0, true", got["reconnected_tablets"], got["valid"])
	}
	if got["go"] == "" || num("cpus") < 1 || got["date"] == "" || got["error"] != nil {
		t.Errorf("go %v, cpus %v, date %v, error %v", got["go"], got["cpus"], got["date"], got["error"])
	}
	if lm, ok := got["last_ms"].([]any); !ok || len(lm) != 3 {
		t.Errorf("last_ms = %v, want 3 values", got["last_ms"])
	}
}

// TestFlags checks that bad flags fail before anything starts.
func TestFlags(t *testing.T) {
	getenv := func(string) string { return "" }
	for _, args := range [][]string{
		{"-scenario", "nope"},
		{"-n", "0"},
		{"-n", "10001"},
		{"-server", "http://127.0.0.1:1"}, // no user or password
		{"-server", "http://192.0.2.1:8080", "-user", "u", "-password", "p"}, // not loopback
		{"extra"},
		{"-tablet", "nope"},
		{"-scenario", "reconnect", "-tablet", "lean"}, // needs the SDK
		{"-scenario", "floor", "-tablet", "sdk"},      // the floor is lean only
		{"-scenario", "congress", "-tablet", "sdk"},
		{"-sizes", "30,abc"},
		{"-sizes", "2000,30"},
		{"-sizes", "10001"},
		{"-retries", "-1"},
		{"-server-profile", "/tmp/x", "-server", "http://127.0.0.1:1", "-user", "u", "-password", "p"},
	} {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), args, getenv, &stdout, &stderr); err == nil {
			t.Errorf("run(%q) succeeded, want an error", args)
		}
	}
}

// TestMain lets the test binary serve as the floor hub when the bench
// starts it as one (os.Executable is the test binary under go test).
func TestMain(m *testing.M) {
	if os.Getenv(roleEnv) == "floor-hub" {
		os.Exit(floorHubMain())
	}
	os.Exit(m.Run())
}
