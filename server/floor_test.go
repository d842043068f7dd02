package server_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server/meeting"
)

// The congress floor end to end over HTTP and WebSockets (docs/congress.md):
// opinions and their bad input, tổ sittings as meetings of their own and
// who may enter them, the roll-up's access, written contributions.

// floorParts is the fixture draft.
var floorParts = []testdocs.Part{
	{Level: 1, Text: "Phần thứ nhất: ĐÁNH GIÁ KẾT QUẢ", Body: []string{"Nhiệm kỳ qua…"}},
	{Level: 2, Text: "1. Về kinh tế", Body: []string{"Tăng trưởng bình quân 7%."}},
	{Level: 2, Text: "2. Về văn hóa"},
}

// floorCongress is a congress with delegates Bình, Cường, Dung (tổ 1),
// Em, Gấm (tổ 2) and the drafting team's Quế, a DOCX draft open for a day
// and read by Quế, opened then paused.
type floorCongress struct {
	ds    *docServer
	sec   *user
	id    string
	doc   string
	ids   map[string]string // name → participant ID
	g1    string            // tổ 1
	g2    string            // tổ 2
	draft []meeting.Section
}

func newFloorCongress(t *testing.T) *floorCongress {
	t.Helper()
	ds := newDocServer(t)
	sec := ds.secretary(t)
	names := []string{"Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Gấm", "Phan Thị Quế"}
	var rows []string
	for _, n := range names {
		rows = append(rows, n+",đại biểu")
	}
	id := setupMeeting(t, sec, rows...)
	fc := &floorCongress{ds: ds, sec: sec, id: id, ids: map[string]string{}}
	for _, n := range names {
		fc.ids[n] = participantID(t, sec, id, n)
	}
	up := sec.mustUpload("/api/meetings/"+id+"/documents", []field{{"title", "Dự thảo Báo cáo chính trị"}, {"access", "delegates"}, {"publish", "true"}},
		"du-thao.docx", testdocs.DOCXDraft(floorParts))
	fc.doc = up.Document.ID
	var out struct {
		Sections []meeting.Section `json:"sections"`
	}
	sec.must(200, "GET", "/api/meetings/"+id+"/documents/"+fc.doc+"/outline", nil, &out)
	fc.draft = out.Sections
	fc.command(t, sec, 200, "draft.open", map[string]any{"document": fc.doc, "sections": out.Sections,
		"deadline": time.Now().Add(24 * time.Hour), "readers": []string{fc.ids["Phan Thị Quế"]}})
	fc.g1 = fc.group(t, "Tổ 1", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung")
	fc.g2 = fc.group(t, "Tổ 2", "Hoàng Văn Em", "Vũ Thị Gấm")
	sec.must(200, "POST", "/api/meetings/"+id+"/open", nil, nil)
	sec.must(200, "POST", "/api/meetings/"+id+"/pause", nil, nil)
	return fc
}

// group defines a tổ of the named members (the first leads, the second
// keeps the notes) and returns its ID.
func (fc *floorCongress) group(t *testing.T, name string, members ...string) string {
	var ids []string
	for _, m := range members {
		ids = append(ids, fc.ids[m])
	}
	fc.command(t, fc.sec, 200, "group.define", map[string]any{"name": name, "members": ids, "leader": ids[0], "secretary": ids[1]})
	var st meeting.State
	fc.sec.must(200, "GET", "/api/meetings/"+fc.id, nil, &st)
	g := st.Floor.Groups[len(st.Floor.Groups)-1]
	return g.ID
}

// command runs a command over REST as u and checks the status.
func (fc *floorCongress) command(t *testing.T, u *user, want int, name string, data any) []byte {
	t.Helper()
	return fc.commandIn(t, u, fc.id, want, name, data)
}

func (fc *floorCongress) commandIn(t *testing.T, u *user, meetingID string, want int, name string, data any) []byte {
	t.Helper()
	code, body := u.do("POST", "/api/meetings/"+meetingID+"/commands", map[string]any{"name": name, "data": data})
	if code != want {
		t.Fatalf("%s in %s = %d %s; want %d", name, meetingID, code, body, want)
	}
	return body
}

// head returns the seq of meeting id's last event, from the log itself.
func (fc *floorCongress) head(t *testing.T, id string) int64 {
	t.Helper()
	seq, _, _, err := fc.ds.db.Head(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

func (fc *floorCongress) tablet(t *testing.T, name string) *user {
	return fc.ds.pair(t, fc.sec, fc.id, fc.ids[name])
}

// message decodes an error body's Vietnamese message.
func message(t *testing.T, body []byte) string {
	t.Helper()
	var e struct{ Message string }
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %s: %v", body, err)
	}
	return e.Message
}

func TestFloorOutlineProposesTheStructure(t *testing.T) {
	fc := newFloorCongress(t)
	var ids, titles []string
	for _, s := range fc.draft {
		ids, titles = append(ids, s.ID), append(titles, s.Label+" "+s.Title)
	}
	if got := strings.Join(ids, " "); got != "m1 m2 m3" {
		t.Errorf("proposed IDs %s; want m1 m2 m3", got)
	}
	if got := strings.Join(titles, "|"); got != "Phần thứ nhất ĐÁNH GIÁ KẾT QUẢ|1. Về kinh tế|2. Về văn hóa" {
		t.Errorf("proposed sections %s", got)
	}
	// A delegate reads the text under each heading.
	tab := fc.tablet(t, "Trần Thị Bình")
	var out struct {
		Headings []struct{ Title, Text string }
		Sections []meeting.Section
	}
	tab.must(200, "GET", "/api/meetings/"+fc.id+"/documents/"+fc.doc+"/outline", nil, &out)
	if len(out.Headings) != 3 || out.Headings[1].Text != "Tăng trưởng bình quân 7%." || out.Sections[1].ID != "m2" {
		t.Errorf("outline for a delegate = %+v; want the headings, their texts and the draft's IDs", out)
	}
	// The read is recorded like a download.
	var log struct {
		Downloads []meeting.Download `json:"downloads"`
	}
	fc.sec.must(200, "GET", "/api/meetings/"+fc.id+"/documents/"+fc.doc+"/downloads", nil, &log)
	found := false
	for _, d := range log.Downloads {
		found = found || d.Participant == fc.ids["Trần Thị Bình"]
	}
	if !found {
		t.Errorf("the delegate's reading of the outline is not recorded: %+v", log.Downloads)
	}
}

// TestFloorBadInput: an opinion after the deadline, on a section that does
// not exist, without the reason or text its kind requires, a huge text, a
// delegate of another tổ in a tổ's sitting — each a clear Vietnamese error,
// and the logs unchanged.
func TestFloorBadInput(t *testing.T) {
	fc := newFloorCongress(t)
	tab := fc.tablet(t, "Trần Thị Bình")
	give := func(data map[string]any) (int, []byte) {
		return tab.do("POST", "/api/meetings/"+fc.id+"/commands", map[string]any{"name": "opinion.give", "data": data})
	}
	cases := []struct {
		name string
		data map[string]any
		code int
		want string
	}{
		{"no such section", map[string]any{"draft": fc.doc, "section": "m99", "kind": "agree", "key": "a"}, 404, `Dự thảo không có phần "m99".`},
		{"against without a reason", map[string]any{"draft": fc.doc, "section": "m1", "kind": "disagree", "key": "b"}, 400, "Ý kiến không tán thành phải nêu lý do."},
		{"partly without the text", map[string]any{"draft": fc.doc, "kind": "partial", "text": " ", "key": "c"}, 400, "Ý kiến đồng ý một phần phải nêu nội dung đề nghị sửa."},
		{"a huge text", map[string]any{"draft": fc.doc, "section": "m2", "kind": "partial", "text": strings.Repeat("Đề nghị sửa. ", 2000), "key": "d"}, 400, "Nội dung ý kiến dài quá 5000 ký tự."},
		{"an unknown kind", map[string]any{"draft": fc.doc, "kind": "ok", "key": "e"}, 400, "Loại ý kiến"},
	}
	seq := fc.head(t, fc.id)
	for _, tc := range cases {
		code, body := give(tc.data)
		if code != tc.code || !strings.Contains(message(t, body), tc.want) {
			t.Errorf("%s: %d %s; want %d with %q", tc.name, code, body, tc.code, tc.want)
		}
	}
	if got := fc.head(t, fc.id); got != seq {
		t.Errorf("bad opinions wrote %d events", got-seq)
	}
	// Over the WebSocket too: the result carries the error.
	ws, _, err := tab.dialWS(fc.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	readMsgs(t, ws, func(m wsMsg) bool { return m.Type == "synced" })
	ws.WriteJSON(map[string]any{"type": "command", "id": "x", "name": "opinion.give",
		"data": map[string]any{"draft": fc.doc, "section": "m2", "kind": "disagree", "text": strings.Repeat("ệ", meeting.MaxOpinionText+1), "key": "f"}})
	res := readMsgs(t, ws, func(m wsMsg) bool { return m.Type == "result" })
	if last := res[len(res)-1]; last.OK || last.Error == nil || last.Error.Kind != "invalid" {
		t.Errorf("a huge text over the WebSocket = %+v; want an invalid result", last)
	}
	other := fc.tablet(t, "Hoàng Văn Em") // tổ 2
	// After the deadline.
	fc.command(t, fc.sec, 200, "draft.update", map[string]any{"document": fc.doc, "close": true})
	seq = fc.head(t, fc.id)
	code, body := give(map[string]any{"draft": fc.doc, "section": "m1", "kind": "agree", "key": "g"})
	if code != 409 || !strings.HasPrefix(message(t, body), "Đã hết hạn góp ý dự thảo (hạn chót ") {
		t.Errorf("an opinion after the deadline = %d %s; want 409 with the deadline", code, body)
	}
	// A delegate of another tổ in a tổ's sitting.
	var sat struct{ Meeting string }
	fc.sec.must(200, "POST", "/api/meetings/"+fc.id+"/groups/"+fc.g1+"/sit", nil, &sat)
	seqT := fc.head(t, sat.Meeting)
	code, body = other.do("POST", "/api/meetings/"+sat.Meeting+"/commands", map[string]any{"name": "speaker.request", "data": map[string]any{}})
	if code != 403 || message(t, body) != "Đồng chí không thuộc Tổ 1 nên không tham gia phiên thảo luận của tổ này." {
		t.Errorf("a delegate of tổ 2 requesting the floor in tổ 1 = %d %s; want 403 naming the tổ", code, body)
	}
	code, body = other.do("POST", "/api/meetings/"+sat.Meeting+"/commands", map[string]any{"name": "sitting.note", "data": map[string]any{"text": "Ghi trộm"}})
	if code != 403 {
		t.Errorf("a delegate of tổ 2 writing a note in tổ 1 = %d %s; want 403", code, body)
	}
	if _, resp, err := other.dialWS(sat.Meeting, nil); err == nil || resp == nil || resp.StatusCode != 403 {
		t.Errorf("a delegate of tổ 2 opening tổ 1's socket: %v; want 403", err)
	}
	if got := fc.head(t, sat.Meeting); got != seqT {
		t.Errorf("the refused delegate wrote %d events in the sitting", got-seqT)
	}
	if got := fc.head(t, fc.id); got != seq+1 { // group.sat only
		t.Errorf("the congress's log grew by %d events; want 1 (group.sat)", got-seq)
	}
}

// TestFloorOpinionRetryIsRecordedOnce: a tablet that lost the answer sends
// the same opinion (same key) again: ok, nothing new in the log.
func TestFloorOpinionRetryIsRecordedOnce(t *testing.T) {
	fc := newFloorCongress(t)
	tab := fc.tablet(t, "Lê Văn Cường")
	op := map[string]any{"draft": fc.doc, "section": "m2", "kind": "partial", "text": "Thay “bứt phá” bằng “vững chắc”.", "key": "k-1"}
	fc.command(t, tab, 200, "opinion.give", op)
	seq := fc.head(t, fc.id)
	fc.command(t, tab, 200, "opinion.give", op)
	if got := fc.head(t, fc.id); got != seq {
		t.Errorf("a retry wrote %d events", got-seq)
	}
	var st meeting.State
	fc.sec.must(200, "GET", "/api/meetings/"+fc.id, nil, &st)
	d, _ := st.Draft(fc.doc)
	if c := d.Count("m2"); c.Partial != 1 || c.Total() != 1 {
		t.Errorf("counts of m2 = %+v; want one", c)
	}
}

// TestFloorSittings: two tổ sit at once while the plenary is paused, each
// in a meeting of its own with the congress's IDs; each sitting's events
// reach only its own tablets; a start repeated (or half done) completes;
// the rise counts the members' opinions into the sitting and closes it.
func TestFloorSittings(t *testing.T) {
	fc := newFloorCongress(t)
	binh := fc.tablet(t, "Trần Thị Bình") // tổ 1, leader
	em := fc.tablet(t, "Hoàng Văn Em")    // tổ 2, leader
	fc.command(t, binh, 200, "opinion.give", map[string]any{"draft": fc.doc, "section": "m1", "kind": "agree", "key": "a"})

	var s1, s2 struct{ Meeting string }
	fc.sec.must(200, "POST", "/api/meetings/"+fc.id+"/groups/"+fc.g1+"/sit", nil, &s1)
	// Tổ 2: a half-done start (group.sat recorded, the meeting never made).
	fc.command(t, fc.sec, 200, "group.sit", map[string]any{"group": fc.g2})
	fc.sec.must(200, "POST", "/api/meetings/"+fc.id+"/groups/"+fc.g2+"/sit", nil, &s2)
	var again struct{ Meeting string }
	fc.sec.must(200, "POST", "/api/meetings/"+fc.id+"/groups/"+fc.g1+"/sit", nil, &again)
	if s1.Meeting != fc.id+"-"+fc.g1+"-1" || s2.Meeting != fc.id+"-"+fc.g2+"-1" || again.Meeting != s1.Meeting {
		t.Fatalf("sittings %q, %q, again %q; want %s-%s-1 and %s-%s-1", s1.Meeting, s2.Meeting, again.Meeting, fc.id, fc.g1, fc.id, fc.g2)
	}
	var t1 meeting.State
	binh.must(200, "GET", "/api/meetings/"+s1.Meeting, nil, &t1)
	if len(t1.Participants) != 3 || t1.Participants[0].ID != fc.ids["Trần Thị Bình"] || t1.Participants[0].Role != meeting.RoleChair || t1.Status != meeting.StatusOpen || t1.Current == "" {
		t.Fatalf("sitting of tổ 1 as its leader sees it: %d participants %+v, status %s, current %q; want 3 with the congress's IDs, open", len(t1.Participants), t1.Participants, t1.Status, t1.Current)
	}
	// Tablets of each tổ on their sitting's socket.
	dial := func(u *user, id string) *websocket.Conn {
		c, _, err := u.dialWS(id, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		readMsgs(t, c, func(m wsMsg) bool { return m.Type == "synced" })
		return c
	}
	w1, w2 := dial(binh, s1.Meeting), dial(em, s2.Meeting)
	dung := fc.tablet(t, "Phạm Thị Dung")
	fc.commandIn(t, dung, s1.Meeting, 200, "attendance.check_in", map[string]any{})
	fc.commandIn(t, dung, s1.Meeting, 200, "speaker.request", map[string]any{})
	fc.commandIn(t, binh, s1.Meeting, 200, "speaker.give_floor", map[string]any{})
	fc.commandIn(t, binh, s1.Meeting, 200, "sitting.note", map[string]any{"text": "Đề nghị giảm chỉ tiêu.", "draft": fc.doc, "section": "m2", "speaker": fc.ids["Phạm Thị Dung"]})
	got := readMsgs(t, w1, func(m wsMsg) bool { return m.Type == "event" && strings.Contains(string(m.Event), `"sitting.noted"`) })
	if len(got) < 4 {
		t.Errorf("tổ 1's tablet got %d events; want check-in, request, floor, note", len(got))
	}
	// Tổ 2's tablet got nothing of it: a notice in tổ 2 is the next thing it reads.
	fc.commandIn(t, fc.sec, s2.Meeting, 200, "notice.send", map[string]any{"text": "Tổ 2 nghỉ giải lao."})
	for _, m := range readMsgs(t, w2, func(m wsMsg) bool { return m.Type == "event" && strings.Contains(string(m.Event), `"notice.sent"`) }) {
		if strings.Contains(string(m.Event), s1.Meeting) {
			t.Errorf("tổ 2's tablet received an event of tổ 1: %s", m.Event)
		}
	}
	// The presidium's view.
	var live struct {
		Groups []struct {
			Name, Sitting, Speaker string
			Present, Waiting       int
			Notes, Opinions        int
		}
	}
	fc.sec.must(200, "GET", "/api/meetings/"+fc.id+"/groups/live", nil, &live)
	if len(live.Groups) != 2 || live.Groups[0].Speaker != "Phạm Thị Dung" || live.Groups[0].Present != 1 || live.Groups[0].Notes != 1 || live.Groups[0].Opinions != 1 ||
		live.Groups[1].Sitting != s2.Meeting || live.Groups[1].Speaker != "" {
		t.Errorf("live view = %+v", live.Groups)
	}
	if code, _ := em.do("GET", "/api/meetings/"+fc.id+"/groups/live", nil); code != 403 {
		t.Errorf("a delegate outside the presidium reads the live view: %d; want 403", code)
	}
	// The rise.
	fc.sec.must(200, "POST", "/api/meetings/"+fc.id+"/groups/"+fc.g1+"/rise", nil, nil)
	binh.must(200, "GET", "/api/meetings/"+s1.Meeting, nil, &t1)
	if t1.Status != meeting.StatusClosed || len(t1.Floor.Summary) != 1 || t1.Floor.Summary[0].Opinions != 1 {
		t.Errorf("tổ 1 after the rise: %s, summary %+v; want closed with Bình's opinion counted", t1.Status, t1.Floor.Summary)
	}
	resp, pdf := binh.get("/api/meetings/" + fc.id + "/groups/" + fc.g1 + "/report?format=pdf")
	if resp.StatusCode != 200 || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Errorf("tổ report for a member = %d %.40q; want a PDF", resp.StatusCode, pdf)
	}
	if resp, _ := em.get("/api/meetings/" + fc.id + "/groups/" + fc.g1 + "/report"); resp.StatusCode != 403 {
		t.Errorf("tổ 1's report for a member of tổ 2 = %d; want 403", resp.StatusCode)
	}
}

// TestFloorRollupAccess: the drafting team and the secretariat read the
// roll-up (JSON, DOCX, PDF); another delegate is refused.
func TestFloorRollupAccess(t *testing.T) {
	fc := newFloorCongress(t)
	binh := fc.tablet(t, "Trần Thị Bình")
	que := fc.tablet(t, "Phan Thị Quế")
	fc.command(t, binh, 200, "opinion.give", map[string]any{"draft": fc.doc, "section": "m2", "kind": "disagree", "text": "Chỉ tiêu quá cao.", "key": "a"})
	path := "/api/meetings/" + fc.id + "/drafts/" + fc.doc + "/rollup"
	code, body := binh.do("GET", path, nil)
	if code != 403 || !strings.Contains(message(t, body), "tổ biên tập") {
		t.Errorf("roll-up for a delegate = %d %s; want 403", code, body)
	}
	var ru struct {
		Totals   meeting.SectionCount
		Sections []struct {
			Groups []struct {
				Name     string
				Opinions []struct{ Author, Text string }
			}
		}
	}
	que.must(200, "GET", path, nil, &ru)
	if ru.Totals.Disagree != 1 || ru.Sections[1].Groups[0].Name != "Tổ 1" || ru.Sections[1].Groups[0].Opinions[0].Author != "Trần Thị Bình" {
		t.Errorf("roll-up for the drafting team = %+v", ru)
	}
	for format, prefix := range map[string]string{"docx": "PK", "pdf": "%PDF-"} {
		resp, b := fc.sec.get(path + "?format=" + format + "&by=delegation")
		if resp.StatusCode != 200 || !strings.HasPrefix(string(b), prefix) || resp.Header.Get("X-Opinions") != "1" {
			t.Errorf("roll-up as %s = %d %q %.8q; want %s…", format, resp.StatusCode, resp.Header.Get("X-Opinions"), b, prefix)
		}
	}
}

// TestFloorContributionUpload: a delegate registers a contribution with its
// text; a refused one stores nothing.
func TestFloorContributionUpload(t *testing.T) {
	fc := newFloorCongress(t)
	tab := fc.tablet(t, "Vũ Thị Gấm")
	before := len(fc.ds.objects(t))
	code, body := tab.upload("/api/meetings/"+fc.id+"/contributions", []field{{"title", "Về du lịch cộng đồng"}}, "tham-luan.xlsx", testdocs.XLSX())
	if code != 400 || !strings.Contains(message(t, body), "PDF hoặc DOCX") {
		t.Errorf("a spreadsheet as a contribution = %d %s; want 400", code, body)
	}
	code, body = tab.upload("/api/meetings/"+fc.id+"/contributions", []field{{"title", " "}}, "tham-luan.pdf", testdocs.PDF(1, "x"))
	if code != 400 {
		t.Errorf("a contribution without a title = %d %s; want 400", code, body)
	}
	if n := len(fc.ds.objects(t)); n != before {
		t.Errorf("refused contributions stored %d objects", n-before)
	}
	code, body = tab.upload("/api/meetings/"+fc.id+"/contributions", []field{{"title", "Về du lịch cộng đồng"}, {"participant", fc.ids["Hoàng Văn Em"]}}, "tham-luan.pdf", testdocs.PDF(1, "x"))
	if code != 403 {
		t.Errorf("a delegate registering for another = %d %s; want 403", code, body)
	}
	var out struct{ Contribution meeting.Contribution }
	code, body = tab.upload("/api/meetings/"+fc.id+"/contributions", []field{{"title", "Về du lịch cộng đồng"}}, "tham-luan.pdf", testdocs.PDF(2, "tham luan"))
	if code != 201 || json.Unmarshal(body, &out) != nil || out.Contribution.Participant != fc.ids["Vũ Thị Gấm"] {
		t.Fatalf("a contribution = %d %s; want 201", code, body)
	}
	// The author reads the text; another delegate does not.
	if resp, _ := tab.get("/api/meetings/" + fc.id + "/documents/" + out.Contribution.Document + "/content"); resp.StatusCode != 200 {
		t.Errorf("the author reading the text = %d", resp.StatusCode)
	}
	if resp, _ := fc.tablet(t, "Hoàng Văn Em").get("/api/meetings/" + fc.id + "/documents/" + out.Contribution.Document + "/content"); resp.StatusCode != 404 {
		t.Errorf("another delegate reading the text = %d; want 404", resp.StatusCode)
	}
	// On behalf of a delegate, by the secretariat.
	code, body = fc.sec.upload("/api/meetings/"+fc.id+"/contributions", []field{{"title", "Về nông nghiệp"}, {"participant", fc.ids["Hoàng Văn Em"]}}, "tl.pdf", testdocs.PDF(1, "y"))
	if code != 201 {
		t.Errorf("a contribution on a delegate's behalf = %d %s", code, body)
	}
}
