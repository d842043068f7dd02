//go:build linux

package httpapi

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// wsPair returns the server side of a real WebSocket over loopback TCP
// and a gorilla client reading it; rcvbuf, if not 0, is the client's
// socket receive buffer.
func wsPair(t *testing.T, rcvbuf int) (server *websocket.Conn, client *websocket.Conn) {
	t.Helper()
	got := make(chan *websocket.Conn, 1)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			t.Error(err)
			return
		}
		got <- ws
	}))
	t.Cleanup(ts.Close)
	d := websocket.Dialer{NetDialContext: (&net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		if rcvbuf == 0 {
			return nil
		}
		var err error
		c.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvbuf) })
		return err
	}}).DialContext}
	client, _, err := d.Dial("ws"+strings.TrimPrefix(ts.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	server = <-got
	t.Cleanup(func() { server.Close() })
	return server, client
}

// writeAll writes parts through d, finishing a partial write with a
// blocking one (what the writer goroutine does with pending).
func writeAll(d *directWriter, conn net.Conn, parts [][]byte) error {
	n, tried, err := d.write(parts)
	if !tried || err != nil {
		return fmt.Errorf("direct write: tried %v, err %v", tried, err)
	}
	_, err = conn.Write(bytes.Join(parts, nil)[n:])
	return err
}

// TestDirectFramesReadByAClient: frames of every header length (7-bit,
// 16-bit, 64-bit), one message or several joined, written straight into the
// socket, are what a WebSocket client reads.
func TestDirectFramesReadByAClient(t *testing.T) {
	server, client := wsPair(t, 0)
	d := newDirectWriter(server.UnderlyingConn())
	if d == nil {
		t.Fatal("no direct writer for a TCP connection")
	}
	var want [][]byte
	go func() {
		for _, size := range []int{1, 125, 126, 65535, 65536, 300_000} {
			msg := bytes.Repeat([]byte{byte('a' + size%26)}, size)
			var hb [10]byte
			if err := writeAll(d, server.UnderlyingConn(), [][]byte{frameHeader(hb[:0], len(msg)), msg}); err != nil {
				t.Error(err)
				return
			}
		}
		a, b := []byte(`{"type":"welcome"}`), []byte(`{"type":"synced"}`)
		var hb [10]byte
		if err := writeAll(d, server.UnderlyingConn(), [][]byte{frameHeader(hb[:0], len(a)+1+len(b)), a, newline, b}); err != nil {
			t.Error(err)
		}
	}()
	for _, size := range []int{1, 125, 126, 65535, 65536, 300_000} {
		want = append(want, bytes.Repeat([]byte{byte('a' + size%26)}, size))
	}
	want = append(want, []byte(`{"type":"welcome"}`+"\n"+`{"type":"synced"}`))
	for i, w := range want {
		client.SetReadDeadline(time.Now().Add(10 * time.Second))
		typ, got, err := client.ReadMessage()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if typ != websocket.TextMessage || !bytes.Equal(got, w) {
			t.Fatalf("frame %d: type %d, %d bytes; want a text frame of %d bytes as written", i, typ, len(got), len(w))
		}
	}
}

// TestDirectWriteNeverWaits: into a socket whose peer does not read, a
// direct write takes what fits and returns, down to nothing once the
// buffers are full; it never blocks the caller.
func TestDirectWriteNeverWaits(t *testing.T) {
	server, _ := wsPair(t, 4096)
	d := newDirectWriter(server.UnderlyingConn())
	msg := bytes.Repeat([]byte("x"), 64<<10)
	var hb [10]byte
	parts := [][]byte{frameHeader(hb[:0], len(msg)), msg}
	deadline := time.Now().Add(30 * time.Second)
	for {
		start := time.Now()
		n, tried, err := d.write(parts)
		if took := time.Since(start); took > 5*time.Second {
			t.Fatalf("a direct write waited %v", took)
		}
		if !tried || err != nil {
			t.Fatalf("tried %v, err %v", tried, err)
		}
		if n == 0 { // full: EAGAIN, reported as nothing written
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the socket never filled")
		}
	}
}

// TestDirectWriteRefusedOrFailed: a direct write is not tried once a write
// deadline has passed (the writer goroutine takes over), and reports the
// error of a socket the peer reset.
func TestDirectWriteRefusedOrFailed(t *testing.T) {
	server, client := wsPair(t, 0)
	conn := server.UnderlyingConn()
	d := newDirectWriter(conn)
	var hb [10]byte
	msg := []byte(`{"type":"event"}`)
	parts := [][]byte{frameHeader(hb[:0], len(msg)), msg}

	conn.SetWriteDeadline(time.Now().Add(-time.Second))
	if n, tried, err := d.write(parts); tried || n != 0 || err != nil {
		t.Fatalf("past a write deadline: n %d, tried %v, err %v; want not tried", n, tried, err)
	}
	conn.SetWriteDeadline(time.Time{})
	if n, tried, err := d.write(parts); !tried || err != nil || n != len(parts[0])+len(msg) {
		t.Fatalf("deadline cleared: n %d, tried %v, err %v; want the whole frame", n, tried, err)
	}

	// The peer resets the connection (SO_LINGER 0, then close).
	client.UnderlyingConn().(*net.TCPConn).SetLinger(0)
	client.UnderlyingConn().Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, tried, err := d.write(parts)
		if !tried {
			t.Fatal("not tried on a reset socket; want its error")
		}
		if err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("writes into a reset connection kept succeeding")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestDirectRestIsTheFrameUnwritten: when the socket takes part of a frame,
// or none of it, pending holds exactly the bytes of the frame it did not
// take: written after it (as the writer goroutine does), the client reads
// every frame whole.
func TestDirectRestIsTheFrameUnwritten(t *testing.T) {
	server, client := wsPair(t, 4096)
	c := &wsConn{srv: &API{metrics: newMetrics()}, direct: newDirectWriter(server.UnderlyingConn())}
	// Bytes that never repeat within a frame: a part written twice or
	// skipped shows.
	rng := rand.New(rand.NewPCG(1, 2))
	a, b := make([]byte, 40<<10), make([]byte, 30<<10)
	for i := range a {
		a[i] = byte(rng.Uint32())
	}
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	want := bytes.Join([][]byte{a, b}, newline)
	const frames = 200
	read := make(chan error, 1)
	go func() {
		time.Sleep(200 * time.Millisecond) // let the socket fill first
		for i := range frames {
			client.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, got, err := client.ReadMessage()
			if err == nil && !bytes.Equal(got, want) {
				err = fmt.Errorf("frame %d: %d bytes, not the frame written", i, len(got))
			}
			if err != nil {
				read <- fmt.Errorf("frame %d: %w", i, err)
				return
			}
		}
		read <- nil
	}()
	partial, none := 0, 0
	for range frames {
		switch c.writeDirectLocked([][]byte{a, b}) {
		case directDone:
			continue
		case directPartial:
		default:
			t.Fatal("a direct write into a live socket was not tried or failed")
		}
		if n := len(bytes.Join(c.pending, nil)); n == len(want)+10 {
			none++
		} else {
			partial++
		}
		server.UnderlyingConn().SetWriteDeadline(time.Now().Add(20 * time.Second))
		if _, err := c.pending.WriteTo(server.UnderlyingConn()); err != nil {
			t.Fatalf("the rest of a frame: %v (the client read: %v)", err, <-read)
		}
		server.UnderlyingConn().SetWriteDeadline(time.Time{})
		c.pending = nil
	}
	if err := <-read; err != nil {
		t.Fatal(err)
	}
	if partial == 0 {
		t.Fatal("no direct write was partial")
	}
	t.Logf("%d partial writes, %d refused whole", partial, none)
}
