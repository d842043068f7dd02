package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server/meeting"
)

// TestClusterNodeKilled: PostgreSQL, MinIO and two phonghop processes A and
// B on the same database and bucket. The secretary's console is on A, the
// tablets are split over A and B (each through a door that prefers its
// node). Agenda, speakers and documents work across both nodes (uploaded on
// one, downloaded on the other); then a secret poll of 500 delegates is
// cast on both, and one node is killed with SIGKILL in the middle of the
// vote, with ballots in flight on it (it is frozen first, so that they
// certainly are). Its tablets reconnect to the other node and resync by seq
// (no snapshot: the replay continues their replicas, gapless); every
// replica equals the server's view; every acknowledged ballot is counted
// exactly once, and the ballots in flight get their true answer when
// retried with the same key; the poll closes from the surviving node with
// the result of the ballots acknowledged; the minutes are finalised once
// and archived once (one version of each archive file in the bucket), and
// `phonghop verify` accepts the archive. Run once killing A (the console's
// node) and once killing B.
func TestClusterNodeKilled(t *testing.T) {
	b := startBacking(t)
	for victim, name := range []string{"kill A", "kill B"} {
		voters := 500
		switch {
		case testing.Short():
			voters = 60
		case raceEnabled && victim == 1:
			voters = 200 // the same run again: fewer tablets under the race detector
		}
		t.Run(name, func(t *testing.T) { nodeKilled(t, b, voters, victim) })
	}
}

// choiceOf is voter i's choice: 3 agree, 1 disagree, 1 abstain in 5, so
// that a lost, doubled or misread ballot changes the tally.
func choiceOf(i int) meeting.Choice {
	switch i % 5 {
	case 3:
		return meeting.ChoiceDisagree
	case 4:
		return meeting.ChoiceAbstain
	}
	return meeting.ChoiceAgree
}

