package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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

// wsConn is one WebSocket connection. It has exactly two goroutines: the
// reader (runs commands, which may queue results) and the writer (the only
// one that writes to ws). Both are counted in Server.wg. Messages to send go
// through the bounded queue send; a full queue closes the connection with
// 4008 instead of blocking the room or dropping a message.
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

	send chan []byte   // queued messages; never closed
	done chan struct{} // closed when the connection is shutting down

	// closeOnce guards closing done; code and reason are written before done
	// is closed and read by the writer after it observes done.
	closeOnce sync.Once
	code      int
	reason    string
}

// Viewer implements room.Subscriber.
func (c *wsConn) Viewer() meeting.Viewer { return c.actor.Viewer() }

// Send implements room.Subscriber: it never blocks.
func (c *wsConn) Send(msg []byte) bool {
	select {
	case <-c.done:
		return false
	default:
	}
	select {
	case c.send <- msg:
		return true
	default:
		c.srv.metrics.overflows.Inc()
		c.shut(closeTooSlow, "quá chậm / too slow")
		return false
	}
}

// shut starts closing the connection with code; the first call wins.
func (c *wsConn) shut(code int, reason string) {
	c.closeOnce.Do(func() {
		c.code, c.reason = code, reason
		close(c.done)
	})
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
		send: make(chan []byte, s.cfg.SendQueue), done: make(chan struct{}),
		connectedAt: s.now().UTC(), since: since}
	conn.lastSeen.Store(conn.connectedAt.UnixNano())
	ws.SetReadLimit(maxClientFrame)
	if !s.conns.add(conn, &s.wg, s.cfg.MaxSocketsPerSession) {
		// The server is shutting down (Close ran): going away at once.
		_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocketGoingAway, "máy chủ đang tắt / server shutting down"), time.Now().Add(time.Second))
		ws.Close()
		return nil
	}
	s.metrics.conns.Inc()
	go conn.writeLoop()
	go conn.readLoop(c.QueryParam("epoch"), since)
	return nil
}

// readLoop is the connection's reader goroutine. It subscribes the
// connection (so catch-up is queued before anything else), then reads client
// messages until the connection fails or is shut, and finally unsubscribes
// and deregisters the connection.
func (c *wsConn) readLoop(epoch string, since int64) {
	defer c.srv.wg.Done()
	defer func() {
		c.room.Unsubscribe(c)
		c.srv.conns.remove(c)
		c.srv.metrics.conns.Dec()
		// If nothing else decided the code: the client will reconnect.
		c.shut(websocket.CloseGoingAway, "")
	}()
	if ok, err := c.room.Subscribe(context.Background(), c, since, epoch); err != nil || !ok {
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
// are queued to every subscriber (this one included) before the result.
func (c *wsConn) handle(data []byte) {
	var m clientMsg
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		c.Send(mustJSON(errorMsg{Type: "error", Error: toAPIError(invalid("Thông điệp không phải JSON hợp lệ.", "message is not valid JSON"))}))
		return
	}
	switch m.Type {
	case "ping":
		c.Send(mustJSON(pongMsg{Type: "pong", ID: m.ID}))
	case "command":
		var seq int64
		var status string
		var err error
		if m.Name == "ballot.cast" {
			status, err = c.srv.cast(context.Background(), c.room, c.actor, m.Data)
		} else {
			seq, err = c.srv.command(context.Background(), c.room, c.actor, m.Name, m.Data)
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

func strconvQuote(s string) string {
	if len(s) > 40 {
		s = s[:40]
	}
	return strconv.Quote(s)
}

// writeLoop is the connection's writer goroutine, the only writer of ws. It
// coalesces what is queued into one frame ('\n'-separated), pings, and on
// shutdown sends the close frame and closes the socket (which ends readLoop).
func (c *wsConn) writeLoop() {
	defer c.srv.wg.Done()
	ping := time.NewTicker(c.srv.cfg.PingInterval)
	defer ping.Stop()
	defer c.ws.Close()
	for {
		select {
		case <-c.done:
			msg := websocket.FormatCloseMessage(c.code, c.reason)
			_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
			return
		case msg := <-c.send:
			c.ws.SetWriteDeadline(time.Now().Add(writeWait))
			w, err := c.ws.NextWriter(websocket.TextMessage)
			if err != nil {
				c.shut(websocket.CloseAbnormalClosure, "")
				return
			}
			w.Write(msg)
			size := len(msg)
			for n := len(c.send); n > 0 && size < maxCoalescedFrame; n-- {
				msg = <-c.send
				w.Write([]byte{'\n'})
				w.Write(msg)
				size += len(msg) + 1
			}
			if err := w.Close(); err != nil {
				c.shut(websocket.CloseAbnormalClosure, "")
				return
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				c.shut(websocket.CloseAbnormalClosure, "")
				return
			}
		}
	}
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

// add registers c and counts its two goroutines in wg, unless closeAll
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
	wg.Add(2)
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
