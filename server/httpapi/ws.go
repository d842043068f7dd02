package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/room"
	"github.com/phonghop/phonghop/server/store"
)

// WebSocket close codes (see docs/protocol.md).
const (
	websocketGoingAway = websocket.CloseGoingAway // 1001: shutdown; reconnect
	closeSessionEnded  = 4001                     // logout or removal; do not reconnect
	closeViewerChanged = 4002                     // role changed; reconnect for a new view
	closeTooSlow       = 4008                     // send queue overflowed; reconnect and resync
	closeTooMany       = 4009                     // the session opened more sockets than allowed; this, its oldest, is closed

	// DefaultMaxSocketsPerSession is how many live WebSockets one session
	// may have (a console in a few tabs; a tablet reconnecting before its
	// old socket timed out).
	DefaultMaxSocketsPerSession = 8
	maxClientFrame              = 64 << 10 // read limit per client frame
	maxCoalescedFrame           = 1 << 20  // the writer stops coalescing past this
	writeWait                   = 10 * time.Second
)

// wsConn is one WebSocket connection. It has one long-lived goroutine, the
// reader (runs commands, which may queue results), and a writer goroutine
// only while there is something to write: Send queues a message and starts
// the writer if none runs; the writer drains the queue and exits. An idle
// connection (a congress's tablets, most of the time) thus holds no writer
// stack and no queue. Pings are due on a timer (pingDue) and written by the
// writer too. Both goroutines are counted in API.wg. The queue is bounded
// (Options.SendQueue): a full queue closes the connection with 4008 instead
// of blocking the room or dropping a message.
//
// When no writer runs and nothing is queued, Send writes the frame itself
// without blocking (directWriter: one writev into the socket's buffer): a
// change reaching an idle hall costs one system call per tablet, not a
// goroutine, a grown stack and a deadline timer each. What the socket does
// not take (a slow tablet) is left in pending for a writer, which writes
// it first and waits on it with writeWait as before. Frames are thus
// written by one party at a time, in order: Send, under mu, while no
// writer runs, or the writer.
type wsConn struct {
	srv     *API
	ws      *websocket.Conn
	room    *room.Room
	actor   meeting.Actor
	session string // hex token hash of the session that opened it

	connectedAt time.Time    // when the upgrade succeeded
	ord         uint64       // order of registration (connSet.add)
	since       int64        // the seq the client said it had
	lastSeen    atomic.Int64 // unix nanoseconds of the last frame or pong from the client

	ping   *time.Timer   // fires every PingInterval: a ping is due
	direct *directWriter // nil: every frame goes through the writer

	// mu guards the fields below. Invariants: writing is true exactly
	// while a writer goroutine runs (and it is counted in API.wg); once
	// shutting is set nothing more is queued and, if no writer runs, one is
	// started to send the close frame and close the socket.
	mu       sync.Mutex
	queue    [][]byte    // queued messages, oldest first; nil when idle
	pending  net.Buffers // the rest of a frame Send began directly; written before anything else
	pingDue  bool
	pongDue  bool   // the client pinged: a pong with pongData is due
	pongData []byte // the client's ping payload
	writing  bool
	shutting bool
	code     int    // the close code, set with shutting
	reason   string // the close reason, set with shutting
}

// Viewer implements room.Subscriber.
func (c *wsConn) Viewer() meeting.Viewer { return c.actor.Viewer() }

// Send implements room.Subscriber: it never blocks.
func (c *wsConn) Send(msg []byte) bool {
	var one [1][]byte
	one[0] = msg
	return c.SendAll(one[:])
}

// SendAll implements room.BatchSender: msgs go in one frame ('\n'-separated)
// when written directly, else are queued in order. It never blocks.
func (c *wsConn) SendAll(msgs [][]byte) bool {
	c.mu.Lock()
	if c.shutting {
		c.mu.Unlock()
		return false
	}
	if c.direct != nil && !c.writing && len(c.queue) == 0 {
		switch c.writeDirectLocked(msgs) {
		case directDone:
			c.mu.Unlock()
			return true
		case directFailed:
			c.mu.Unlock()
			c.shut(websocket.CloseAbnormalClosure, "")
			return false
		case directPartial: // the writer finishes the frame
			start := c.startWriterLocked()
			c.mu.Unlock()
			if start {
				go c.writeLoop()
			}
			return true
		}
		// directNotTried: queued for the writer.
	}
	if len(c.queue)+len(msgs) > c.srv.cfg.SendQueue {
		c.mu.Unlock()
		c.srv.metrics.overflows.Inc()
		c.shut(closeTooSlow, "quá chậm / too slow")
		return false
	}
	c.queue = append(c.queue, msgs...)
	start := c.startWriterLocked()
	c.mu.Unlock()
	if start {
		go c.writeLoop()
	}
	return true
}

