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

// TestOpinionsEndToEnd runs the opinions scenario (the congress floor) with 40 tablets, a short window
// and 4 groups against a child server, after the floor hub and checks the JSON line: every
// opinion stored, the counts right, no delivery to another group, sane
// figures.
func TestOpinionsEndToEnd(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("starts a server process and 80 connections")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"-scenario", "opinions", "-n", "40", "-window", "3s", "-opinions", "3", "-sections", "20", "-groups", "4", "-group-changes", "3", "-changes", "5", "-quiet-wait", "0", "-retries", "0", "-timeout", "2m"},
		func(string) string { return "" }, &stdout, &stderr)
	t.Logf("stderr:\n%s", stderr.String())
	if err != nil {
		t.Fatalf("run: %v\nstdout:\n%s", err, stdout.String())
	}
	lines := strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("last line of stdout is not JSON: %v", err)
	}
	if got["scenario"] != "opinions" || got["opinions"] != 120.0 || got["stored"] != 120.0 || got["lost"] != 0.0 || got["counts_ok"] != true ||
		got["cross_deliveries"] != 0.0 || got["opinions_valid"] != true {
		t.Errorf("figures %v; want 120 opinions, all stored, counts ok, no cross deliveries, valid", got)
	}
	// The floor hub ran first: the ratios to it are there.
	if r, ok := got["opinions_ratios_to_floor"].(map[string]any); !ok || r["ack_p50_to_send_p50"] == nil || r["group_last_p50_to_last_p50"] == nil {
		t.Errorf("opinions_ratios_to_floor = %v; want the ratios to the floor hub of the same run", got["opinions_ratios_to_floor"])
	}
	for _, k := range []string{"opinion_ack_p50_ms", "opinion_ack_p99_ms", "rollup_json_ms", "rollup_pdf_ms", "rollup_docx_ms", "sit_all_ms", "group_last_p50_ms"} {
		if v, ok := got[k].(float64); !ok || v <= 0 || v > 60000 {
			t.Errorf("%s = %v; want a positive number of milliseconds", k, got[k])
		}
	}
}
