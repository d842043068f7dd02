package server_test

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/phonghop/phonghop/server/meeting"
)

// TestPairingManyAtOnce: a hall's tablets pair at the same moment, each
// code tried twice at once. Every code pairs exactly one tablet, every
// paired tablet's session works for its own participant, the console sees
// every participant paired with one participant.paired event each, and
// the pairings share durable commits: fewer commits than pairings (the
// server used to commit each pairing's event alone, under the room's lock,
// besides the code's and the session's own commits).
func TestPairingManyAtOnce(t *testing.T) {
	const n = 60
	ts := newTestServer(t)
	sec := ts.secretary(t)
	people := make([]string, n)
	for i := range people {
		people[i] = fmt.Sprintf("Đại biểu %02d,đại biểu", i+1)
	}
	id := setupMeeting(t, sec, people...)
	var st meeting.State
	sec.must(200, "GET", "/api/meetings/"+id, nil, &st)
	pids := make([]string, 0, n)
	for _, p := range st.Participants {
		pids = append(pids, p.ID)
	}
	code, codes, body := issueCodes(sec, id, pids, nil)
	if code != 200 || len(codes) != n {
		t.Fatalf("issue codes = %d, %d codes %s", code, len(codes), body)
	}
	before := ts.db.Stats()

	var wg sync.WaitGroup
	start := make(chan struct{})
	won := make([][2]*user, n)
	for i, c := range codes {
		for j := range 2 {
			tab := ts.newUser(t)
			wg.Go(func() {
				<-start
				if status, _ := tab.do("POST", "/api/pair", map[string]string{"code": c.Code}); status == 200 {
					won[i][j] = tab
				}
			})
		}
	}
	close(start)
	wg.Wait()
	after := ts.db.Stats()

	for i, c := range codes {
		var tab *user
		switch {
		case won[i][0] != nil && won[i][1] != nil:
			t.Errorf("code of %s paired two tablets", c.Participant)
		case won[i][0] != nil:
			tab = won[i][0]
		case won[i][1] != nil:
			tab = won[i][1]
		default:
			t.Errorf("code of %s paired no tablet", c.Participant)
			continue
		}
		var me struct{ Participant, Role string }
		tab.must(200, "GET", "/api/me", nil, &me)
		if me.Participant != c.Participant || me.Role != "delegate" {
			t.Errorf("me of the tablet paired with %s's code = %+v", c.Participant, me)
		}
	}
	sec.must(200, "GET", "/api/meetings/"+id, nil, &st)
	for _, p := range st.Participants {
		if !p.Paired {
			t.Errorf("%s (%s) not shown paired", p.ID, p.Name)
		}
	}
	var page struct{ Events []json.RawMessage }
	sec.must(200, "GET", "/api/meetings/"+id+"/events?limit=1000", nil, &page)
	paired := map[string]int{}
	for _, raw := range page.Events {
		var e struct {
			Type string
			Data struct{ ID string }
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatal(err)
		}
		if e.Type == meeting.EventParticipantPaired {
			paired[e.Data.ID]++
		}
	}
	for _, pid := range pids {
		if paired[pid] != 1 {
			t.Errorf("%d participant.paired events for %s; want 1", paired[pid], pid)
		}
	}
	if commits := after.Batches - before.Batches; commits >= n {
		t.Errorf("%d pairings took %d durable commits; want them shared (fewer than %d)", n, commits, n)
	} else {
		t.Logf("%d pairings (%d attempts) in %d commits", n, 2*n, commits)
	}
}
