package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/phonghop/phonghop/server/meeting"
)

// Limits of the protocol.
const (
	// readLimit bounds one frame from the server: the snapshot of a meeting
	// of 10,000 participants is a few MiB.
	readLimit = 16 << 20
	// MaxCommandFrame is the server's read limit per frame (64 KiB); Send
	// refuses larger commands instead of having the connection closed with
	// 1009. Large imports go through ImportParticipantsCSV.
	MaxCommandFrame = 64 << 10
	// closeGrace is how long Close waits for the server to answer a close frame.
	closeGrace = time.Second
	// writeTimeout bounds a command write when ctx has no earlier deadline.
	writeTimeout = 10 * time.Second
)

// Close codes of docs/protocol.md after which a Live does not reconnect
// (with 1000; 1001 going away, 4008 too slow and any other code are
// retried).
const (
	// closeSessionEnded: the session ended (logout, participant removed).
	closeSessionEnded = 4001
	// closeOpenedElsewhere: the session opened more live sockets than the
	// server allows (PHONGHOP_MAX_SOCKETS_PER_SESSION) and this, its
	// oldest, was closed. Reconnecting would close the newer socket in
	// turn, which would reconnect too: two Lives of one session would take
	// the meeting from each other for ever.
	closeOpenedElsewhere = 4009
)

// LiveOption configures a Live.
type LiveOption func(*liveConfig)

type liveConfig struct {
	base, max   time.Duration
	onEvent     func(meeting.Event, time.Time, bool)
	noReplica   bool
	lean        bool // implies noReplica
	readTimeout time.Duration
}

// WithBackoff sets the reconnect backoff: the n-th consecutive attempt waits
// a random duration in [0, min(max, base·2ⁿ)) ("full jitter"). The default
// is 250 ms doubling to 10 s, as docs/protocol.md asks. Tests use small values.
func WithBackoff(base, max time.Duration) LiveOption {
	return func(c *liveConfig) {
		if base > 0 {
			c.base = base
		}
		if max >= c.base {
			c.max = max
		}
	}
}

// OnEvent registers fn, called for every event folded into the replica
// (hidden placeholders included) with the time its frame was read and
// whether it was part of a replay (received before `synced`) rather than
// live. fn runs on the Live's goroutine, outside any lock: it must be quick
// and must not block, nor call Send, WaitSeq, WaitSynced or Close (which
// wait for that goroutine); State, Seq and Stats are fine. The load tool
// uses it to measure fan-out latency as received minus e.At (skip hidden
// placeholders, whose At is zero, and replays).
func OnEvent(fn func(e meeting.Event, received time.Time, replay bool)) LiveOption {
	return func(c *liveConfig) { c.onEvent = fn }
}

// WithoutReplica makes the Live track only the sequence number and hash
// chain (still detecting gaps and resyncing) instead of keeping the whole
// meeting: State then returns only ID, Seq and Head. A snapshot is not
// decoded (its header gives seq and head, see DecodeHeader). The load tool
// uses it to hold thousands of connections to a large meeting in one
// process; see also Lean.
func WithoutReplica() LiveOption {
	return func(c *liveConfig) { c.noReplica = true }
}

// Lean makes the Live read the server the way a load tool needs: as
// WithoutReplica, and moreover each frame is read as a stream and each
// message decoded by DecodeHeader (its type and position, not its payload),
// keeping at most the first leanKeep bytes (64 KiB) of a message in memory.
// A snapshot then costs neither memory nor decoding whatever the size of the
// meeting, and an event only the few fields OnEvent receives: Meeting, Seq,
// At, Type, Prev and Hash (no Actor, Data or Audience). Gaps are still
// detected by seq, and the hash chain is checked while the events' hashes
// fit in leanKeep. Commands (Send, Cast) work as usual.
func Lean() LiveOption {
	return func(c *liveConfig) { c.lean, c.noReplica = true, true }
}

// leanKeep is how much of one message a Lean Live keeps: every message but
// a snapshot fits (a command frame is at most 64 KiB, and so are the events
// it makes, but for imports, which are split into one event per line).
const leanKeep = 64 << 10

