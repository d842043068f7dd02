package client_test

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/phonghop/phonghop/server/meeting"
)

// fake is a small phonghop server for the SDK's tests. It speaks the
// WebSocket protocol of docs/protocol.md (welcome, snapshot or replay,
// events with hidden placeholders, synced, results, close codes) and the
// REST endpoints the SDK calls, for one meeting, deciding commands with the
// real meeting.Decide so that hashes chain. Its wire structs are its own
// (maps), not the SDK's, so the tests check the SDK against the document.
//
// Knobs (set under mu via the helper methods) make it misbehave on purpose.
type fake struct {
	t   *testing.T
	srv *httptest.Server
	up  websocket.Upgrader

	mu       sync.Mutex
	id       string
	epoch    string
	state    *meeting.State
	events   []meeting.Event          // the log: every event applied, from seq 1
	sessions map[string]meeting.Actor // session token → actor
	codes    map[string]string        // pairing code → participant
	conns    map[*fakeConn]bool
	connects []connectInfo // every /ws request, refused ones included
	commands int           // commands received over WebSocket
	frames   int           // frames written
	multi    int           // frames written holding more than one message
	pongs    int           // WebSocket pongs received

	hold    bool // refuse upgrades with 503 (the server is "down")
	skip    int  // leave the next N broadcast events out (a gap)
	corrupt bool // send the next broadcast event with a wrong prev
	swallow bool // read commands but neither carry them out nor answer
	short   int  // leave the last N events out of the next replay (synced then claims more)
	// oldSnapshot sends snapshots as servers did before seq and head were
	// put in the envelope (they are then only the state's first members).
	oldSnapshot bool
	qrAsked     []*bool // the "qr" member of each pairing-codes request (nil: absent)
}

// connectInfo is what one /ws request asked for.
type connectInfo struct {
	Meeting, Since, Epoch, Origin, Session string
	Refused                                int // HTTP status if refused, else 0
}

// fakeConn is one WebSocket connection. Writes happen under fake.mu.
type fakeConn struct {
	ws     *websocket.Conn
	token  string
	actor  meeting.Actor
	viewer meeting.Viewer
}

const fakeMeeting = "m1"

var secretary = meeting.Actor{ID: "account:admin", Role: meeting.RoleSecretary}

