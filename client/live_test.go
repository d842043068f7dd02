package client_test

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/server/meeting"
)

// fast is the backoff of the tests.
var fast = client.WithBackoff(2*time.Millisecond, 20*time.Millisecond)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newClient(t *testing.T, f *fake, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.New(f.srv.URL, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// secretaryClient returns a client logged in as the secretary.
func secretaryClient(t *testing.T, f *fake, opts ...client.Option) *client.Client {
	t.Helper()
	c := newClient(t, f, opts...)
	if err := c.Login(testCtx(t), "admin", "secret"); err != nil {
		t.Fatalf("login: %v", err)
	}
	return c
}

// tablet adds a delegate and returns a client paired for them, and their ID.
func tablet(t *testing.T, f *fake, name string) (*client.Client, string) {
	t.Helper()
	ctx := testCtx(t)
	seq := f.mustDo(secretary, "participant.add", map[string]any{"name": name, "role": "delegate"})
	pid := "p" + formatInt(seq)
	codes, err := secretaryClient(t, f).PairingCodes(ctx, fakeMeeting, []string{pid})
	if err != nil || len(codes) != 1 {
		t.Fatalf("pairing codes: %v %v", codes, err)
	}
	c := newClient(t, f)
	if _, err := c.Pair(ctx, codes[0].Code); err != nil {
		t.Fatalf("pair: %v", err)
	}
	return c, pid
}

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

func connect(t *testing.T, c *client.Client, opts ...client.LiveOption) *client.Live {
	t.Helper()
	l, err := c.Connect(testCtx(t), fakeMeeting, append([]client.LiveOption{fast}, opts...)...)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// sameView fails unless l's replica equals the server's view for l's viewer.
func sameView(t *testing.T, f *fake, l *client.Live) {
	t.Helper()
	if d := cmp.Diff(f.view(l.Viewer()), l.State(), cmpopts.EquateEmpty()); d != "" {
		t.Errorf("replica differs from the server's view (-server +replica):\n%s", d)
	}
}

// waitFor polls cond (for things only the fake knows) for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func waitSeq(t *testing.T, l *client.Live, seq int64) {
	t.Helper()
	if err := l.WaitSeq(testCtx(t), seq); err != nil {
		t.Fatalf("WaitSeq(%d): %v (replica at %d)", seq, err, l.Seq())
	}
}

func TestSnapshotThenEvents(t *testing.T) {
	f := newFake(t, true)
	f.mustDo(secretary, "agenda.add", map[string]any{"title": "Khai mạc"})
	var mu sync.Mutex
	var got []int64
	var replays []bool
	l := connect(t, secretaryClient(t, f), client.OnEvent(func(e meeting.Event, at time.Time, replay bool) {
		mu.Lock()
		defer mu.Unlock()
		if at.IsZero() {
			t.Error("OnEvent without receive time")
		}
		got = append(got, e.Seq)
		replays = append(replays, replay)
	}))
	if l.Seq() != 2 {
		t.Fatalf("Seq after connect = %d, want 2", l.Seq())
	}
	if v := l.Viewer(); v.Role != meeting.RoleSecretary {
		t.Errorf("Viewer = %+v", v)
	}
	if l.Epoch() != "e1" {
		t.Errorf("Epoch = %q", l.Epoch())
	}
	if info := f.connectLog()[0]; info.Since != "" || info.Epoch != "" || info.Meeting != fakeMeeting || info.Origin != f.srv.URL || info.Session == "" {
		t.Errorf("first connect sent %+v; want no since/epoch, the origin and the cookie", info)
	}
	sameView(t, f, l)

	f.mustDo(secretary, "agenda.add", map[string]any{"title": "Báo cáo"})
	f.mustDo(secretary, "meeting.open", nil)
	seq := f.mustDo(secretary, "agenda.advance", nil)
	waitSeq(t, l, seq)
	sameView(t, f, l)
	if st := l.State(); st.Status != meeting.StatusOpen || st.Current != "i2" || len(st.Agenda) != 2 {
		t.Errorf("state = %+v", st)
	}
	if s := l.Stats(); s.Snapshots != 1 || s.Reconnects != 0 || s.Replayed != 0 || s.Events != 3 {
		t.Errorf("stats = %+v", s)
	}
	mu.Lock()
	defer mu.Unlock()
	if d := cmp.Diff([]int64{3, 4, 5}, got); d != "" {
		t.Errorf("OnEvent seqs (-want +got):\n%s", d)
	}
	for i, r := range replays {
		if r {
			t.Errorf("event %d reported as replay", got[i])
		}
	}
}

func TestUpdatesSignals(t *testing.T) {
	f := newFake(t, true)
	l := connect(t, secretaryClient(t, f))
	select { // the snapshot signalled
	case <-l.Updates():
	default:
		t.Fatal("no update after the snapshot")
	}
	f.mustDo(secretary, "agenda.add", map[string]any{"title": "A"})
	select {
	case <-l.Updates():
	case <-time.After(5 * time.Second):
		t.Fatal("no update after an event")
	}
	waitSeq(t, l, 2)
}

func TestMultiMessageFrames(t *testing.T) {
	f := newFake(t, true)
	l := connect(t, secretaryClient(t, f))
	rows := []map[string]any{{"name": "Nguyễn Văn A"}, {"name": "Trần Thị B"}, {"name": "Lê Văn C", "role": "observer"}}
	seq, err := l.Send(testCtx(t), "participant.import", map[string]any{"rows": rows})
	if err != nil {
		t.Fatal(err)
	}
	if seq != 4 {
		t.Errorf("seq = %d, want 4", seq)
	}
	// The three events and the result came in one frame; all were folded
	// before Send returned.
	if st := l.State(); len(st.Participants) != 3 || st.Seq != 4 {
		t.Errorf("after Send: seq %d, %d participants", st.Seq, len(st.Participants))
	}
	f.mu.Lock()
	multi := f.multi
	f.mu.Unlock()
	if multi < 2 { // the connect frame and the command's frame
		t.Errorf("fake wrote %d multi-message frames; the test does not test framing", multi)
	}
	sameView(t, f, l)
}

func TestSendResult(t *testing.T) {
	f := newFake(t, true)
	l := connect(t, secretaryClient(t, f))
	ctx := testCtx(t)
	seq, err := l.Send(ctx, "agenda.add", meeting.AddItem{Title: "Thông qua chương trình"})
	if err != nil || seq != 2 {
		t.Fatalf("Send = %d, %v", seq, err)
	}
	seq, err = l.Send(ctx, "meeting.open", nil)
	if err != nil || seq != 3 {
		t.Fatalf("Send = %d, %v", seq, err)
	}
	if st := l.State(); st.Status != meeting.StatusOpen || len(st.Agenda) != 1 || st.Agenda[0].Title != "Thông qua chương trình" {
		t.Errorf("state = %+v", st)
	}
	// Concurrent commands are matched to their results by ID.
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := l.Send(ctx, "notice.send", map[string]string{"text": "Thông báo " + formatInt(int64(i))})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := len(l.State().Notices); n != 10 {
		t.Errorf("%d notices, want 10", n)
	}
	sameView(t, f, l)
}

func TestSendErrorResult(t *testing.T) {
	f := newFake(t, true)
	sec := connect(t, secretaryClient(t, f))
	ctx := testCtx(t)

	_, err := sec.Send(ctx, "agenda.add", map[string]string{"title": "  "})
	var me *meeting.Error
	if !errors.As(err, &me) {
		t.Fatalf("err = %T %v, want *meeting.Error", err, err)
	}
	if me.Kind != meeting.KindInvalid || me.MessageEN == "" || me.Message == "" || len(me.Problems) != 1 || me.Problems[0].Field != "title" {
		t.Errorf("err = %+v", me)
	}
	if _, err := sec.Send(ctx, "meeting.close", nil); meeting.KindOf(err) != meeting.KindConflict {
		t.Errorf("close a draft: %v, want conflict", err)
	}
	if _, err := sec.Send(ctx, "no.such", nil); meeting.KindOf(err) != meeting.KindInvalid {
		t.Errorf("unknown command: %v, want invalid", err)
	}

	c, _ := tablet(t, f, "Đại biểu A")
	del := connect(t, c)
	if _, err := del.Send(ctx, "meeting.open", nil); meeting.KindOf(err) != meeting.KindForbidden {
		t.Errorf("delegate opens: %v, want forbidden", err)
	}
	if del.Viewer().Role != meeting.RoleDelegate {
		t.Errorf("viewer = %+v", del.Viewer())
	}
}

func TestSendTooLarge(t *testing.T) {
	f := newFake(t, true)
	l := connect(t, secretaryClient(t, f))
	_, err := l.Send(testCtx(t), "notice.send", map[string]string{"text": strings.Repeat("x", client.MaxCommandFrame)})
	if meeting.KindOf(err) != meeting.KindInvalid {
		t.Errorf("err = %v, want invalid", err)
	}
	f.mu.Lock()
	n := f.commands
	f.mu.Unlock()
	if n != 0 || !l.Connected() {
		t.Errorf("the fake received %d commands (connected %v); want none and still connected", n, l.Connected())
	}
}

func TestHiddenPlaceholders(t *testing.T) {
	f := newFake(t, true)
	ca, a := tablet(t, f, "Đại biểu A")
	_, b := tablet(t, f, "Đại biểu B")
	la := connect(t, ca)
	if la.Viewer() != (meeting.Viewer{Participant: a, Role: meeting.RoleDelegate}) {
		t.Fatalf("viewer = %+v", la.Viewer())
	}
	f.mustDo(secretary, "notice.send", map[string]string{"text": "Riêng cho B", "to": b})
	f.mustDo(secretary, "notice.send", map[string]string{"text": "Riêng cho A", "to": a})
	f.mustDo(secretary, "notice.send", map[string]string{"text": "Cho mọi người"})
	// A tablet pairs again for B: staff only.
	codes, err := secretaryClient(t, f).PairingCodes(testCtx(t), fakeMeeting, []string{b})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newClient(t, f).Pair(testCtx(t), codes[0].Code); err != nil {
		t.Fatal(err)
	}
	seq := f.seq()
	waitSeq(t, la, seq)
	sameView(t, f, la)
	st := la.State()
	if len(st.Notices) != 2 || st.Notices[0].Text != "Riêng cho A" {
		t.Errorf("notices = %+v", st.Notices)
	}
	for _, p := range st.Participants {
		if p.Paired {
			t.Errorf("a delegate sees pairing of %s", p.ID)
		}
	}
	if st.Head != f.view(la.Viewer()).Head {
		t.Error("head differs")
	}
	// A fresh connection gets a snapshot equal to the fold.
	l2 := connect(t, ca)
	if d := cmp.Diff(la.State(), l2.State(), cmpopts.EquateEmpty()); d != "" {
		t.Errorf("snapshot differs from fold:\n%s", d)
	}
}

func TestReconnectAfterDrop(t *testing.T) {
	f := newFake(t, true)
	l := connect(t, secretaryClient(t, f))
	before := l.Seq()
	f.set(func(f *fake) { f.hold = true }) // reconnections get 503 for now
	l.Drop()
	waitFor(t, "the fake to see the drop", func() bool { return f.live() == 0 })
	waitFor(t, "the Live to see the drop", func() bool { return !l.Connected() })
	f.mustDo(secretary, "agenda.add", map[string]any{"title": "A"})
	f.mustDo(secretary, "agenda.add", map[string]any{"title": "B"})
	seq := f.mustDo(secretary, "agenda.add", map[string]any{"title": "C"})
	waitFor(t, "a refused attempt", func() bool { return len(f.connectLog()) >= 2 })
	f.set(func(f *fake) { f.hold = false })
	waitSeq(t, l, seq)
	if err := l.WaitSynced(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	sameView(t, f, l)
	log := f.connectLog()
	last := log[len(log)-1]
	if last.Since != formatInt(before) || last.Epoch != "e1" || last.Origin != f.srv.URL || last.Session == "" {
		t.Errorf("reconnect sent %+v; want since=%d epoch=e1, origin and cookie", last, before)
	}
	if s := l.Stats(); s.Reconnects != 1 || s.Snapshots != 1 || s.Replayed != 3 {
		t.Errorf("stats = %+v; want 1 reconnect, 1 snapshot, 3 replayed", s)
	}
	if _, err := l.Send(testCtx(t), "meeting.open", nil); err != nil {
		t.Errorf("Send after reconnect: %v", err)
	}
}

func TestReconnectAfterServerClose(t *testing.T) {
	for _, code := range []int{4008, 1001} {
		t.Run(formatInt(int64(code)), func(t *testing.T) {
			f := newFake(t, true)
			l := connect(t, secretaryClient(t, f))
			f.set(func(f *fake) { f.hold = true })
			f.closeAll(code, "")
			waitFor(t, "the drop", func() bool { return f.live() == 0 })
			seq := f.mustDo(secretary, "agenda.add", map[string]any{"title": "A"})
			f.set(func(f *fake) { f.hold = false })
			waitSeq(t, l, seq)
			if err := l.WaitSynced(testCtx(t)); err != nil {
				t.Fatal(err)
			}
			if s := l.Stats(); s.Reconnects != 1 || s.Replayed != 1 {
				t.Errorf("stats = %+v", s)
			}
			if last := f.connectLog()[len(f.connectLog())-1]; last.Since != "1" || last.Epoch != "e1" {
				t.Errorf("reconnect sent %+v", last)
			}
			sameView(t, f, l)
		})
	}
}

func TestNoReconnectAfterEnd(t *testing.T) {
	for _, tc := range []struct {
		code int
		want error
		kind meeting.Kind
	}{
		{4001, client.ErrSessionEnded, meeting.KindUnauthorized},
		{4009, client.ErrOpenedElsewhere, meeting.KindConflict},
		{1000, client.ErrServerClosed, meeting.KindConflict},
	} {
		t.Run(formatInt(int64(tc.code)), func(t *testing.T) {
			f := newFake(t, true)
			l := connect(t, secretaryClient(t, f))
			f.closeAll(tc.code, "")
			select {
			case <-l.Done():
			case <-time.After(5 * time.Second):
				t.Fatal("Done not closed")
			}
			if err := l.Err(); !errors.Is(err, tc.want) || meeting.KindOf(err) != tc.kind {
				t.Errorf("Err = %v, want %v (kind %s)", err, tc.want, tc.kind)
			}
			time.Sleep(100 * time.Millisecond) // many backoff periods
			if n := len(f.connectLog()); n != 1 {
				t.Errorf("%d connection attempts, want 1", n)
			}
			if _, err := l.Send(testCtx(t), "meeting.open", nil); !errors.Is(err, tc.want) {
				t.Errorf("Send after the end: %v", err)
			}
			if err := l.WaitSeq(testCtx(t), 100); !errors.Is(err, tc.want) {
				t.Errorf("WaitSeq after the end: %v", err)
			}
		})
	}
}

func TestLogoutEndsLive(t *testing.T) {
	f := newFake(t, true)
	c := secretaryClient(t, f)
	l := connect(t, c)
	if err := c.Logout(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	<-l.Done()
	if !errors.Is(l.Err(), client.ErrSessionEnded) {
		t.Errorf("Err = %v", l.Err())
	}
	// A new connection of the ended session is refused at once.
	_, err := c.Connect(testCtx(t), fakeMeeting, fast)
	var he *client.HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusUnauthorized || meeting.KindOf(err) != meeting.KindUnauthorized {
		t.Errorf("connect after logout: %v", err)
	}
}

func TestGapResync(t *testing.T) {
	f := newFake(t, true)
	l := connect(t, secretaryClient(t, f))
	f.set(func(f *fake) { f.skip = 1 })
	f.mustDo(secretary, "agenda.add", map[string]any{"title": "A"}) // seq 2, not sent
	seq := f.mustDo(secretary, "agenda.add", map[string]any{"title": "B"})
	waitSeq(t, l, seq)
	sameView(t, f, l)
	s := l.Stats()
	if s.Resyncs != 1 || s.Reconnects != 1 || s.Snapshots != 1 || s.Replayed != 2 {
		t.Errorf("stats = %+v; want 1 resync replaying 2 events", s)
	}
	if last := f.connectLog()[len(f.connectLog())-1]; last.Since != "1" || last.Epoch != "e1" {
		t.Errorf("resync sent %+v, want since=1", last)
	}
}

func TestSyncedAheadResync(t *testing.T) {
	f := newFake(t, true)
	l := connect(t, secretaryClient(t, f))
	f.set(func(f *fake) { f.hold = true })
	l.Drop()
	f.mustDo(secretary, "agenda.add", map[string]any{"title": "A"})
	seq := f.mustDo(secretary, "agenda.add", map[string]any{"title": "B"})
	f.set(func(f *fake) { f.hold, f.short = false, 1 }) // the replay lacks seq 3, synced says 3
	waitSeq(t, l, seq)
	if err := l.WaitSynced(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	sameView(t, f, l)
	if s := l.Stats(); s.Resyncs != 1 || s.Reconnects != 2 {
		t.Errorf("stats = %+v; want the short replay noticed", s)
	}
	if last := f.connectLog()[len(f.connectLog())-1]; last.Since != "2" {
		t.Errorf("resync sent %+v, want since=2", last)
	}
}

func TestChainMismatchResync(t *testing.T) {
	f := newFake(t, true)
	l := connect(t, secretaryClient(t, f))
	f.set(func(f *fake) { f.corrupt = true })
	f.mustDo(secretary, "agenda.add", map[string]any{"title": "A"})
	seq := f.mustDo(secretary, "agenda.add", map[string]any{"title": "B"})
	waitSeq(t, l, seq)
	if err := l.WaitSynced(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	sameView(t, f, l)
	if s := l.Stats(); s.Resyncs != 1 || s.Snapshots != 2 {
		t.Errorf("stats = %+v; want a resync by snapshot", s)
	}
	if last := f.connectLog()[len(f.connectLog())-1]; last.Since != "" {
		t.Errorf("a broken chain must be resynced from a snapshot, sent %+v", last)
	}
}

func TestEpochChange(t *testing.T) {
	f := newFake(t, true)
	l := connect(t, secretaryClient(t, f))
	// The server's log was rebuilt: same seq numbers, different history.
	f.set(func(f *fake) {
		f.epoch = "e2"
		f.state, f.events = &meeting.State{ID: fakeMeeting}, nil
	})
	f.mustDo(secretary, "meeting.create", map[string]any{"title": "Một cuộc họp khác"})
	f.closeAll(1001, "")
	waitFor(t, "the new epoch", func() bool { return l.Epoch() == "e2" })
	waitSeq(t, l, 1)
	if err := l.WaitSynced(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	sameView(t, f, l)
	if s := l.Stats(); s.Snapshots != 2 {
		t.Errorf("stats = %+v; want a second snapshot", s)
	}
}

func TestPauseResume(t *testing.T) {
	f := newFake(t, true)
	l := connect(t, secretaryClient(t, f))
	l.Pause()
	waitFor(t, "the fake to see the pause", func() bool { return f.live() == 0 })
	f.mustDo(secretary, "agenda.add", map[string]any{"title": "A"})
	seq := f.mustDo(secretary, "agenda.add", map[string]any{"title": "B"})
	time.Sleep(100 * time.Millisecond) // five times the backoff cap
	if n := len(f.connectLog()); n != 1 {
		t.Errorf("%d connection attempts while paused, want 1", n)
	}
	if _, err := l.Send(testCtx(t), "meeting.open", nil); !errors.Is(err, client.ErrOffline) {
		t.Errorf("Send while paused: %v, want ErrOffline", err)
	}
	if l.Seq() != 1 {
		t.Errorf("replica moved while paused")
	}
	l.Resume()
	waitSeq(t, l, seq)
	if err := l.WaitSynced(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	sameView(t, f, l)
	if s := l.Stats(); s.Reconnects != 1 || s.Replayed != 2 {
		t.Errorf("stats = %+v", s)
	}
	// Pause and Resume again, quickly: it still comes back.
	l.Pause()
	l.Resume()
	seq = f.mustDo(secretary, "agenda.add", map[string]any{"title": "C"})
	waitSeq(t, l, seq)
}

func TestUnknownOutcomeNoResend(t *testing.T) {
	f := newFake(t, true)
	l := connect(t, secretaryClient(t, f))
	f.set(func(f *fake) { f.swallow = true })
	errc := make(chan error, 1)
	go func() {
		_, err := l.Send(testCtx(t), "meeting.open", nil)
		errc <- err
	}()
	waitFor(t, "the command to arrive", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.commands == 1
	})
	l.Drop()
	select {
	case err := <-errc:
		if !errors.Is(err, client.ErrUnknownOutcome) || meeting.KindOf(err) != meeting.KindInternal {
			t.Errorf("Send = %v, want ErrUnknownOutcome", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Send did not return after the drop")
	}
	if err := l.WaitSynced(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	f.mu.Lock()
	n := f.commands
	f.mu.Unlock()
	if n != 1 {
		t.Errorf("the fake received %d commands; the SDK must not resend", n)
	}
	// ctx ending while waiting for a result is an unknown outcome too.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := l.Send(ctx, "meeting.open", nil); !errors.Is(err, client.ErrUnknownOutcome) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Send with expiring ctx = %v", err)
	}
}

func TestWaitSeqWakesAndTimesOut(t *testing.T) {
	f := newFake(t, true)
	l := connect(t, secretaryClient(t, f))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if err := l.WaitSeq(ctx, 2); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitSeq = %v, want deadline exceeded", err)
	}
	done := make(chan error, 1)
	go func() { done <- l.WaitSeq(testCtx(t), 3) }()
	f.mustDo(secretary, "agenda.add", map[string]any{"title": "A"})
	select {
	case err := <-done:
		t.Fatalf("WaitSeq(3) returned at seq 2: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	f.mustDo(secretary, "agenda.add", map[string]any{"title": "B"})
	if err := <-done; err != nil || l.Seq() < 3 {
		t.Errorf("WaitSeq = %v at %d", err, l.Seq())
	}
}

func TestWithoutReplica(t *testing.T) {
	f := newFake(t, true)
	f.mustDo(secretary, "agenda.add", map[string]any{"title": "A"})
	l := connect(t, secretaryClient(t, f), client.WithoutReplica())
	st := l.State()
	if st.Seq != 2 || st.ID != fakeMeeting || st.Head == "" || len(st.Agenda) != 0 || st.Details.Title != "" {
		t.Errorf("state = %+v; want only id, seq and head", st)
	}
	f.set(func(f *fake) { f.skip = 1 })
	f.mustDo(secretary, "agenda.add", map[string]any{"title": "B"})
	seq := f.mustDo(secretary, "agenda.add", map[string]any{"title": "C"})
	waitSeq(t, l, seq)
	if st := l.State(); st.Head != f.view(l.Viewer()).Head {
		t.Error("head differs from the server's")
	}
	if s := l.Stats(); s.Resyncs != 1 {
		t.Errorf("stats = %+v; the gap went unnoticed", s)
	}
}

func TestConnectRefused(t *testing.T) {
	f := newFake(t, true)
	// No session: 401 at once, no retries.
	_, err := newClient(t, f).Connect(testCtx(t), fakeMeeting, fast)
	var he *client.HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusUnauthorized || he.Err.Kind != meeting.KindUnauthorized || he.Err.MessageEN != "login required" {
		t.Errorf("no session: %v", err)
	}
	// A foreign origin: 403.
	c := secretaryClient(t, f, client.WithOrigin("https://evil.example"))
	if _, err := c.Connect(testCtx(t), fakeMeeting, fast); meeting.KindOf(err) != meeting.KindForbidden {
		t.Errorf("foreign origin: %v", err)
	}
	// No origin at all is fine.
	c = secretaryClient(t, f, client.WithOrigin(""))
	l := connect(t, c)
	if o := f.connectLog()[len(f.connectLog())-1].Origin; o != "" {
		t.Errorf("sent Origin %q", o)
	}
	l.Close()
	// Unknown meeting: 404.
	if _, err := c.Connect(testCtx(t), "m404", fast); meeting.KindOf(err) != meeting.KindNotFound {
		t.Errorf("unknown meeting: %v", err)
	}
	if n := len(f.connectLog()); n != 4 {
		t.Errorf("%d attempts, want 4 (refusals are not retried)", n)
	}
}

func TestConnectRetriesUntilCtx(t *testing.T) {
	f := newFake(t, true)
	c := secretaryClient(t, f)
	f.set(func(f *fake) { f.hold = true })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := c.Connect(ctx, fakeMeeting, fast); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Connect = %v, want deadline exceeded", err)
	}
	if n := len(f.connectLog()); n < 3 {
		t.Errorf("%d attempts; 503 should be retried", n)
	}
	// Once the server is back, Connect succeeds after retries.
	go func() {
		time.Sleep(30 * time.Millisecond)
		f.set(func(f *fake) { f.hold = false })
	}()
	connect(t, c)
	if n := liveGoroutines(); n != 1 {
		t.Errorf("%d Live goroutines, want 1 (the failed Connect must not leak)", n)
	}
}

// liveGoroutines counts goroutines running the Live loop.
// liveGoroutinesSettled polls liveGoroutines until it equals want or a
// second passes: a run goroutine closes Done before its last deferred
// calls return, so it can linger on the stack for a moment after Close.
func liveGoroutinesSettled(want int) int {
	deadline := time.Now().Add(time.Second)
	for {
		g := liveGoroutines()
		if g == want || time.Now().After(deadline) {
			return g
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func liveGoroutines() int {
	buf := make([]byte, 1<<22)
	n := runtime.Stack(buf, true)
	return strings.Count(string(buf[:n]), "phonghop/client.(*Live).run(")
}

// sdkGoroutines counts goroutines with any SDK function on their stack.
func sdkGoroutines() (int, string) {
	buf := make([]byte, 1<<22)
	n := runtime.Stack(buf, true)
	count := 0
	var stacks []string
	for _, g := range strings.Split(string(buf[:n]), "\n\n") {
		if strings.Contains(g, "phonghop/client.") {
			count++
			stacks = append(stacks, g)
		}
	}
	return count, strings.Join(stacks, "\n\n")
}

func TestCloseLeavesNoGoroutines(t *testing.T) {
	base := runtime.NumGoroutine()
	f := newFake(t, true)
	tr := &http.Transport{}
	c := secretaryClient(t, f, client.WithHTTPClient(&http.Client{Transport: tr}))
	var lives []*client.Live
	for range 5 {
		l, err := c.Connect(testCtx(t), fakeMeeting, fast)
		if err != nil {
			t.Fatal(err)
		}
		lives = append(lives, l)
	}
	if n := liveGoroutines(); n != 5 {
		t.Errorf("%d Live goroutines for 5 connections, want 5", n)
	}
	lives[0].Drop()
	lives[1].Pause()
	f.set(func(f *fake) { f.hold = true })
	lives[2].Drop() // now in backoff
	for _, l := range lives {
		if err := l.Close(); err != nil {
			t.Error(err)
		}
		select {
		case <-l.Done():
		default:
			t.Error("Done open after Close")
		}
		if !errors.Is(l.Err(), client.ErrClosed) {
			t.Errorf("Err = %v, want ErrClosed", l.Err())
		}
		l.Close() // idempotent
	}
	// A goroutine that has closed Done is still returning for a moment:
	// wait for it, briefly (Close must not leave one running).
	for deadline := time.Now().Add(time.Second); ; time.Sleep(5 * time.Millisecond) {
		n, stacks := sdkGoroutines()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("%d SDK goroutines a second after Close:\n%s", n, stacks)
			break
		}
	}
	f.close()
	tr.CloseIdleConnections()
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		n := runtime.NumGoroutine()
		if n <= base {
			break
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, %d before:\n%s", n, base, buf[:runtime.Stack(buf, true)])
		}
	}
}

func TestCloseSendsNormalClose(t *testing.T) {
	f := newFake(t, true)
	l := connect(t, secretaryClient(t, f))
	start := time.Now()
	l.Close()
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("Close took %v; the server's close answer should end it at once", d)
	}
	waitFor(t, "the fake to see the close", func() bool { return f.live() == 0 })
	time.Sleep(30 * time.Millisecond)
	if n := len(f.connectLog()); n != 1 {
		t.Errorf("%d connects after Close", n)
	}
}

func TestReadTimeout(t *testing.T) {
	f := newFake(t, true)
	c := secretaryClient(t, f)
	// Pings keep a quiet connection alive, and are answered.
	for _, opts := range [][]client.LiveOption{nil, {client.WithReadTimeout(150 * time.Millisecond)}} {
		l := connect(t, c, opts...)
		for range 30 {
			f.ping()
			time.Sleep(10 * time.Millisecond)
		}
		if s := l.Stats(); s.Reconnects != 0 {
			t.Errorf("options %v: %d reconnects despite pings", opts, s.Reconnects)
		}
		l.Close()
	}
	f.mu.Lock()
	pongs := f.pongs
	f.mu.Unlock()
	if pongs < 40 {
		t.Errorf("%d pongs for 60 pings", pongs)
	}
	// Silence drops the connection, and the Live reconnects.
	l := connect(t, c, client.WithReadTimeout(30*time.Millisecond))
	time.Sleep(150 * time.Millisecond)
	if s := l.Stats(); s.Reconnects == 0 {
		t.Errorf("no reconnect after silence: %+v", s)
	}
	if err := l.WaitSynced(testCtx(t)); err != nil {
		t.Fatal(err)
	}
}

func TestManyLives(t *testing.T) {
	const n = 200
	f := newFake(t, true)
	c := secretaryClient(t, f)
	var received sync.WaitGroup
	lives := make([]*client.Live, n)
	for i := range lives {
		lives[i] = connect(t, c, client.WithoutReplica(), client.OnEvent(func(e meeting.Event, _ time.Time, replay bool) {
			if !replay {
				received.Done()
			}
		}))
	}
	if g := liveGoroutines(); g != n {
		t.Errorf("%d Live goroutines for %d lives", g, n)
	}
	const events = 20
	received.Add(n * events)
	var seq int64
	for i := range events {
		seq = f.mustDo(secretary, "agenda.add", map[string]any{"title": "Mục " + formatInt(int64(i))})
	}
	received.Wait()
	for _, l := range lives {
		if l.Seq() != seq {
			t.Fatalf("a live is at %d, want %d", l.Seq(), seq)
		}
		l.Close()
	}
	if g := liveGoroutinesSettled(0); g != 0 {
		t.Errorf("%d Live goroutines after Close", g)
	}
}