// WithReadTimeout drops the connection (and reconnects) when nothing, not
// even a WebSocket ping, arrived from the server for d. It detects dead
// networks that never deliver a TCP reset; d must exceed the server's ping
// period. The default, 0, never times out.
func WithReadTimeout(d time.Duration) LiveOption {
	return func(c *liveConfig) { c.readTimeout = d }
}

// LiveStats counts what a Live went through.
type LiveStats struct {
	Reconnects int // connections established after the first
	Snapshots  int // snapshots received (the first connection's included)
	Replayed   int // events received during a replay, before `synced`
	Events     int // events folded in all (replayed and live)
	Resyncs    int // events that did not fold (gap or broken chain), each followed by a reconnect
}

// Live is a live connection to one meeting with a local replica of it. It
// reconnects by itself after network loss (see Connect); its methods are
// safe for concurrent use.
//
// Goroutines: a Live has exactly one goroutine (run), started by Connect.
// It dials, reads the connection, folds events and, between connections,
// sleeps the backoff or waits while paused. It ends when Close is called or
// the server ends the session; Done is closed after it has returned.
type Live struct {
	c       *Client
	meeting string
	cfg     liveConfig
	log     *slog.Logger

	ctx    context.Context // canceled by Close; bounds dials and sleeps
	cancel context.CancelFunc
	done   chan struct{} // closed when run returns
	synced chan struct{} // closed at the first `synced`
	kick   chan struct{} // cap 1: Resume wakes the backoff sleep
	upd    chan struct{} // cap 1: Updates

	closeOnce sync.Once
	wmu       sync.Mutex // serialises data frames written to conn

	mu       sync.Mutex
	state    *meeting.State
	epoch    string
	viewer   meeting.Viewer
	conn     *websocket.Conn // the current connection, nil between connections
	live     bool            // conn has received `synced`
	paused   bool
	closing  bool
	welcomed bool                           // a connection has been welcomed before
	snapshot bool                           // the next connection asks for a snapshot (since 0)
	pending  map[string]chan commandOutcome // commands awaiting their result, by ID
	changed  chan struct{}                  // closed at the next change, if someone waits
	stats    LiveStats
	nextID   uint64 // the last command ID given
	err      error  // why the Live ended; nil while it runs
	// headUnknown: the replica's Head is not the last event's hash (a Lean
	// Live could not read it); the next event's prev is not checked.
	headUnknown bool
}

// commandOutcome is a command's result as delivered to Send.
type commandOutcome struct {
	seq    int64
	status string // ballots: recorded or not_counted
	err    error
}

// Connect opens a live connection to meeting meetingID and returns once the
// replica is synced (after the first snapshot or replay). Failures that
// another attempt may fix (network errors, 5xx, close codes other than 1000,
// 4001 and 4009) are retried with backoff until ctx ends; a refused upgrade
// (401, 403, 404, …) is returned at once as an *HTTPError.
//
// ctx bounds only the wait for the first sync. Afterwards the Live lives
// until Close, or until the server ends it (see Done and Err); meanwhile it
// reconnects after any drop, sending the seq and epoch of its replica so the
// server replays only what was missed.
func (c *Client) Connect(ctx context.Context, meetingID string, opts ...LiveOption) (*Live, error) {
	cfg := liveConfig{base: 250 * time.Millisecond, max: 10 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	lctx, cancel := context.WithCancel(context.Background())
	l := &Live{
		c:       c,
		meeting: meetingID,
		cfg:     cfg,
		log:     c.log.With("meeting", meetingID),
		ctx:     lctx,
		cancel:  cancel,
		done:    make(chan struct{}),
		synced:  make(chan struct{}),
		kick:    make(chan struct{}, 1),
		upd:     make(chan struct{}, 1),
		state:   &meeting.State{},
		pending: map[string]chan commandOutcome{},
	}
	go l.run()
	select {
	case <-l.synced:
		return l, nil
	case <-l.done:
		return nil, l.Err()
	case <-ctx.Done():
		l.Close()
		return nil, fmt.Errorf("client: connect to meeting %s: %w", meetingID, ctx.Err())
	}
}

// State returns a copy of the replica, safe to keep and read. Before the
// first snapshot or event it is the zero State.
func (l *Live) State() *meeting.State {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.state.Clone()
}

// Seq returns the sequence number of the last event in the replica.
func (l *Live) Seq() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.state.Seq
}

