package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// dialWS opens /ws for meeting id as u, with header extra (e.g. Origin).
// It returns the connection or the handshake response on failure.
func (u *user) dialWS(id string, extra http.Header) (*websocket.Conn, *http.Response, error) {
	wsURL := "ws" + strings.TrimPrefix(u.base, "http") + "/ws?meeting=" + url.QueryEscape(id)
	h := http.Header{}
	base, _ := url.Parse(u.base)
	for _, c := range u.hc.Jar.Cookies(base) {
		h.Add("Cookie", c.Name+"="+c.Value)
	}
	for k, v := range extra {
		h[k] = v
	}
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	return d.Dial(wsURL, h)
}

// wsMsg is any server message, loosely decoded.
type wsMsg struct {
	Type  string          `json:"type"`
	ID    string          `json:"id"`
	OK    bool            `json:"ok"`
	Seq   int64           `json:"seq"`
	Event json.RawMessage `json:"event"`
	Error *struct {
		Kind string `json:"kind"`
	} `json:"error"`
}

// readMsgs reads frames until a message satisfies stop (returning all
// messages read) or the deadline passes (failing the test).
func readMsgs(t *testing.T, c *websocket.Conn, stop func(wsMsg) bool) []wsMsg {
	t.Helper()
	var out []wsMsg
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, data, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("read: %v (after %d messages)", err, len(out))
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			var m wsMsg
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatalf("message %q is not JSON: %v", sc.Text(), err)
			}
			out = append(out, m)
			if stop(m) {
				return out
			}
		}
	}
}

// closeCode reads until the connection closes and returns the close code.
func closeCode(t *testing.T, c *websocket.Conn) int {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				return ce.Code
			}
			t.Fatalf("read ended without a close frame: %v", err)
		}
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func fmtSscan(s string, v *float64) (int, error) { return fmt.Sscan(s, v) }

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
