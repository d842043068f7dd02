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

// TestVoteEndToEnd runs the vote scenario with 30 tablets against a child
// server and checks the JSON line: every ballot counted, sane figures.
func TestVoteEndToEnd(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("starts a server process and 30 connections")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"-scenario", "vote", "-n", "30", "-timeout", "2m", "-quiet-wait", "0", "-retries", "0"}, func(string) string { return "" }, &stdout, &stderr)
	t.Logf("stderr:\n%s", stderr.String())
	if err != nil {
		t.Fatalf("run: %v\nstdout:\n%s", err, stdout.String())
	}
	lines := strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("last line of stdout is not JSON: %v", err)
	}
	if got["scenario"] != "vote" || got["counted"] != 30.0 || got["vote_valid"] != true {
		t.Errorf("scenario %v, counted %v, vote_valid %v; want vote, 30, true", got["scenario"], got["counted"], got["vote_valid"])
	}
	for _, k := range []string{"all_acked_ms", "ack_p50_ms", "ack_p99_ms", "publish_ms", "close_ms", "console_result_ms"} {
		v, ok := got[k].(float64)
		if !ok || v <= 0 || v > 60000 {
			t.Errorf("%s = %v; want a positive number of milliseconds", k, got[k])
		}
	}
	if p50, p99 := got["ack_p50_ms"].(float64), got["ack_p99_ms"].(float64); p50 > p99 {
		t.Errorf("ack p50 %v > p99 %v", p50, p99)
	}
}
