package server_test

import (
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
