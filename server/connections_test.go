package server_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/phonghop/phonghop/server"
	"github.com/phonghop/phonghop/server/meeting"
)

// clock is a settable clock for the server (connected_at, last_seen).
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type connectionsBody struct {
	Meeting               string `json:"meeting"`
	ConnectedParticipants int    `json:"connected_participants"`
	Sockets               int    `json:"sockets"`
	Participants          []struct {
		Participant, Actor, Name, Role string
		Sockets                        int
		ConnectedAt                    time.Time `json:"connected_at"`
		LastSeen                       time.Time `json:"last_seen"`
	} `json:"participants"`
	Connections []struct {
		Participant, Actor, Name, Role string
		ConnectedAt                    time.Time `json:"connected_at"`
		LastSeen                       time.Time `json:"last_seen"`
		Since                          int64     `json:"since"`
	} `json:"connections"`
}

// dialSynced opens /ws for meeting id as u, from seq since, and reads until
// synced.
func dialSynced(t *testing.T, u *user, id string, since int64) *websocket.Conn {
	t.Helper()
	wsURL := "ws" + strings.TrimPrefix(u.base, "http") + "/ws?meeting=" + url.QueryEscape(id)
	if since > 0 {
		wsURL += "&since=" + formatSeq(since)
	}
	h := http.Header{}
	for _, c := range u.hc.Jar.Cookies(mustURL(u.base)) {
		h.Add("Cookie", c.Name+"="+c.Value)
	}
	c, _, err := (&websocket.Dialer{HandshakeTimeout: 5 * time.Second}).Dial(wsURL, h)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	readMsgs(t, c, func(m wsMsg) bool { return m.Type == "synced" })
	return c
}

func formatSeq(n int64) string { return strconv.FormatInt(n, 10) }

// waitConnections polls the list until cond holds (connections register and
// deregister on their own goroutines).
func waitConnections(t *testing.T, u *user, id string, cond func(connectionsBody) bool) connectionsBody {
	t.Helper()
	var body connectionsBody
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		u.must(200, "GET", "/api/meetings/"+id+"/connections", nil, &body)
		if cond(body) {
			return body
		}
	}
	t.Fatalf("connections never reached the expected state; last: %+v", body)
	return body
}

