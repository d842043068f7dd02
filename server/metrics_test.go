package server_test

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// promtool finds Prometheus's promtool (Debian's package prometheus, which
// scripts/test.sh installs); under CI=true a missing one fails the test.
func promtool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("promtool"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("promtool not found (apt-get install prometheus); CI=true: no skipping")
	}
	t.Skip("promtool not found")
	return ""
}

// TestMetricsContract drives the server through what its metrics count —
// a login, a WebSocket, commands, a ballot, a 405, a request with a made-up
// method, an unknown path — then checks the exposition with promtool and
// the label values: methods, routes and status codes bounded and true.
func TestMetricsContract(t *testing.T) {
	tool := promtool(t)
	ts := newTestServer(t)
	sec := ts.secretary(t)
	id := setupMeeting(t, sec, "Đại biểu Một,đại biểu")
	var st meeting.State
	sec.must(200, "GET", "/api/meetings/"+id, nil, &st)
	tab := ts.pair(t, sec, id, st.Participants[0].ID)
	ws, _, err := tab.dialWS(id, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	readMsgs(t, ws, func(m wsMsg) bool { return m.Type == "synced" })
	sec.must(200, "POST", "/api/meetings/"+id+"/open", nil, nil)
	tab.must(200, "POST", "/api/meetings/"+id+"/commands", map[string]any{"name": "attendance.check_in", "data": map[string]any{}}, nil)
	var created struct{ Seq int64 }
	sec.must(200, "POST", "/api/meetings/"+id+"/commands", map[string]any{"name": "poll.create", "data": map[string]any{"question": "Thông qua?", "kind": "open"}}, &created)
	sec.must(200, "GET", "/api/meetings/"+id, nil, &st)
	poll := st.Polls[0].ID
	sec.must(200, "POST", "/api/meetings/"+id+"/commands", map[string]any{"name": "poll.open", "data": map[string]any{"id": poll}}, nil)
	tab.must(200, "POST", "/api/meetings/"+id+"/polls/"+poll+"/ballots", map[string]any{"key": "k1", "ballot": map[string]any{"choice": "agree"}}, nil)

	if c, _ := sec.do("DELETE", "/api/login", nil); c != 405 {
		t.Errorf("DELETE /api/login = %d; want 405", c)
	}
	req, _ := http.NewRequest("FROBNICATE", ts.URL+"/api/me", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	sec.do("GET", "/api/no/such/path/"+strings.Repeat("x", 40), nil)
	time.Sleep(50 * time.Millisecond)

	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	cmd := exec.Command(tool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}

	text := string(body)
	for _, want := range []string{
		`phonghop_http_request_duration_seconds_count{code="405",method="DELETE",route="/api/login"}`,
		`method="OTHER"`,
		`route="unmatched"`,
		`phonghop_store_write_duration_seconds_count{what="events"}`,
		`phonghop_store_write_duration_seconds_count{what="ballot"}`,
		"phonghop_rooms_live 1",
		"phonghop_tablets_connected 1",
		"phonghop_archive_backlog 0",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(text, "FROBNICATE") || strings.Contains(text, "/api/no/such") {
		t.Error("/metrics has a label value a client chose")
	}
	// Every method label is one HTTP defines.
	for _, m := range regexp.MustCompile(`method="([^"]*)"`).FindAllStringSubmatch(text, -1) {
		switch m[1] {
		case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE", "OTHER":
		default:
			t.Errorf("method label %q", m[1])
		}
	}
}
