package e2e

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/server/ballotseal"
	"github.com/phonghop/phonghop/server/meeting"
)

// secrecyFleet is a meeting with paired, connected, checked-in tablets on a
// server whose log is kept, for the tests that kill the server.
type secrecyFleet struct {
	t       *testing.T
	ctx     context.Context
	srv     *proc
	data    string
	logPath string
	id      string
	console *client.Live
	tabs    []*client.Live
	http    []*http.Client // each tablet's cookies, for REST calls the SDK does not wrap
	pids    []string
	rng     *rand.Rand
}

func newSecrecyFleet(t *testing.T, ctx context.Context, delegates int) *secrecyFleet {
	t.Helper()
	root := t.TempDir()
	f := &secrecyFleet{t: t, ctx: ctx, data: filepath.Join(root, "data"), logPath: filepath.Join(root, "server.log"), rng: rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano())))}
	f.srv = startLogged(t, secrecyBinary(), "127.0.0.1:0", f.data, f.logPath, nil)
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(f.logPath)
			var keep []string
			for _, l := range strings.Split(string(b), "\n") {
				if strings.Contains(l, "level=ERROR") || strings.Contains(l, "level=WARN") {
					keep = append(keep, l)
				}
			}
			t.Logf("server log, warnings and errors:\n%s", strings.Join(keep, "\n"))
		}
	})
	sec, _ := newClient(t, f.srv.URL)
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.id, err = sec.CreateMeeting(ctx, meeting.Details{Title: "Hội nghị Thử Nghiệm (máy chủ bị tắt đột ngột)", Place: "Phòng họp số 2"}); err != nil {
		t.Fatal(err)
	}
	var csv strings.Builder
	csv.WriteString("họ và tên,vai trò\n")
	for i := 0; i < delegates; i++ {
		fmt.Fprintf(&csv, "Đại biểu Thử Nghiệm %03d,đại biểu\n", i+1)
	}
	if _, err := sec.ImportParticipantsCSV(ctx, f.id, strings.NewReader(csv.String())); err != nil {
		t.Fatal(err)
	}
	codes, err := sec.PairingCodes(ctx, f.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.tabs, f.pids, f.http = make([]*client.Live, len(codes)), make([]string, len(codes)), make([]*http.Client, len(codes))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for i, code := range codes {
		g.Go(func() error {
			c, hc := newClient(t, f.srv.URL)
			pr, err := c.Pair(gctx, code.Code)
			if err != nil {
				return err
			}
			f.pids[i], f.http[i] = pr.Participant, hc
			f.tabs[i], err = c.Connect(gctx, f.id, client.WithBackoff(10*time.Millisecond, 200*time.Millisecond))
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if f.console, err = sec.Connect(ctx, f.id, client.WithBackoff(10*time.Millisecond, 200*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, l := range f.tabs {
			l.Close()
		}
		f.console.Close()
	})
	f.cmd("meeting.open", nil)
	var cg errgroup.Group
	for _, l := range f.tabs {
		cg.Go(func() error { _, err := l.Send(ctx, "attendance.check_in", nil); return err })
	}
	if err := cg.Wait(); err != nil {
		t.Fatal(err)
	}
	return f
}

// cmd sends a console command, retrying while the server restarts.
func (f *secrecyFleet) cmd(name string, data any) int64 {
	f.t.Helper()
	for attempt := 0; ; attempt++ {
		seq, err := f.console.Send(f.ctx, name, data)
		if err == nil {
			return seq
		}
		if attempt < 100 && errors.Is(err, client.ErrUnknownOutcome) {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		f.t.Fatalf("%s: %v", name, err)
	}
}

// restart SIGKILLs the server if it runs and starts it again on the same
// address and data, then waits for the console to resync.
func (f *secrecyFleet) restart() {
	f.t.Helper()
	f.srv.kill()
	f.srv = startLogged(f.t, secrecyBinary(), f.srv.addr, f.data, f.logPath, nil)
	if err := f.console.WaitSynced(f.ctx); err != nil {
		f.t.Fatal(err)
	}
}

// poll returns the console's view of poll id.
func (f *secrecyFleet) poll(id string) meeting.Poll {
	p, _ := f.console.State().Poll(id)
	return p
}

// TestSecretPollKilledWhileClosing kills the server at many moments of a
// secret poll's close — before the close commits, between the commit and
// the rewrite of the ballots, during the rewrite, after it — and checks,
// once the restarted server listens, what the close promises: the poll is
// either still open (the close did not commit; closing it again works) or
// closed with every ballot counted, and then its ballots are rewritten in
// plain text (none sealed, none in the WAL) and its key is gone. It counts
// how many kills fell inside the window between the close's commit and the
// end of the clean-up, so that the path is known to be exercised.
func TestSecretPollKilledWhileClosing(t *testing.T) {
	if testing.Short() {
		t.Skip("long end-to-end test")
	}
	// At least minRounds rounds, and more (up to maxRounds) until a few
	// kills have fallen inside the window between the close's commit and
	// the end of its clean-up.
	const voters, minRounds, maxRounds, enough = 30, 16, 48, 2
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	f := newSecrecyFleet(t, ctx, voters)
	inWindow := 0
	rounds := 0
	for round := 0; round < maxRounds && (round < minRounds || inWindow < enough); round++ {
		rounds++
		f.cmd("poll.create", map[string]any{"question": fmt.Sprintf("Biểu quyết kín số %d", round+1), "kind": "secret"})
		st := f.console.State()
		poll := st.Polls[len(st.Polls)-1].ID
		f.cmd("poll.open", map[string]any{"id": poll})
		var g errgroup.Group
		for i, l := range f.tabs {
			g.Go(func() error {
				_, err := l.Cast(ctx, poll, fmt.Sprintf("k%d-%d", round, i), meeting.Ballot{Choice: []meeting.Choice{meeting.ChoiceAgree, meeting.ChoiceDisagree, meeting.ChoiceAbstain}[i%3]})
				return err
			})
		}
		if err := g.Wait(); err != nil {
			t.Fatal(err)
		}
		// Close, and kill after a delay spread over the close's duration.
		go f.console.Send(ctx, "poll.close", map[string]any{"id": poll})
		time.Sleep(time.Duration(round%16) * time.Duration(f.rng.IntN(1500)) * time.Microsecond)
		f.srv.kill()
		killed := takeCopy(t, fmt.Sprintf("round %d killed", round), f.data, f.logPath, secrecyStore{})
		f.restart()
		after := takeCopy(t, fmt.Sprintf("round %d restarted", round), f.data, f.logPath, secrecyStore{})

		closedInLog := f.poll(poll).Status != meeting.PollStatusOpen
		if !closedInLog {
			f.cmd("poll.close", map[string]any{"id": poll})
			after = takeCopy(t, fmt.Sprintf("round %d closed again", round), f.data, f.logPath, secrecyStore{})
		}
		p := f.poll(poll)
		if p.Result == nil || p.Result.Cast != voters {
			t.Errorf("round %d: result %+v; want %d ballots counted", round, p.Result, voters)
		}
		kev := sqliteReader{}.read(t, killed, f.id, poll, newKnowledge(), []string{poll})
		readKeys(killed, f.id, kev)
		if closedInLog && (kev.keys[poll] != nil || sealedAny(kev)) {
			inWindow++
		}
		ev := sqliteReader{}.read(t, after, f.id, poll, newKnowledge(), []string{poll})
		readKeys(after, f.id, ev)
		wal := 0
		for _, r := range ev.ballots {
			for _, a := range r.apps {
				if a.file == "wal" {
					wal++
				}
			}
		}
		if sealedAny(ev) || ev.keys[poll] != nil || ev.live != voters || wal > 0 {
			b, _ := os.ReadFile(f.logPath)
			lines := strings.Split(string(b), "\n")
			t.Logf("round %d: the server's log since the restart:\n%s", round, strings.Join(lines[max(0, len(lines)-12):], "\n"))
			t.Logf("round %d: killed copy: %s; restarted copy: %s", round, debugBox(t, killed, f.id, poll), debugBox(t, after, f.id, poll))
			t.Errorf("round %d (close committed before the kill: %v): after the restart %d live ballots (want %d), sealed: %v, key kept: %v, ballot copies in the WAL: %d",
				round, closedInLog, ev.live, voters, sealedAny(ev), ev.keys[poll] != nil, wal)
		}
		for _, r := range ev.ballots {
			if ballotseal.Sealed(r.data) {
				continue
			}
			if _, ok := canonical(r.data); !ok {
				t.Errorf("round %d: a rewritten ballot is not a ballot: %q", round, r.data)
			}
		}
	}
	t.Logf("%d of %d kills fell between the close's commit and the end of its clean-up", inWindow, rounds)
	if inWindow == 0 {
		t.Errorf("no kill fell between a close's commit and the end of its clean-up in %d rounds: the test did not test it", rounds)
	}
}

func debugBox(t *testing.T, c *diskCopy, meetingID, poll string) string {
	dir := t.TempDir()
	for _, n := range []string{"phonghop.db", "phonghop.db-wal"} {
		if b, ok := c.files[n]; ok {
			os.WriteFile(filepath.Join(dir, n), b, 0o600)
		}
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "phonghop.db"))
	if err != nil {
		return err.Error()
	}
	defer db.Close()
	var closed, finalised int
	err = db.QueryRow("SELECT closed, finalised FROM poll_boxes WHERE meeting_id = ? AND poll = ?", meetingID, poll).Scan(&closed, &finalised)
	var types []string
	rows, _ := db.Query("SELECT type FROM events WHERE meeting_id = ? ORDER BY seq DESC LIMIT 4", meetingID)
	for rows != nil && rows.Next() {
		var s string
		rows.Scan(&s)
		types = append(types, s)
	}
	return fmt.Sprintf("box closed %d finalised %d (%v), last events %v", closed, finalised, err, types)
}

// myBallot asks the server, as tablet i, whether its ballot in poll is
// stored (what a tablet asks after reconnecting).
func (f *secrecyFleet) myBallot(i int, poll string) (bool, error) {
	var out struct {
		Voted *bool `json:"voted"`
	}
	for attempt := 0; ; attempt++ {
		err := getJSON(f.ctx, f.http[i], fmt.Sprintf("%s/api/meetings/%s/polls/%s/my-ballot", f.srv.URL, f.id, poll), &out)
		if err == nil && out.Voted != nil {
			return *out.Voted, nil
		}
		if attempt > 50 {
			return false, fmt.Errorf("my-ballot: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestBallotInFlightAcrossKill: tablets cast their ballots and the server
// is SIGKILLed while they are in flight, at a different moment each round
// (before the first reaches the box, during the group commits, after the
// last). After the restart every tablet whose ballot was not acknowledged
// learns its fate, as the tablet does:
//   - by asking (GET …/my-ballot): "stored" means counted — a retry with
//     the same key is acknowledged ("recorded"), a ballot with another key
//     is refused as a second one; "not stored" means not counted — the
//     delegate may cast again, and that ballot counts;
//   - or by sending the same ballot again with the same key (the tablet app
//     resends after every reconnect): "recorded", or "not_counted" if the
//     poll was closed meanwhile (half of the rounds close it first).
//
// Every ballot acknowledged before the kill is counted; at the close the
// result counts exactly the tablets told "counted", each once.
func TestBallotInFlightAcrossKill(t *testing.T) {
	if testing.Short() {
		t.Skip("long end-to-end test")
	}
	// At least minRounds rounds, and more (up to maxRounds) until the kills
	// have caught ballots in flight both ways a few times.
	const voters, minRounds, maxRounds, enough = 40, 14, 60, 3
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	f := newSecrecyFleet(t, ctx, voters)
	kinds := []string{"secret", "open", "election"}
	var total struct{ acked, unknownCounted, unknownNot, recast, refusedAfterClose int }
	for round := 0; round < maxRounds && (round < minRounds || total.unknownCounted < enough || total.unknownNot < enough); round++ {
		kind := kinds[round%len(kinds)]
		spec := map[string]any{"question": fmt.Sprintf("Biểu quyết số %d", round+1), "kind": kind}
		ballot := func(i int) meeting.Ballot {
			return meeting.Ballot{Choice: []meeting.Choice{meeting.ChoiceAgree, meeting.ChoiceDisagree, meeting.ChoiceAbstain}[i%3]}
		}
		if kind == "election" {
			spec["candidates"] = []map[string]string{{"name": "Ứng viên Một"}, {"name": "Ứng viên Hai"}, {"name": "Ứng viên Ba"}}
			spec["seats"] = 2
			ballot = func(i int) meeting.Ballot { return meeting.Ballot{Kept: []string{fmt.Sprintf("c%d", 1+i%3)}} }
		}
		f.cmd("poll.create", spec)
		st := f.console.State()
		poll := st.Polls[len(st.Polls)-1].ID
		f.cmd("poll.open", map[string]any{"id": poll})

		// Every tablet casts at once; the server dies after delay.
		type outcome struct {
			status string
			err    error
		}
		outcomes := make([]outcome, voters)
		keys := make([]string, voters)
		var g errgroup.Group
		for i, l := range f.tabs {
			keys[i] = fmt.Sprintf("r%d-t%d-%016x", round, i, f.rng.Uint64())
			g.Go(func() error {
				cctx, cc := context.WithTimeout(ctx, 20*time.Second)
				defer cc()
				status, err := l.Cast(cctx, poll, keys[i], ballot(i))
				outcomes[i] = outcome{status, err}
				return nil
			})
		}
		delay := time.Duration(f.rng.IntN(min(round, 12)*4000+1)) * time.Microsecond
		time.Sleep(delay)
		f.srv.kill()
		g.Wait()
		f.restart()
		closeFirst := round%2 == 1
		if closeFirst {
			f.cmd("poll.close", map[string]any{"id": poll})
		}

		counted := map[string]bool{} // what each tablet was told
		acked, unknownCounted, unknownNot, recast, refused := 0, 0, 0, 0, 0
		for i := range f.tabs {
			if err := f.tabs[i].WaitSynced(ctx); err != nil {
				t.Fatal(err)
			}
			o := outcomes[i]
			stored, err := f.myBallot(i, poll)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case o.err == nil && o.status == "recorded":
				acked++
				if !stored {
					t.Errorf("round %d, tablet %d: acknowledged before the kill but not stored after it: a ballot lost", round, i)
				}
				counted[f.pids[i]] = true
				continue
			case o.err != nil && !errors.Is(o.err, client.ErrUnknownOutcome) && meeting.KindOf(o.err) != meeting.KindInternal && !errors.Is(o.err, context.DeadlineExceeded):
				t.Fatalf("round %d, tablet %d: cast = %q, %v; want recorded or an unknown outcome", round, i, o.status, o.err)
			}
			// The outcome is unknown: find it out, half the tablets by
			// asking, half by resending (as the tablet app does).
			if i%2 == 0 {
				// By asking.
				if stored {
					unknownCounted++
					counted[f.pids[i]] = true
					if status, err := f.tabs[i].Cast(ctx, poll, keys[i], ballot(i)); err != nil || status != "recorded" {
						t.Errorf("round %d, tablet %d: told stored, but the same ballot again = %q, %v; want recorded", round, i, status, err)
					}
					if _, err := f.tabs[i].Cast(ctx, poll, keys[i]+"-again", ballot(i)); meeting.KindOf(err) != meeting.KindConflict {
						t.Errorf("round %d, tablet %d: told stored, but another ballot = %v; want a conflict (one voter, one ballot)", round, i, err)
					}
					continue
				}
				unknownNot++
				status, err := f.tabs[i].Cast(ctx, poll, keys[i]+"-again", ballot(i)) // may cast again
				switch {
				case closeFirst && status == "not_counted":
					refused++
				case !closeFirst && err == nil && status == "recorded":
					recast++
					counted[f.pids[i]] = true
				default:
					t.Errorf("round %d, tablet %d: told not stored; casting again = %q, %v; want %s", round, i, status, err, map[bool]string{true: "not_counted (closed)", false: "recorded"}[closeFirst])
				}
				continue
			}
			// By resending the same ballot with the same key.
			status, err := f.tabs[i].Cast(ctx, poll, keys[i], ballot(i))
			switch {
			case err == nil && status == "recorded":
				switch {
				case stored:
					unknownCounted++
				case closeFirst:
					t.Errorf("round %d, tablet %d: not stored before the close, yet its resend was recorded after it", round, i)
				default:
					unknownNot++
					recast++
				}
				counted[f.pids[i]] = true
			case status == "not_counted" && closeFirst && !stored:
				unknownNot++
				refused++
			default:
				t.Errorf("round %d, tablet %d (stored %v, closed %v): resending = %q, %v", round, i, stored, closeFirst, status, err)
			}
		}
		if !closeFirst {
			f.cmd("poll.close", map[string]any{"id": poll})
		}
		p := f.poll(poll)
		if p.Result == nil {
			t.Fatalf("round %d: no result", round)
		}
		var recorded []string
		for _, v := range p.Voters {
			recorded = append(recorded, v.Participant)
			if !counted[v.Participant] {
				t.Errorf("round %d: %s is counted but its tablet was told otherwise", round, v.Participant)
			}
		}
		if p.Result.Cast != len(counted) || len(p.Voters) != len(counted) {
			t.Errorf("round %d: %d ballots counted, %d voters; want %d (the tablets told counted), each once", round, p.Result.Cast, len(p.Voters), len(counted))
		}
		t.Logf("round %2d (%-8s killed after %4v, closed %-18s): %2d acknowledged before the kill; in flight: %2d stored (counted), %2d not stored (%2d cast again and counted, %2d refused after the close); %2d counted",
			round, kind+",", delay, map[bool]string{true: "before the retries", false: "after them"}[closeFirst], acked, unknownCounted, unknownNot, recast, refused, p.Result.Cast)
		total.acked += acked
		total.unknownCounted += unknownCounted
		total.unknownNot += unknownNot
		total.recast += recast
		total.refusedAfterClose += refused
	}
	t.Logf("all rounds: %d acknowledged before a kill; in flight: %d stored and counted, %d not stored (%d cast again and counted, %d refused after the close)", total.acked, total.unknownCounted, total.unknownNot, total.recast, total.refusedAfterClose)
	if total.unknownCounted == 0 || total.unknownNot == 0 {
		t.Errorf("in %d rounds the kills never caught a ballot in flight both ways (counted %d, not stored %d): the test did not test it", maxRounds, total.unknownCounted, total.unknownNot)
	}
}