// newFake starts a fake server. With create, the meeting exists already.
func newFake(t *testing.T, create bool) *fake {
	t.Helper()
	f := &fake{
		t:        t,
		epoch:    "e1",
		state:    &meeting.State{},
		sessions: map[string]meeting.Actor{},
		codes:    map[string]string{},
		conns:    map[*fakeConn]bool{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ws", f.serveWS)
	mux.HandleFunc("POST /api/login", f.login)
	mux.HandleFunc("POST /api/logout", f.logout)
	mux.HandleFunc("POST /api/pair", f.pair)
	mux.HandleFunc("POST /api/meetings", f.createMeeting)
	mux.HandleFunc("GET /api/meetings", f.listMeetings)
	mux.HandleFunc("GET /api/meetings/{id}", f.getMeeting)
	mux.HandleFunc("POST /api/meetings/{id}/commands", f.command)
	mux.HandleFunc("POST /api/meetings/{id}/participants/import", f.importCSV)
	mux.HandleFunc("POST /api/meetings/{id}/pairing-codes", f.pairingCodes)
	f.srv = httptest.NewServer(mux)
	f.up.CheckOrigin = func(r *http.Request) bool { return true } // checked in serveWS
	t.Cleanup(f.close)
	if create {
		f.id = fakeMeeting
		f.state.ID = fakeMeeting // Decide stamps events with the state's ID
		f.mustDo(secretary, "meeting.create", map[string]any{"title": "Hội nghị kiểm điểm năm 2025"})
	}
	return f
}

// close closes every connection and the server.
func (f *fake) close() {
	f.mu.Lock()
	for c := range f.conns {
		_ = c.ws.NetConn().Close()
	}
	f.mu.Unlock()
	f.srv.Close()
}

// ---- state and broadcasting ----

// do carries out a command given by a and broadcasts its events.
func (f *fake) do(a meeting.Actor, name string, data any) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	seq, events, err := f.commitLocked(a, name, data)
	if err == nil {
		f.broadcastLocked(events, nil, "")
	}
	return seq, err
}

// mustDo is do that fails the test on error.
func (f *fake) mustDo(a meeting.Actor, name string, data any) int64 {
	f.t.Helper()
	seq, err := f.do(a, name, data)
	if err != nil {
		f.t.Fatalf("fake: %s: %v", name, err)
	}
	return seq
}

// commitLocked decides and applies a command.
func (f *fake) commitLocked(a meeting.Actor, name string, data any) (int64, []meeting.Event, error) {
	raw, ok := data.(json.RawMessage)
	if !ok {
		b, err := json.Marshal(data)
		if err != nil {
			return 0, nil, err
		}
		raw = b
	}
	cmd, err := meeting.ParseCommand(name, raw)
	if err != nil {
		return 0, nil, err
	}
	events, err := meeting.Decide(f.state, a, cmd, time.Now())
	if err != nil {
		return 0, nil, err
	}
	for _, e := range events {
		if err := meeting.Apply(f.state, e); err != nil {
			f.t.Errorf("fake: apply: %v", err)
		}
		f.events = append(f.events, e)
	}
	return f.state.Seq, events, nil
}

// broadcastLocked sends events to every connection, each in one frame;
// the sender's frame ends with result.
func (f *fake) broadcastLocked(events []meeting.Event, sender *fakeConn, result string) {
	var out []meeting.Event
	for _, e := range events {
		if f.skip > 0 {
			f.skip--
			continue
		}
		if f.corrupt {
			f.corrupt = false
			e.Prev = strings.Repeat("0", 64)
			e.Hash = meeting.ComputeHash(e)
		}
		out = append(out, e)
	}
	for c := range f.conns {
		var msgs []string
		for _, e := range out {
			msgs = append(msgs, eventMsg(e, c.viewer))
		}
		if c == sender && result != "" {
			msgs = append(msgs, result)
		}
		f.writeLocked(c, msgs...)
	}
	if sender != nil && !f.conns[sender] && result != "" {
		f.writeLocked(sender, result)
	}
}

// writeLocked writes msgs in one frame, \n-separated with a trailing \n.
func (f *fake) writeLocked(c *fakeConn, msgs ...string) {
	if len(msgs) == 0 {
		return
	}
	f.frames++
	if len(msgs) > 1 {
		f.multi++
	}
	_ = c.ws.SetWriteDeadline(time.Now().Add(2 * time.Second))
	_ = c.ws.WriteMessage(websocket.TextMessage, []byte(strings.Join(msgs, "\n")+"\n"))
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func eventMsg(e meeting.Event, v meeting.Viewer) string {
	if !e.Audience.Includes(v) {
		e = e.Hidden()
	}
	return mustJSON(map[string]any{"type": "event", "event": e})
}

func wireErr(err error) map[string]any {
	var me *meeting.Error
	if !errors.As(err, &me) {
		me = meeting.Internal(err)
	}
	w := map[string]any{"kind": me.Kind, "message": me.Message, "message_en": me.MessageEN}
	if len(me.Problems) > 0 {
		w["problems"] = me.Problems
	}
	return w
}

// view returns the meeting as v sees it.
func (f *fake) view(v meeting.Viewer) *meeting.State {
	f.mu.Lock()
	defer f.mu.Unlock()
	return meeting.View(f.state, v)
}

// seq returns the last seq.
func (f *fake) seq() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state.Seq
}

// closeAll sends a close frame with code to every connection (or only
// those of session token, if not "").
func (f *fake) closeAll(code int, token string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		if token == "" || c.token == token {
			_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, "fake"), time.Now().Add(time.Second))
		}
	}
}

// ping sends a WebSocket ping to every connection.
func (f *fake) ping() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		_ = c.ws.WriteControl(websocket.PingMessage, []byte("p"), time.Now().Add(time.Second))
	}
}

// set runs fn under the lock (to flip knobs).
func (f *fake) set(fn func(f *fake)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// live returns the number of open connections.
func (f *fake) live() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.conns)
}

// connectLog returns a copy of the /ws requests so far.
func (f *fake) connectLog() []connectInfo {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]connectInfo(nil), f.connects...)
}

// ---- WebSocket ----