type directResult int

const (
	directNotTried directResult = iota // nothing written: queue the messages for the writer
	directDone                         // the whole frame is in the socket
	directPartial                      // a part is: the rest is in pending
	directFailed                       // the socket failed
)

// maxDirectMessages is how many messages one direct write joins into a
// frame (a subscriber's welcome, snapshot and synced); more are queued.
const maxDirectMessages = 4

var newline = []byte{'\n'}

// writeDirectLocked writes msgs as one text frame straight into the socket
// without blocking. c.mu must be held, no writer running, nothing queued.
func (c *wsConn) writeDirectLocked(msgs [][]byte) directResult {
	if len(msgs) == 0 || len(msgs) > maxDirectMessages {
		return directNotTried
	}
	size := len(msgs) - 1
	for _, m := range msgs {
		size += len(m)
	}
	var hbuf [10]byte
	var pbuf [2 * maxDirectMessages][]byte
	parts := append(pbuf[:0], frameHeader(hbuf[:0], size))
	for i, m := range msgs {
		if i > 0 {
			parts = append(parts, newline)
		}
		parts = append(parts, m)
	}
	n, tried, err := c.direct.write(parts)
	switch {
	case !tried:
		return directNotTried
	case err != nil:
		return directFailed
	}
	c.srv.metrics.direct.Inc()
	if n == len(parts[0])+size {
		return directDone
	}
	// The rest of the frame, for the writer: the messages are shared and
	// never modified; the header is on this stack.
	var rest net.Buffers
	for i, p := range parts {
		if n >= len(p) {
			n -= len(p)
			continue
		}
		p, n = p[n:], 0
		if i == 0 {
			p = bytes.Clone(p)
		}
		rest = append(rest, p)
	}
	c.pending = rest
	c.srv.metrics.partial.Inc()
	return directPartial
}

// frameHeader appends the header of an unmasked, final text frame of n
// bytes (RFC 6455, section 5.2; a server's frames are never masked).
func frameHeader(b []byte, n int) []byte {
	b = append(b, 0x80|websocket.TextMessage)
	switch {
	case n < 126:
		return append(b, byte(n))
	case n <= 0xffff:
		return append(b, 126, byte(n>>8), byte(n))
	default:
		return append(b, 127, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32), byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
}

// startWriterLocked reports whether the caller must start a writer (one is
// not running), marking it running and counting it in API.wg. c.mu must be
// held. The reader's own count in API.wg is held until after the first
// shut, and no writer starts after a writer saw shutting, so wg.Add never
// races with the server's wg.Wait at zero.
func (c *wsConn) startWriterLocked() bool {
	if c.writing {
		return false
	}
	c.writing = true
	c.srv.wg.Add(1)
	return true
}

// pingTick runs on the ping timer: a ping is due.
func (c *wsConn) pingTick() {
	c.mu.Lock()
	if c.shutting {
		c.mu.Unlock()
		return
	}
	c.pingDue = true
	start := c.startWriterLocked()
	c.mu.Unlock()
	c.ping.Reset(c.srv.cfg.PingInterval)
	if start {
		go c.writeLoop()
	}
}

// pinged runs on the reader when the client pings: a pong is due.
func (c *wsConn) pinged(data string) error {
	c.lastSeen.Store(c.srv.now().UnixNano())
	c.mu.Lock()
	if c.shutting {
		c.mu.Unlock()
		return nil
	}
	c.pongDue, c.pongData = true, []byte(data)
	start := c.startWriterLocked()
	c.mu.Unlock()
	if start {
		go c.writeLoop()
	}
	return nil
}

// shut starts closing the connection with code; the first call wins.
func (c *wsConn) shut(code int, reason string) {
	c.mu.Lock()
	if c.shutting {
		c.mu.Unlock()
		return
	}
	c.shutting, c.code, c.reason = true, code, reason
	c.queue = nil // not sent: the close frame goes next (after the rest of a frame begun, pending)
	start := c.startWriterLocked()
	ping := c.ping
	c.mu.Unlock()
	if ping != nil {
		ping.Stop()
	}
	if start {
		go c.writeLoop()
	}
}

// upgrader upgrades /ws requests; the Origin check is done before it runs.
var upgrader = websocket.Upgrader{
	// Client frames are small (commands); a larger one is read through
	// the 1 KiB buffer in pieces. Small buffers keep idle connections cheap.
	ReadBufferSize:  1024,
	WriteBufferSize: 4096,
	// The Origin is checked by checkOrigin before Upgrade is called.
	CheckOrigin: func(*http.Request) bool { return true },
	// One write buffer pool shared by all connections: idle connections
	// then hold no write buffer.
	WriteBufferPool: &sync.Pool{},
}

// checkOrigin allows requests without an Origin (non-browser clients, which
// cannot ride a user's cookie), from the server's own origin, or from the
// allow-list.
func (s *API) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, o := range s.cfg.AllowedOrigins {
		if o == "*" || strings.EqualFold(strings.TrimSuffix(o, "/"), origin) {
			return true
		}
	}
	return false
}

