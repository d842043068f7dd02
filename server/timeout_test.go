package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/phonghop/phonghop/server"
)

// TestSilentConnectionGoesAway: a tablet that answers no ping (frozen, or
// its Wi-Fi stalled) is closed after two ping periods with 1001 "going
// away" — a code on which clients reconnect — not 1000, on which they stop.
func TestSilentConnectionGoesAway(t *testing.T) {
	ts := newTestServer(t, func(c *server.Config) { c.PingInterval = 50 * time.Millisecond })
	sec := ts.secretary(t)
	id := setupMeeting(t, sec)
	c, _, err := sec.dialWS(id, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetPingHandler(func(string) error { return nil }) // a frozen tablet: no pong
	time.Sleep(400 * time.Millisecond)
	if code := closeCode(t, c); code != websocket.CloseGoingAway {
		t.Errorf("close code after silence = %d; want 1001", code)
	}
}

// TestIdleConnectionKeptAlive: an idle tablet that answers pings is pinged
// every period and stays connected far beyond two periods, and a change
// made after a long idle spell still reaches it. (The server writes to an
// idle connection only when something is due: a lost ping timer would
// close it after two periods.)
func TestIdleConnectionKeptAlive(t *testing.T) {
	const period = 30 * time.Millisecond
	ts := newTestServer(t, func(c *server.Config) { c.PingInterval = period })
	sec := ts.secretary(t)
	id := setupMeeting(t, sec)
	c, _, err := sec.dialWS(id, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pings := make(chan struct{}, 1000)
	c.SetPingHandler(func(data string) error {
		pings <- struct{}{}
		return c.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	got := make(chan string, 100)
	go func() {
		defer close(got)
		for {
			_, b, err := c.ReadMessage()
			if err != nil {
				return
			}
			got <- string(b)
		}
	}()
	time.Sleep(15 * period)
	if n := len(pings); n < 5 {
		t.Errorf("%d pings in %v with a ping every %v; want at least 5", n, 15*period, period)
	}
	sec.must(200, "POST", "/api/meetings/"+id+"/agenda", map[string]string{"title": "Sau giờ nghỉ"}, nil)
	deadline := time.After(5 * time.Second)
	for {
		select {
		case m, ok := <-got:
			if !ok {
				t.Fatal("the idle connection was closed")
			}
			if strings.Contains(m, "Sau giờ nghỉ") {
				return
			}
		case <-deadline:
			t.Fatal("the change made after the idle spell did not arrive")
		}
	}
}
