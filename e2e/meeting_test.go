package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sync/errgroup"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/server/meeting"
)

// tablet is one simulated delegate tablet: a REST client with its own
// device session and a Live replica.
type tablet struct {
	p    meeting.Participant
	c    *client.Client
	live *client.Live

	// mu guards seqs: the sequence numbers of events this tablet received.
	mu   sync.Mutex
	seqs []int64
	// replayed are the seqs received during replays after the first sync.
	replayed []int64
	synced   bool
}

func (tb *tablet) onEvent(e meeting.Event, _ time.Time, replay bool) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.seqs = append(tb.seqs, e.Seq)
	if replay && tb.synced {
		tb.replayed = append(tb.replayed, e.Seq)
	}
}

// TestMeetingEndToEnd runs a whole meeting on a real server process with 50
// SDK tablets (plus a hall screen): after every step every tablet's replica
// equals the server's view for it; a tablet cut off for several steps gets
// exactly the events it missed; the server is SIGKILLed mid-meeting and
// restarted on the same data directory, every tablet resyncs, the state is
// identical and the hash chain verifies.
func TestMeetingEndToEnd(t *testing.T) {
	const delegates = 50
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	data := t.TempDir()
	srv := startServer(t, "127.0.0.1:0", data)

	sec, secHTTP := newClient(t, srv.URL)
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	id, err := sec.CreateMeeting(ctx, meeting.Details{Title: "Hội nghị Ban Thường vụ mở rộng cuối năm 2025", Place: "Phòng họp số 1", Chair: "Đồng chí Bí thư"})
	if err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"Khai mạc", "Báo cáo tổng kết năm 2025", "Thảo luận", "Bế mạc"} {
		if _, err := sec.Command(ctx, id, "agenda.add", map[string]any{"title": title}); err != nil {
			t.Fatal(err)
		}
	}
	var csv strings.Builder
	csv.WriteString("họ và tên,chức vụ,vai trò\n")
	for i := 0; i < delegates; i++ {
		fmt.Fprintf(&csv, "Đại biểu Thử Nghiệm %02d,Ủy viên,đại biểu\n", i+1)
	}
	csv.WriteString("Màn hình hội trường,,màn hình\n")
	parts, err := sec.ImportParticipantsCSV(ctx, id, strings.NewReader(csv.String()))
	if err != nil {
		t.Fatal(err)
	}
	codes, err := sec.PairingCodes(ctx, id, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != len(parts) {
		t.Fatalf("issued %d codes for %d participants", len(codes), len(parts))
	}

	// Pair and connect every tablet.
	tablets := make([]*tablet, len(codes))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for i, code := range codes {
		g.Go(func() error {
			c, err := client.New(srv.URL)
			if err != nil {
				return err
			}
			pr, err := c.Pair(gctx, code.Code)
			if err != nil {
				return fmt.Errorf("pair %s: %w", code.Name, err)
			}
			tb := &tablet{c: c, p: meeting.Participant{ID: pr.Participant, Name: pr.Name, Role: pr.Role}}
			cctx, cc := context.WithTimeout(gctx, 10*time.Second)
			defer cc()
			tb.live, err = c.Connect(cctx, id, client.WithBackoff(20*time.Millisecond, 300*time.Millisecond), client.OnEvent(tb.onEvent))
			if err != nil {
				return fmt.Errorf("connect %s: %w", code.Name, err)
			}
			tb.mu.Lock()
			tb.synced = true
			tb.mu.Unlock()
			tablets[i] = tb
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, tb := range tablets {
			tb.live.Close()
		}
	})
	console, err := sec.Connect(ctx, id, client.WithBackoff(20*time.Millisecond, 300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer console.Close()

	// checkAll waits until every connected tablet has seq, then compares
	// each replica with the server's view for that tablet.
	checkAll := func(step string, seq int64, skip *tablet) {
		t.Helper()
		wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
		defer wcancel()
		var wg errgroup.Group
		wg.SetLimit(16)
		for _, tb := range append(tablets, &tablet{live: console, c: sec}) {
			if tb == skip {
				continue
			}
			wg.Go(func() error {
				if err := tb.live.WaitSeq(wctx, seq); err != nil {
					return fmt.Errorf("%s: %s did not reach seq %d (has %d): %w", step, tb.p.Name, seq, tb.live.Seq(), err)
				}
				want, err := tb.c.Meeting(wctx, id)
				if err != nil {
					return err
				}
				got := tb.live.State()
				if want.Seq != got.Seq {
					return nil // moved on meanwhile; the next step compares again
				}
				if d := cmp.Diff(want, got); d != "" {
					return fmt.Errorf("%s: %s's replica differs from the server's view (-server +replica):\n%s", step, tb.p.Name, d)
				}
				return nil
			})
		}
		if err := wg.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	cmd := func(name string, data any) int64 {
		t.Helper()
		seq, err := console.Send(ctx, name, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return seq
	}

	checkAll("connected", console.Seq(), nil)
	checkAll("open", cmd("meeting.open", nil), nil)
	st := console.State()
	checkAll("advance to item 1", cmd("agenda.advance", nil), nil)
	checkAll("add an item live", cmd("agenda.add", map[string]any{"title": "Kiểm điểm cá nhân", "position": 3}), nil)
	checkAll("rename", cmd("agenda.rename", map[string]any{"id": st.Agenda[1].ID, "title": "Báo cáo tổng kết công tác năm 2025", "presenter": "Chánh Văn phòng"}), nil)

	// Tablet 7 drops off the Wi-Fi for several steps.
	off := tablets[7]
	off.live.Pause()
	before := off.live.Seq()
	cmd("agenda.move", map[string]any{"id": st.Agenda[3].ID, "position": 2})
	cmd("agenda.advance", nil)
	cmd("notice.send", map[string]any{"text": "Đề nghị các đồng chí tắt chuông điện thoại."})
	cmd("notice.send", map[string]any{"text": "Đồng chí vui lòng liên hệ Văn phòng.", "to": tablets[3].p.ID})
	seq := cmd("meeting.pause", nil)
	checkAll("while tablet 7 is offline", seq, off)
	off.live.Resume()
	checkAll("tablet 7 back", seq, nil)
	off.mu.Lock()
	var want []int64
	for s := before + 1; s <= seq; s++ {
		want = append(want, s)
	}
	if d := cmp.Diff(want, off.replayed); d != "" {
		t.Errorf("tablet 7 replayed %v; want exactly the missed %v", off.replayed, want)
	}
	off.mu.Unlock()

	// The private notice reached tablet 3 only (and staff).
	if n := tablets[3].live.State().Notices; len(n) != 2 {
		t.Errorf("tablet 3 sees %d notices; want 2 (one public, one private)", len(n))
	}
	if n := tablets[4].live.State().Notices; len(n) != 1 {
		t.Errorf("tablet 4 sees %d notices; want 1 (the public one)", len(n))
	}

	checkAll("resume", cmd("meeting.resume", nil), nil)
	acked := cmd("agenda.current", map[string]any{"id": st.Agenda[0].ID})

	// SIGKILL the server mid-meeting and restart it on the same data and port.
	srv.kill()
	srv = startServer(t, srv.addr, data)
	checkAll("after restart", acked, nil)
	head, err := sec.Meeting(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if head.Seq != acked {
		t.Errorf("after restart the log ends at %d; want the last acknowledged seq %d", head.Seq, acked)
	}
	checkAll("advance after restart", cmd("agenda.advance", nil), nil)
	checkAll("remove an item", cmd("agenda.remove", map[string]any{"id": st.Agenda[2].ID}), nil)
	checkAll("close", cmd("meeting.close", nil), nil)

	// Every tablet saw every event exactly once, in order, across the
	// restart: the snapshot at connect, then a gapless run of seqs.
	final := console.Seq()
	for _, tb := range tablets {
		tb.mu.Lock()
		s := tb.seqs
		tb.mu.Unlock()
		for i := 1; i < len(s); i++ {
			if s[i] != s[i-1]+1 {
				t.Errorf("%s received seq %d after %d (duplicate or gap)", tb.p.Name, s[i], s[i-1])
				break
			}
		}
		if len(s) == 0 || s[len(s)-1] != final {
			t.Errorf("%s's last event = %v; want %d", tb.p.Name, s, final)
		}
		if st := tb.live.Stats(); st.Reconnects < 1 {
			t.Errorf("%s reconnected %d times; want at least 1 (the restart)", tb.p.Name, st.Reconnects)
		}
	}

	// The hash chain verifies, through the API and offline.
	var res struct {
		OK bool `json:"ok"`
	}
	if err := getJSON(ctx, secHTTP, srv.URL+"/api/meetings/"+id+"/verify", &res); err != nil || !res.OK {
		t.Errorf("verify = %+v, %v; want ok", res, err)
	}
	sctx, scancel := context.WithTimeout(ctx, 20*time.Second)
	defer scancel()
	for _, tb := range tablets {
		tb.live.Close()
	}
	console.Close()
	if err := srv.stop(sctx); err != nil {
		t.Errorf("graceful stop: %v", err)
	}
	out, err := exec.Command(binary, "verify-log", "-data", data).CombinedOutput()
	if err != nil || !strings.Contains(string(out), id+"  ok") {
		t.Errorf("phonghop verify-log = %v\n%s; want ok for %s", err, out, id)
	}
}