// handleWS upgrades an authorised request to a live connection of one
// meeting and catches it up from (since, epoch).
func (s *API) handleWS(c echo.Context) error {
	req := c.Request()
	if !s.checkOrigin(req) {
		return &meeting.Error{Kind: meeting.KindForbidden, Message: "Nguồn kết nối (Origin) không được phép.", MessageEN: "origin not allowed"}
	}
	p, err := s.authenticate(c)
	if err != nil {
		return err
	}
	r, err := s.rooms.Get(req.Context(), c.QueryParam("meeting"))
	if err != nil {
		return err
	}
	actor, err := s.actor(c.Request().Context(), p, r)
	if err != nil {
		return err
	}
	var since int64
	if v := c.QueryParam("since"); v != "" {
		if since, err = strconv.ParseInt(v, 10, 64); err != nil || since < 0 {
			return invalid("Tham số since không hợp lệ.", "invalid since")
		}
	}
	ws, err := upgrader.Upgrade(c.Response(), req, nil)
	if err != nil {
		return nil // the upgrader has written the error response
	}
	conn := &wsConn{srv: s, ws: ws, room: r, actor: actor, session: p.hash,
		connectedAt: s.now().UTC(), since: since}
	conn.lastSeen.Store(conn.connectedAt.UnixNano())
	ws.SetReadLimit(maxClientFrame)
	conn.direct = newDirectWriter(ws.UnderlyingConn())
	// gorilla answers a ping and a close frame itself, writing to the socket
	// from the reader; a frame Send began directly may be half written then.
	// Both answers go through the writer instead, after it.
	ws.SetPingHandler(conn.pinged)
	// (gorilla still writes a close frame itself when the client breaks the
	// protocol; that connection ends there, whatever it reads.)
	ws.SetCloseHandler(func(int, string) error { return nil }) // readLoop shuts with 1000
	if !s.conns.add(conn, &s.wg, s.cfg.MaxSocketsPerSession) {
		// The server is shutting down (Close ran): going away at once.
		_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocketGoingAway, "máy chủ đang tắt / server shutting down"), time.Now().Add(time.Second))
		ws.Close()
		return nil
	}
	s.metrics.conns.Inc()
	conn.mu.Lock()
	conn.ping = time.AfterFunc(s.cfg.PingInterval, conn.pingTick)
	conn.mu.Unlock()
	// Subscribe here, before the reader reads anything (so catch-up is
	// queued first), and not in the reader: its stack then stays as small
	// as an idle read needs.
	ok, err := r.Subscribe(context.Background(), conn, since, c.QueryParam("epoch"))
	go conn.readLoop(ok, err)
	return nil
}