// Epoch returns the epoch of the server's log the replica belongs to.
func (l *Live) Epoch() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.epoch
}

// Viewer returns who the server says this connection is (from `welcome`).
func (l *Live) Viewer() meeting.Viewer {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.viewer
}

// Stats returns the Live's counters.
func (l *Live) Stats() LiveStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stats
}

// Done is closed when the Live has ended for good (Close, or the server
// ended the session) and its goroutine has returned.
func (l *Live) Done() <-chan struct{} { return l.done }

// Err tells why the Live ended: ErrClosed after Close, ErrSessionEnded after
// close code 4001, ErrOpenedElsewhere after 4009 (the session opened the
// meeting on more sockets than the server allows: connect again to take it
// back), ErrServerClosed after 1000, or an *HTTPError when the
// server refused a reconnection (401 after a logout, 403, 404). It is nil
// while the Live runs. meeting.KindOf(Err()) is unauthorized whenever the
// session is gone.
func (l *Live) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// Updates returns a channel that receives a value after the replica changed
// (snapshot or event). Signals coalesce: one value may stand for many
// changes, so read State after each. The channel is never closed; select on
// Done as well.
func (l *Live) Updates() <-chan struct{} { return l.upd }

// Connected reports whether the Live is connected and synced.
func (l *Live) Connected() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.live
}

// waitChangeLocked returns a channel closed at the next change of the
// Live's state (replica, connection, pause). Callers hold l.mu.
func (l *Live) waitChangeLocked() <-chan struct{} {
	if l.changed == nil {
		l.changed = make(chan struct{})
	}
	return l.changed
}

// notifyLocked wakes whoever waits on waitChangeLocked; it allocates
// nothing when nobody waits. Callers hold l.mu.
func (l *Live) notifyLocked() {
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
}

// signalUpdate signals Updates without blocking.
func (l *Live) signalUpdate() {
	select {
	case l.upd <- struct{}{}:
	default:
	}
}

