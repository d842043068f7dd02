package e2e

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
	_ "modernc.org/sqlite"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/server/meeting"
)

// TestProceduresEndToEnd: 200 SDK tablets on a real server process.
// Attendance and quorum update live on every replica; the speaker queue
// orders a point of order and a reply ahead of normal requests, with a
// countdown the server keeps; a secret vote where tablets drop and retry
// with the same key, and some send duplicates at once, ends with exactly
// one ballot per voter — across a SIGKILL of the server in the middle of
// the vote; and the database holds nothing linking a voter to a choice.
func TestProceduresEndToEnd(t *testing.T) {
	const delegates = 200
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	data := t.TempDir()
	srv := startServer(t, "127.0.0.1:0", data)
	sec, _ := newClient(t, srv.URL)
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	id, err := sec.CreateMeeting(ctx, meeting.Details{Title: "Đại hội đại biểu (thử nghiệm)", Place: "Hội trường lớn"})
	if err != nil {
		t.Fatal(err)
	}
	must := func(seq int64, err error) int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return seq
	}
	must(sec.Command(ctx, id, "agenda.add", map[string]any{"title": "Thảo luận văn kiện"}))
	must(sec.Command(ctx, id, "meeting.configure", map[string]any{"sites": []string{"Điểm cầu Tỉnh A", "Điểm cầu Tỉnh B"}}))
	tabs, pids := importAndPair(t, ctx, sec, srv.URL, id, "Đại biểu", delegates, 32, 30*time.Second)
	defer func() {
		for _, l := range tabs {
			l.Close()
		}
	}()
	console, err := sec.Connect(ctx, id, client.WithBackoff(20*time.Millisecond, 300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer console.Close()
	cmd := func(name string, data any) int64 {
		t.Helper()
		return must(console.Send(ctx, name, data))
	}
	// quorumEverywhere waits for every replica to reach seq and checks that
	// each computes the console's quorum.
	quorumEverywhere := func(step string, seq int64) meeting.Quorum {
		t.Helper()
		if err := console.WaitSeq(ctx, seq); err != nil {
			t.Fatal(err)
		}
		want := meeting.QuorumOf(console.State())
		var wg errgroup.Group
		for i, l := range tabs {
			wg.Go(func() error {
				if err := l.WaitSeq(ctx, seq); err != nil {
					return err
				}
				if got := meeting.QuorumOf(l.State()); fmt.Sprint(got) != fmt.Sprint(want) {
					return fmt.Errorf("%s: tablet %d quorum %+v; want %+v", step, i, got, want)
				}
				return nil
			})
		}
		if err := wg.Wait(); err != nil {
			t.Fatal(err)
		}
		return want
	}

	// ---- attendance and quorum ----
	cmd("meeting.open", nil)
	var seq atomic.Int64
	checkIn := func(from, to int, data map[string]any) {
		var wg errgroup.Group
		wg.SetLimit(32)
		for i := from; i < to; i++ {
			wg.Go(func() error {
				s, err := tabs[i].Send(ctx, "attendance.check_in", data)
				for {
					old := seq.Load()
					if s <= old || seq.CompareAndSwap(old, s) {
						break
					}
				}
				return err
			})
		}
		if err := wg.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	checkIn(0, 120, nil)
	q := quorumEverywhere("120 in the hall", seq.Load())
	if q.Present != 120 || q.Met {
		t.Errorf("after 120 check-ins: present %d, met %v; want 120, not met (2/3 of %d)", q.Present, q.Met, q.Entitled)
	}
	checkIn(120, 140, map[string]any{"status": "remote", "site": "Điểm cầu Tỉnh A"})
	s := cmd("attendance.mark", map[string]any{"participant": pids[150], "status": "excused", "reason": "Công tác nước ngoài"})
	q = quorumEverywhere("remote sites", s)
	if q.Present != 140 || q.Remote != 20 || !q.Met || q.Excused != 1 {
		t.Errorf("quorum = %+v; want 140 present (20 remote), met, 1 excused", q)
	}

	// ---- the speaker queue ----
	item := console.State().Agenda[0].ID
	cmd("agenda.current", map[string]any{"id": item})
	must(tabs[1].Send(ctx, "speaker.request", map[string]any{"topic": "Góp ý báo cáo chính trị"}))
	cmd("speaker.give_floor", nil)
	cmd("speaker.end", nil)
	must(tabs[2].Send(ctx, "speaker.request", nil))
	must(tabs[5].Send(ctx, "speaker.request", nil))
	must(tabs[3].Send(ctx, "speaker.request", map[string]any{"kind": "point_of_order"}))
	s = must(tabs[4].Send(ctx, "speaker.request", map[string]any{"kind": "reply"}))
	if err := tabs[9].WaitSeq(ctx, s); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, r := range tabs[9].State().Queue(item) {
		order = append(order, r.Participant)
	}
	if want := []string{pids[3], pids[4], pids[2], pids[5]}; fmt.Sprint(order) != fmt.Sprint(want) {
		t.Errorf("queue on a tablet = %v; want point of order, reply, then in order %v", order, want)
	}
	cmd("speaker.give_floor", nil)
	cmd("speaker.timer", map[string]any{"action": "pause"})
	cmd("speaker.timer", map[string]any{"action": "add", "seconds": 60})
	s = cmd("speaker.timer", map[string]any{"action": "resume"})
	if err := tabs[9].WaitSeq(ctx, s); err != nil {
		t.Fatal(err)
	}
	sp, ok := tabs[9].State().Speaking()
	if !ok || sp.Participant != pids[3] {
		t.Fatalf("speaking on a tablet = %+v, %v; want %s", sp, ok, pids[3])
	}
	if rem := sp.Remaining(time.Now()); rem < 5*time.Minute || rem > 6*time.Minute {
		t.Errorf("remaining = %v; want about 6 min (5 min + 60 s added)", rem)
	}
	cmd("speaker.end", nil)

	// ---- a secret vote, with drops, retries, duplicates and a SIGKILL ----
	s = cmd("poll.create", map[string]any{"question": "Thông qua Nghị quyết Đại hội", "kind": "secret"})
	poll := console.State().Polls[0].ID
	cmd("poll.open", map[string]any{"id": poll})
	choices := []meeting.Choice{meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceDisagree, meeting.ChoiceAbstain}
	var acked sync.Map // voter index → status
	castOnce := func(i int, key string) error {
		b := meeting.Ballot{Choice: choices[i%len(choices)]}
		for attempt := 0; ; attempt++ {
			cctx, cc := context.WithTimeout(ctx, 15*time.Second)
			status, err := tabs[i].Cast(cctx, poll, key, b)
			cc()
			if err == nil {
				acked.Store(i, status)
				return nil
			}
			if errors.Is(err, client.ErrUnknownOutcome) || meeting.KindOf(err) == meeting.KindInternal || errors.Is(err, context.DeadlineExceeded) {
				time.Sleep(50 * time.Millisecond)
				continue // the same key: a retry gets the original answer
			}
			return fmt.Errorf("tablet %d: %w", i, err)
		}
	}
	voters := 140 // those checked in
	var wg errgroup.Group
	var killed atomic.Bool
	var restarted = make(chan struct{})
	for i := 0; i < voters; i++ {
		key := fmt.Sprintf("k-%d", i)
		wg.Go(func() error {
			if i%10 == 0 {
				tabs[i].Drop() // a Wi-Fi hiccup just as the delegate votes
			}
			if i%7 == 0 { // a double tap: the same ballot twice at once
				var dup errgroup.Group
				dup.Go(func() error { return castOnce(i, key) })
				dup.Go(func() error { return castOnce(i, key) })
				return dup.Wait()
			}
			if i > voters/2 && killed.CompareAndSwap(false, true) {
				srv.kill() // the server dies in the middle of the vote
				srv = startServer(t, srv.addr, data)
				close(restarted)
			}
			return castOnce(i, key)
		})
	}
	if err := wg.Wait(); err != nil {
		t.Fatal(err)
	}
	<-restarted
	// A second, different ballot from a voter who already voted is refused.
	if _, err := tabs[5].Cast(ctx, poll, "k-other", meeting.Ballot{Choice: meeting.ChoiceDisagree}); meeting.KindOf(err) != meeting.KindConflict {
		t.Errorf("second ballot with another key = %v; want conflict", err)
	}
	n := 0
	acked.Range(func(_, v any) bool {
		if v != "recorded" {
			t.Errorf("ack status %v; want recorded", v)
		}
		n++
		return true
	})
	if n != voters {
		t.Fatalf("%d voters acknowledged; want %d", n, voters)
	}
	s = cmd("poll.close", map[string]any{"id": poll})
	// A ballot after the close: explicitly not counted.
	status, err := tabs[150].Cast(ctx, poll, "late", meeting.Ballot{Choice: meeting.ChoiceAgree})
	if status != "not_counted" && meeting.KindOf(err) != meeting.KindForbidden {
		t.Errorf("late ballot = %q, %v; want not_counted (or forbidden: not eligible)", status, err)
	}
	st := console.State()
	p, _ := st.Poll(poll)
	if p.Result == nil {
		t.Fatal("no result after close")
	}
	if p.Result.Cast != voters || len(p.Voters) != voters || p.Voted != voters {
		t.Errorf("result cast %d, voters %d, voted %d; want %d each (no ballot lost or doubled)", p.Result.Cast, len(p.Voters), p.Voted, voters)
	}
	wantAgree := 0
	for i := 0; i < voters; i++ {
		if choices[i%len(choices)] == meeting.ChoiceAgree {
			wantAgree++
		}
	}
	for _, o := range p.Result.Options {
		if o.Choice == meeting.ChoiceAgree && o.Votes != wantAgree {
			t.Errorf("agree = %d; want %d", o.Votes, wantAgree)
		}
	}
	cmd("poll.publish", map[string]any{"id": poll})

	// ---- the database links no voter to a choice ----
	for _, l := range tabs {
		l.Close()
	}
	console.Close()
	sctx, scancel := context.WithTimeout(ctx, 20*time.Second)
	defer scancel()
	if err := srv.stop(sctx); err != nil {
		t.Errorf("graceful stop: %v", err)
	}
	inspectSecrecy(t, filepath.Join(data, "phonghop.db"), id, poll, pids[:voters])
}

// inspectSecrecy opens the database after a secret poll and looks for
// anything linking a voter to a choice.
func inspectSecrecy(t *testing.T, path, meetingID, poll string, voters []string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// After the close a secret poll's ballots are in closed_ballots (no
	// voter column), and nothing of it is left where it was open.
	var open, total int
	if err := db.QueryRow("SELECT (SELECT count(*) FROM poll_ballots WHERE meeting_id = ?1 AND poll = ?2) + (SELECT count(*) FROM sealed_ballots WHERE meeting_id = ?1 AND poll = ?2), (SELECT count(*) FROM closed_ballots WHERE meeting_id = ?1 AND poll = ?2)", meetingID, poll).Scan(&open, &total); err != nil {
		t.Fatal(err)
	}
	if total != len(voters) || open != 0 {
		t.Errorf("closed_ballots: %d ballots, %d left in the open poll's tables; want %d, 0", total, open, len(voters))
	}
	rows, err := db.Query("SELECT ballot FROM closed_ballots WHERE meeting_id = ? AND poll = ?", meetingID, poll)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var ballot []byte
		rows.Scan(&ballot)
		for _, v := range voters {
			if strings.Contains(string(ballot), `"`+v+`"`) {
				t.Errorf("a secret ballot names voter %s: %s", v, ballot)
			}
		}
	}
	rows.Close()
	// The event log records who voted, never what.
	rows, err = db.Query("SELECT type, coalesce(data, '') FROM events WHERE meeting_id = ? AND type IN ('poll.voted', 'poll.progress', 'poll.closed')", meetingID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var typ, data string
		rows.Scan(&typ, &data)
		if strings.Contains(data, "choice") || strings.Contains(data, "agree") {
			t.Errorf("%s event carries a choice: %s", typ, data)
		}
	}
	// No column is shared between who voted and what was voted but the poll.
	var cols []string
	crow, _ := db.Query("SELECT name FROM pragma_table_info('poll_ballots')")
	for crow.Next() {
		var n string
		crow.Scan(&n)
		cols = append(cols, n)
	}
	crow.Close()
	if fmt.Sprint(cols) != "[meeting_id poll id participant ballot]" {
		t.Errorf("poll_ballots columns %v changed: review the secrecy argument in docs/ballots.md", cols)
	}
}