// readLoop is the connection's reader goroutine, started once handleWS
// has subscribed the connection (ok, err: Subscribe's answer). It reads
// client messages until the connection fails or is shut, and finally
// unsubscribes and deregisters the connection.
func (c *wsConn) readLoop(ok bool, err error) {
	defer c.srv.wg.Done()
	defer func() {
		c.room.Unsubscribe(c)
		c.srv.conns.remove(c)
		c.srv.metrics.conns.Dec()
		// If nothing else decided the code: the client will reconnect.
		c.shut(websocket.CloseGoingAway, "")
	}()
	if err != nil || !ok {
		if err != nil {
			c.srv.log.Error("subscribe failed", "meeting", c.room.ID(), "err", err)
			c.shut(websocket.CloseInternalServerErr, "resync failed")
		}
		return
	}
	wait := 2 * c.srv.cfg.PingInterval
	c.ws.SetReadDeadline(time.Now().Add(wait))
	c.ws.SetPongHandler(func(string) error {
		c.lastSeen.Store(c.srv.now().UnixNano())
		return c.ws.SetReadDeadline(time.Now().Add(wait))
	})
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			switch {
			case err == websocket.ErrReadLimit:
				c.shut(websocket.CloseMessageTooBig, "khung quá lớn / frame too big")
			case errors.As(err, &ce):
				c.shut(websocket.CloseNormalClosure, "") // the client closed: answer in kind
			default:
				// A read timeout (no pong for 2 ping periods) or a broken
				// network: "going away", so a tablet that was only frozen
				// reconnects and resyncs instead of stopping for good.
				c.shut(websocket.CloseGoingAway, "hết thời gian chờ / timed out")
			}
			return
		}
		c.ws.SetReadDeadline(time.Now().Add(wait))
		c.lastSeen.Store(c.srv.now().UnixNano())
		c.handle(data)
	}
}

// clientMsg is any message a client sends.
type clientMsg struct {
	Type string          `json:"type"`
	ID   string          `json:"id"`
	Name string          `json:"name"`
	Data json.RawMessage `json:"data"`
}

type resultMsg struct {
	Type   string    `json:"type"`
	ID     string    `json:"id"`
	OK     bool      `json:"ok"`
	Seq    int64     `json:"seq,omitempty"`
	Status string    `json:"status,omitempty"` // ballots: recorded or not_counted
	Error  *apiError `json:"error,omitempty"`
}

type errorMsg struct {
	Type  string   `json:"type"`
	ID    string   `json:"id,omitempty"`
	Error apiError `json:"error"`
}

type pongMsg struct {
	Type string `json:"type"`
	ID   string `json:"id,omitempty"`
}

// handle runs one client message. Commands run synchronously: their events
// are queued to this connection before its result, and both, when the
// outcome is known at the commit (room.Origin), before the events are
// queued to the other subscribers: the sender's round trip does not wait
// for the fan-out to a hall of tablets.
func (c *wsConn) handle(data []byte) {
	var m clientMsg
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		c.Send(mustJSON(errorMsg{Type: "error", Error: toAPIError(invalid("Thông điệp không phải JSON hợp lệ.", "message is not valid JSON"))}))
		return
	}
	// One JSON object per frame (docs/protocol.md): anything after it — a
	// second message, garbage — refuses the whole frame. Acting on the
	// first and dropping the rest would lose a command silently (found by
	// FuzzClientFrame).
	if len(bytes.TrimSpace(data[dec.InputOffset():])) > 0 {
		c.Send(mustJSON(errorMsg{Type: "error", Error: toAPIError(invalid("Mỗi khung WebSocket chỉ được chứa một thông điệp JSON.", "a WebSocket frame must hold exactly one JSON message"))}))
		return
	}
	switch m.Type {
	case "ping":
		c.Send(mustJSON(pongMsg{Type: "pong", ID: m.ID}))
	case "command":
		var seq int64
		var status string
		var err error
		var answered atomic.Bool
		if m.Name == "ballot.cast" {
			status, err = c.srv.cast(context.Background(), c.room, c.actor, m.Data)
		} else {
			ctx := room.WithOrigin(context.Background(), &room.Origin{Sub: c, Ack: func(events []meeting.Event) {
				if answerAtCommit(events) {
					answered.Store(true)
					c.Send(mustJSON(resultMsg{Type: "result", ID: m.ID, OK: true, Seq: events[len(events)-1].Seq}))
				}
			}})
			seq, err = c.srv.command(ctx, c.room, c.actor, m.Name, m.Data)
		}
		if answered.Load() {
			if err != nil { // the room promises an Ack only for a command that succeeded
				c.srv.log.Error("command failed after its success was sent", "meeting", c.room.ID(), "command", m.Name, "err", err)
			}
			return
		}
		res := resultMsg{Type: "result", ID: m.ID, OK: err == nil, Seq: seq, Status: status}
		if err != nil {
			ae := toAPIError(err)
			res.Error = &ae
			switch ae.Kind {
			case meeting.KindInternal:
				c.srv.log.Error("command failed", "meeting", c.room.ID(), "command", m.Name, "err", err)
			case store.KindUnavailable:
				c.srv.log.Warn("command refused: the database does not answer", "meeting", c.room.ID(), "command", m.Name, "err", err)
			}
		}
		c.Send(mustJSON(res))
	default:
		c.Send(mustJSON(errorMsg{Type: "error", ID: m.ID, Error: toAPIError(invalid("Loại thông điệp không xác định: "+strconvQuote(m.Type)+".", "unknown message type "+strconvQuote(m.Type)))}))
	}
}