// wait blocks until cond (called with l.mu held) returns true or an error,
// ctx ends, or the Live ends.
func (l *Live) wait(ctx context.Context, cond func() (bool, error)) error {
	for {
		l.mu.Lock()
		ok, err := cond()
		if ok || err != nil {
			l.mu.Unlock()
			return err
		}
		if l.err != nil {
			err := l.err
			l.mu.Unlock()
			return err
		}
		ch := l.waitChangeLocked()
		l.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// WaitSeq returns when the replica has reached seq, or with ctx's error, or
// with Err if the Live ended first.
func (l *Live) WaitSeq(ctx context.Context, seq int64) error {
	return l.wait(ctx, func() (bool, error) { return l.state.Seq >= seq, nil })
}

// WaitSynced returns when the Live is connected and synced (for example
// after Resume), or with ctx's error, or with Err if the Live ended first.
func (l *Live) WaitSynced(ctx context.Context) error {
	return l.wait(ctx, func() (bool, error) { return l.live, nil })
}

// outMessage is a message to the server.
type outMessage struct {
	Type string          `json:"type"`
	ID   string          `json:"id"`
	Name string          `json:"name"`
	Data json.RawMessage `json:"data,omitempty"`
}

// Send gives command name (a wire name of docs/protocol.md) with data (a
// JSON-encodable value, or nil) over the connection and returns the last
// seq after it. When it returns without error the replica already holds the
// command's events (the server sends them before the result).
//
// A rejected command returns the server's *meeting.Error. If the Live is
// reconnecting, Send first waits for it to be synced; if it is paused, Send
// fails at once with ErrOffline. If the connection drops (or ctx ends) after
// the command was written, Send returns an error wrapping ErrUnknownOutcome:
// the command may or may not have been carried out. Send never resends.
func (l *Live) Send(ctx context.Context, name string, data any) (int64, error) {
	r, err := l.send(ctx, name, data)
	if err != nil {
		return 0, err
	}
	return r.seq, r.err
}

// Cast casts a ballot in poll with the idempotency key (make one per ballot
// and reuse it for retries: a retry after a dropped connection then gets
// the original answer). It returns "recorded" once the server has durably
// stored the ballot. A ballot that arrived after the poll closed returns
// status "not_counted" with a conflict error; any other refusal returns the
// server's error. ErrUnknownOutcome means: send it again with the same key.
func (l *Live) Cast(ctx context.Context, poll, key string, b meeting.Ballot) (string, error) {
	r, err := l.send(ctx, "ballot.cast", map[string]any{"poll": poll, "key": key, "ballot": b})
	if err != nil {
		return "", err
	}
	return r.status, r.err
}

// send is Send returning the whole outcome; err reports a failure to get
// one (the outcome's own err is the server's refusal).
func (l *Live) send(ctx context.Context, name string, data any) (commandOutcome, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return commandOutcome{}, fmt.Errorf("client: encode command %s: %w", name, err)
	}
	if string(raw) == "null" {
		raw = nil
	}
	// The frame is the data plus the envelope, whose ID has at most 21 bytes.
	if n := len(raw) + len(name) + 64; n > MaxCommandFrame {
		return commandOutcome{}, meeting.Errorf(meeting.KindInvalid, "Lệnh %s quá lớn (%d byte, tối đa %d).", "command %s is too large (%d bytes, at most %d)", name, n, MaxCommandFrame)
	}
	var conn *websocket.Conn
	ch := make(chan commandOutcome, 1)
	var id string
	err = l.wait(ctx, func() (bool, error) {
		if l.closing {
			return false, ErrClosed
		}
		if l.paused {
			return false, ErrOffline
		}
		if !l.live {
			return false, nil
		}
		l.nextID++
		id = "c" + strconv.FormatUint(l.nextID, 10)
		l.pending[id] = ch
		conn = l.conn
		return true, nil
	})
	if err != nil {
		return commandOutcome{}, err
	}
	// forget unregisters the command; afterwards nobody sends on ch.
	forget := func() {
		l.mu.Lock()
		delete(l.pending, id)
		l.mu.Unlock()
	}
	b, err := json.Marshal(outMessage{Type: "command", ID: id, Name: name, Data: raw})
	if err != nil {
		forget()
		return commandOutcome{}, fmt.Errorf("client: encode command %s: %w", name, err)
	}
	deadline := time.Now().Add(writeTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	l.wmu.Lock()
	_ = conn.SetWriteDeadline(deadline)
	err = conn.WriteMessage(websocket.TextMessage, b)
	l.wmu.Unlock()
	if err != nil {
		forget()
		_ = conn.NetConn().Close() // a failed write breaks the connection; run reconnects
		return commandOutcome{}, fmt.Errorf("client: send %s: %w (%w)", name, ErrUnknownOutcome, err)
	}
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		forget()
		select {
		case r := <-ch: // the result won the race
			return r, nil
		default:
		}
		return commandOutcome{}, fmt.Errorf("client: send %s: %w (%w)", name, ErrUnknownOutcome, ctx.Err())
	}
}

// Drop abruptly closes the network connection, without a close frame, as a
// lost Wi-Fi would; the Live then reconnects. It is a test hook.
func (l *Live) Drop() {
	l.mu.Lock()
	conn := l.conn
	l.mu.Unlock()
	if conn != nil {
		_ = conn.NetConn().Close()
	}
}

// Pause drops the connection like Drop and keeps the Live offline, making
// no reconnection attempt, until Resume. It simulates a tablet cut off for a
// while.
func (l *Live) Pause() {
	l.mu.Lock()
	l.paused = true
	conn := l.conn
	l.notifyLocked()
	l.mu.Unlock()
	if conn != nil {
		_ = conn.NetConn().Close()
	}
}

// Resume ends a Pause: the Live reconnects at once (use WaitSynced or
// WaitSeq to wait for it to catch up).
func (l *Live) Resume() {
	l.mu.Lock()
	l.paused = false
	l.notifyLocked()
	l.mu.Unlock()
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// Close sends a normal close frame, waits (briefly) for the server's answer
// and for the Live's goroutine to return. Pending Sends fail with
// ErrUnknownOutcome. It always returns nil; calling it again does nothing.
func (l *Live) Close() error {
	l.closeOnce.Do(func() {
		l.mu.Lock()
		l.closing = true
		conn := l.conn
		l.notifyLocked()
		l.mu.Unlock()
		l.cancel() // stops a dial or a sleep
		if conn != nil {
			msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
			if conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(closeGrace)) == nil {
				t := time.NewTimer(closeGrace)
				select {
				case <-l.done:
				case <-t.C:
				}
				t.Stop()
			}
			_ = conn.NetConn().Close()
		}
	})
	<-l.done
	return nil
}

// run is the Live's goroutine: connect, serve, back off, repeat, until the
// Live is closed or the server ends it. It closes l.done when it returns.
func (l *Live) run() {
	defer close(l.done)
	attempt := 0
	for {
		if !l.waitWhilePaused() {
			l.finish(ErrClosed)
			return
		}
		l.mu.Lock()
		since, epoch := l.state.Seq, l.epoch
		if l.snapshot {
			since, epoch = 0, ""
		}
		l.mu.Unlock()
		conn, err := l.dial(since, epoch)
		if err == nil {
			var synced bool
			synced, err = l.serve(conn)
			if synced {
				attempt = 0
			}
		}
		if stop := l.terminal(err); stop != nil {
			l.finish(stop)
			return
		}
		l.log.Debug("phonghop: connection lost", "err", err, "attempt", attempt)
		l.mu.Lock()
		paused := l.paused
		l.mu.Unlock()
		if paused {
			attempt = 0
			continue
		}
		if !l.sleep(l.backoff(attempt)) {
			l.finish(ErrClosed)
			return
		}
		attempt++
	}
}

// terminal returns the error that ends the Live if err (from a dial or a
// connection) must not be retried, or nil to reconnect.
func (l *Live) terminal(err error) error {
	l.mu.Lock()
	closing := l.closing
	l.mu.Unlock()
	if closing {
		return ErrClosed
	}
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case closeSessionEnded:
			return fmt.Errorf("%w (4001 %s)", ErrSessionEnded, ce.Text)
		case closeOpenedElsewhere:
			return fmt.Errorf("%w (4009 %s)", ErrOpenedElsewhere, ce.Text)
		case websocket.CloseNormalClosure:
			return fmt.Errorf("%w (1000 %s)", ErrServerClosed, ce.Text)
		}
		return nil
	}
	var he *HTTPError
	if errors.As(err, &he) {
		switch {
		case he.Status == http.StatusTooManyRequests || he.Status == http.StatusRequestTimeout:
			return nil
		case he.Status >= 400 && he.Status < 500:
			return he
		}
	}
	return nil
}

