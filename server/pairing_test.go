package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server"
	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/archiver"
	"github.com/phonghop/phonghop/server/meeting"
)

// ict is Vietnam time, the zone of the meetings in these tests.
var ict = time.FixedZone("ICT", 7*3600)

// fakeClock is a server clock the test moves.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock(t time.Time) *fakeClock { c := &fakeClock{}; c.set(t); return c }
func (c *fakeClock) now() time.Time       { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) set(t time.Time)      { c.ns.Store(t.UnixNano()) }

// issued is one code of a POST pairing-codes answer.
type issued struct {
	Participant string    `json:"participant"`
	Code        string    `json:"code"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// issueCodes asks for codes for pids with body extra (expires_at, …) and
// returns the status, the codes and the raw body.
func issueCodes(sec *user, meetingID string, pids []string, extra map[string]any) (int, []issued, []byte) {
	sec.t.Helper()
	body := map[string]any{"participants": pids, "qr": false}
	for k, v := range extra {
		body[k] = v
	}
	code, b := sec.do("POST", "/api/meetings/"+meetingID+"/pairing-codes", body)
	var out struct{ Codes []issued }
	if code == 200 {
		if err := json.Unmarshal(b, &out); err != nil {
			sec.t.Fatalf("decode %s: %v", b, err)
		}
	}
	return code, out.Codes, b
}

// errorBody decodes an error answer.
type errorBody struct {
	Kind      meeting.Kind `json:"kind"`
	Message   string       `json:"message"`
	MessageEN string       `json:"message_en"`
	Problems  []struct {
		Field string `json:"field"`
	} `json:"problems"`
}

func decodeError(t *testing.T, b []byte) errorBody {
	t.Helper()
	var e errorBody
	if err := json.Unmarshal(b, &e); err != nil || e.Message == "" || e.MessageEN == "" {
		t.Fatalf("error body %s: want kind, message and message_en (%v)", b, err)
	}
	return e
}

// redeem pairs a new tablet with code at the server's current time and
// returns the status and the tablet.
func (ts *testServer) redeem(t *testing.T, code string) (int, *user) {
	t.Helper()
	tab := ts.newUser(t)
	c, _ := tab.do("POST", "/api/pair", map[string]string{"code": code})
	return c, tab
}

// TestPairingCodeLife: a code lives until the end of the meeting's day in
// Vietnam time (sheets are printed the day before), or until the time the
// secretary sets, never beyond the configured limit; a bad time is refused
// with a clear error and changes nothing. With the 10-minute codes of
// before, the code printed the day before fails at 08:00 the next morning.
func TestPairingCodeLife(t *testing.T) {
	// Monday 14/12/2026, 15:00 in Hà Nội: the sheets are printed.
	printed := time.Date(2026, 12, 14, 15, 0, 0, 0, ict)
	clock := newFakeClock(printed)
	ts := newTestServer(t, func(c *server.Config) { c.Now = clock.now; c.PairingCodeMax = 72 * time.Hour })
	sec := ts.secretary(t)
	id := setupMeeting(t, sec, "Trần Văn Thử,đại biểu", "Lê Thị Mẫu,đại biểu", "Phạm Văn Ví Dụ,đại biểu")
	// The meeting opens on Tuesday 15/12 at 08:00.
	sec.must(200, "PUT", "/api/meetings/"+id, map[string]any{"title": "Hội nghị kiểm điểm năm 2026", "starts_at": time.Date(2026, 12, 15, 8, 0, 0, 0, ict)}, nil)
	p1 := participantID(t, sec, id, "Trần Văn Thử")
	p2 := participantID(t, sec, id, "Lê Thị Mẫu")
	p3 := participantID(t, sec, id, "Phạm Văn Ví Dụ")

	// Default: the end of the meeting's day, 16/12 00:00 in Hà Nội.
	status, codes, body := issueCodes(sec, id, []string{p1, p2}, nil)
	if status != 200 || len(codes) != 2 {
		t.Fatalf("issue = %d %s", status, body)
	}
	endOfMeetingDay := time.Date(2026, 12, 16, 0, 0, 0, 0, ict)
	for _, c := range codes {
		if !c.ExpiresAt.Equal(endOfMeetingDay) {
			t.Errorf("code of %s expires at %v; want the end of the meeting's day %v", c.Participant, c.ExpiresAt.In(ict), endOfMeetingDay)
		}
	}
	// On the day, at 08:00 and at 23:59, the printed codes work.
	clock.set(time.Date(2026, 12, 15, 8, 0, 0, 0, ict))
	if c, _ := ts.redeem(t, codes[0].Code); c != 200 {
		t.Errorf("the printed code at 08:00 on the meeting's day = %d; want 200", c)
	}
	// At midnight, the second is no more.
	clock.set(endOfMeetingDay.Add(time.Second))
	if c, _ := ts.redeem(t, codes[1].Code); c != 401 {
		t.Errorf("the printed code after the end of the meeting's day = %d; want 401", c)
	}

	// A time the secretary sets: Wednesday 17:30.
	clock.set(printed)
	want := time.Date(2026, 12, 16, 17, 30, 0, 0, ict)
	status, codes, body = issueCodes(sec, id, []string{p2, p3}, map[string]any{"expires_at": want.Format(time.RFC3339)})
	if status != 200 || !codes[0].ExpiresAt.Equal(want) || !codes[1].ExpiresAt.Equal(want) {
		t.Fatalf("issue with expires_at %v = %d %s", want, status, body)
	}
	p2code, p3code := codes[0].Code, codes[1].Code

	// Refused, each with its message, and nothing changes: p2's code stays.
	for _, bad := range []struct {
		name, at, vi string
	}{
		{"beyond the 72 h limit", printed.Add(72*time.Hour + time.Minute).Format(time.RFC3339), "tối đa 3 ngày"},
		{"in the past", printed.Add(-time.Minute).Format(time.RFC3339), "phải sau thời điểm hiện tại"},
		{"not a time", "15/12/2026 08:00", "không hợp lệ"},
	} {
		status, _, body := issueCodes(sec, id, []string{p2}, map[string]any{"expires_at": bad.at})
		if status != 400 {
			t.Errorf("%s: issue = %d %s; want 400", bad.name, status, body)
			continue
		}
		e := decodeError(t, body)
		if e.Kind != meeting.KindInvalid || !strings.Contains(e.Message, bad.vi) || len(e.Problems) != 1 || e.Problems[0].Field != "expires_at" {
			t.Errorf("%s: error = %+v; want invalid, %q, a problem on expires_at", bad.name, e, bad.vi)
		}
	}
	clock.set(want.Add(-time.Minute))
	if c, _ := ts.redeem(t, p2code); c != 200 {
		t.Errorf("p2's code after three refused re-issues = %d; want 200 (a refused request changes nothing)", c)
	}
	clock.set(want.Add(time.Second))
	if c, _ := ts.redeem(t, p3code); c != 401 {
		t.Errorf("a code after the time the secretary set = %d; want 401", c)
	}

	// A meeting far ahead: the default is cut to the limit (back on the day
	// of the sheets, signed in again: a secretary's session lasts 12 hours).
	clock.set(printed)
	sec = ts.secretary(t)
	far := setupMeeting(t, sec, "Vũ Thị Bốn,đại biểu")
	sec.must(200, "PUT", "/api/meetings/"+far, map[string]any{"title": "Đại hội", "starts_at": clock.now().Add(10 * 24 * time.Hour)}, nil)
	status, codes, body = issueCodes(sec, far, nil, nil)
	if status != 200 || !codes[0].ExpiresAt.Equal(clock.now().Add(72*time.Hour)) {
		t.Errorf("default expiry of a meeting in 10 days = %d %v %s; want the 72 h limit %v", status, codes, body, clock.now().Add(72*time.Hour))
	}
	// A meeting without a start time: the end of today.
	today := setupMeeting(t, sec, "Bùi Văn Năm,đại biểu")
	status, codes, _ = issueCodes(sec, today, nil, nil)
	if y, m, d := clock.now().In(ict).Date(); status != 200 || !codes[0].ExpiresAt.Equal(time.Date(y, m, d+1, 0, 0, 0, 0, ict)) {
		t.Errorf("default expiry without a start = %v; want the end of today in Hà Nội", codes)
	}
}

// TestPairingReissueOne: issuing one delegate's code again revokes that
// delegate's old code only; the others' printed codes keep working.
func TestPairingReissueOne(t *testing.T) {
	ts := newTestServer(t)
	sec := ts.secretary(t)
	id := setupMeeting(t, sec, "Trần Văn Thử,đại biểu", "Lê Thị Mẫu,đại biểu")
	status, sheet, body := issueCodes(sec, id, nil, nil)
	if status != 200 || len(sheet) != 2 {
		t.Fatalf("issue the sheet = %d %s", status, body)
	}
	old, other := sheet[0], sheet[1]
	status, again, _ := issueCodes(sec, id, []string{old.Participant}, nil)
	if status != 200 || len(again) != 1 || again[0].Code == old.Code {
		t.Fatalf("re-issue = %d %v", status, again)
	}
	if c, _ := ts.redeem(t, old.Code); c != 401 {
		t.Errorf("the revoked code = %d; want 401", c)
	}
	if c, _ := ts.redeem(t, again[0].Code); c != 200 {
		t.Errorf("the new code = %d; want 200", c)
	}
	if c, _ := ts.redeem(t, other.Code); c != 200 {
		t.Errorf("another delegate's printed code after a re-issue = %d; want 200", c)
	}
}

// TestReadOnlyAfterClose: after the close, codes are still issued and
// redeemed and a tablet still reads the meeting and its documents (but
// changes nothing), until the meeting is archived (its finalised minutes
// written to the archive): then codes are refused, and so is every
// delegate's tablet, on REST, on the WebSocket and for downloads; the
// chair's tablet keeps its access (it lists its meeting's archives).
// Before, no code could be issued after the close and documents could no
// longer be downloaded.
func TestReadOnlyAfterClose(t *testing.T) {
	dir := t.TempDir()
	ds := newDocServer(t, func(c *server.Config) {
		key, _, err := archive.LoadOrCreateKey(dir)
		if err != nil {
			t.Fatal(err)
		}
		st, err := archive.OpenLocal(dir)
		if err != nil {
			t.Fatal(err)
		}
		c.Archives, c.ArchiveKey, c.RenderMinutes = st, key, archiver.RenderMinutes
	})
	sec := ds.secretary(t)
	id := setupMeeting(t, sec, "Trần Văn Thử,đại biểu", "Lê Thị Mẫu,đại biểu", "Nguyễn Văn Chủ,chủ tọa")
	p1 := participantID(t, sec, id, "Trần Văn Thử")
	p2 := participantID(t, sec, id, "Lê Thị Mẫu")
	chair := ds.pair(t, sec, id, participantID(t, sec, id, "Nguyễn Văn Chủ"))
	up := sec.mustUpload("/api/meetings/"+id+"/documents", []field{{"title", "Báo cáo kiểm điểm"}, {"access", "delegates"}, {"publish", "true"}}, "bao-cao.pdf", testdocs.PDF(2, "bao cao"))
	doc := "/api/meetings/" + id + "/documents/" + up.Document.ID + "/content"
	early := ds.pair(t, sec, id, p1)
	sec.must(200, "POST", "/api/meetings/"+id+"/open", nil, nil)
	sec.must(200, "POST", "/api/meetings/"+id+"/close", nil, nil)

	// Closed: a code for a delegate who comes to read afterwards.
	status, codes, body := issueCodes(sec, id, []string{p2}, nil)
	if status != 200 {
		t.Fatalf("issue after the close = %d %s; want 200", status, body)
	}
	c, late := ds.redeem(t, codes[0].Code)
	if c != 200 {
		t.Fatalf("pair after the close = %d; want 200", c)
	}
	for _, tab := range []*user{early, late} {
		tab.must(200, "GET", "/api/me", nil, nil)
		tab.must(200, "GET", "/api/meetings/"+id, nil, nil)
		if resp, b := tab.get(doc); resp.StatusCode != 200 || len(b) == 0 {
			t.Errorf("a tablet reads the document after the close = %d %s; want 200", resp.StatusCode, b)
		}
		ws, resp, err := tab.dialWS(id, nil)
		if err != nil {
			t.Fatalf("WebSocket after the close: %v (%v)", err, resp)
		}
		ws.Close()
		// Read-only: commands are refused.
		code, b := tab.do("POST", "/api/meetings/"+id+"/commands", map[string]any{"name": "attendance.check_in", "data": map[string]any{}})
		if code == 200 && !strings.Contains(string(b), `"ok":false`) {
			t.Errorf("check-in after the close = %d %s; want it refused", code, b)
		}
	}
	// A code issued now, used only after the archive.
	_, pending, _ := issueCodes(sec, id, []string{p2}, nil)

	// Archived: the minutes are finalised.
	sec.must(200, "POST", "/api/meetings/"+id+"/commands", map[string]any{"name": "minutes.finalize", "data": map[string]any{"number": "01-BB/ĐU", "layout": "party"}}, nil)
	var st meeting.State
	sec.must(200, "GET", "/api/meetings/"+id, nil, &st)
	if !st.Minutes.Final() {
		t.Fatalf("the minutes are not final: %+v", st.Minutes)
	}
	// The archive is written in the background.
	for deadline := time.Now().Add(15 * time.Second); ; {
		var list struct{ Archives []json.RawMessage }
		sec.must(200, "GET", "/api/archives", nil, &list)
		if len(list.Archives) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the finalised minutes were not archived")
		}
		time.Sleep(20 * time.Millisecond)
	}
	status, _, body = issueCodes(sec, id, []string{p2}, nil)
	if status != 409 || !strings.Contains(decodeError(t, body).Message, "lưu trữ") {
		t.Errorf("issue after the archive = %d %s; want 409 saying the meeting is archived", status, body)
	}
	if c, _ := ds.redeem(t, pending[0].Code); c != 409 {
		t.Errorf("pair after the archive with a code issued before = %d; want 409", c)
	}
	for name, tab := range map[string]*user{"early": early, "late": late} {
		for _, path := range []string{"/api/me", "/api/meetings/" + id} {
			code, b := tab.do("GET", path, nil)
			if code != 403 || !strings.Contains(decodeError(t, b).Message, "lưu trữ") {
				t.Errorf("%s tablet GET %s after the archive = %d %s; want 403 saying the meeting is archived", name, path, code, b)
			}
		}
		if resp, b := tab.get(doc); resp.StatusCode != 403 {
			t.Errorf("%s tablet download after the archive = %d %s; want 403", name, resp.StatusCode, b)
		}
		if _, resp, err := tab.dialWS(id, nil); err == nil || resp == nil || resp.StatusCode != 403 {
			t.Errorf("%s tablet WebSocket after the archive: %v %v; want 403", name, err, resp)
		}
	}
	// The secretariat keeps everything: its accounts and the chair's tablet.
	for name, u := range map[string]*user{"secretary": sec, "chair's tablet": chair} {
		u.must(200, "GET", "/api/meetings/"+id, nil, nil)
		if resp, _ := u.get(doc); resp.StatusCode != 200 {
			t.Errorf("the %s's download after the archive = %d; want 200", name, resp.StatusCode)
		}
	}
}

// TestPresentationStatus: the hall screen learns that a document it may not
// read is being presented (so it shows a placeholder instead of nothing),
// never which one; a reader learns it may read it.
func TestPresentationStatus(t *testing.T) {
	ds := newDocServer(t)
	sec := ds.secretary(t)
	id := setupMeeting(t, sec, "Trần Văn Thử,đại biểu", "Màn hình hội trường,màn hình")
	delegate := ds.pair(t, sec, id, participantID(t, sec, id, "Trần Văn Thử"))
	hall := ds.pair(t, sec, id, participantID(t, sec, id, "Màn hình hội trường"))
	forDelegates := sec.mustUpload("/api/meetings/"+id+"/documents", []field{{"title", "Dự thảo nghị quyết (mật)"}, {"access", "delegates"}, {"publish", "true"}}, "a.pdf", testdocs.PDF(2, "a"))
	public := sec.mustUpload("/api/meetings/"+id+"/documents", []field{{"title", "Chương trình"}, {"access", "public"}, {"publish", "true"}}, "b.pdf", testdocs.PDF(1, "b"))
	sec.must(200, "POST", "/api/meetings/"+id+"/open", nil, nil)
	status := func(u *user) (out struct {
		Presenting, Readable bool
	}, raw string) {
		t.Helper()
		_, b := u.do("GET", "/api/meetings/"+id+"/presentation", nil)
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("presentation status %s: %v", b, err)
		}
		return out, string(b)
	}
	present := func(doc string) {
		t.Helper()
		sec.must(200, "POST", "/api/meetings/"+id+"/commands", map[string]any{"name": "document.present", "data": map[string]any{"document_id": doc, "page": 1}}, nil)
	}
	if s, raw := status(hall); s.Presenting {
		t.Errorf("nothing presented: hall status %s", raw)
	}
	present(forDelegates.Document.ID)
	if s, raw := status(hall); !s.Presenting || s.Readable || strings.Contains(raw, forDelegates.Document.ID) || strings.Contains(raw, "mật") {
		t.Errorf("a delegates' document presented: hall status %s; want presenting, not readable, the document not named", raw)
	}
	if s, raw := status(delegate); !s.Presenting || !s.Readable {
		t.Errorf("a delegates' document presented: delegate status %s; want presenting and readable", raw)
	}
	present(public.Document.ID)
	if s, raw := status(hall); !s.Presenting || !s.Readable {
		t.Errorf("a public document presented: hall status %s; want presenting and readable", raw)
	}
	sec.must(200, "POST", "/api/meetings/"+id+"/close", nil, nil)
	if s, raw := status(hall); s.Presenting {
		t.Errorf("after the close: hall status %s; want nothing presented", raw)
	}
}

// TestOneFormOfAddress: the server's refusals address the user as "đồng
// chí", as every other message does; none says "Bạn".
func TestOneFormOfAddress(t *testing.T) {
	ts := newTestServer(t)
	sec := ts.secretary(t)
	id := setupMeeting(t, sec, "Trần Văn Thử,đại biểu")
	tab := ts.pair(t, sec, id, participantID(t, sec, id, "Trần Văn Thử"))
	code, b := tab.do("POST", "/api/meetings/"+id+"/pairing-codes", map[string]any{})
	if code != 403 {
		t.Fatalf("a tablet issuing codes = %d %s; want 403", code, b)
	}
	forbidden := decodeError(t, b).Message
	guesser := ts.newUser(t)
	var limited string
	for i := 0; i < 12 && limited == ""; i++ {
		if c, b := guesser.do("POST", "/api/pair", map[string]string{"code": fmt.Sprintf("AAAA-%04d", i)}); c == http.StatusTooManyRequests {
			limited = decodeError(t, b).Message
		}
	}
	for _, m := range []string{forbidden, limited} {
		if !strings.HasPrefix(m, "Đồng chí ") || strings.Contains(strings.ToLower(m), "bạn") {
			t.Errorf("message %q; want it to address the user as “Đồng chí”", m)
		}
	}
}
