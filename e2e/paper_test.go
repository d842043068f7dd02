package e2e

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/server/meeting"
)

// stationView is what GET …/paper says of a station's own entries.
type stationView struct {
	Me struct {
		Station string `json:"station"`
	} `json:"me"`
	Bundles []struct {
		Bundle  int                  `json:"bundle"`
		Mine    []meeting.PaperMarks `json:"mine"`
		Entries []struct {
			Mine     bool `json:"mine"`
			Finished bool `json:"finished"`
		} `json:"entries"`
	} `json:"bundles"`
	Ready *struct {
		Message string `json:"message"`
	} `json:"ready"`
}

// mine returns the marks this station keyed in bundle b.
func (v stationView) mine(b int) []meeting.PaperMarks {
	for _, x := range v.Bundles {
		if x.Bundle == b {
			return x.Mine
		}
	}
	return nil
}

// finished reports whether this station finished bundle b.
func (v stationView) finished(b int) bool {
	for _, x := range v.Bundles {
		for _, e := range x.Entries {
			if x.Bundle == b && e.Mine {
				return e.Finished
			}
		}
	}
	return false
}

// TestPaperSurvivesKill: three stations key an election concurrently into
// the real binary; it is killed with SIGKILL in the middle of the entry.
// After the restart on the same data, every entry the server acknowledged
// is there, each station (the same device session, the same station ID)
// sees its entries and resumes at the next position, the count completes,
// and the result is the tally of the true ballots.
func TestPaperSurvivesKill(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	data := t.TempDir()
	srv := startServer(t, "127.0.0.1:0", data)
	m := newPaperMeeting(ctx, t, srv, 160)
	pollID := m.createPoll(electionSpec("Bầu Ban Chấp hành", 12, 10))
	m.cmd("poll.open", map[string]any{"id": pollID})
	p, _ := m.state().Poll(pollID)
	const n, size = 150, 50
	truth := paperTruth(rand.New(rand.NewPCG(7, 19)), p, n)

	type station struct {
		c     *client.Client
		hc    *http.Client
		id    string
		acked [][]meeting.PaperMarks // per bundle, the entries acknowledged
	}
	var st []*station
	for _, member := range m.members {
		c, hc := newClient(t, srv.URL)
		if _, err := c.Pair(ctx, m.code(member)); err != nil {
			t.Fatal(err)
		}
		st = append(st, &station{c: c, hc: hc, acked: make([][]meeting.PaperMarks, n/size)})
	}
	if _, err := st[0].c.Command(ctx, m.id, "paper.record_counts", map[string]any{"poll": pollID, "issued": n, "returned": n}); err != nil {
		t.Fatal(err)
	}
	view := func(s *station) stationView {
		t.Helper()
		var v stationView
		if err := getJSON(ctx, s.hc, srv.URL+"/api/meetings/"+m.id+"/polls/"+pollID+"/paper", &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, s := range st {
		s.id = view(s).Me.Station
	}
	// key runs station s over every bundle from where it is (0: the bundle
	// is finished); it returns at the first error (the server gone).
	key := func(s *station, si int, from func(b int) int, total *int, mu *sync.Mutex) error {
		for k := range n / size {
			b := (k+si)%(n/size) + 1
			if from(b) == 0 {
				continue
			}
			for pos := from(b); pos <= size; pos++ {
				mk := truth[(b-1)*size+pos-1]
				if _, err := s.c.Command(ctx, m.id, "paper.enter", map[string]any{"poll": pollID, "bundle": b, "position": pos, "marks": mk}); err != nil {
					return err
				}
				mu.Lock()
				s.acked[b-1] = append(s.acked[b-1], mk)
				*total++
				mu.Unlock()
			}
			if _, err := s.c.Command(ctx, m.id, "paper.finish", map[string]any{"poll": pollID, "bundle": b, "count": size}); err != nil {
				return err
			}
		}
		return nil
	}
	var mu sync.Mutex
	total := 0
	var wg sync.WaitGroup
	for si, s := range st {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = key(s, si, func(int) int { return 1 }, &total, &mu)
		}()
	}
	if !waitFor(2*time.Minute, func() bool { mu.Lock(); defer mu.Unlock(); return total >= 200 }) {
		t.Fatal("the stations did not key 200 ballots")
	}
	srv.kill()
	wg.Wait()
	mu.Lock()
	killedAt := total
	mu.Unlock()
	if killedAt >= 3*n {
		t.Fatalf("every ballot was keyed before the kill (%d); the test would show nothing", killedAt)
	}

	srv = startServer(t, strings.TrimPrefix(srv.URL, "http://"), data)
	m.srv = srv
	for si, s := range st {
		v := view(s)
		if v.Me.Station != s.id {
			t.Errorf("station %d is %q after the restart; want %q (its session)", si+1, v.Me.Station, s.id)
		}
		for b := range n / size {
			got := v.mine(b + 1)
			if len(got) < len(s.acked[b]) {
				t.Fatalf("station %d, bundle %d: %d entries after the restart; %d were acknowledged", si+1, b+1, len(got), len(s.acked[b]))
			}
			for i, mk := range s.acked[b] {
				if !mk.Equal(got[i]) {
					t.Errorf("station %d, bundle %d, ballot %d: %v after the restart; %v was acknowledged", si+1, b+1, i+1, got[i], mk)
				}
			}
		}
	}
	// Every station resumes where it was: the next position of each bundle.
	for si, s := range st {
		v := view(s)
		wg.Add(1)
		go func() {
			defer wg.Done()
			from := func(b int) int {
				if v.finished(b) {
					return 0
				}
				return len(v.mine(b)) + 1
			}
			if err := key(s, si, from, &total, &mu); err != nil {
				t.Errorf("station %d resuming: %v", si+1, err)
			}
		}()
	}
	wg.Wait()
	if v := view(st[0]); v.Ready != nil {
		t.Fatalf("not ready after resuming: %s", v.Ready.Message)
	}
	m.cmd("poll.close", map[string]any{"id": pollID})
	m.cmd("poll.publish", map[string]any{"id": pollID})
	m.checkRecord(pollID, truth, map[[2]int]bool{})
}

// TestPaperRoutes: who may see the counting, print the ballots and read the
// entry log (docs/paper.md) — as outsiders would try, over HTTP.
func TestPaperRoutes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv := startServer(t, "127.0.0.1:0", t.TempDir())
	m := newPaperMeeting(ctx, t, srv, 12)
	pollID := m.createPoll(electionSpec("Bầu Ban Chấp hành", 6, 5))
	m.cmd("poll.open", map[string]any{"id": pollID})
	base := "/api/meetings/" + m.id + "/polls/" + pollID + "/paper"
	status := func(hc *http.Client, path string) (int, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b := make([]byte, 4096)
		n, _ := resp.Body.Read(b)
		return resp.StatusCode, resp.Header.Get("Content-Type") + " " + string(b[:n])
	}
	delegate := func(p meeting.Participant) *http.Client {
		_, hc := newClient(t, srv.URL)
		c, _ := client.New(srv.URL, client.WithHTTPClient(hc))
		if _, err := c.Pair(ctx, m.code(p)); err != nil {
			t.Fatal(err)
		}
		return hc
	}
	voter, member, tech := delegate(m.delegates[5]), delegate(m.members[1]), delegate(m.techs[0])
	for _, path := range []string{base, base + "/ballots", base + "/log"} {
		if code, body := status(voter, path); code != http.StatusForbidden || !strings.Contains(body, "Ban Kiểm phiếu") && !strings.Contains(body, "không có quyền") {
			t.Errorf("a delegate not on the committee: GET %s = %d %s; want 403 in Vietnamese", path, code, body)
		}
	}
	if code, _ := status(tech, base); code != http.StatusForbidden {
		t.Errorf("a technician not yet named: GET %s = %d; want 403", base, code)
	}
	if code, body := status(member, base); code != http.StatusOK || !strings.Contains(body, `"member":true`) {
		t.Errorf("a committee member: GET %s = %d %s; want 200 with member true", base, code, body)
	}
	if code, body := status(member, base+"/ballots?copies=2"); code != http.StatusOK || !strings.HasPrefix(strings.TrimPrefix(body, "application/pdf "), "%PDF-") {
		t.Errorf("a committee member prints the ballots: %d %.40s; want a PDF", code, body)
	}
	if code, _ := status(member, base+"/ballots?copies=0"); code != http.StatusBadRequest {
		t.Errorf("0 copies: %d; want 400", code)
	}
	if code, body := status(m.secHTTP, base+"/log?format=json"); code != http.StatusOK || !strings.Contains(body, `"rows"`) {
		t.Errorf("the secretary reads the entry log: %d %.80s", code, body)
	}
}