// answerAtCommit reports whether a command whose events are events may be
// answered as soon as they commit: not when the server still has work to
// do for it after the commit (a removed participant's sessions are deleted
// by API.command before it returns).
func answerAtCommit(events []meeting.Event) bool {
	for _, e := range events {
		if e.Type == meeting.EventParticipantRemoved {
			return false
		}
	}
	return len(events) > 0
}

func strconvQuote(s string) string {
	if len(s) > 40 {
		s = s[:40]
	}
	return strconv.Quote(s)
}

// writeLoop is the connection's writer goroutine, started by Send,
// pingTick or shut when none runs; it is the only writer of data frames to
// ws. It takes everything queued at once and writes it coalesced into
// frames ('\n'-separated, up to maxCoalescedFrame each), writes a due
// ping, and exits when nothing is left. Once the connection is shutting it
// sends the close frame and closes the socket (which ends readLoop).
func (c *wsConn) writeLoop() {
	defer c.srv.wg.Done()
	var batch [][]byte
	for {
		c.mu.Lock()
		pending := c.pending
		c.pending = nil
		if c.shutting {
			c.mu.Unlock()
			if pending == nil || c.writePending(pending, time.Now().Add(time.Second)) == nil {
				msg := websocket.FormatCloseMessage(c.code, c.reason)
				_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
			}
			c.ws.Close()
			return // writing stays true: no writer starts again
		}
		ping, pong, pongData := c.pingDue, c.pongDue, c.pongData
		c.pingDue, c.pongDue, c.pongData = false, false, nil
		if len(c.queue) == 0 && !ping && !pong && pending == nil {
			if c.direct != nil {
				// Send writes directly again: a deadline left on the socket
				// would make the runtime refuse it once passed.
				_ = c.ws.UnderlyingConn().SetWriteDeadline(time.Time{})
			}
			c.writing = false
			c.queue = nil // an idle connection keeps no queue
			c.mu.Unlock()
			return
		}
		batch, c.queue = c.queue, batch[:0]
		c.mu.Unlock()
		if pending != nil {
			if err := c.writePending(pending, time.Now().Add(writeWait)); err != nil {
				c.shut(websocket.CloseAbnormalClosure, "")
				continue
			}
		}
		if pong {
			if err := c.ws.WriteControl(websocket.PongMessage, pongData, time.Now().Add(writeWait)); err != nil {
				c.shut(websocket.CloseAbnormalClosure, "")
				continue
			}
		}
		if ping {
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				c.shut(websocket.CloseAbnormalClosure, "")
				continue
			}
		}
		if err := c.writeFrames(batch); err != nil {
			c.shut(websocket.CloseAbnormalClosure, "")
		}
		clear(batch) // drop the references: the bytes may be large snapshots
	}
}

