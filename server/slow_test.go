package server_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/phonghop/phonghop/server"
	"github.com/phonghop/phonghop/server/meeting"
)

// TestSlowConnectionIsClosedNotThinned: a tablet that stops reading (its
// TCP window closed) fills its send queue; the server closes it with 4008
// rather than blocking the meeting or skipping events for it, while a
// healthy connection receives every event, gapless.
func TestSlowConnectionIsClosedNotThinned(t *testing.T) {
	ts := newTestServer(t, func(c *server.Config) { c.SendQueue = 4 })
	sec := ts.secretary(t)
	id := setupMeeting(t, sec)

	// The slow client: a tiny receive buffer, and it never reads.
	slow := dialTinyBuffer(t, ts.URL, sec, id)
	healthy, _, err := sec.dialWS(id, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer healthy.Close()

	// The healthy one reads everything in the background.
	seqs := make(chan int64, 10000)
	go func() {
		for {
			msgs, err := readAll(healthy)
			if err != nil {
				close(seqs)
				return
			}
			for _, m := range msgs {
				if m.Type == "event" {
					var e meeting.Event
					if jsonUnmarshal(m.Event, &e) == nil {
						seqs <- e.Seq
					}
				}
			}
		}
	}()

	text := strings.Repeat("Thông báo dài để lấp đầy bộ đệm. ", 55) // ~2,000 characters
	overflowed := false
	var last int64
	for i := 0; i < 3000 && !overflowed; i++ {
		var out struct{ Seq int64 }
		sec.must(200, "POST", "/api/meetings/"+id+"/notices", map[string]string{"text": text}, &out)
		last = out.Seq
		if i%50 == 49 {
			overflowed = metric(t, ts.URL, "phonghop_ws_queue_overflows_total") >= 1
		}
	}
	t.Logf("overflow after %d events", last)
	if !overflowed {
		t.Fatal("3,000 large events did not overflow a non-reading connection's queue")
	}
	// The server dropped the slow connection from the meeting at once ...
	r, err := ts.srv.Rooms().Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if n := r.Subscribers(); n != 1 {
		t.Errorf("room has %d subscribers after the overflow; want 1 (the slow one dropped)", n)
	}
	// ... and closed it: read at last, it ends (with 4008 if the close
	// frame got through the full buffer, else with the TCP close).
	code := 0
	for code == 0 {
		slow.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, _, err := slow.ReadMessage(); err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				code = ce.Code
			} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("the slow connection was not closed by the server")
			} else {
				code = -1 // closed without a close frame
			}
		}
	}
	t.Logf("slow connection close code %d", code)
	if code != 4008 && code != -1 {
		t.Errorf("slow connection closed with %d; want 4008 or a plain close", code)
	}
	// The healthy connection got every event, in order, without a gap.
	want := int64(0)
	deadline := time.After(10 * time.Second)
	for want < last {
		select {
		case s, ok := <-seqs:
			if !ok {
				t.Fatalf("healthy connection ended at seq %d; want %d", want, last)
			}
			if want != 0 && s != want+1 {
				t.Fatalf("healthy connection got seq %d after %d", s, want)
			}
			want = s
		case <-deadline:
			t.Fatalf("healthy connection stuck at seq %d; want %d", want, last)
		}
	}
}

// dialTinyBuffer opens /ws for meeting id as u with a 4 KiB receive
// buffer: a tablet whose TCP window closes as soon as it stops reading.
func dialTinyBuffer(t *testing.T, base string, u *user, id string) *websocket.Conn {
	t.Helper()
	dialer := websocket.Dialer{NetDialContext: (&net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var err error
		c.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return err
	}}).DialContext}
	h := http.Header{}
	for _, c := range u.hc.Jar.Cookies(mustURL(base)) {
		h.Add("Cookie", c.Name+"="+c.Value)
	}
	conn, _, err := dialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/ws?meeting="+id, h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// readAll reads one frame and splits it into messages.
func readAll(c *websocket.Conn) ([]wsMsg, error) {
	_, data, err := c.ReadMessage()
	if err != nil {
		return nil, err
	}
	var out []wsMsg
	for _, line := range strings.Split(string(data), "\n") {
		var m wsMsg
		if err := jsonUnmarshal([]byte(line), &m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// metric reads one counter from /metrics.
func metric(t *testing.T, base, name string) float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, name+" ") {
			var v float64
			if _, err := fmtSscan(strings.TrimPrefix(line, name+" "), &v); err == nil {
				return v
			}
		}
	}
	return 0
}

// TestStalledTabletGetsEveryFrameWhole: a tablet that stops reading for a
// while (Wi-Fi in a lift) makes the server's direct writes run into a full
// socket; the rest of the frame must follow before anything else — the
// next frames, the pong to the tablet's ping, the close — so that once it
// reads again it gets every event whole, in order, then a clean close.
func TestStalledTabletGetsEveryFrameWhole(t *testing.T) {
	ts := newTestServer(t, func(c *server.Config) { c.SendQueue = 100000 })
	sec := ts.secretary(t)
	id := setupMeeting(t, sec)

	stalled := dialTinyBuffer(t, ts.URL, sec, id)

	// Changes until a direct write ran into the full socket, then as many
	// again, queued behind it, and a ping in the middle.
	text := strings.Repeat("Thông báo dài để lấp đầy bộ đệm. ", 55)
	partial0 := metric(t, ts.URL, "phonghop_ws_direct_partial_total")
	var last int64
	post := func() {
		var out struct{ Seq int64 }
		sec.must(200, "POST", "/api/meetings/"+id+"/notices", map[string]string{"text": text}, &out)
		last = out.Seq
	}
	n := 0
	for ; n < 5000; n++ {
		post()
		if n%20 == 19 && metric(t, ts.URL, "phonghop_ws_direct_partial_total") > partial0 {
			break
		}
	}
	if metric(t, ts.URL, "phonghop_ws_direct_partial_total") == partial0 {
		t.Fatalf("%d large events never filled a stalled tablet's socket", n)
	}
	if err := stalled.WriteControl(websocket.PingMessage, []byte("p1"), time.Now().Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	for range n + 1 {
		post()
	}
	t.Logf("a direct write was partial after %d events; %d more; last seq %d", n+1, n+1, last)

	// The tablet reads again: a snapshot, then every event in order, whole.
	pong := make(chan string, 1)
	stalled.SetPongHandler(func(s string) error { pong <- s; return nil })
	var seq int64
	snap := false
	for seq < last {
		stalled.SetReadDeadline(time.Now().Add(20 * time.Second))
		msgs, err := readAll(stalled)
		if err != nil {
			t.Fatalf("after seq %d: %v", seq, err)
		}
		for _, m := range msgs {
			switch m.Type {
			case "snapshot":
				snap = true
				seq = m.Seq
			case "event":
				var e meeting.Event
				if err := jsonUnmarshal(m.Event, &e); err != nil {
					t.Fatalf("after seq %d: %v", seq, err)
				}
				if !snap || e.Seq != seq+1 {
					t.Fatalf("event seq %d after %d (snapshot %v)", e.Seq, seq, snap)
				}
				seq = e.Seq
			}
		}
	}
	select {
	case s := <-pong:
		if s != "p1" {
			t.Errorf("pong %q; want p1", s)
		}
	default:
		t.Error("no pong to the ping sent while the server's frames waited")
	}
	// A clean close: the server answers the tablet's close frame.
	if err := stalled.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	stalled.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _, err := stalled.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseNormalClosure {
		t.Fatalf("after the tablet's close: %v; want the server's close 1000", err)
	}
}
