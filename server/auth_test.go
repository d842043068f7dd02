package server_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server"
	"github.com/phonghop/phonghop/server/auth"
	"github.com/phonghop/phonghop/server/meeting"
)

// head returns the meeting's last seq in the log.
func (ts *testServer) head(t *testing.T, id string) int64 {
	t.Helper()
	seq, _, _, err := ts.db.Head(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

func TestDelegateCannotDrive(t *testing.T) {
	ts := newTestServer(t)
	sec := ts.secretary(t)
	id := setupMeeting(t, sec, "Nguyễn Văn Thử,đại biểu", "Màn hình,màn hình", "Lê Khách,khách mời")
	var st meeting.State
	sec.must(200, "GET", "/api/meetings/"+id, nil, &st)
	sec.must(200, "POST", "/api/meetings/"+id+"/open", nil, nil)
	item := st.Agenda[0].ID
	for _, p := range st.Participants {
		tab := ts.pair(t, sec, id, p.ID)
		before := ts.head(t, id)
		// Every command, over REST, with plausible data.
		data := map[string]any{
			"agenda.add": map[string]any{"title": "Chen ngang"}, "agenda.rename": map[string]any{"id": item, "title": "Đổi tên"},
			"agenda.move": map[string]any{"id": item, "position": 2}, "agenda.remove": map[string]any{"id": item},
			"agenda.done": map[string]any{"id": item, "done": true}, "agenda.current": map[string]any{"id": item},
			"participant.add": map[string]any{"name": "Người lạ"}, "participant.remove": map[string]any{"id": p.ID},
			"participant.update": map[string]any{"id": p.ID, "name": "Đổi", "role": "secretary"},
			"participant.import": map[string]any{"rows": []any{map[string]any{"name": "A"}}},
			"meeting.update":     map[string]any{"title": "Khác"}, "notice.send": map[string]any{"text": "Xin chào"},
			"participant.paired": map[string]any{"id": p.ID},
		}
		for _, name := range meeting.CommandNames() {
			if meeting.Allowed(p.Role, name) {
				continue // a delegate's own commands (check in, ask for the floor)
			}
			code, body := tab.do("POST", "/api/meetings/"+id+"/commands", map[string]any{"name": name, "data": data[name]})
			if code != http.StatusForbidden || errKind(t, body) != meeting.KindForbidden {
				t.Errorf("%s %s: command %s = %d %s; want 403 forbidden", p.Role, p.Name, name, code, body)
			}
		}
		for _, r := range []struct{ method, path string }{
			{"POST", "/api/meetings/" + id + "/open"}, {"POST", "/api/meetings/" + id + "/close"},
			{"POST", "/api/meetings/" + id + "/agenda/advance"}, {"DELETE", "/api/meetings/" + id + "/agenda/" + item},
			{"POST", "/api/meetings/" + id + "/pairing-codes"}, {"GET", "/api/meetings/" + id + "/verify"},
			{"POST", "/api/meetings"},
		} {
			if code, body := tab.do(r.method, r.path, "{}"); code != http.StatusForbidden {
				t.Errorf("%s: %s %s = %d %s; want 403", p.Role, r.method, r.path, code, body)
			}
		}
		if code, _ := tab.do("POST", "/api/meetings/"+id+"/participants/import", []byte("name\nKẻ lạ\n")); code != http.StatusForbidden {
			t.Errorf("%s: CSV import = %d; want 403", p.Role, code)
		}
		// And over the WebSocket.
		c, _, err := tab.dialWS(id, nil)
		if err != nil {
			t.Fatal(err)
		}
		readMsgs(t, c, func(m wsMsg) bool { return m.Type == "synced" })
		for i, name := range meeting.CommandNames() {
			if meeting.Allowed(p.Role, name) {
				continue
			}
			c.WriteJSON(map[string]any{"type": "command", "id": fmt.Sprint(i), "name": name, "data": data[name]})
			msgs := readMsgs(t, c, func(m wsMsg) bool { return m.Type == "result" })
			if r := msgs[len(msgs)-1]; r.OK || r.Error == nil || r.Error.Kind != "forbidden" {
				t.Errorf("%s over ws: %s = %+v; want forbidden", p.Role, name, r)
			}
		}
		c.Close()
		if after := ts.head(t, id); after != before {
			t.Errorf("%s: log head moved %d → %d after refused commands", p.Role, before, after)
		}
	}
}

func TestWebSocketHandshake(t *testing.T) {
	ts := newTestServer(t, func(c *server.Config) { c.AllowedOrigins = []string{"https://console.example.vn"} })
	sec := ts.secretary(t)
	id := setupMeeting(t, sec)
	anon := ts.newUser(t)
	if _, resp, err := anon.dialWS(id, nil); err == nil || resp == nil || resp.StatusCode != 401 {
		t.Errorf("dial without session: err=%v resp=%v; want 401", err, resp)
	}
	if _, resp, err := sec.dialWS(id, http.Header{"Origin": {"https://evil.example.com"}}); err == nil || resp == nil || resp.StatusCode != 403 {
		t.Errorf("dial with foreign origin: err=%v; want 403", err)
	}
	for _, origin := range []string{"https://console.example.vn", ts.URL, ""} {
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		c, _, err := sec.dialWS(id, h)
		if err != nil {
			t.Errorf("dial with origin %q: %v; want success", origin, err)
			continue
		}
		c.Close()
	}
	if _, resp, err := sec.dialWS("khong-co", nil); err == nil || resp.StatusCode != 404 {
		t.Errorf("dial unknown meeting: err=%v; want 404", err)
	}
}

func TestDeviceConfinedToItsMeeting(t *testing.T) {
	ts := newTestServer(t)
	sec := ts.secretary(t)
	a := setupMeeting(t, sec, "Đại biểu A,đại biểu")
	b := setupMeeting(t, sec)
	var st meeting.State
	sec.must(200, "GET", "/api/meetings/"+a, nil, &st)
	tab := ts.pair(t, sec, a, st.Participants[0].ID)
	if code, _ := tab.do("GET", "/api/meetings/"+b, nil); code != 403 {
		t.Errorf("device reading another meeting = %d; want 403", code)
	}
	if _, resp, err := tab.dialWS(b, nil); err == nil || resp.StatusCode != 403 {
		t.Errorf("device dialing another meeting: err=%v; want 403", err)
	}
	var list struct{ Meetings []struct{ ID string } }
	tab.must(200, "GET", "/api/meetings", nil, &list)
	if len(list.Meetings) != 1 || list.Meetings[0].ID != a {
		t.Errorf("device's meeting list = %+v; want only %s", list.Meetings, a)
	}
}

func TestPairingCodes(t *testing.T) {
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	ts := newTestServer(t, func(c *server.Config) { c.Now = clock })
	sec := ts.secretary(t)
	id := setupMeeting(t, sec, "Đại biểu Một,đại biểu", "Đại biểu Hai,đại biểu")
	var st meeting.State
	sec.must(200, "GET", "/api/meetings/"+id, nil, &st)
	issue := func(pid string) (code, pairURL, qr string) {
		var out struct {
			Codes []struct {
				Code    string
				PairURL string `json:"pair_url"`
				QRPNG   string `json:"qr_png"`
			} `json:"codes"`
		}
		sec.must(200, "POST", "/api/meetings/"+id+"/pairing-codes", map[string]any{"participants": []string{pid}}, &out)
		c := out.Codes[0]
		return c.Code, c.PairURL, c.QRPNG
	}

	code, pairURL, qr := issue(st.Participants[0].ID)
	if qr == "" || pairURL != ts.URL+"/tablet#code="+code {
		t.Errorf("pair_url = %q, qr empty %v; want %q and a QR code", pairURL, qr == "", ts.URL+"/tablet#code="+code)
	}
	tab := ts.newUser(t)
	var me struct{ Participant, Role string }
	tab.must(200, "POST", "/api/pair", map[string]string{"code": code}, nil)
	tab.must(200, "GET", "/api/me", nil, &me)
	if me.Participant != st.Participants[0].ID || me.Role != "delegate" {
		t.Errorf("me = %+v; want participant %s delegate", me, st.Participants[0].ID)
	}
	if c, body := ts.newUser(t).do("POST", "/api/pair", map[string]string{"code": code}); c != 401 {
		t.Errorf("second use of a code = %d %s; want 401", c, body)
	}

	// Lower case and without the dash still works.
	code2, _, _ := issue(st.Participants[1].ID)
	loose := code2[:4] + " " + code2[5:]
	if c, body := ts.newUser(t).do("POST", "/api/pair", map[string]string{"code": string(toLower(loose))}); c != 200 {
		t.Errorf("pair with %q = %d %s; want 200", loose, c, body)
	}

	// Expiry: the time the secretary sets (pairing_policy_test.go has the
	// default, the end of the meeting's day).
	var short struct{ Codes []struct{ Code string } }
	sec.must(200, "POST", "/api/meetings/"+id+"/pairing-codes", map[string]any{"participants": []string{st.Participants[1].ID},
		"expires_at": clock().Add(10 * time.Minute).Format(time.RFC3339)}, &short)
	code3 := short.Codes[0].Code
	offset.Store(int64(10*time.Minute + time.Second))
	if c, _ := ts.newUser(t).do("POST", "/api/pair", map[string]string{"code": code3}); c != 401 {
		t.Errorf("expired code = %d; want 401", c)
	}
	offset.Store(0)

	// A new code replaces the participant's unused one.
	old, _, _ := issue(st.Participants[1].ID)
	fresh, _, _ := issue(st.Participants[1].ID)
	if c, _ := ts.newUser(t).do("POST", "/api/pair", map[string]string{"code": old}); c != 401 {
		t.Errorf("replaced code = %d; want 401", c)
	}

	// Wrong codes from one source are rate limited after 10 (429 with
	// Retry-After); a valid code is never refused, even from that source.
	guesser := ts.newUser(t)
	limited := false
	for i := 0; i < 12; i++ {
		c, body := guesser.do("POST", "/api/pair", map[string]string{"code": fmt.Sprintf("AAAA-AAAA-%04d", i)})
		if c == 429 {
			if errKind(t, body) != auth.KindRateLimited {
				t.Errorf("429 body kind = %s; want rate_limited", body)
			}
			limited = true
			break
		}
	}
	if !limited {
		t.Fatal("12 wrong codes were not rate limited")
	}
	if c, body := guesser.do("POST", "/api/pair", map[string]string{"code": fresh}); c != 200 {
		t.Errorf("a valid code after the limit = %d %s; want 200 (a valid code is never refused)", c, body)
	}
}

func toLower(s string) []byte {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return b
}

func TestLogoutClosesSockets(t *testing.T) {
	ts := newTestServer(t)
	sec := ts.secretary(t)
	id := setupMeeting(t, sec, "Đại biểu Một,đại biểu")
	var st meeting.State
	sec.must(200, "GET", "/api/meetings/"+id, nil, &st)
	tab := ts.pair(t, sec, id, st.Participants[0].ID)
	c, _, err := tab.dialWS(id, nil)
	if err != nil {
		t.Fatal(err)
	}
	readMsgs(t, c, func(m wsMsg) bool { return m.Type == "synced" })
	other, _, err := sec.dialWS(id, nil)
	if err != nil {
		t.Fatal(err)
	}
	readMsgs(t, other, func(m wsMsg) bool { return m.Type == "synced" })
	tab.must(204, "POST", "/api/logout", nil, nil)
	if code := closeCode(t, c); code != 4001 {
		t.Errorf("close code after logout = %d; want 4001", code)
	}
	if code, _ := tab.do("GET", "/api/me", nil); code != 401 {
		t.Errorf("me after logout = %d; want 401", code)
	}
	// The secretary's own socket is untouched.
	sec.must(200, "POST", "/api/meetings/"+id+"/agenda", map[string]string{"title": "Mục mới"}, nil)
	msgs := readMsgs(t, other, func(m wsMsg) bool { return m.Type == "event" })
	if len(msgs) == 0 {
		t.Error("secretary socket got nothing after the tablet's logout")
	}
	other.Close()
}

func TestRemovedParticipantIsDisconnected(t *testing.T) {
	ts := newTestServer(t)
	sec := ts.secretary(t)
	id := setupMeeting(t, sec, "Đại biểu Một,đại biểu")
	var st meeting.State
	sec.must(200, "GET", "/api/meetings/"+id, nil, &st)
	pid := st.Participants[0].ID
	tab := ts.pair(t, sec, id, pid)
	c, _, err := tab.dialWS(id, nil)
	if err != nil {
		t.Fatal(err)
	}
	readMsgs(t, c, func(m wsMsg) bool { return m.Type == "synced" })
	sec.must(200, "DELETE", "/api/meetings/"+id+"/participants/"+pid, nil, nil)
	if code := closeCode(t, c); code != 4001 {
		t.Errorf("close code after removal = %d; want 4001", code)
	}
	if code, _ := tab.do("GET", "/api/meetings/"+id, nil); code != 401 {
		t.Errorf("removed participant reading the meeting = %d; want 401", code)
	}
}

func TestLoginRateLimitAndErrors(t *testing.T) {
	ts := newTestServer(t)
	u := ts.newUser(t)
	code, body := u.do("POST", "/api/login", map[string]string{"username": adminUser, "password": "sai"})
	if code != 401 || errKind(t, body) != meeting.KindUnauthorized {
		t.Errorf("wrong password = %d %s; want 401 unauthorized", code, body)
	}
	code, _ = u.do("POST", "/api/login", map[string]string{"username": "khong-co", "password": "sai"})
	if code != 401 {
		t.Errorf("unknown user = %d; want 401", code)
	}
	for i := 0; i < 10; i++ {
		u.do("POST", "/api/login", map[string]string{"username": adminUser, "password": "sai"})
	}
	if code, _ := u.do("POST", "/api/login", map[string]string{"username": adminUser, "password": adminPassword}); code != 429 {
		t.Errorf("login after 12 failures = %d; want 429", code)
	}
}
