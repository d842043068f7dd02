package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/phonghop/phonghop/server/meeting"
)

// TestMinutesRoute drives a meeting to its minutes over REST: conclusions
// after the close, a draft, finalisation, the three formats, and who may
// read them.
func TestMinutesRoute(t *testing.T) {
	ts := newTestServer(t)
	sec := ts.secretary(t)
	id := setupMeeting(t, sec, "Nguyễn Văn Một,đại biểu", "Trần Thị Hai,đại biểu", "Lê Văn Ba,đại biểu")
	var st meeting.State
	sec.must(200, "GET", "/api/meetings/"+id, nil, &st)
	tab := ts.pairByName(t, sec, id, st, "Trần Thị Hai")
	cmd := func(want int, name string, data any) []byte {
		t.Helper()
		code, body := sec.do("POST", "/api/meetings/"+id+"/commands", map[string]any{"name": name, "data": data})
		if code != want {
			t.Fatalf("command %s = %d %s; want %d", name, code, body, want)
		}
		return body
	}
	for _, p := range st.Participants {
		cmd(200, "attendance.mark", map[string]any{"participant": p.ID, "status": "present"})
	}
	cmd(200, "meeting.open", nil)
	cmd(200, "agenda.current", map[string]any{"id": st.Agenda[0].ID})
	cmd(200, "notice.send", map[string]any{"text": "Đề nghị giữ trật tự trong hội trường."})
	cmd(200, "meeting.close", nil)
	cmd(200, "minutes.conclude", map[string]any{"item_id": st.Agenda[0].ID, "text": "Hội nghị thống nhất chương trình."})
	cmd(200, "minutes.conclude", map[string]any{"text": "Hội nghị thành công tốt đẹp."})

	get := func(u *user, query string) (int, http.Header, []byte) {
		t.Helper()
		resp, err := u.hc.Get(u.base + "/api/meetings/" + id + "/minutes" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, b
	}
	var rec struct {
		Revision   int    `json:"revision"`
		Final      bool   `json:"final"`
		Number     string `json:"number"`
		Conclusion string `json:"conclusion"`
		Items      []struct {
			Title      string `json:"title"`
			Conclusion string `json:"conclusion"`
		} `json:"items"`
		Attendance struct {
			Members struct {
				Summoned, Attended int
			} `json:"members"`
		} `json:"attendance"`
	}
	code, h, body := get(sec, "")
	if code != 200 || h.Get("Content-Type") != "application/json" || h.Get("X-Minutes-Revision") != "0" {
		t.Fatalf("GET minutes (draft) = %d %s %q; want 200 JSON revision 0", code, h.Get("Content-Type"), h.Get("X-Minutes-Revision"))
	}
	if err := json.Unmarshal(body, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Final || rec.Revision != 0 || rec.Conclusion != "Hội nghị thành công tốt đẹp." || rec.Items[0].Conclusion != "Hội nghị thống nhất chương trình." || rec.Attendance.Members.Attended != 3 {
		t.Errorf("draft minutes = %+v", rec)
	}

	// A delegate's tablet may not read the minutes, nor see draft conclusions.
	if code, _, body := get(tab, ""); code != http.StatusForbidden || errKind(t, body) != meeting.KindForbidden {
		t.Errorf("delegate GET minutes = %d %s; want 403", code, body)
	}
	var view meeting.State
	tab.must(200, "GET", "/api/meetings/"+id, nil, &view)
	if len(view.Minutes.Conclusions) != 0 {
		t.Errorf("a delegate sees draft conclusions %+v", view.Minutes.Conclusions)
	}

	cmd(200, "minutes.finalize", map[string]any{"number": "03-BB/CB", "layout": "party", "place_date": "Hà Nội, ngày 15 tháng 12 năm 2025"})
	if kind := errKind(t, cmd(409, "minutes.conclude", map[string]any{"text": "Sửa kết luận."})); kind != meeting.KindConflict {
		t.Errorf("conclude after finalisation: kind %s; want conflict", kind)
	}
	code, h, body = get(sec, "?format=json")
	if err := json.Unmarshal(body, &rec); err != nil || code != 200 || !rec.Final || rec.Revision != 1 || rec.Number != "03-BB/CB" || h.Get("X-Minutes-Revision") != "1" {
		t.Errorf("final minutes = %d %+v (%v)", code, rec, err)
	}
	tab.must(200, "GET", "/api/meetings/"+id, nil, &view)
	if len(view.Minutes.Conclusions) != 2 || view.Minutes.Revision != 1 {
		t.Errorf("a delegate's view after finalisation = %+v; want the 2 conclusions, revision 1", view.Minutes)
	}

	code, h, body = get(sec, "?format=html")
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") || !bytes.Contains(body, []byte("BIÊN BẢN")) || !bytes.Contains(body, []byte("Số 03-BB/CB")) ||
		!bytes.Contains(body, []byte("Đề nghị giữ trật tự trong hội trường.")) {
		t.Errorf("HTML minutes = %d %s %.200s", code, h.Get("Content-Type"), body)
	}
	code, _, body = get(sec, "?format=html&lang=en")
	if code != 200 || !bytes.Contains(body, []byte("MINUTES")) || !bytes.Contains(body, []byte(`lang="en"`)) {
		t.Errorf("English HTML minutes = %d %.200s", code, body)
	}
	code, h, body = get(sec, "?format=pdf")
	if code != 200 || h.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF-")) || !strings.Contains(h.Get("Content-Disposition"), ".pdf") {
		t.Errorf("PDF minutes = %d %s %q %.20q", code, h.Get("Content-Type"), h.Get("Content-Disposition"), body)
	}
	cmd(200, "minutes.correct", map[string]any{"text": "Sửa tên đại biểu.", "reason": "Ghi nhầm."})
	if _, h, _ := get(sec, "?format=pdf&lang=en"); h.Get("X-Minutes-Revision") != "2" {
		t.Errorf("revision after a correction = %q; want 2", h.Get("X-Minutes-Revision"))
	}

	for _, q := range []string{"?format=docx", "?lang=fr", "?format="} {
		code, _, body := get(sec, q)
		if q == "?format=" {
			if code != 200 {
				t.Errorf("GET minutes%s = %d; want the default format", q, code)
			}
			continue
		}
		if code != http.StatusBadRequest || errKind(t, body) != meeting.KindInvalid {
			t.Errorf("GET minutes%s = %d %s; want 400 invalid", q, code, body)
		}
	}
	if code, _, _ := get(ts.newUser(t), ""); code != http.StatusUnauthorized {
		t.Errorf("anonymous GET minutes = %d; want 401", code)
	}
}

// pairByName pairs a tablet for the participant named name.
func (ts *testServer) pairByName(t *testing.T, sec *user, id string, st meeting.State, name string) *user {
	t.Helper()
	for _, p := range st.Participants {
		if p.Name == name {
			return ts.pair(t, sec, id, p.ID)
		}
	}
	t.Fatalf("no participant %q", name)
	return nil
}
