package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/phonghop/phonghop/client"
)

// The lean tablet: the bench's own minimal WebSocket client, the same for
// phonghop and for the floor hub. It reads each frame as a stream
// (client.ReadFrame, keeping at most leanKeep bytes of a message) and
// decodes only the type and seq of each message (client.DecodeHeader), so
// that what the bench measures is the server, not the JSON decoding of its
// own clients. It does not reconnect: a tablet the server drops is counted
// as lost.

// leanKeep is how much of one message a lean tablet keeps: every message
// but a snapshot fits; a snapshot is counted (its size) and dropped.
const leanKeep = 4 << 10

// ringSize is how many (seq, time) receipts a lean tablet remembers, so that
// a watch armed after the fact (the published result) finds when each
// tablet got its seq.
const ringSize = 32

// seqAt is one receipt: an event's seq and when its frame was read, in ns
// since the fleet's epoch.
type seqAt struct{ seq, at int64 }

// leanResult is the answer to a lean tablet's command.
type leanResult struct {
	ok     bool
	seq    int64
	status string
	err    string // the server's English message when !ok
	lost   bool   // the connection ended before the result
}

// leanTablet is one lean connection.
type leanTablet struct {
	i     int
	fleet *leanFleet
	conn  *websocket.Conn
	wmu   sync.Mutex // serialises command writes

	// mu guards everything below; taken once per message by the reader
	// goroutine, briefly by the bench when it arms a watch.
	mu        sync.Mutex
	seq       int64
	ring      [ringSize]seqAt
	rn        int // receipts written to ring
	snapBytes int // size of the last snapshot message, 0 if none
	evBytes   int // size of the last event message
	frames    int
	pending   map[string]chan leanResult
	nextID    int
	synced    bool
	err       error // why the connection ended, nil while it is up
	closing   bool  // closed by the bench: not lost

	syncedCh chan struct{} // closed at the first synced
	done     chan struct{} // closed when the reader has returned
}

// watch waits for every tablet of a fleet to have a seq: it notes, for
// each, when its frame holding that seq (or a later one) was read.
type watch struct {
	target  int64
	at      []int64 // ns since the fleet's epoch; -1: reached before the ring remembers
	reached []bool  // tablet i's slot is written under tablet i's mu
	count   atomic.Int64
	n       int64
	done    chan struct{}
}

// leanFleet is N lean tablets and what they share.
type leanFleet struct {
	epoch  time.Time // receipts are in ns since epoch (monotonic)
	dialer *websocket.Dialer
	tabs   []*leanTablet
	cur    atomic.Pointer[watch]
	lost   atomic.Int64
	lostCh chan struct{} // closed at the first tablet lost
	once   sync.Once
}

// newLeanFleet prepares n tablets; dial connects them.
func newLeanFleet(n int) *leanFleet {
	nd := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: -1}
	f := &leanFleet{
		epoch: time.Now(),
		dialer: &websocket.Dialer{
			NetDialContext:   nd.DialContext,
			HandshakeTimeout: 15 * time.Second,
			WriteBufferPool:  &sync.Pool{}, // commands are rare: no write buffer per connection
		},
		tabs:   make([]*leanTablet, n),
		lostCh: make(chan struct{}),
	}
	return f
}

// now returns the time in the fleet's clock.
func (f *leanFleet) now() int64 { return int64(time.Since(f.epoch)) }

// connect connects tablet i to url (with the cookies of jar, if not nil)
// and waits until it is synced.
func (f *leanFleet) connect(ctx context.Context, i int, url string, jar http.CookieJar) error {
	d := *f.dialer
	d.Jar = jar
	conn, resp, err := d.DialContext(ctx, url, nil)
	if err != nil {
		if resp != nil {
			return fmt.Errorf("%w (HTTP %d)", err, resp.StatusCode)
		}
		return err
	}
	conn.SetReadLimit(64 << 20)
	tb := &leanTablet{i: i, fleet: f, conn: conn, pending: map[string]chan leanResult{}, syncedCh: make(chan struct{}), done: make(chan struct{})}
	f.tabs[i] = tb
	go tb.read()
	select {
	case <-tb.syncedCh:
		return nil
	case <-tb.done:
		return fmt.Errorf("connection ended before synced: %v", tb.error())
	case <-ctx.Done():
		return ctx.Err()
	}
}