// finish records why the Live ended and fails whatever still waits.
func (l *Live) finish(err error) {
	l.mu.Lock()
	l.err = err
	l.live = false
	l.notifyLocked()
	l.mu.Unlock()
	l.cancel()
	l.log.Debug("phonghop: live connection ended", "err", err)
}

// backoff returns the full-jitter delay of the given attempt.
func (l *Live) backoff(attempt int) time.Duration {
	d := l.cfg.max
	if attempt < 30 {
		if e := l.cfg.base << attempt; e > 0 && e < d {
			d = e
		}
	}
	if d <= 0 {
		return 0
	}
	return rand.N(d)
}

// sleep waits d, or less if Resume kicks. It returns false if the Live was closed.
func (l *Live) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-l.kick:
	case <-l.ctx.Done():
		return false
	}
	return true
}

// waitWhilePaused blocks while the Live is paused. It returns false if the
// Live was closed.
func (l *Live) waitWhilePaused() bool {
	for {
		l.mu.Lock()
		paused, closing := l.paused, l.closing
		l.mu.Unlock()
		if closing {
			return false
		}
		if !paused {
			return true
		}
		select {
		case <-l.kick:
		case <-l.ctx.Done():
			return false
		}
	}
}

// dial opens a WebSocket connection asking for what follows since.
func (l *Live) dial(since int64, epoch string) (*websocket.Conn, error) {
	var h http.Header
	if l.c.origin != "" {
		h = http.Header{"Origin": {l.c.origin}}
	}
	conn, resp, err := l.c.dialer.DialContext(l.ctx, l.c.wsURL(l.meeting, since, epoch), h)
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			defer resp.Body.Close()
			return nil, responseError(resp)
		}
		return nil, err
	}
	conn.SetReadLimit(readLimit)
	if d := l.cfg.readTimeout; d > 0 {
		conn.SetPingHandler(func(data string) error {
			_ = conn.SetReadDeadline(time.Now().Add(d))
			err := conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
			if errors.Is(err, websocket.ErrCloseSent) {
				return nil
			}
			return err
		})
	}
	return conn, nil
}