// writePending writes the rest of a frame Send began directly, by deadline.
func (c *wsConn) writePending(b net.Buffers, deadline time.Time) error {
	conn := c.ws.UnderlyingConn()
	if err := conn.SetWriteDeadline(deadline); err != nil {
		return err
	}
	_, err := b.WriteTo(conn)
	return err
}

// writeFrames writes msgs coalesced into as few frames as maxCoalescedFrame
// allows.
func (c *wsConn) writeFrames(msgs [][]byte) error {
	for len(msgs) > 0 {
		c.ws.SetWriteDeadline(time.Now().Add(writeWait))
		w, err := c.ws.NextWriter(websocket.TextMessage)
		if err != nil {
			return err
		}
		w.Write(msgs[0])
		size := len(msgs[0])
		msgs = msgs[1:]
		for len(msgs) > 0 && size < maxCoalescedFrame {
			w.Write([]byte{'\n'})
			w.Write(msgs[0])
			size += len(msgs[0]) + 1
			msgs = msgs[1:]
		}
		if err := w.Close(); err != nil {
			return err
		}
	}
	return nil
}

// connSet tracks live connections by session.
type connSet struct {
	// mu guards bySession, added and closing.
	mu        sync.Mutex
	bySession map[string]map[*wsConn]struct{}
	added     uint64 // connections ever added (their order, wsConn.ord)
	closing   bool   // closeAll was called: connections added later are shut at once
}

func newConnSet() *connSet { return &connSet{bySession: map[string]map[*wsConn]struct{}{}} }

// add registers c and counts its reader goroutine in wg, unless closeAll
// has run (the server is shutting down), in which case it reports false.
// Doing both under mu orders every wg.Add before Close's wg.Wait. If c's
// session then has more than max live sockets, the oldest is closed with
// 4009: the newest is the one a person is looking at (a tablet that
// reconnects before its old socket timed out), and one cookie can never
// hold more than max sockets open.
func (s *connSet) add(c *wsConn, wg *sync.WaitGroup, max int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	wg.Add(1) // the reader; writers count themselves (startWriterLocked)
	s.added++
	c.ord = s.added
	m := s.bySession[c.session]
	if m == nil {
		m = map[*wsConn]struct{}{}
		s.bySession[c.session] = m
	}
	m[c] = struct{}{}
	for len(m) > max {
		var oldest *wsConn
		for x := range m {
			if oldest == nil || x.ord < oldest.ord {
				oldest = x
			}
		}
		delete(m, oldest) // remove() will find it gone
		oldest.shut(closeTooMany, "quá nhiều kết nối cho một phiên / too many connections for one session")
	}
	return true
}

func (s *connSet) remove(c *wsConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.bySession[c.session]; m != nil {
		delete(m, c)
		if len(m) == 0 {
			delete(s.bySession, c.session)
		}
	}
}

// closeSession closes the connections opened with session hash h.
func (s *connSet) closeSession(h string, code int, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.bySession[h] {
		c.shut(code, reason)
	}
}

// closeWhere closes the connections for which match is true.
func (s *connSet) closeWhere(match func(*wsConn) bool, code int, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.bySession {
		for c := range m {
			if match(c) {
				c.shut(code, reason)
			}
		}
	}
}

// closeAll closes every connection.
func (s *connSet) closeAll(code int, reason string) {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	s.closeWhere(func(*wsConn) bool { return true }, code, reason)
}

// of returns the live connections of meeting id (for the connections list;
// the fan-out does not use connSet).
func (s *connSet) of(id string) []*wsConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*wsConn
	for _, m := range s.bySession {
		for c := range m {
			if c.room.ID() == id {
				out = append(out, c)
			}
		}
	}
	return out
}

// count returns the number of live connections.
// devices counts the connections of device sessions (tablets, hall screens).
func (s *connSet) devices() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.bySession {
		for c := range m {
			if c.actor.Participant != "" {
				n++
			}
		}
	}
	return n
}

func (s *connSet) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.bySession {
		n += len(m)
	}
	return n
}

// mustJSON encodes v, which is always encodable (plain structs).
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("server: encode: " + err.Error())
	}
	return b
}

// sessions returns the session hashes of the live connections.
func (s *connSet) sessions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.bySession))
	for h := range s.bySession {
		out = append(out, h)
	}
	return out
}