// connectAll connects every tablet, conc at a time; urlJar gives tablet i's
// URL and cookie jar. It returns the wall time until the last was synced.
func (f *leanFleet) connectAll(ctx context.Context, conc int, urlJar func(i int) (string, http.CookieJar), progress func() func(), done *atomic.Int64) (time.Duration, error) {
	start := time.Now()
	err := parallel(ctx, len(f.tabs), conc, progress(), func(ctx context.Context, i int) error {
		u, jar := urlJar(i)
		if err := f.connect(ctx, i, u, jar); err != nil {
			if isFDError(err) {
				return fmt.Errorf("connect tablet %d: %w (out of file descriptors: lower -n)", i+1, err)
			}
			return fmt.Errorf("connect tablet %d: %w", i+1, err)
		}
		done.Add(1)
		return nil
	})
	return time.Since(start), err
}

// read is the tablet's reader goroutine.
func (tb *leanTablet) read() {
	defer close(tb.done)
	for {
		_, r, err := tb.conn.NextReader()
		if err != nil {
			tb.end(err)
			return
		}
		at := tb.fleet.now()
		tb.mu.Lock()
		tb.frames++
		tb.mu.Unlock()
		err = client.ReadFrame(r, leanKeep, func(msg []byte, size int) error {
			return tb.handle(msg, size, at)
		})
		if err != nil {
			tb.end(err)
			_ = tb.conn.NetConn().Close()
			return
		}
	}
}

// handle takes one message: type and seq only (a result's id, ok and
// status too).
func (tb *leanTablet) handle(msg []byte, size int, at int64) error {
	h, err := client.DecodeHeader(msg)
	if err != nil {
		return fmt.Errorf("bad message (%d bytes): %w", size, err)
	}
	switch h.Type {
	case "snapshot":
		tb.mu.Lock()
		tb.snapBytes, tb.seq = size, h.Seq
		tb.mu.Unlock()
	case "event":
		tb.received(h.Seq, size, at)
	case "synced":
		tb.mu.Lock()
		first := !tb.synced
		tb.synced = true
		tb.mu.Unlock()
		if first {
			close(tb.syncedCh)
		}
	case "result":
		r := leanResult{ok: h.OK, seq: h.Seq, status: h.Status}
		if !h.OK {
			var m struct {
				Error struct {
					MessageEN string `json:"message_en"`
				} `json:"error"`
			}
			_ = json.Unmarshal(msg, &m)
			r.err = m.Error.MessageEN
		}
		tb.mu.Lock()
		ch := tb.pending[h.ID]
		delete(tb.pending, h.ID)
		tb.mu.Unlock()
		if ch != nil {
			ch <- r
		}
	}
	return nil
}

// received notes that the tablet has seq (a message of size bytes), read
// at at.
func (tb *leanTablet) received(seq int64, size int, at int64) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.evBytes = size
	if seq > tb.seq {
		tb.seq = seq
	}
	tb.ring[tb.rn%ringSize] = seqAt{seq, at}
	tb.rn++
	if w := tb.fleet.cur.Load(); w != nil && seq >= w.target && !w.reached[tb.i] {
		w.reached[tb.i], w.at[tb.i] = true, at
		if w.count.Add(1) == w.n {
			close(w.done)
		}
	}
}

// end records why the connection ended; a tablet not closed by the bench
// is lost.
func (tb *leanTablet) end(err error) {
	tb.mu.Lock()
	tb.err = err
	lost := !tb.closing
	for id, ch := range tb.pending {
		ch <- leanResult{lost: true}
		delete(tb.pending, id)
	}
	tb.mu.Unlock()
	if lost {
		tb.fleet.lost.Add(1)
		tb.fleet.once.Do(func() { close(tb.fleet.lostCh) })
	}
}

func (tb *leanTablet) error() error {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return tb.err
}