// inMessage is any message from the server but a snapshot (see
// handleSnapshot); which fields are set depends on Type.
type inMessage struct {
	Type    string         `json:"type"`
	Meeting string         `json:"meeting"`
	Epoch   string         `json:"epoch"`
	Viewer  meeting.Viewer `json:"viewer"`
	Head    int64          `json:"head"`
	Event   *meeting.Event `json:"event"`
	Seq     int64          `json:"seq"`
	ID      string         `json:"id"`
	OK      bool           `json:"ok"`
	Status  string         `json:"status"`
	Error   *wireError     `json:"error"`
}

// resyncError is returned by handle when an event does not fold.
type resyncError struct {
	gap bool // events were missing: a replay from the replica's seq fixes it
	err error
}

func (e *resyncError) Error() string { return "resync: " + e.err.Error() }
func (e *resyncError) Unwrap() error { return e.err }

// serve reads conn until it fails, folding what arrives. It reports whether
// the connection got as far as `synced`, and the error that ended it. conn
// is closed when it returns and pending commands have failed.
func (l *Live) serve(conn *websocket.Conn) (synced bool, err error) {
	l.mu.Lock()
	if l.closing || l.paused {
		l.mu.Unlock()
		_ = conn.NetConn().Close()
		return false, errors.New("client: paused or closed while dialing")
	}
	l.conn = conn
	l.mu.Unlock()
	defer func() {
		_ = conn.NetConn().Close()
		l.mu.Lock()
		l.conn, l.live = nil, false
		for id, ch := range l.pending {
			ch <- commandOutcome{err: ErrUnknownOutcome}
			delete(l.pending, id)
		}
		l.notifyLocked()
		l.mu.Unlock()
	}()
	s := &session{first: true}
	// failed notes a message that could not be handled: a replica out of
	// step asks for a resync (by replay after a gap, else by snapshot).
	failed := func(err error) (bool, error) {
		var re *resyncError
		if errors.As(err, &re) {
			l.mu.Lock()
			l.stats.Resyncs++
			l.snapshot = !re.gap
			l.mu.Unlock()
			l.log.Warn("phonghop: replica out of step; resyncing", "err", re.err, "gap", re.gap)
		}
		return s.synced, err
	}
	for {
		if d := l.cfg.readTimeout; d > 0 {
			_ = conn.SetReadDeadline(time.Now().Add(d))
		}
		if l.cfg.lean {
			_, r, err := conn.NextReader()
			if err != nil {
				return s.synced, err
			}
			now := time.Now()
			err = ReadFrame(r, leanKeep, func(msg []byte, size int) error {
				return l.handleLean(s, msg, size, now)
			})
			if err != nil {
				return failed(err)
			}
			continue
		}
		_, data, err := conn.ReadMessage()
		if err != nil {
			return s.synced, err
		}
		now := time.Now()
		for len(data) > 0 {
			line := data
			if i := bytes.IndexByte(data, '\n'); i >= 0 {
				line, data = data[:i], data[i+1:]
			} else {
				data = nil
			}
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			if err := l.handle(s, line, now); err != nil {
				return failed(err)
			}
		}
	}
}

// session is what serve knows about the current connection.
type session struct {
	first  bool // no message yet
	synced bool // `synced` received
}