func (f *fake) serveWS(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	info := connectInfo{Meeting: q.Get("meeting"), Since: q.Get("since"), Epoch: q.Get("epoch"), Origin: r.Header.Get("Origin")}
	token := ""
	if ck, err := r.Cookie("phonghop_session"); err == nil {
		token = ck.Value
	}
	info.Session = token
	refuse := func(status int, err *meeting.Error) {
		info.Refused = status
		f.connects = append(f.connects, info)
		f.mu.Unlock()
		writeError(w, status, err)
	}
	f.mu.Lock()
	actor, ok := f.sessions[token]
	switch {
	case f.hold:
		refuse(http.StatusServiceUnavailable, meeting.Errorf(meeting.KindInternal, "Máy chủ bận.", "server busy"))
		return
	case !ok:
		refuse(http.StatusUnauthorized, meeting.Errorf(meeting.KindUnauthorized, "Cần đăng nhập.", "login required"))
		return
	case info.Origin != "" && info.Origin != f.srv.URL:
		refuse(http.StatusForbidden, meeting.Errorf(meeting.KindForbidden, "Nguồn không được phép.", "origin not allowed"))
		return
	case info.Meeting != f.id || f.id == "":
		refuse(http.StatusNotFound, meeting.Errorf(meeting.KindNotFound, "Không tìm thấy cuộc họp.", "meeting not found"))
		return
	}
	f.connects = append(f.connects, info)
	f.mu.Unlock()

	ws, err := f.up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &fakeConn{ws: ws, token: token, actor: actor, viewer: actor.Viewer()}
	ws.SetReadLimit(64 << 10)
	ws.SetPongHandler(func(string) error {
		f.mu.Lock()
		f.pongs++
		f.mu.Unlock()
		return nil
	})

	f.mu.Lock()
	msgs := []string{mustJSON(map[string]any{"type": "welcome", "meeting": f.id, "epoch": f.epoch,
		"viewer": c.viewer, "head": f.state.Seq, "server_time": time.Now()})}
	since, _ := strconv.ParseInt(info.Since, 10, 64)
	if since <= 0 || info.Epoch != f.epoch || since > f.state.Seq {
		msgs = append(msgs, f.snapshotMsg(c.viewer))
	} else {
		replay := f.events[since:]
		if f.short > 0 {
			replay = replay[:max(0, len(replay)-f.short)]
			f.short = 0
		}
		for _, e := range replay {
			msgs = append(msgs, eventMsg(e, c.viewer))
		}
	}
	msgs = append(msgs, mustJSON(map[string]any{"type": "synced", "seq": f.state.Seq}))
	f.writeLocked(c, msgs...)
	f.conns[c] = true
	f.mu.Unlock()

	defer func() {
		f.mu.Lock()
		delete(f.conns, c)
		f.mu.Unlock()
		_ = ws.Close()
	}()
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var m struct {
			Type string          `json:"type"`
			ID   string          `json:"id"`
			Name string          `json:"name"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(data, &m); err != nil {
			f.mu.Lock()
			f.writeLocked(c, mustJSON(map[string]any{"type": "error", "error": wireErr(meeting.Errorf(meeting.KindInvalid, "JSON hỏng.", "bad JSON"))}))
			f.mu.Unlock()
			continue
		}
		f.mu.Lock()
		switch m.Type {
		case "ping":
			f.writeLocked(c, mustJSON(map[string]any{"type": "pong", "id": m.ID}))
		case "command":
			f.commands++
			if f.swallow {
				break
			}
			seq, events, err := f.commitLocked(c.actor, m.Name, m.Data)
			if err != nil {
				f.writeLocked(c, mustJSON(map[string]any{"type": "result", "id": m.ID, "ok": false, "seq": f.state.Seq, "error": wireErr(err)}))
				break
			}
			f.broadcastLocked(events, c, mustJSON(map[string]any{"type": "result", "id": m.ID, "ok": true, "seq": seq}))
		default:
			f.writeLocked(c, mustJSON(map[string]any{"type": "error", "error": wireErr(meeting.Errorf(meeting.KindInvalid, "Loại tin không rõ.", "unknown type"))}))
		}
		f.mu.Unlock()
	}
}

// snapshotMsg is the snapshot message for viewer v: the envelope's members
// in the order of docs/protocol.md (type, epoch, seq, hash, state), or the
// older form (type, epoch, state) when oldSnapshot is set.
func (f *fake) snapshotMsg(v meeting.Viewer) string {
	state := mustJSON(meeting.View(f.state, v))
	if f.oldSnapshot {
		return fmt.Sprintf(`{"type":"snapshot","epoch":%q,"state":%s}`, f.epoch, state)
	}
	return fmt.Sprintf(`{"type":"snapshot","epoch":%q,"seq":%d,"hash":%q,"state":%s}`, f.epoch, f.state.Seq, f.state.Head, state)
}

// ---- REST ----

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, wireErr(err))
}

func statusOf(err error) int {
	switch meeting.KindOf(err) {
	case meeting.KindInvalid:
		return http.StatusBadRequest
	case meeting.KindUnauthorized:
		return http.StatusUnauthorized
	case meeting.KindForbidden:
		return http.StatusForbidden
	case meeting.KindNotFound:
		return http.StatusNotFound
	case meeting.KindConflict:
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// session returns the actor of r's session, or writes 401.
func (f *fake) session(w http.ResponseWriter, r *http.Request) (string, meeting.Actor, bool) {
	ck, err := r.Cookie("phonghop_session")
	if err == nil {
		f.mu.Lock()
		a, ok := f.sessions[ck.Value]
		f.mu.Unlock()
		if ok {
			return ck.Value, a, true
		}
	}
	writeError(w, http.StatusUnauthorized, meeting.Errorf(meeting.KindUnauthorized, "Cần đăng nhập.", "login required"))
	return "", meeting.Actor{}, false
}

// meetingOf checks the {id} of r; "broken" answers 502 in plain text, as a
// misconfigured proxy would.
func (f *fake) meetingOf(w http.ResponseWriter, r *http.Request) bool {
	id := r.PathValue("id")
	if id == "broken" {
		http.Error(w, "502 Bad Gateway from nginx", http.StatusBadGateway)
		return false
	}
	f.mu.Lock()
	ok := id == f.id && f.id != ""
	f.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, meeting.Errorf(meeting.KindNotFound, "Không tìm thấy cuộc họp.", "meeting not found"))
	}
	return ok
}

func setSession(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: "phonghop_session", Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

func (f *fake) login(w http.ResponseWriter, r *http.Request) {
	var in struct{ Username, Password string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, meeting.Errorf(meeting.KindInvalid, "JSON hỏng.", "bad JSON"))
		return
	}
	if in.Username != "admin" || in.Password != "secret" {
		writeError(w, http.StatusUnauthorized, meeting.Errorf(meeting.KindUnauthorized, "Sai tên đăng nhập hoặc mật khẩu.", "wrong username or password"))
		return
	}
	f.mu.Lock()
	token := fmt.Sprintf("acct-%d", len(f.sessions)+1)
	f.sessions[token] = secretary
	f.mu.Unlock()
	setSession(w, token)
	writeJSON(w, http.StatusOK, map[string]string{"username": "admin"})
}

func (f *fake) logout(w http.ResponseWriter, r *http.Request) {
	token, _, ok := f.session(w, r)
	if !ok {
		return
	}
	f.closeAll(4001, token)
	f.mu.Lock()
	delete(f.sessions, token)
	f.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (f *fake) pair(w http.ResponseWriter, r *http.Request) {
	var in struct{ Code string }
	_ = json.NewDecoder(r.Body).Decode(&in)
	f.mu.Lock()
	defer f.mu.Unlock()
	pid, ok := f.codes[in.Code]
	if !ok {
		writeError(w, http.StatusNotFound, meeting.Errorf(meeting.KindNotFound, "Mã ghép nối không đúng hoặc đã hết hạn.", "pairing code unknown or expired"))
		return
	}
	delete(f.codes, in.Code)
	p, _ := f.state.Participant(pid)
	token := "dev-" + pid
	f.sessions[token] = meeting.Actor{ID: "participant:" + pid, Role: p.Role, Participant: pid}
	_, events, err := f.commitLocked(meeting.Actor{ID: "system", Role: meeting.RoleSystem}, "participant.paired", map[string]string{"id": pid})
	if err != nil {
		f.t.Errorf("fake: paired: %v", err)
	}
	f.broadcastLocked(events, nil, "")
	setSession(w, token)
	writeJSON(w, http.StatusOK, map[string]any{"meeting": f.id, "participant": pid, "role": p.Role, "name": p.Name})
}

func (f *fake) createMeeting(w http.ResponseWriter, r *http.Request) {
	_, a, ok := f.session(w, r)
	if !ok {
		return
	}
	var d json.RawMessage
	_ = json.NewDecoder(r.Body).Decode(&d)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.id != "" {
		writeError(w, http.StatusConflict, meeting.Errorf(meeting.KindConflict, "Giả lập chỉ có một cuộc họp.", "the fake holds one meeting"))
		return
	}
	f.id = fakeMeeting
	f.state.ID = fakeMeeting
	if _, _, err := f.commitLocked(a, "meeting.create", d); err != nil {
		f.id = ""
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": f.id, "state": f.state})
}

func (f *fake) listMeetings(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := f.session(w, r); !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	list := []map[string]any{}
	if f.id != "" {
		list = append(list, map[string]any{"id": f.id, "title": f.state.Details.Title, "status": f.state.Status, "starts_at": f.state.Details.StartsAt})
	}
	writeJSON(w, http.StatusOK, map[string]any{"meetings": list})
}

func (f *fake) getMeeting(w http.ResponseWriter, r *http.Request) {
	_, a, ok := f.session(w, r)
	if !ok || !f.meetingOf(w, r) {
		return
	}
	writeJSON(w, http.StatusOK, f.view(a.Viewer()))
}

func (f *fake) command(w http.ResponseWriter, r *http.Request) {
	_, a, ok := f.session(w, r)
	if !ok || !f.meetingOf(w, r) {
		return
	}
	var in struct {
		Name string          `json:"name"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, meeting.Errorf(meeting.KindInvalid, "JSON hỏng.", "bad JSON"))
		return
	}
	seq, err := f.do(a, in.Name, in.Data)
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"seq": seq})
}