// command sends a command and waits for its result.
func (tb *leanTablet) command(ctx context.Context, name string, data any) (leanResult, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return leanResult{}, err
	}
	ch := make(chan leanResult, 1)
	tb.mu.Lock()
	if tb.err != nil {
		tb.mu.Unlock()
		return leanResult{}, fmt.Errorf("tablet %d: connection ended: %w", tb.i+1, tb.err)
	}
	tb.nextID++
	id := "c" + strconv.Itoa(tb.nextID)
	tb.pending[id] = ch
	tb.mu.Unlock()
	b, _ := json.Marshal(struct {
		Type string          `json:"type"`
		ID   string          `json:"id"`
		Name string          `json:"name"`
		Data json.RawMessage `json:"data"`
	}{"command", id, name, raw})
	tb.wmu.Lock()
	_ = tb.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	err = tb.conn.WriteMessage(websocket.TextMessage, b)
	tb.wmu.Unlock()
	if err != nil {
		return leanResult{}, fmt.Errorf("tablet %d: send %s: %w", tb.i+1, name, err)
	}
	select {
	case r := <-ch:
		if r.lost {
			return r, fmt.Errorf("tablet %d: %s: connection lost before the result", tb.i+1, name)
		}
		return r, nil
	case <-ctx.Done():
		return leanResult{}, ctx.Err()
	}
}

// arm starts a watch for seq target: tablets that already have it are
// counted from their receipt ring (at -1 if it is older than the ring).
// Only one watch runs at a time.
func (f *leanFleet) arm(target int64) *watch {
	n := len(f.tabs)
	w := &watch{target: target, at: make([]int64, n), reached: make([]bool, n), n: int64(n), done: make(chan struct{})}
	f.cur.Store(w)
	for i, tb := range f.tabs {
		tb.mu.Lock()
		if !w.reached[i] && tb.seq >= target {
			w.reached[i], w.at[i] = true, -1
			for k := max(0, tb.rn-ringSize); k < tb.rn; k++ {
				if r := tb.ring[k%ringSize]; r.seq >= target {
					w.at[i] = r.at
					break
				}
			}
			if w.count.Add(1) == w.n {
				close(w.done)
			}
		}
		tb.mu.Unlock()
	}
	return w
}

// wait waits until every tablet has the watch's seq, a tablet is lost, d
// passes or ctx ends.
func (f *leanFleet) wait(ctx context.Context, w *watch, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-w.done:
		return nil
	case <-f.lostCh:
		return fmt.Errorf("%d tablets lost: %s", f.lost.Load(), f.describeLost())
	case <-t.C:
		return fmt.Errorf("only %d of %d tablets got seq %d within %v", w.count.Load(), w.n, w.target, d)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// describeLost groups the lost tablets by why their connection ended.
func (f *leanFleet) describeLost() string {
	why := map[string]int{}
	for _, tb := range f.tabs {
		if tb == nil {
			continue
		}
		tb.mu.Lock()
		if tb.err != nil && !tb.closing {
			why[tb.err.Error()]++
		}
		tb.mu.Unlock()
	}
	out := ""
	for k, n := range why {
		if len(out) > 400 {
			out += " …"
			break
		}
		out += fmt.Sprintf("%d× %s; ", n, k)
	}
	return out
}

// latencies returns, for the tablets of w, when each got the seq, in ns
// after t0 (a time in the fleet's clock); unknown receipts are left out.
func (w *watch) latencies(t0 int64) []float64 {
	out := make([]float64, 0, len(w.at))
	for _, at := range w.at {
		if at >= 0 {
			out = append(out, float64(at-t0))
		}
	}
	return out
}

// snapshotSizes returns the smallest and largest snapshot a tablet got.
func (f *leanFleet) snapshotSizes() (lo, hi int) {
	lo = -1
	for _, tb := range f.tabs {
		if tb == nil {
			continue
		}
		tb.mu.Lock()
		s := tb.snapBytes
		tb.mu.Unlock()
		if lo < 0 || s < lo {
			lo = s
		}
		hi = max(hi, s)
	}
	return max(lo, 0), hi
}

// closeAll closes every connection (close frame, then the socket), a few
// hundred at a time, and waits for the readers.
func (f *leanFleet) closeAll() {
	_ = parallel(context.Background(), len(f.tabs), 256, nil, func(_ context.Context, i int) error {
		tb := f.tabs[i]
		if tb == nil {
			return nil
		}
		tb.mu.Lock()
		tb.closing = true
		tb.mu.Unlock()
		msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
		if tb.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second)) == nil {
			t := time.NewTimer(time.Second)
			select {
			case <-tb.done:
			case <-t.C:
			}
			t.Stop()
		}
		_ = tb.conn.NetConn().Close()
		<-tb.done
		return nil
	})
}