// handle processes one message from the server. Each message is decoded
// once: a snapshot by handleSnapshot, any other into an inMessage.
func (l *Live) handle(s *session, line []byte, now time.Time) error {
	if peekType(line) == "snapshot" {
		h, found, _ := decodeHeader(line)
		if s.first {
			return errors.New(`client: first message is "snapshot", not welcome`)
		}
		return l.handleSnapshot(line, h, found)
	}
	var m inMessage
	if err := json.Unmarshal(line, &m); err != nil {
		return fmt.Errorf("client: bad message from server: %w", err)
	}
	if s.first && m.Type != "welcome" {
		return fmt.Errorf("client: first message is %q, not welcome", m.Type)
	}
	s.first = false
	switch m.Type {
	case "welcome":
		l.mu.Lock()
		if l.welcomed {
			l.stats.Reconnects++
		}
		// The viewer changed (a new role, after close code 4002): the
		// replica holds what the old viewer saw (documents, staff
		// information), which a replay cannot correct. Ask for a snapshot.
		changed := l.welcomed && m.Viewer != l.viewer && l.state.Seq > 0 && !l.cfg.noReplica
		l.welcomed = true
		l.viewer = m.Viewer
		// A different epoch is another log: the server sends a snapshot,
		// and events of the other log would not chain onto the replica.
		l.epoch = m.Epoch
		l.snapshot = false
		l.mu.Unlock()
		if changed {
			return &resyncError{err: fmt.Errorf("viewer changed to %+v", m.Viewer)}
		}
	case "event":
		if m.Event == nil {
			return errors.New("client: event message without event")
		}
		return l.handleEvent(s, *m.Event, true, now)
	case "synced":
		l.mu.Lock()
		behind := m.Seq > l.state.Seq
		if !behind {
			l.live = true
			l.notifyLocked()
		}
		seq := l.state.Seq
		l.mu.Unlock()
		if behind {
			return &resyncError{gap: true, err: fmt.Errorf("synced at %d but the replica is at %d", m.Seq, seq)}
		}
		if m.Seq < seq {
			l.log.Warn("phonghop: synced seq behind the replica", "synced", m.Seq, "replica", seq)
		}
		if !s.synced {
			s.synced = true
			select {
			case <-l.synced:
			default:
				close(l.synced)
			}
		}
	case "result":
		l.mu.Lock()
		ch, ok := l.pending[m.ID]
		delete(l.pending, m.ID)
		l.mu.Unlock()
		if !ok {
			l.log.Warn("phonghop: result for no pending command", "id", m.ID)
			return nil
		}
		r := commandOutcome{seq: m.Seq, status: m.Status}
		if !m.OK {
			if m.Error == nil {
				m.Error = &wireError{Kind: meeting.KindInternal, Message: "Lệnh bị từ chối.", MessageEN: "the command was refused"}
			}
			r = commandOutcome{status: m.Status, err: m.Error.toError()}
		}
		ch <- r
	case "error":
		var we wireError
		if m.Error != nil {
			we = *m.Error
		}
		l.log.Warn("phonghop: server could not read a message", "kind", we.Kind, "message", we.MessageEN)
	case "pong":
	default:
		l.log.Debug("phonghop: unknown message type ignored", "type", m.Type)
	}
	return nil
}

// handleSnapshot takes a snapshot message (h, found: its header) as the new
// replica, decoding it once. Without a replica only the header is used: the
// envelope's seq and head (or, from older servers, the state's first
// members), so the state is neither copied nor scanned.
func (l *Live) handleSnapshot(line []byte, h Header, found fields) error {
	st := &meeting.State{}
	epoch := h.Epoch
	switch {
	case l.cfg.noReplica && found.has(fSeq|fHash):
		st.ID, st.Seq, st.Head = h.Meeting, h.Seq, h.Hash
	case l.cfg.noReplica: // seq and head elsewhere: decode them the slow way
		var env struct {
			Epoch string `json:"epoch"`
			State struct {
				ID   string `json:"id"`
				Seq  int64  `json:"seq"`
				Head string `json:"head"`
			} `json:"state"`
		}
		if err := json.Unmarshal(line, &env); err != nil {
			return fmt.Errorf("client: bad snapshot: %w", err)
		}
		st.ID, st.Seq, st.Head, epoch = env.State.ID, env.State.Seq, env.State.Head, env.Epoch
	default:
		env := struct {
			Epoch string         `json:"epoch"`
			State *meeting.State `json:"state"`
		}{State: st}
		if err := json.Unmarshal(line, &env); err != nil {
			return fmt.Errorf("client: bad snapshot: %w", err)
		}
		if env.State != st || st.Seq != h.Seq && found.has(fSeq) {
			return fmt.Errorf("client: bad snapshot: state missing or at seq %d, not the envelope's %d", st.Seq, h.Seq)
		}
		epoch = env.Epoch
	}
	if st.ID == "" {
		st.ID = l.meeting
	}
	l.mu.Lock()
	l.state = st
	l.headUnknown = false
	if epoch != "" {
		l.epoch = epoch
	}
	l.stats.Snapshots++
	l.notifyLocked()
	l.mu.Unlock()
	l.signalUpdate()
	return nil
}

