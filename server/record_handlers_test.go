package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/meeting"
)

// TestCountingRecordRoute drives an election over REST — the counting
// committee proposed and approved by show of hands, ballots cast from
// three tablets, one of them untouched on a single-name list — then reads
// its vote-counting record: a draft before publication, final after, in
// every format; refused to a delegate, for an open vote, for an unknown or
// uncounted poll, for a bad format. The signed archive of the minutes holds
// the record and verifies.
func TestCountingRecordRoute(t *testing.T) {
	ts, key := archiveServer(t, t.TempDir(), true)
	sec := ts.secretary(t)
	id := setupMeeting(t, sec, "Nguyễn Văn Một,đại biểu", "Trần Thị Hai,đại biểu", "Lê Văn Ba,đại biểu")
	var st meeting.State
	sec.must(200, "GET", "/api/meetings/"+id, nil, &st)
	cmd := func(want int, name string, data any) []byte {
		t.Helper()
		code, body := sec.do("POST", "/api/meetings/"+id+"/commands", map[string]any{"name": name, "data": data})
		if code != want {
			t.Fatalf("command %s = %d %s; want %d", name, code, body, want)
		}
		return body
	}
	var tabs []*user
	for _, p := range st.Participants {
		tabs = append(tabs, ts.pair(t, sec, id, p.ID))
	}
	cmd(200, "attendance.mark_all_present", nil)
	cmd(200, "meeting.open", nil)
	ids := []string{st.Participants[0].ID, st.Participants[1].ID, st.Participants[2].ID}
	cmd(200, "body.propose", map[string]any{"kind": "counting", "members": []map[string]string{{"participant": ids[0], "post": "Trưởng ban"}, {"participant": ids[1]}}})

	pollID := func() string {
		var s meeting.State
		sec.must(200, "GET", "/api/meetings/"+id, nil, &s)
		return s.Polls[len(s.Polls)-1].ID
	}
	cast := func(tab *user, poll, key string, b meeting.Ballot) {
		t.Helper()
		code, body := tab.do("POST", "/api/meetings/"+id+"/polls/"+poll+"/ballots", map[string]any{"key": key, "ballot": b})
		if code != 200 {
			t.Fatalf("cast = %d %s", code, body)
		}
	}
	// The show of hands approving the committee.
	cmd(200, "poll.create", map[string]any{"question": "Thông qua danh sách Ban Kiểm phiếu", "kind": "open", "body": "counting"})
	approve := pollID()
	cmd(200, "poll.open", map[string]any{"id": approve})
	for i, tab := range tabs {
		cast(tab, approve, fmt.Sprint("a", i), meeting.Ballot{Choice: meeting.ChoiceAgree})
	}
	cmd(200, "poll.close", map[string]any{"id": approve})
	cmd(200, "poll.publish", map[string]any{"id": approve})

	// A single-name election: Đồng ý, Đồng ý, untouched (invalid: no box).
	cmd(200, "poll.create", map[string]any{"question": "Bầu Bí thư", "kind": "election", "seats": 1, "candidates": []map[string]string{{"participant": ids[2]}}})
	el := pollID()
	get := func(u *user, poll, query string) (int, http.Header, []byte) {
		t.Helper()
		resp, err := u.hc.Get(u.base + "/api/meetings/" + id + "/polls/" + poll + "/counting-record" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, b
	}
	if code, _, body := get(sec, el, ""); code != http.StatusConflict || errKind(t, body) != meeting.KindConflict {
		t.Errorf("counting record of a draft poll = %d %s; want 409", code, body)
	}
	cmd(200, "poll.open", map[string]any{"id": el})
	cast(tabs[0], el, "e0", meeting.Ballot{Agree: []string{"c1"}})
	cast(tabs[1], el, "e1", meeting.Ballot{Agree: []string{"c1"}})
	// A strike-form ballot on a single-name list is refused before it is cast.
	if code, body := tabs[2].do("POST", "/api/meetings/"+id+"/polls/"+el+"/ballots", map[string]any{"key": "e3", "ballot": map[string]any{"kept": []string{"c1"}}}); code != http.StatusBadRequest {
		t.Errorf("a kept list on a single-name ballot = %d %s; want 400", code, body)
	}
	cast(tabs[2], el, "e2", meeting.Ballot{})
	cmd(200, "poll.close", map[string]any{"id": el})

	var rec struct {
		Final     bool `json:"final"`
		Summoned  int  `json:"summoned"`
		Present   int  `json:"present"`
		Committee struct {
			Approved bool `json:"approved"`
			Members  []struct {
				Name string `json:"name"`
				Post string `json:"post"`
			} `json:"members"`
		} `json:"committee"`
		Poll struct {
			Form   string          `json:"form"`
			Result *meeting.Result `json:"result"`
		} `json:"poll"`
	}
	code, h, body := get(sec, el, "")
	if code != 200 || h.Get("X-Record-Final") != "false" || json.Unmarshal(body, &rec) != nil {
		t.Fatalf("counting record (draft) = %d %q %s", code, h.Get("X-Record-Final"), body)
	}
	r := rec.Poll.Result
	if rec.Final || rec.Summoned != 3 || rec.Present != 3 || rec.Poll.Form != "single" || r == nil || r.Issued != 3 || r.Cast != 3 || r.Valid != 2 || r.Invalid != 1 ||
		r.InvalidReasons[0].Reason != meeting.ReasonNoMark || r.Candidates[0].Votes != 2 || len(r.Elected) != 1 {
		t.Errorf("counting record = %s", body)
	}
	if !rec.Committee.Approved || len(rec.Committee.Members) != 2 || rec.Committee.Members[0].Name != "Nguyễn Văn Một" || rec.Committee.Members[0].Post != "Trưởng ban" {
		t.Errorf("committee = %+v", rec.Committee)
	}
	code, _, body = get(sec, el, "?format=html")
	if code != 200 || !bytes.Contains(body, []byte("BIÊN BẢN KIỂM PHIẾU")) || !bytes.Contains(body, []byte("DỰ THẢO")) || !bytes.Contains(body, []byte("TRƯỞNG BAN")) {
		t.Errorf("HTML counting record (draft) = %d %.300s", code, body)
	}
	cmd(200, "poll.publish", map[string]any{"id": el})
	code, h, body = get(sec, el, "?format=pdf&lang=en")
	if code != 200 || h.Get("Content-Type") != "application/pdf" || h.Get("X-Record-Final") != "true" || !bytes.HasPrefix(body, []byte("%PDF-")) ||
		!strings.Contains(h.Get("Content-Disposition"), "bien-ban-kiem-phieu-") {
		t.Errorf("PDF counting record = %d %s %q %q", code, h.Get("Content-Type"), h.Get("X-Record-Final"), h.Get("Content-Disposition"))
	}
	code, _, body = get(sec, el, "?format=html")
	if code != 200 || bytes.Contains(body, []byte("DỰ THẢO")) {
		t.Errorf("HTML counting record after publication = %d; still a draft", code)
	}

	for _, c := range []struct {
		who   *user
		poll  string
		query string
		code  int
		kind  meeting.Kind
	}{
		{tabs[0], el, "", http.StatusForbidden, meeting.KindForbidden},
		{sec, approve, "", http.StatusBadRequest, meeting.KindInvalid},
		{sec, "v9999", "", http.StatusNotFound, meeting.KindNotFound},
		{sec, el, "?format=docx", http.StatusBadRequest, meeting.KindInvalid},
		{sec, el, "?lang=fr", http.StatusBadRequest, meeting.KindInvalid},
	} {
		code, _, body := get(c.who, c.poll, c.query)
		if code != c.code || errKind(t, body) != c.kind {
			t.Errorf("GET counting record %s%s = %d %s; want %d %s", c.poll, c.query, code, body, c.code, c.kind)
		}
	}
	if code, _, _ := get(ts.newUser(t), el, ""); code != http.StatusUnauthorized {
		t.Errorf("anonymous GET counting record = %d; want 401", code)
	}

	// The archive of the finalised minutes holds the counting record of the
	// election (not of the show of hands), signed with the rest.
	cmd(200, "meeting.close", nil)
	cmd(200, "minutes.finalize", map[string]any{"number": "01-BB/ĐH"})
	waitArchives(t, sec, 1)
	code, zb := sec.do("GET", "/api/archives/"+id+"/1/zip", nil)
	if code != 200 {
		t.Fatalf("GET zip = %d %s", code, zb)
	}
	src, err := archive.ZipReaderSource(bytes.NewReader(zb), int64(len(zb)), "zip")
	if err != nil {
		t.Fatal(err)
	}
	tr, _ := archive.ParseTrust(key.Fingerprint())
	rep, err := archive.Verify(context.Background(), src, archive.Options{Trusted: &tr})
	if err != nil || !rep.OK() || rep.Manifest.Format != archive.FormatCounting {
		t.Fatalf("Verify(zip) = %+v, %v", rep, err)
	}
	names, _ := src.Names(context.Background())
	for _, n := range archive.CountingNames(el) {
		if !slices.Contains(names, n) {
			t.Errorf("the archive lacks %s (has %v)", n, names)
		}
	}
	if slices.Contains(names, archive.CountingNames(approve)[0]) {
		t.Errorf("the archive holds a counting record of the open vote %s", approve)
	}
	pdf, _ := src.ReadFile(context.Background(), archive.CountingNames(el)[3])
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("the archived counting record is not a PDF")
	}
}