func (f *fake) importCSV(w http.ResponseWriter, r *http.Request) {
	_, a, ok := f.session(w, r)
	if !ok || !f.meetingOf(w, r) {
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		writeError(w, http.StatusUnsupportedMediaType, meeting.Errorf(meeting.KindInvalid, "Cần tệp CSV.", "want text/csv, got %q", ct))
		return
	}
	records, err := csv.NewReader(r.Body).ReadAll()
	if err != nil || len(records) == 0 || strings.Join(records[0], ",") != "name,position,unit,role" {
		writeError(w, http.StatusBadRequest, meeting.Errorf(meeting.KindInvalid, "Tệp CSV không đúng mẫu.", "the CSV file does not follow the template"))
		return
	}
	var rows []meeting.NewParticipant
	for _, rec := range records[1:] {
		rows = append(rows, meeting.NewParticipant{Name: rec[0], Position: rec[1], Unit: rec[2], Role: meeting.Role(rec[3])})
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	seq, events, err := f.commitLocked(a, "participant.import", map[string]any{"rows": rows})
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	f.broadcastLocked(events, nil, "")
	added := []meeting.Participant{}
	for _, e := range events {
		var p meeting.Participant
		_ = json.Unmarshal(e.Data, &p)
		added = append(added, p)
	}
	writeJSON(w, http.StatusOK, map[string]any{"added": added, "seq": seq})
}

func (f *fake) pairingCodes(w http.ResponseWriter, r *http.Request) {
	_, _, ok := f.session(w, r)
	if !ok || !f.meetingOf(w, r) {
		return
	}
	var in struct {
		Participants []string `json:"participants"`
		QR           *bool    `json:"qr"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Participants == nil {
		writeError(w, http.StatusBadRequest, meeting.Errorf(meeting.KindInvalid, "Thiếu danh sách.", "participants missing"))
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.qrAsked = append(f.qrAsked, in.QR)
	ids := in.Participants
	if len(ids) == 0 {
		for _, p := range f.state.Participants {
			if p.Role != meeting.RoleSecretary {
				ids = append(ids, p.ID)
			}
		}
	}
	codes := []map[string]any{}
	for _, id := range ids {
		p, ok := f.state.Participant(id)
		if !ok {
			writeError(w, http.StatusNotFound, meeting.Errorf(meeting.KindNotFound, "Không tìm thấy %s.", "participant %s not found", id))
			return
		}
		code := "C" + id
		f.codes[code] = id
		pc := map[string]any{"participant": id, "name": p.Name, "code": code,
			"expires_at": time.Now().Add(time.Hour), "pair_url": f.srv.URL + "/pair#" + code}
		if in.QR == nil || *in.QR {
			pc["qr_png"] = []byte("\x89PNG-" + code)
		}
		codes = append(codes, pc)
	}
	writeJSON(w, http.StatusOK, map[string]any{"codes": codes})
}