// handleEvent folds event e (hashed: e.Hash was read, see Lean), counts it
// and tells OnEvent and the waiters.
func (l *Live) handleEvent(s *session, e meeting.Event, hashed bool, now time.Time) error {
	l.mu.Lock()
	err := l.foldLocked(e, hashed)
	if err == nil {
		l.stats.Events++
		if !s.synced {
			l.stats.Replayed++
		}
	}
	l.mu.Unlock()
	if err != nil {
		return err
	}
	// OnEvent runs before waiters are woken: when WaitSeq(n) returns,
	// OnEvent has seen every event up to n.
	if fn := l.cfg.onEvent; fn != nil {
		fn(e, now, !s.synced)
	}
	l.mu.Lock()
	l.notifyLocked()
	l.mu.Unlock()
	l.signalUpdate()
	return nil
}

// handleLean processes one message of a Lean Live: msg is the message, or
// its first leanKeep bytes when size is larger. Snapshots and events are
// read from their header alone; the other messages, small, go to handle.
func (l *Live) handleLean(s *session, msg []byte, size int, now time.Time) error {
	cut := size > len(msg)
	h, found, err := decodeHeader(msg)
	if err != nil {
		return fmt.Errorf("client: bad message from server: %w", err)
	}
	switch h.Type {
	case "snapshot":
		if s.first {
			return errors.New(`client: first message is "snapshot", not welcome`)
		}
		if !found.has(fSeq | fHash) {
			if cut {
				return fmt.Errorf("client: bad snapshot: no seq and head in its first %d bytes", len(msg))
			}
			return l.handleSnapshot(msg, h, found) // decodes them the slow way
		}
		return l.handleSnapshot(nil, h, found)
	case "event":
		if s.first {
			return errors.New(`client: first message is "event", not welcome`)
		}
		if !found.has(fSeq) {
			return errors.New("client: event message without seq")
		}
		e := meeting.Event{Meeting: h.Meeting, Seq: h.Seq, At: h.At, Type: h.EventType, Prev: h.Prev, Hash: h.Hash}
		return l.handleEvent(s, e, found.has(fPrev|fHash), now)
	}
	if cut {
		return fmt.Errorf("client: %q message of %d bytes is too long", h.Type, size)
	}
	return l.handle(s, msg, now)
}

// foldLocked folds e into the replica. Callers hold l.mu. hashed is false
// when a Lean Live could not read e's prev and hash (a long event): then
// only its seq is checked and the next event's prev cannot be.
func (l *Live) foldLocked(e meeting.Event, hashed bool) error {
	s := l.state
	chained := e.Prev == s.Head || !hashed || l.headUnknown
	if e.Seq != s.Seq+1 || !chained {
		return &resyncError{gap: e.Seq > s.Seq+1, err: fmt.Errorf("event %d (prev %.12s) does not follow %d (head %.12s)", e.Seq, e.Prev, s.Seq, s.Head)}
	}
	if l.cfg.noReplica {
		s.Seq, s.Head = e.Seq, e.Hash
		l.headUnknown = !hashed
		if s.ID == "" {
			s.ID = e.Meeting
		}
		return nil
	}
	if err := meeting.Apply(s, e); err != nil {
		return &resyncError{err: err}
	}
	return nil
}