func nodeKilled(t *testing.T, b *backing, voters, victim int) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	began := time.Now()
	phase := func(name string) { t.Logf("%6.1fs %s", time.Since(began).Seconds(), name) }
	c := newCluster(t, b)
	nodes := []*proc{c.node(t), c.node(t)}
	phase("nodes started")
	survivor := 1 - victim
	doors := []*door{newDoor(t, nodes[0].addr, nodes[1].addr), newDoor(t, nodes[1].addr, nodes[0].addr)}

	// The secretary has one session, valid on every node (sessions are in
	// PostgreSQL; the cookie jar ignores ports): secOn gives its client on
	// a node.
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	secOn := func(p *proc) *client.Client {
		sc, err := client.New(p.URL, client.WithHTTPClient(hc))
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	sec := secOn(nodes[0])
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	id, err := sec.CreateMeeting(ctx, meeting.Details{Title: "Đại hội đại biểu hai máy chủ (thử nghiệm)", Place: "Hội trường lớn"})
	if err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"Khai mạc", "Thảo luận báo cáo chính trị", "Bầu cử", "Bế mạc"} {
		if _, err := sec.Command(ctx, id, "agenda.add", map[string]any{"title": title}); err != nil {
			t.Fatal(err)
		}
	}
	// B has the meeting loaded from here on: it must follow what A commits
	// (the participants, then their pairings through B at once).
	if _, err := secOn(nodes[1]).Meeting(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := sec.ImportParticipantsCSV(ctx, id, strings.NewReader(delegatesCSV(voters+2))); err != nil {
		t.Fatal(err)
	}
	codes, err := sec.PairingCodes(ctx, id, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := &hall{t: t, ctx: ctx, id: id, sec: sec}
	// Under the race detector four tablets in five are lean: 500 full
	// replicas folding every event of a check-in storm cost the test
	// process minutes there. Every tablet still checks its chain.
	h.join(codes, doors, func(i int) bool { return raceEnabled && i%5 != 0 }, client.WithBackoff(20*time.Millisecond, 300*time.Millisecond))
	if h.console, err = sec.Connect(ctx, id, client.WithBackoff(20*time.Millisecond, 300*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	defer func() { h.console.Close() }()
	phase("tablets paired and connected")
	h.checkAll("connected", h.console.Seq())
	phase("replicas checked")

	// ---- agenda and attendance, from both nodes at once ----
	h.cmd("meeting.open", nil) // the check-ins on B may arrive before B heard of it
	var g errgroup.Group
	g.SetLimit(32)
	for _, m := range h.members {
		g.Go(func() error { return m.send(ctx, "attendance.check_in", nil, checkedIn(m.p.ID)) })
	}
	g.Go(func() error {
		_, err := h.console.Send(ctx, "agenda.add", map[string]any{"title": "Thông qua nghị quyết", "position": 4})
		return err
	})
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	h.checkAll("every delegate checked in on both nodes", h.cmd("agenda.advance", nil))
	if q := meeting.QuorumOf(h.console.State()); q.Present != len(h.members) || !q.Met {
		t.Errorf("quorum = %+v; want all %d present", q, len(h.members))
	}

	phase("checked in")
	// ---- speakers: requests on both nodes, one queue ----
	item := h.console.State().Agenda[1].ID
	h.cmd("agenda.current", map[string]any{"id": item})
	mustSend := func(m *member, name string, data any) int64 {
		t.Helper()
		seq, err := m.live.Send(ctx, name, data)
		if err != nil {
			t.Fatalf("%s by %s: %v", name, m.p.Name, err)
		}
		return seq
	}
	mustSend(h.members[1], "speaker.request", map[string]any{"topic": "Góp ý dự thảo báo cáo chính trị"}) // on B
	mustSend(h.members[2], "speaker.request", nil)                                                        // on A
	seq := mustSend(h.members[3], "speaker.request", map[string]any{"kind": "point_of_order"})            // on B

	// Tablets 10 and 5 keep full replicas, on A and on B.
	watchA, watchB := h.members[10], h.members[5]
	if err := watchA.live.WaitSeq(ctx, seq); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, r := range watchA.live.State().Queue(item) {
		order = append(order, r.Participant)
	}
	if want := []string{h.members[3].p.ID, h.members[1].p.ID, h.members[2].p.ID}; !slices.Equal(order, want) {
		t.Errorf("the queue on a tablet of A = %v; want the point of order first, then in order: %v", order, want)
	}
	seq = h.cmd("speaker.give_floor", nil)
	if err := watchB.live.WaitSeq(ctx, seq); err != nil {
		t.Fatal(err)
	}
	if sp, ok := watchB.live.State().Speaking(); !ok || sp.Participant != h.members[3].p.ID {
		t.Errorf("speaking on a tablet of B = %+v, %v; want %s", sp, ok, h.members[3].p.ID)
	}
	h.cmd("speaker.end", nil)

	// ---- documents: uploaded on one node, downloaded on the other ----
	report := testdocs.PDF(2, "Bao cao chinh tri")
	up1, err := sec.Upload(ctx, id, client.NewDocument{Title: "Báo cáo chính trị", Item: item, Access: meeting.AccessDelegates, Publish: true}, "bao-cao.pdf", bytes.NewReader(report))
	if err != nil {
		t.Fatal(err)
	}
	secret := testdocs.PDF(1, "Du thao mat")
	reader := h.members[0] // on A
	up2, err := secOn(nodes[1]).Upload(ctx, id, client.NewDocument{Title: "Dự thảo nhân sự", Item: item, Access: meeting.AccessNamed, Readers: []string{reader.p.ID}, Publish: true}, "du-thao.pdf", bytes.NewReader(secret))
	if err != nil {
		t.Fatal(err)
	}
	if err := watchB.live.WaitSeq(ctx, max(up1.Seq, up2.Seq)); err != nil {
		t.Fatal(err)
	}
	download := func(m *member, doc string) ([]byte, error) {
		d, err := m.c.Download(ctx, id, doc, 0, 0, -1)
		if err != nil {
			return nil, err
		}
		defer d.Close()
		return io.ReadAll(d)
	}
	if body, err := download(h.members[1], up1.Document.ID); err != nil || !bytes.Equal(body, report) { // on B
		t.Errorf("download on B of the report uploaded on A: %d bytes, %v; want the %d bytes uploaded", len(body), err, len(report))
	}
	// The reader's first requests for the confidential draft reach both
	// nodes at once (a load balancer spreads them): both may stamp a copy,
	// and whichever node answers, every answer is one and the same copy.
	var copies [4][]byte
	var etags [4]string
	var dl errgroup.Group
	for i := range copies {
		dl.Go(func() error {
			rc, err := client.New(nodes[i%2].URL, client.WithHTTPClient(reader.hc))
			if err != nil {
				return err
			}
			d, err := rc.Download(ctx, id, up2.Document.ID, 0, 0, -1)
			if err != nil {
				return fmt.Errorf("download %d of the confidential draft: %w", i, err)
			}
			defer d.Close()
			copies[i], err = io.ReadAll(d)
			etags[i] = d.ETag
			return err
		})
	}
	if err := dl.Wait(); err != nil {
		t.Fatal(err)
	}
	for i := range copies {
		if !bytes.HasPrefix(copies[i], []byte("%PDF-")) || bytes.Equal(copies[i], secret) {
			t.Errorf("download %d of the confidential draft: %d bytes; want a stamped PDF", i, len(copies[i]))
		}
		if !bytes.Equal(copies[i], copies[0]) || etags[i] != etags[0] {
			t.Errorf("download %d (node %s) of the confidential draft: %d bytes, ETag %.12s; download 0: %d bytes, ETag %.12s; want one copy",
				i, "AB"[i%2:i%2+1], len(copies[i]), etags[i], len(copies[0]), etags[0])
		}
	}
	if _, err := download(h.members[2], up2.Document.ID); meeting.KindOf(err) != meeting.KindNotFound { // on A, not a reader
		t.Errorf("a delegate not named downloads the confidential draft: %v; want not_found", err)
	}

	phase("documents")
	// ---- the secret poll, and a node killed in the middle of it ----
	h.cmd("poll.create", map[string]any{"question": "Thông qua Nghị quyết Đại hội", "kind": "secret"})
	poll := h.console.State().Polls[0].ID
	h.checkAll("speakers, documents and a poll opened", h.cmd("poll.open", map[string]any{"id": poll}))

	// The test's own ground truth: who was acknowledged, and whose first
	// attempt had no answer (in flight when the node died).
	var (
		mu       sync.Mutex
		acked    = map[int]string{} // voter → status acknowledged
		retried  = map[int]bool{}
		stored   = map[int]bool{} // retried, and the dead node had stored it
		ackCount = make(chan struct{}, voters)
	)
	cast := func(i int) error {
		key := fmt.Sprintf("phieu-%d", i)
		m := h.members[i]
		for attempt := 0; ; attempt++ {
			cctx, cc := context.WithTimeout(ctx, 30*time.Second)
			status, err := m.live.Cast(cctx, poll, key, meeting.Ballot{Choice: choiceOf(i)})
			cc()
			if err == nil {
				mu.Lock()
				acked[i] = status
				mu.Unlock()
				ackCount <- struct{}{}
				return nil
			}
			if !errors.Is(err, client.ErrUnknownOutcome) && !errors.Is(err, context.DeadlineExceeded) && meeting.KindOf(err) != meeting.KindInternal {
				return fmt.Errorf("ballot of %s: %w", m.p.Name, err)
			}
			if attempt == 0 {
				// Before retrying, look in the database: did the node that
				// died store it (its acknowledgement lost), or not?
				var n int
				if err := c.sql(ctx, "SELECT count(*) FROM poll_voters WHERE meeting_id = $1 AND poll = $2 AND participant = $3", []any{id, poll, m.p.ID}, &n); err != nil {
					return err
				}
				mu.Lock()
				retried[i], stored[i] = true, n == 1
				mu.Unlock()
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// Ten tablets of the victim wait to vote until it is frozen.
	var held []int
	for i := 0; i < voters && len(held) < 10; i++ {
		if h.members[i].home == victim {
			held = append(held, i)
		}
	}
	var votes errgroup.Group
	spread := 3 * time.Second
	for i := range voters {
		if slices.Contains(held, i) {
			continue
		}
		votes.Go(func() error {
			time.Sleep(time.Duration(i) * spread / time.Duration(voters)) // delegates press within seconds
			return cast(i)
		})
	}
	for range voters * 3 / 10 {
		select {
		case <-ackCount:
		case <-ctx.Done():
			t.Fatal("30% of the ballots not acknowledged in time")
		}
	}
	phase("30% acknowledged")
	// The held tablets are connected to the victim (a loaded machine may
	// have had them reconnecting) when it freezes.
	for _, i := range held {
		for !h.members[i].live.Connected() {
			if ctx.Err() != nil {
				t.Fatal(ctx.Err())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	nodes[victim].pause()
	var sending sync.WaitGroup
	for _, i := range held {
		sending.Add(1)
		votes.Go(func() error {
			sending.Done() // Cast writes its frame at once: the tablet is live
			return cast(i)
		})
	}
	sending.Wait()
	time.Sleep(300 * time.Millisecond) // the held ballots reach the frozen node's sockets
	killedAt := time.Now()
	nodes[victim].kill()
	if err := votes.Wait(); err != nil {
		t.Fatal(err)
	}
	t.Logf("all %d ballots acknowledged %v after the kill; %d retried (%d of them stored by the dead node)",
		voters, time.Since(killedAt).Round(time.Millisecond), len(retried), countTrue(stored))
	inFlight := 0
	for _, i := range held {
		if retried[i] {
			inFlight++
		}
	}
	t.Logf("%d of the %d ballots sent to the frozen node were in flight when it died", inFlight, len(held))
	if inFlight == 0 {
		t.Errorf("none of the %d ballots sent to the frozen node was in flight when it died (all answered at once); want them unanswered until retried", len(held))
	}
	for i := range voters {
		if acked[i] != "recorded" {
			t.Errorf("%s's ballot acknowledged as %q; want recorded", h.members[i].p.Name, acked[i])
		}
	}

	// The victim's tablets are on the survivor now, resynced by seq: one
	// snapshot each (the first connection's), a gapless run of events.
	for _, m := range h.members {
		st := m.live.Stats()
		switch {
		case m.home == victim && st.Reconnects < 1:
			t.Errorf("%s (on the dead node) reconnected %d times; want at least 1", m.p.Name, st.Reconnects)
		}
		if st.Snapshots != 1 {
			t.Errorf("%s received %d snapshots; want 1 (a reconnection resyncs by seq)", m.p.Name, st.Snapshots)
		}
	}
	if victim == 0 { // the console's node: the secretary opens it on B
		h.console.Close()
		h.sec = secOn(nodes[1])
		if h.console, err = h.sec.Connect(ctx, id, client.WithBackoff(20*time.Millisecond, 300*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	h.checkAll("after the kill", h.console.Seq())
	phase("replicas checked after the kill")

	// The poll closes from the surviving node, with every acknowledged
	// ballot counted once.
	h.cmd("poll.close", map[string]any{"id": poll})
	p, _ := h.console.State().Poll(poll)
	want := map[meeting.Choice]int{}
	for i := range acked {
		want[choiceOf(i)]++
	}
	got := map[meeting.Choice]int{}
	if p.Result == nil {
		t.Fatal("no result after the close")
	}
	for _, o := range p.Result.Options {
		got[o.Choice] = o.Votes
	}
	if p.Result.Cast != len(acked) || len(p.Voters) != len(acked) || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("result: cast %d, voters %d, tally %v; want the %d acknowledged: %v", p.Result.Cast, len(p.Voters), got, len(acked), want)
	}
	var nVoters, nBallots int
	if err := c.sql(ctx, "SELECT (SELECT count(*) FROM poll_voters WHERE meeting_id = $1 AND poll = $2), (SELECT count(*) FROM poll_ballots WHERE meeting_id = $1 AND poll = $2)", []any{id, poll}, &nVoters, &nBallots); err != nil {
		t.Fatal(err)
	}
	if nVoters != voters || nBallots != voters {
		t.Errorf("PostgreSQL holds %d voters and %d ballots; want %d each", nVoters, nBallots, voters)
	}
	// After the close: a retry of a ballot in flight at the kill still gets
	// its answer; a new ballot is explicitly not counted.
	if status, err := h.members[held[0]].live.Cast(ctx, poll, fmt.Sprintf("phieu-%d", held[0]), meeting.Ballot{Choice: choiceOf(held[0])}); err != nil || status != "recorded" {
		t.Errorf("retry after the close of a ballot in flight at the kill = %q, %v; want recorded", status, err)
	}
	late := h.members[voters]
	if status, err := late.live.Cast(ctx, poll, "tre", meeting.Ballot{Choice: meeting.ChoiceAgree}); status != "not_counted" || meeting.KindOf(err) != meeting.KindConflict {
		t.Errorf("a ballot after the close = %q, %v; want not_counted", status, err)
	}

	phase("poll closed")
	// ---- minutes: finalised once, archived once ----
	h.cmd("meeting.close", nil)
	concluded := h.cmd("minutes.conclude", map[string]any{"text": "Đại hội thông qua Nghị quyết."})
	// Checked before the minutes are final: tablets may no longer read an
	// archived meeting.
	h.checkAll("poll and meeting closed", concluded)
	h.checkGapless(concluded)
	h.cmd("minutes.finalize", map[string]any{"number": "01-BB/ĐH"})
	var fp struct{ Fingerprint string }
	if err := getJSON(ctx, http.DefaultClient, nodes[survivor].URL+"/api/archive/public-key", &fp); err != nil || len(fp.Fingerprint) != 64 {
		t.Fatalf("public key: %+v, %v", fp, err)
	}
	phase("minutes finalised")
	var objects map[string]int
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if objects, err = c.archiveObjects(ctx, id); err != nil {
			t.Fatal(err)
		}
		if objects["archives/"+id+"/1/manifest.sig"] > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no complete archive 2 minutes after the finalisation: %v", objects)
		}
	}
	for key, n := range objects {
		if n != 1 || !strings.HasPrefix(key, "archives/"+id+"/1/") {
			t.Errorf("archive object %s has %d versions; want one object per file of revision 1, written once", key, n)
		}
	}
	phase("archived")
	if out, err := c.verifyArchive(id, 1, fp.Fingerprint); err != nil || !strings.HasPrefix(out, "Hợp lệ / valid") {
		t.Errorf("phonghop verify = %v\n%s", err, out)
	}
	var finalised int
	if err := c.sql(ctx, "SELECT count(*) FROM events WHERE meeting_id = $1 AND type = 'minutes.finalized'", []any{id}, &finalised); err != nil || finalised != 1 {
		t.Errorf("minutes.finalized events = %d, %v; want 1", finalised, err)
	}
	out, err := exec.Command(binary, "verify-log", "-database-url", c.dbURL).CombinedOutput()
	if err != nil || !strings.Contains(string(out), id+"  ok") {
		t.Errorf("phonghop verify-log = %v\n%s", err, out)
	}
}

// countTrue counts the true values of m.
func countTrue[K comparable](m map[K]bool) int {
	n := 0
	for _, v := range m {
		if v {
			n++
		}
	}
	return n
}
