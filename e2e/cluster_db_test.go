package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/server/meeting"
)

// TestClusterDatabaseRestart: two nodes on one PostgreSQL, tablets split
// over them, a secret poll under way; PostgreSQL goes away twice in the
// middle of the meeting, once stopped and started again (a restart for an
// upgrade), once killed with SIGKILL and started (a crash: it recovers
// from its WAL), each time while ballots are being cast on both nodes.
// While it is down, commands and ballots on either node fail at once with
// a clear error (kind and message in both languages) and nothing of them
// is done; the nodes reconnect by themselves when it is back; every
// ballot and command acknowledged before or around the outage is there
// afterwards, a ballot whose answer was lost gets its true answer when
// retried with the same key, and every room catches up (every replica
// equals the server's view on both nodes). Then the poll closes with the
// result of the ballots acknowledged, and the minutes are archived once.
func TestClusterDatabaseRestart(t *testing.T) {
	voters := 120
	if testing.Short() {
		voters = 30
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	b := startBacking(t)
	c := newCluster(t, b)
	nodes := []*proc{c.node(t), c.node(t)}
	doors := []*door{newDoor(t, nodes[0].addr, nodes[1].addr), newDoor(t, nodes[1].addr, nodes[0].addr)}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	secOn := func(p *proc) *client.Client {
		sc, err := client.New(p.URL, client.WithHTTPClient(hc))
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	sec, secB := secOn(nodes[0]), secOn(nodes[1])
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	id, err := sec.CreateMeeting(ctx, meeting.Details{Title: "Hội nghị Ban Chấp hành (thử nghiệm mất cơ sở dữ liệu)", Place: "Phòng họp số 2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sec.Command(ctx, id, "agenda.add", map[string]any{"title": "Biểu quyết"}); err != nil {
		t.Fatal(err)
	}
	if _, err := sec.ImportParticipantsCSV(ctx, id, strings.NewReader(delegatesCSV(voters))); err != nil {
		t.Fatal(err)
	}
	codes, err := sec.PairingCodes(ctx, id, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := &hall{t: t, ctx: ctx, id: id, sec: sec}
	h.join(codes, doors, nil, client.WithBackoff(20*time.Millisecond, 300*time.Millisecond))
	if h.console, err = sec.Connect(ctx, id, client.WithBackoff(20*time.Millisecond, 300*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	defer func() { h.console.Close() }()
	h.cmd("meeting.open", nil)
	var g errgroup.Group
	g.SetLimit(32)
	for _, m := range h.members {
		g.Go(func() error { return m.send(ctx, "attendance.check_in", nil, checkedIn(m.p.ID)) })
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	h.cmd("agenda.current", map[string]any{"id": h.console.State().Agenda[0].ID})
	h.cmd("poll.create", map[string]any{"question": "Thông qua chương trình công tác", "kind": "secret"})
	poll := h.console.State().Polls[0].ID
	h.checkAll("poll opened", h.cmd("poll.open", map[string]any{"id": poll}))

	// Ground truth: acknowledged ballots, and the last acknowledged seq.
	var (
		mu    sync.Mutex
		acked = map[int]bool{}
		lost  = map[int]bool{} // an attempt failed (while PostgreSQL was away)
	)
	castOnce := func(i int) error {
		status, err := h.members[i].live.Cast(ctx, poll, fmt.Sprintf("phieu-%d", i), meeting.Ballot{Choice: choiceOf(i)})
		mu.Lock()
		defer mu.Unlock()
		if err == nil && status == "recorded" {
			acked[i] = true
			return nil
		}
		lost[i] = true
		return err
	}
	// castRetrying casts until acknowledged, like a tablet: the same key.
	castRetrying := func(i int) error {
		for {
			err := castOnce(i)
			if err == nil {
				return nil
			}
			if ctx.Err() != nil {
				return fmt.Errorf("ballot %d: %w", i, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	next := 0 // the next voter
	lastAcked := h.console.Seq()

	for _, outage := range []struct {
		name string
		down func() error
	}{
		{"restart", b.pg.Stop},
		{"kill", b.pg.Kill},
	} {
		// A third of the voters vote; PostgreSQL goes away in the middle.
		var votes errgroup.Group
		third := voters / 3
		for i := next; i < next+third; i++ {
			votes.Go(func() error {
				time.Sleep(time.Duration(i-next) * time.Second / time.Duration(third))
				castOnce(i) // may fail: retried below
				return nil
			})
		}
		time.Sleep(500 * time.Millisecond)
		if err := outage.down(); err != nil {
			t.Fatalf("%s: %v", outage.name, err)
		}
		downAt := time.Now()
		votes.Wait()
		next += third

		// While it is down: clear, immediate refusals, on both nodes.
		type attempt struct {
			what string
			do   func(context.Context) error
		}
		for _, a := range []attempt{
			{"a console command on A", func(ctx context.Context) error {
				_, err := h.console.Send(ctx, "agenda.add", map[string]any{"title": "Không được ghi (" + outage.name + ")"})
				return err
			}},
			{"a REST command on B", func(ctx context.Context) error {
				_, err := secB.Command(ctx, id, "notice.send", map[string]any{"text": "Không được ghi (" + outage.name + ")"})
				return err
			}},
			{"a speaker request on a tablet of B", func(ctx context.Context) error {
				_, err := h.members[1].live.Send(ctx, "speaker.request", map[string]any{"topic": outage.name})
				return err
			}},
			{"a ballot on a tablet of A", func(ctx context.Context) error { return castOnce(next) }},
			{"a ballot on a tablet of B", func(ctx context.Context) error { return castOnce(next + 1) }},
		} {
			actx, acancel := context.WithTimeout(ctx, 10*time.Second)
			start := time.Now()
			err := a.do(actx)
			acancel()
			took := time.Since(start)
			var me *meeting.Error
			switch {
			case err == nil:
				t.Errorf("%s: %s while PostgreSQL is down = nil; want an error", outage.name, a.what)
			case !errors.As(err, &me) || me.Message == "" || me.MessageEN == "":
				t.Errorf("%s: %s while PostgreSQL is down = %v; want a kind and messages", outage.name, a.what, err)
			case me.Kind != kindUnavailable:
				t.Errorf("%s: %s while PostgreSQL is down = %s %q / %q; want kind %q", outage.name, a.what, me.Kind, me.Message, me.MessageEN, kindUnavailable)
			case took > 5*time.Second:
				t.Errorf("%s: %s took %v to fail; want a quick answer", outage.name, a.what, took)
			}
		}

		if err := b.pg.Restart(); err != nil {
			t.Fatal(err)
		}
		// The nodes reconnect by themselves: a command goes through on each.
		var back time.Duration
		for _, cmd := range []func() (int64, error){
			func() (int64, error) {
				return h.console.Send(ctx, "notice.send", map[string]any{"text": "Đã khôi phục (A)"})
			},
			func() (int64, error) {
				return secB.Command(ctx, id, "notice.send", map[string]any{"text": "Đã khôi phục (B)"})
			},
		} {
			for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
				seq, err := cmd()
				if err == nil {
					lastAcked = max(lastAcked, seq)
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s: a command still fails a minute after PostgreSQL is back: %v", outage.name, err)
				}
			}
		}
		back = time.Since(downAt)
		t.Logf("%s: both nodes take commands again %v after PostgreSQL went down", outage.name, back.Round(time.Millisecond))

		// Every failed ballot gets its true answer with its key; nothing
		// acknowledged is lost.
		var retries errgroup.Group
		mu.Lock()
		for i := range lost {
			if !acked[i] {
				retries.Go(func() error { return castRetrying(i) })
			}
		}
		mu.Unlock()
		if err := retries.Wait(); err != nil {
			t.Fatal(err)
		}
		next += 2
		h.checkAll("after the "+outage.name, lastAcked)
		st := h.console.State()
		for _, it := range st.Agenda {
			if strings.Contains(it.Title, "Không được ghi") {
				t.Errorf("%s: the command refused while PostgreSQL was down is in the log: %q", outage.name, it.Title)
			}
		}
		for _, n := range st.Notices {
			if strings.Contains(n.Text, "Không được ghi") {
				t.Errorf("%s: the command refused while PostgreSQL was down is in the log: %q", outage.name, n.Text)
			}
		}
		var stored int
		if err := c.sql(ctx, "SELECT count(*) FROM poll_voters WHERE meeting_id = $1 AND poll = $2", []any{id, poll}, &stored); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		if stored != len(acked) {
			t.Errorf("%s: %d ballots stored; want the %d acknowledged", outage.name, stored, len(acked))
		}
		mu.Unlock()
	}

	// The rest vote; the poll closes from B with every acknowledged ballot.
	var votes errgroup.Group
	for i := next; i < voters; i++ {
		votes.Go(func() error { return castRetrying(i) })
	}
	if err := votes.Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := secB.Command(ctx, id, "poll.close", map[string]any{"id": poll}); err != nil {
		t.Fatal(err)
	}
	st, err := secB.Meeting(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := st.Poll(poll)
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
	if len(acked) != voters || p.Result.Cast != voters || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("result: %d acknowledged, cast %d, tally %v; want all %d: %v", len(acked), p.Result.Cast, got, voters, want)
	}
	h.checkAll("poll closed", st.Seq)

	closed := h.cmd("meeting.close", nil)
	h.checkAll("meeting closed", closed) // before the minutes are final (archived: tablets are cut off)
	h.checkGapless(closed)
	h.cmd("minutes.finalize", map[string]any{"number": "02-BB/BCH"})
	var fp struct{ Fingerprint string }
	if err := getJSON(ctx, http.DefaultClient, nodes[1].URL+"/api/archive/public-key", &fp); err != nil || len(fp.Fingerprint) != 64 {
		t.Fatalf("public key: %+v, %v", fp, err)
	}
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		objects, err := c.archiveObjects(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if objects["archives/"+id+"/1/manifest.sig"] == 1 {
			for key, n := range objects {
				if n != 1 {
					t.Errorf("archive object %s has %d versions; want 1", key, n)
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no complete archive 2 minutes after the finalisation: %v", objects)
		}
	}
	if out, err := c.verifyArchive(id, 1, fp.Fingerprint); err != nil || !strings.HasPrefix(out, "Hợp lệ / valid") {
		t.Errorf("phonghop verify = %v\n%s", err, out)
	}
}

// kindUnavailable is the error kind of a request refused because the
// database does not answer (nothing was done).
const kindUnavailable meeting.Kind = "unavailable"