func TestConnections(t *testing.T) {
	clk := &clock{t: time.Date(2025, 12, 15, 1, 0, 0, 0, time.UTC)}
	ts := newTestServer(t, func(c *server.Config) { c.Now = clk.Now })
	sec := ts.secretary(t)
	id := setupMeeting(t, sec, "Trần Thị Lan,đại biểu", "Lê Văn Hùng,chủ tọa", "Màn hình,màn hình", "Phạm Khách,khách mời")
	other := setupMeeting(t, sec, "Đại biểu Khác,đại biểu")
	var st meeting.State
	sec.must(200, "GET", "/api/meetings/"+id, nil, &st)
	pid := map[meeting.Role]string{}
	for _, p := range st.Participants {
		pid[p.Role] = p.ID
	}
	delegate := ts.pair(t, sec, id, pid[meeting.RoleDelegate])
	chair := ts.pair(t, sec, id, pid[meeting.RoleChair])
	hall := ts.pair(t, sec, id, pid[meeting.RoleHall])
	observer := ts.pair(t, sec, id, pid[meeting.RoleObserver])

	empty := waitConnections(t, sec, id, func(b connectionsBody) bool { return true })
	if empty.Meeting != id || empty.Sockets != 0 || empty.ConnectedParticipants != 0 || empty.Connections == nil || empty.Participants == nil {
		t.Errorf("before any connection: %+v; want none (empty lists, not null)", empty)
	}

	// Role matrix: staff may list, others may not; nobody without a session.
	for _, tc := range []struct {
		name string
		u    *user
		want int
	}{
		{"chair", chair, 200}, {"delegate", delegate, 403}, {"hall", hall, 403}, {"observer", observer, 403}, {"anonymous", ts.newUser(t), 401},
	} {
		code, body := tc.u.do("GET", "/api/meetings/"+id+"/connections", nil)
		if code != tc.want {
			t.Errorf("%s: GET connections = %d %s; want %d", tc.name, code, body, tc.want)
		}
		if code != 200 {
			if kind := errKind(t, body); (tc.want == 403 && kind != meeting.KindForbidden) || (tc.want == 401 && kind != meeting.KindUnauthorized) {
				t.Errorf("%s: error kind %s", tc.name, kind)
			}
		}
	}
	// A device of this meeting learns nothing of another meeting.
	if code, _ := chair.do("GET", "/api/meetings/"+other+"/connections", nil); code != 403 {
		t.Errorf("chair of another meeting: GET connections = %d; want 403", code)
	}
	if code, _ := sec.do("GET", "/api/meetings/nope/connections", nil); code != 404 {
		t.Errorf("unknown meeting: GET connections = %d; want 404", code)
	}

	// Two sockets for the delegate (the second from seq 3), one for the
	// chair and the secretary; the secretary on the other meeting too.
	start := clk.Now()
	d1 := dialSynced(t, delegate, id, 0)
	clk.add(time.Minute)
	dialSynced(t, delegate, id, 3)
	dialSynced(t, chair, id, 0)
	dialSynced(t, sec, id, 0)
	dialSynced(t, sec, other, 0)

	got := waitConnections(t, sec, id, func(b connectionsBody) bool { return b.Sockets == 4 })
	if got.ConnectedParticipants != 2 {
		t.Errorf("connected_participants = %d; want 2 (delegate and chair; accounts not counted)", got.ConnectedParticipants)
	}
	byActor := map[string]int{}
	for i, p := range got.Participants {
		byActor[p.Actor] = i
	}
	del := got.Participants[byActor["participant:"+pid[meeting.RoleDelegate]]]
	if del.Participant != pid[meeting.RoleDelegate] || del.Name != "Trần Thị Lan" || del.Role != "delegate" || del.Sockets != 2 || !del.ConnectedAt.Equal(start) {
		t.Errorf("delegate's entry = %+v; want Trần Thị Lan, delegate, 2 sockets, connected at %v", del, start)
	}
	if ch := got.Participants[byActor["participant:"+pid[meeting.RoleChair]]]; ch.Name != "Lê Văn Hùng" || ch.Role != "chair" || ch.Sockets != 1 {
		t.Errorf("chair's entry = %+v", ch)
	}
	if acc, ok := byActor["account:"+adminUser]; !ok || got.Participants[acc].Participant != "" || got.Participants[acc].Role != "secretary" || got.Participants[acc].Name != adminUser {
		t.Errorf("secretary's entry missing or wrong: %+v", got.Participants)
	}
	if len(got.Participants) != 3 || len(got.Connections) != 4 {
		t.Errorf("%d participants and %d connections; want 3 and 4", len(got.Participants), len(got.Connections))
	}
	var sinces []int64
	for _, c := range got.Connections {
		if c.Participant == pid[meeting.RoleDelegate] {
			sinces = append(sinces, c.Since)
		}
		if c.LastSeen.Before(c.ConnectedAt) {
			t.Errorf("connection %+v: last seen before connected", c)
		}
	}
	if len(sinces) != 2 || sinces[0] != 0 || sinces[1] != 3 {
		t.Errorf("delegate's sockets since = %v; want [0 3] (oldest first)", sinces)
	}

	// A message from the first socket moves its last_seen to the clock.
	clk.add(time.Minute)
	if err := d1.WriteJSON(map[string]string{"type": "ping", "id": "x"}); err != nil {
		t.Fatal(err)
	}
	readMsgs(t, d1, func(m wsMsg) bool { return m.Type == "pong" })
	got = waitConnections(t, sec, id, func(b connectionsBody) bool { return true })
	for _, c := range got.Connections {
		if c.Participant == pid[meeting.RoleDelegate] && c.Since == 0 && !c.LastSeen.Equal(start.Add(2*time.Minute)) {
			t.Errorf("after a ping, last_seen = %v; want %v", c.LastSeen, start.Add(2*time.Minute))
		}
	}

	// A closed socket leaves the list.
	d1.Close()
	got = waitConnections(t, sec, id, func(b connectionsBody) bool { return b.Sockets == 3 })
	if got.ConnectedParticipants != 2 {
		t.Errorf("after closing one of two delegate sockets: connected_participants = %d; want 2", got.ConnectedParticipants)
	}
	var otherBody connectionsBody
	sec.must(200, "GET", "/api/meetings/"+other+"/connections", nil, &otherBody)
	if otherBody.Sockets != 1 || otherBody.ConnectedParticipants != 0 {
		t.Errorf("other meeting: %+v; want only the secretary's socket", otherBody)
	}
}
