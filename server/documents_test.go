package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/watermark"
)

// The people of the documents tests (fictional).
const (
	chairName  = "Trần Quốc Hưng"
	namedName  = "Nguyễn Thị Hồng Nhung" // the reader of the confidential document
	otherName  = "Lê Văn Đạt"
	guestName  = "Phạm Minh Khôi"
	hallName   = "Màn hình hội trường"
	strayName  = "Vũ Thị Lan" // a delegate of another meeting
	docMarker  = "NOI-DUNG-TAI-LIEU-"
	accessDraw = "draft"
)

// docFixture is a meeting with one document per access level (and a draft),
// and a client per role.
type docFixture struct {
	ds      *docServer
	id      string
	docs    map[string]string // access level (or "draft") → document ID
	content map[string][]byte // access level → version 1's bytes
	users   map[string]*user  // role → client
	people  map[string]string // role → participant ID
}

// Roles of the matrix.
var matrixRoles = []string{"secretary account", "chair", "named delegate", "other delegate", "observer", "hall", "no session", "device of another meeting"}

// Levels of the matrix.
var matrixLevels = []string{string(meeting.AccessPublic), string(meeting.AccessDelegates), string(meeting.AccessNamed), accessDraw}

func newDocFixture(t *testing.T) *docFixture {
	t.Helper()
	ds := newDocServer(t)
	sec := ds.secretary(t)
	id := setupMeeting(t, sec, chairName+",chủ tọa", namedName+",đại biểu", otherName+",đại biểu", guestName+",khách mời", hallName+",màn hình")
	sec.must(200, "POST", "/api/meetings/"+id+"/open", nil, nil)
	f := &docFixture{ds: ds, id: id, docs: map[string]string{}, content: map[string][]byte{}, users: map[string]*user{"secretary account": sec, "no session": ds.newUser(t)}, people: map[string]string{}}
	for role, name := range map[string]string{"chair": chairName, "named delegate": namedName, "other delegate": otherName, "observer": guestName, "hall": hallName} {
		f.people[role] = participantID(t, sec, id, name)
		f.users[role] = ds.pair(t, sec, id, f.people[role])
	}
	other := setupMeeting(t, sec, strayName+",đại biểu")
	f.users["device of another meeting"] = ds.pair(t, sec, other, participantID(t, sec, other, strayName))

	for _, level := range matrixLevels {
		// Hand-made PDFs keep their content uncompressed: the marker can
		// be searched for in any answer.
		content := testdocs.LargePDF(64<<10, docMarker+strings.ToUpper(level))
		fields := []field{{"title", "Tài liệu " + level}, {"publish", "true"}}
		switch level {
		case accessDraw:
			fields = []field{{"title", "Dự thảo"}, {"access", "public"}}
		case string(meeting.AccessNamed):
			fields = append(fields, field{"access", level}, field{"readers", f.people["named delegate"]})
		default:
			fields = append(fields, field{"access", level})
		}
		up := sec.mustUpload("/api/meetings/"+id+"/documents", fields, "Tài liệu "+level+".pdf", content)
		f.docs[level], f.content[level] = up.Document.ID, content
	}
	return f
}

// mayRead is the specification: who may see and fetch a document of each
// access level.
func mayRead(role, level string) bool {
	switch role {
	case "secretary account", "chair":
		return true
	case "named delegate":
		return level != accessDraw
	case "other delegate":
		return level == string(meeting.AccessPublic) || level == string(meeting.AccessDelegates)
	case "observer", "hall":
		return level == string(meeting.AccessPublic)
	}
	return false
}

// mayUpload: the secretariat only (and only documents it can see).
func mayUpload(role string) bool { return role == "secretary account" || role == "chair" }

// refusedCleanly checks a refused answer: an error status, a JSON error
// body, and not one byte of any document.
func (f *docFixture) refusedCleanly(t *testing.T, what string, code int, body []byte) {
	t.Helper()
	if code < 400 {
		t.Errorf("%s = %d; want refused", what, code)
	}
	var e struct {
		Kind meeting.Kind `json:"kind"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Kind == "" {
		t.Errorf("%s = %d %.200q; want a JSON error", what, code, body)
	}
	if bytes.Contains(body, []byte(docMarker)) || bytes.Contains(body, []byte("%PDF")) || len(body) > 2048 {
		t.Errorf("%s = %d with %d bytes including document content; want none", what, code, len(body))
	}
}

func TestDocumentAccessMatrix(t *testing.T) {
	f := newDocFixture(t)
	base := "/api/meetings/" + f.id + "/documents"
	for _, role := range matrixRoles {
		u := f.users[role]
		// list
		resp, body := u.get(base)
		var list struct{ Documents []meeting.Document }
		if mayRead(role, string(meeting.AccessPublic)) {
			if resp.StatusCode != 200 || json.Unmarshal(body, &list) != nil {
				t.Fatalf("%s: list = %d %s; want 200", role, resp.StatusCode, body)
			}
		} else {
			f.refusedCleanly(t, role+": list", resp.StatusCode, body)
		}
		for _, level := range matrixLevels {
			doc := f.docs[level]
			what := fmt.Sprintf("%s, %s document", role, level)
			allowed := mayRead(role, level)
			listed := slices.ContainsFunc(list.Documents, func(d meeting.Document) bool { return d.ID == doc })
			if listed != allowed {
				t.Errorf("%s: listed = %v; want %v", what, listed, allowed)
			}
			for _, ep := range []string{"/" + doc, "/" + doc + "/versions", "/" + doc + "/content", "/" + doc + "/versions/1/content"} {
				resp, body := u.get(base + ep)
				if !allowed {
					f.refusedCleanly(t, what+": GET "+ep, resp.StatusCode, body)
					continue
				}
				if resp.StatusCode != 200 {
					t.Errorf("%s: GET %s = %d %s; want 200", what, ep, resp.StatusCode, body)
					continue
				}
				if !strings.HasSuffix(ep, "/content") {
					if !bytes.Contains(body, []byte(doc)) || bytes.Contains(body, []byte(docMarker)) {
						t.Errorf("%s: GET %s = %s; want the description only", what, ep, body)
					}
					continue
				}
				if level == string(meeting.AccessNamed) {
					// A stamped copy, never the original.
					if bytes.Equal(body, f.content[level]) || resp.Header.Get("Cache-Control") != "no-store" {
						t.Errorf("%s: GET %s sent the original or without no-store (Cache-Control %q)", what, ep, resp.Header.Get("Cache-Control"))
					}
				} else if !bytes.Equal(body, f.content[level]) {
					t.Errorf("%s: GET %s = %d bytes; want the %d bytes uploaded", what, ep, len(body), len(f.content[level]))
				}
			}
		}
	}
	// Uploads last (they add versions): a new version of each document, and
	// a new document.
	for _, role := range matrixRoles {
		u := f.users[role]
		for _, level := range matrixLevels {
			what := fmt.Sprintf("%s uploads a version of the %s document", role, level)
			content := testdocs.LargePDF(8<<10, fmt.Sprintf("%sV2-%s-%s", docMarker, role, level))
			code, body := u.upload(base+"/"+f.docs[level]+"/versions", nil, "v2.pdf", content)
			if mayUpload(role) && mayRead(role, level) {
				if code != http.StatusCreated {
					t.Errorf("%s = %d %s; want 201", what, code, body)
				}
				continue
			}
			f.refusedCleanly(t, what, code, body)
		}
		code, body := u.upload(base, []field{{"title", "Mới"}, {"access", "public"}}, "moi.pdf", testdocs.LargePDF(4<<10, "moi-"+role))
		if mayUpload(role) != (code == http.StatusCreated) {
			t.Errorf("%s uploads a new document = %d %s; want allowed %v", role, code, body, mayUpload(role))
		}
	}
	// Refused uploads stored nothing: the objects are the 4 originals, the
	// stamped copies, and the 2×4 versions and 2 documents of the staff.
	var originals, stamped int
	for _, k := range f.ds.objects(t) {
		switch {
		case strings.HasPrefix(k, "sha256/"):
			originals++
		case strings.HasPrefix(k, "watermarks/"):
			stamped++
		default:
			t.Errorf("unexpected object %q", k)
		}
	}
	if originals != 4+8+2 || stamped != 3 {
		t.Errorf("store holds %d originals and %d stamped copies; want 14 and 3 (secretary, chair, named reader)", originals, stamped)
	}
	if left := f.ds.workFiles(t); len(left) != 0 {
		t.Errorf("WorkDir keeps %v; want empty", left)
	}
}

// TestDocumentPathParameters sends traversal and encoded-slash payloads in
// every path parameter, as the secretary (who may read everything): each is
// refused, no document byte is sent, nothing is stored.
func TestDocumentPathParameters(t *testing.T) {
	f := newDocFixture(t)
	sec := f.users["secretary account"]
	doc := f.docs[string(meeting.AccessPublic)]
	before := f.ds.objects(t)
	head := f.ds.head(t, f.id)
	bad := []string{"..", "..%2F..%2F..%2Fetc%2Fpasswd", "%2e%2e", "%2e%2e%2f%2e%2e", "..%5C..%5Cwindows", "x%2Fy", "%252e%252e%252f",
		"d1%2F..", doc + "%2F..%2F" + doc, doc + "%00", "sha256%2F00", "..%2F" + doc, "D" + doc[1:], "d0", "d01", doc + ";", "%64" + doc[1:]}
	for _, p := range bad {
		paths := []string{
			"/api/meetings/" + p + "/documents",
			"/api/meetings/" + p + "/documents/" + doc + "/content",
			"/api/meetings/" + f.id + "/documents/" + p,
			"/api/meetings/" + f.id + "/documents/" + p + "/versions",
			"/api/meetings/" + f.id + "/documents/" + p + "/content",
			"/api/meetings/" + f.id + "/documents/" + p + "/downloads",
			"/api/meetings/" + f.id + "/documents/" + doc + "/versions/" + p + "/content",
		}
		for _, path := range paths {
			resp, body := sec.get(path)
			f.refusedCleanly(t, "GET "+path, resp.StatusCode, body)
		}
		for _, path := range []string{"/api/meetings/" + p + "/documents", "/api/meetings/" + f.id + "/documents/" + p + "/versions"} {
			code, body := sec.upload(path, nil, "x.pdf", testdocs.LargePDF(2<<10, "traversal"))
			f.refusedCleanly(t, "POST "+path, code, body)
		}
	}
	for _, v := range []string{"0", "-1", "1e3", "2", "99999999999"} {
		resp, body := sec.get("/api/meetings/" + f.id + "/documents/" + doc + "/versions/" + v + "/content")
		f.refusedCleanly(t, "version "+v, resp.StatusCode, body)
	}
	if after := f.ds.objects(t); !slices.Equal(before, after) {
		t.Errorf("objects changed: %v → %v", before, after)
	}
	if got := f.ds.head(t, f.id); got != head {
		t.Errorf("head moved from %d to %d", head, got)
	}
	// A traversal in the file name only names the file.
	up := sec.mustUpload("/api/meetings/"+f.id+"/documents", []field{{"access", "public"}}, `../../../etc/cron.d/báo cáo.pdf`, testdocs.LargePDF(2<<10, "ten"))
	if got := up.Document.Versions[0].Name; got != "báo cáo.pdf" {
		t.Errorf("stored name = %q; want the sanitised base name", got)
	}
	for _, k := range f.ds.objects(t) {
		if !strings.HasPrefix(k, "sha256/") && !strings.HasPrefix(k, "watermarks/") {
			t.Errorf("object %q is not under a content or derived key", k)
		}
	}
}

// TestDocumentBadUploads refuses every bad file with a clear invalid error
// and checks that nothing is left: no object, no event, no temporary file.
func TestDocumentBadUploads(t *testing.T) {
	ds := newDocServer(t, func(c *server.Config) { c.MaxUpload = 1 << 20 })
	sec := ds.secretary(t)
	id := setupMeeting(t, sec, namedName+",đại biểu", hallName+",màn hình")
	hall := participantID(t, sec, id, hallName)
	goodPDF := testdocs.PDF(1, "tot")
	good := sec.mustUpload("/api/meetings/"+id+"/documents", []field{{"access", "public"}}, "tot.pdf", goodPDF)
	base := "/api/meetings/" + id + "/documents"
	objects, head := ds.objects(t), ds.head(t, id)

	cases := []struct {
		name   string
		path   string
		fields []field
		file   string // "-": no file part
		body   []byte
		code   int
		kind   meeting.Kind
	}{
		{"renamed Windows executable", base, nil, "bao-cao.pdf", testdocs.Executable(), 400, meeting.KindInvalid},
		{"renamed Linux executable", base, nil, "bao-cao.docx", testdocs.ELF(), 400, meeting.KindInvalid},
		{"zip bomb posing as DOCX", base, nil, "du-thao.docx", testdocs.ZipBomb(8 << 20), 400, meeting.KindInvalid},
		{"macro-enabled document", base, nil, "du-thao.docx", testdocs.DOCM(), 400, meeting.KindInvalid},
		{"DOCX with a VBA project", base, nil, "du-thao.docx", testdocs.DOCXWithVBA(), 400, meeting.KindInvalid},
		{"plain zip", base, nil, "tai-lieu.zip", testdocs.PlainZip(), 400, meeting.KindInvalid},
		{"HTML", base, nil, "trang.pdf", testdocs.HTML(), 400, meeting.KindInvalid},
		{"empty file", base, nil, "rong.pdf", nil, 400, meeting.KindInvalid},
		{"over the limit", base, nil, "lon.pdf", testdocs.LargePDF(1<<20+1, "lon"), 413, meeting.KindInvalid},
		{"no file", base, []field{{"title", "Không tệp"}}, "-", nil, 400, meeting.KindInvalid},
		{"unknown field", base, []field{{"mau", "đỏ"}}, "a.pdf", testdocs.PDF(1, "a"), 400, meeting.KindInvalid},
		{"bad access level", base, []field{{"access", "mat"}}, "a.pdf", testdocs.PDF(1, "b"), 400, meeting.KindInvalid},
		{"confidential without readers", base, []field{{"access", "named"}}, "a.pdf", testdocs.PDF(1, "c"), 400, meeting.KindInvalid},
		{"hall screen as reader", base, []field{{"access", "named"}, {"readers", hall}}, "a.pdf", testdocs.PDF(1, "d"), 400, meeting.KindInvalid},
		{"unknown reader", base, []field{{"access", "named"}, {"readers", "p999"}}, "a.pdf", testdocs.PDF(1, "e"), 404, meeting.KindNotFound},
		{"unknown agenda item", base, []field{{"item", "i999"}}, "a.pdf", testdocs.PDF(1, "f"), 404, meeting.KindNotFound},
		{"bad publish flag", base, []field{{"publish", "có"}}, "a.pdf", testdocs.PDF(1, "g"), 400, meeting.KindInvalid},
		{"field too long", base, []field{{"title", strings.Repeat("ệ", 30000)}}, "a.pdf", testdocs.PDF(1, "h"), 400, meeting.KindInvalid},
		{"version identical to the current", base + "/" + good.Document.ID + "/versions", nil, "tot.pdf", goodPDF, 409, meeting.KindConflict},
		{"version with document fields", base + "/" + good.Document.ID + "/versions", []field{{"access", "public"}}, "a.pdf", testdocs.PDF(1, "i"), 400, meeting.KindInvalid},
		{"version of an unknown document", base + "/d999/versions", nil, "a.pdf", testdocs.PDF(1, "j"), 404, meeting.KindNotFound},
	}
	for _, tc := range cases {
		code, body := sec.upload(tc.path, tc.fields, tc.file, tc.body)
		if code != tc.code {
			t.Errorf("%s: upload = %d %s; want %d", tc.name, code, body, tc.code)
			continue
		}
		if got := errKind(t, body); got != tc.kind {
			t.Errorf("%s: kind = %s (%s); want %s", tc.name, got, body, tc.kind)
		}
	}
	// Not multipart, two files, a body over the limit sent without a length.
	for _, tc := range []struct {
		name string
		req  func() *http.Request
		code int
	}{
		{"JSON instead of multipart", func() *http.Request {
			r, _ := http.NewRequest("POST", ds.URL+base, strings.NewReader(`{"title":"x"}`))
			r.Header.Set("Content-Type", "application/json")
			return r
		}, 400},
		{"two files", func() *http.Request {
			b, ct := multipartBody(t, nil, "a.pdf", testdocs.PDF(1, "k"))
			// A second file part after the first.
			two := bytes.Replace(b.Bytes(), []byte("--\r\n"), []byte("\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.pdf\"\r\n\r\n%PDF-1.4\r\n--"+strings.TrimPrefix(ct, "multipart/form-data; boundary=")+"--\r\n"), 1)
			r, _ := http.NewRequest("POST", ds.URL+base, bytes.NewReader(two))
			r.Header.Set("Content-Type", ct)
			return r
		}, 400},
		{"chunked body over the limit", func() *http.Request {
			b, ct := multipartBody(t, nil, "lon.pdf", testdocs.LargePDF(3<<20, "lon"))
			r, _ := http.NewRequest("POST", ds.URL+base, struct{ *bytes.Buffer }{b}) // no length: chunked
			r.Header.Set("Content-Type", ct)
			return r
		}, 413},
	} {
		code, body := sec.send(tc.req())
		if code != tc.code || errKind(t, body) != meeting.KindInvalid {
			t.Errorf("%s: upload = %d %s; want %d invalid", tc.name, code, body, tc.code)
		}
	}
	if after := ds.objects(t); !slices.Equal(objects, after) {
		t.Errorf("objects after refused uploads = %v; want %v", after, objects)
	}
	if got := ds.head(t, id); got != head {
		t.Errorf("log head after refused uploads = %d; want %d (no event)", got, head)
	}
	if left := ds.workFiles(t); len(left) != 0 {
		t.Errorf("WorkDir keeps %v after refused uploads; want empty", left)
	}
	// The messages are Vietnamese first, with English.
	code, body := sec.upload(base, nil, "bao-cao.pdf", testdocs.Executable())
	var e struct {
		Message   string `json:"message"`
		MessageEN string `json:"message_en"`
	}
	json.Unmarshal(body, &e)
	if code != 400 || !strings.Contains(e.Message, "Loại tệp không được phép") || !strings.Contains(strings.ToLower(e.MessageEN), "not allowed") {
		t.Errorf("executable refused with %d %s; want the Vietnamese and English type messages", code, body)
	}
}

// TestDocumentWatermark downloads a confidential PDF as its reader and as
// the chair: each gets a copy stamped on every page with their own name
// (diacritics intact), made once and then served from the store; the
// downloads are in the log.
func TestDocumentWatermark(t *testing.T) {
	ds := newDocServer(t)
	sec := ds.secretary(t)
	id := setupMeeting(t, sec, chairName+",chủ tọa", namedName+",đại biểu")
	sec.must(200, "POST", "/api/meetings/"+id+"/open", nil, nil)
	reader, chair := participantID(t, sec, id, namedName), participantID(t, sec, id, chairName)
	const pages = 4
	src := testdocs.PDF(pages, "Bien ban mat")
	up := sec.mustUpload("/api/meetings/"+id+"/documents", []field{{"access", "named"}, {"readers", reader}, {"publish", "true"}, {"title", "Biên bản mật"}}, "Biên bản.pdf", src)
	path := "/api/meetings/" + id + "/documents/" + up.Document.ID + "/content"

	check := func(u *user, name string) []byte {
		t.Helper()
		resp, body := u.get(path)
		if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("download = %d %v; want 200, no-store, a PDF", resp.StatusCode, resp.Header)
		}
		texts, err := watermark.Text(body)
		if err != nil || len(texts) != pages {
			t.Fatalf("stamped copy: %d pages, %v; want %d", len(texts), err, pages)
		}
		for i, text := range texts {
			if !strings.Contains(text, name) || !strings.Contains(text, "TÀI LIỆU MẬT") || !strings.Contains(text, "Bien ban mat trang") {
				t.Errorf("page %d of %s's copy: %q; want their name, the mark and the page", i+1, name, text)
			}
		}
		return body
	}
	tab := ds.pair(t, sec, id, reader)
	first := check(tab, namedName)
	stampedCopies := func() int {
		n := 0
		for _, k := range ds.objects(t) {
			if strings.HasPrefix(k, "watermarks/") {
				n++
			}
		}
		return n
	}
	if n := stampedCopies(); n != 1 {
		t.Errorf("%d stamped copies after one download; want 1", n)
	}
	if again := check(tab, namedName); !bytes.Equal(again, first) {
		t.Error("second download differs from the first: the copy was not kept")
	}
	// Ranges of the stamped copy are ranges of the same bytes.
	resp, part := tab.get(path, "Range", "bytes=100-1099")
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(part, first[100:1100]) {
		t.Errorf("range of the stamped copy = %d, %d bytes; want 206 and bytes 100-1099", resp.StatusCode, len(part))
	}
	chairCopy := check(ds.pair(t, sec, id, chair), chairName)
	if bytes.Equal(chairCopy, first) || stampedCopies() != 2 {
		t.Errorf("the chair got the reader's copy or no copy of their own (%d copies)", stampedCopies())
	}
	if texts, _ := watermark.Text(chairCopy); strings.Contains(strings.Join(texts, ""), namedName) {
		t.Error("the chair's copy names the reader")
	}
	var log struct{ Downloads []struct{ meeting.Download } }
	sec.must(200, "GET", "/api/meetings/"+id+"/documents/"+up.Document.ID+"/downloads", nil, &log)
	var who []string
	for _, d := range log.Downloads {
		if !d.Watermarked || d.Version != 1 {
			t.Errorf("download record %+v; want version 1 watermarked", d)
		}
		who = append(who, d.By)
	}
	// Three requests by the reader within the window are one reading.
	if want := []string{"participant:" + reader, "participant:" + chair}; !slices.Equal(who, want) {
		t.Errorf("downloads recorded by %v; want %v", who, want)
	}
	if code, _ := tab.do("GET", "/api/meetings/"+id+"/documents/"+up.Document.ID+"/downloads", nil); code != 403 {
		t.Errorf("a delegate reads the download log: %d; want 403", code)
	}
	_, metrics := sec.get("/metrics")
	for _, want := range []string{`phonghop_documents_total{op="watermark",outcome="ok"} 2`, `phonghop_documents_total{op="download",outcome="ok"} 4`, `phonghop_documents_total{op="upload",outcome="ok"} 1`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestDocumentWatermarkConcurrent: four readers open a confidential PDF at
// once, three requests each: each reader gets one stamped copy, the same
// bytes for their three requests, made once.
func TestDocumentWatermarkConcurrent(t *testing.T) {
	ds := newDocServer(t)
	sec := ds.secretary(t)
	names := []string{"Bùi Thị Ngọc Ánh", "Ngô Quang Vinh", "Lý Thị Thu Hà", "Đinh Công Tráng"}
	var rows []string
	for _, n := range names {
		rows = append(rows, n+",đại biểu")
	}
	id := setupMeeting(t, sec, rows...)
	sec.must(200, "POST", "/api/meetings/"+id+"/open", nil, nil)
	var readers []string
	for _, n := range names {
		readers = append(readers, participantID(t, sec, id, n))
	}
	up := sec.mustUpload("/api/meetings/"+id+"/documents", []field{{"access", "named"}, {"readers", strings.Join(readers, ",")}, {"publish", "true"}}, "mat.pdf", testdocs.PDF(3, "Mat"))
	path := "/api/meetings/" + id + "/documents/" + up.Document.ID + "/content"
	tabs := make([]*user, len(readers))
	for i, p := range readers {
		tabs[i] = ds.pair(t, sec, id, p)
	}
	bodies := make([][][]byte, len(tabs))
	var wg sync.WaitGroup
	for i, tab := range tabs {
		bodies[i] = make([][]byte, 3)
		for j := range 3 {
			wg.Go(func() {
				req, _ := http.NewRequest("GET", ds.URL+path, nil)
				resp, err := tab.hc.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				defer resp.Body.Close()
				bodies[i][j], _ = io.ReadAll(resp.Body)
			})
		}
	}
	wg.Wait()
	for i, bs := range bodies {
		texts, err := watermark.Text(bs[0])
		if err != nil || !strings.Contains(strings.Join(texts, ""), names[i]) {
			t.Errorf("reader %d's copy: %v, %q; want their name", i, err, texts)
		}
		for j := 1; j < 3; j++ {
			if !bytes.Equal(bs[j], bs[0]) {
				t.Errorf("reader %d's request %d got other bytes than the first", i, j)
			}
		}
	}
	n := 0
	for _, k := range ds.objects(t) {
		if strings.HasPrefix(k, "watermarks/") {
			n++
		}
	}
	if n != len(names) {
		t.Errorf("%d stamped copies; want %d", n, len(names))
	}
	if left := ds.workFiles(t); len(left) != 0 {
		t.Errorf("WorkDir keeps %v", left)
	}
}

// TestDocumentRangesAndHeaders checks ranged downloads of a public file,
// its headers, and conditional requests.
func TestDocumentRangesAndHeaders(t *testing.T) {
	ds := newDocServer(t)
	sec := ds.secretary(t)
	id := setupMeeting(t, sec)
	content := testdocs.LargePDF(300<<10, "Ranges")
	up := sec.mustUpload("/api/meetings/"+id+"/documents", []field{{"access", "public"}, {"publish", "true"}}, "Tờ trình số 12.pdf", content)
	path := "/api/meetings/" + id + "/documents/" + up.Document.ID + "/versions/1/content"
	resp, body := sec.get(path)
	if resp.StatusCode != 200 || !bytes.Equal(body, content) {
		t.Fatalf("full download = %d, %d bytes", resp.StatusCode, len(body))
	}
	for h, want := range map[string]string{
		"Content-Type": "application/pdf", "Accept-Ranges": "bytes", "Cache-Control": "private, no-cache", "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "frame-ancestors 'self'",
		"ETag": `"` + up.Document.Versions[0].SHA256 + `"`, "Content-Disposition": `inline; filename*=utf-8''T%E1%BB%9D%20tr%C3%ACnh%20s%E1%BB%91%2012.pdf`,
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q; want %q", h, got, want)
		}
	}
	for _, tc := range []struct {
		rng        string
		from, to   int
		wantStatus int
	}{
		{"bytes=0-1023", 0, 1024, 206},
		{"bytes=1000-", 1000, len(content), 206},
		{"bytes=-500", len(content) - 500, len(content), 206},
		{fmt.Sprintf("bytes=%d-%d", len(content)-10, len(content)+1000), len(content) - 10, len(content), 206},
	} {
		resp, body := sec.get(path, "Range", tc.rng)
		if resp.StatusCode != tc.wantStatus || !bytes.Equal(body, content[tc.from:tc.to]) {
			t.Errorf("Range %s = %d, %d bytes; want %d and bytes %d-%d", tc.rng, resp.StatusCode, len(body), tc.wantStatus, tc.from, tc.to)
		}
	}
	if resp, _ := sec.get(path, "Range", fmt.Sprintf("bytes=%d-", len(content)+5)); resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("range past the end = %d; want 416", resp.StatusCode)
	}
	if resp, body := sec.get(path, "If-None-Match", `"`+up.Document.Versions[0].SHA256+`"`); resp.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Errorf("If-None-Match = %d with %d bytes; want 304 empty", resp.StatusCode, len(body))
	}
	// Two ranges: multipart/byteranges.
	resp, body = sec.get(path, "Range", "bytes=0-9,100-109")
	if resp.StatusCode != 206 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "multipart/byteranges") || !bytes.Contains(body, content[100:110]) {
		t.Errorf("two ranges = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// TestDocumentLifecycle: versions are kept and listed; a withdrawn document
// disappears for delegates (and cannot be fetched) but stays for the staff;
// after the meeting closes nothing is downloaded.
func TestDocumentLifecycle(t *testing.T) {
	ds := newDocServer(t)
	sec := ds.secretary(t)
	id := setupMeeting(t, sec, namedName+",đại biểu")
	sec.must(200, "POST", "/api/meetings/"+id+"/open", nil, nil)
	tab := ds.pair(t, sec, id, participantID(t, sec, id, namedName))
	base := "/api/meetings/" + id + "/documents"
	v1, v2 := testdocs.DOCX("Dự thảo lần 1"), testdocs.DOCX("Dự thảo lần 2")
	up := sec.mustUpload(base, []field{{"title", "Dự thảo nghị quyết"}, {"publish", "true"}, {"item", "i2"}, {"note", "Bản đầu"}}, "Dự thảo.docx", v1)
	doc := base + "/" + up.Document.ID
	up2 := sec.mustUpload(doc+"/versions", []field{{"note", "Sửa điều 3"}}, "Dự thảo (sửa).docx", v2)
	if up2.Version != 2 || len(up2.Document.Versions) != 2 || up2.Document.Versions[1].Note != "Sửa điều 3" {
		t.Fatalf("second upload = %+v; want version 2 with its note", up2)
	}
	var versions struct{ Versions []meeting.DocumentVersion }
	tab.must(200, "GET", doc+"/versions", nil, &versions)
	if len(versions.Versions) != 2 || versions.Versions[0].Name != "Dự thảo.docx" || versions.Versions[0].ContentType != "application/vnd.openxmlformats-officedocument.wordprocessingml.document" {
		t.Errorf("versions = %+v", versions.Versions)
	}
	for n, want := range map[string][]byte{"1": v1, "2": v2} {
		if _, body := tab.get(doc + "/versions/" + n + "/content"); !bytes.Equal(body, want) {
			t.Errorf("version %s: %d bytes; want the upload", n, len(body))
		}
	}
	if _, body := tab.get(doc + "/content"); !bytes.Equal(body, v2) {
		t.Errorf("latest = %d bytes; want version 2", len(body))
	}
	var items struct{ Documents []meeting.Document }
	tab.must(200, "GET", base+"?item=i2", nil, &items)
	if len(items.Documents) != 1 {
		t.Errorf("documents of i2 = %+v; want 1", items.Documents)
	}
	tab.must(200, "GET", base+"?item=meeting", nil, &items)
	if len(items.Documents) != 0 {
		t.Errorf("documents of the whole meeting = %+v; want none", items.Documents)
	}
	sec.must(200, "PATCH", doc, map[string]any{"title": "Nghị quyết", "access": "public"}, nil)
	sec.must(200, "POST", doc+"/withdraw", nil, nil)
	if code, body := tab.do("GET", doc, nil); code != 404 {
		t.Errorf("withdrawn document for a delegate = %d %s; want 404", code, body)
	}
	if resp, _ := tab.get(doc + "/content"); resp.StatusCode != 404 {
		t.Errorf("withdrawn document download = %d; want 404", resp.StatusCode)
	}
	if resp, _ := sec.get(doc + "/content"); resp.StatusCode != 200 {
		t.Errorf("withdrawn document for the secretary = %d; want 200", resp.StatusCode)
	}
	sec.must(200, "POST", doc+"/publish", nil, nil)
	sec.must(200, "POST", "/api/meetings/"+id+"/close", nil, nil)
	for _, u := range []*user{sec, tab} {
		// Read-only after the close, until archived (pairing_policy_test.go).
		if resp, _ := u.get(doc + "/content"); resp.StatusCode != 200 {
			t.Errorf("download after the meeting closed = %d; want 200 (read-only until archived)", resp.StatusCode)
		}
	}
	if code, _ := sec.upload(base, nil, "x.pdf", testdocs.PDF(1, "x")); code != 409 {
		t.Errorf("upload after close = %d; want 409", code)
	}
	// Commands a client could send to point at stored bytes are refused.
	code, body := sec.do("POST", "/api/meetings/"+id+"/commands", map[string]any{"name": "document.add", "data": map[string]any{"title": "x"}})
	if code != 403 {
		t.Errorf("document.add over the command API = %d %s; want 403", code, body)
	}
}

// TestDocumentsWithoutStore: a server without a store refuses document
// transfers clearly.
func TestDocumentsWithoutStore(t *testing.T) {
	ts := newTestServer(t)
	sec := ts.secretary(t)
	id := setupMeeting(t, sec)
	code, body := sec.upload("/api/meetings/"+id+"/documents", nil, "a.pdf", testdocs.PDF(1, "a"))
	if code != 409 || errKind(t, body) != meeting.KindConflict {
		t.Errorf("upload without a store = %d %s; want 409", code, body)
	}
	var list struct{ Documents []meeting.Document }
	sec.must(200, "GET", "/api/meetings/"+id+"/documents", nil, &list)
	if list.Documents == nil || len(list.Documents) != 0 {
		t.Errorf("documents = %#v; want an empty list", list.Documents)
	}
}

// TestDocumentDownloadsRecordedOnce: 30 tablets open a document at once,
// twice each: every reader is recorded exactly once (a reading is one
// record however many requests it takes), in batches, before any byte.
func TestDocumentDownloadsRecordedOnce(t *testing.T) {
	ds := newDocServer(t)
	sec := ds.secretary(t)
	var rows []string
	for i := range 30 {
		rows = append(rows, fmt.Sprintf("Đại biểu %02d,đại biểu", i+1))
	}
	id := setupMeeting(t, sec, rows...)
	sec.must(200, "POST", "/api/meetings/"+id+"/open", nil, nil)
	content := testdocs.LargePDF(256<<10, "Tai lieu chung")
	up := sec.mustUpload("/api/meetings/"+id+"/documents", []field{{"publish", "true"}}, "chung.pdf", content)
	var st meeting.State
	sec.must(200, "GET", "/api/meetings/"+id, nil, &st)
	var tabs []*user
	for _, p := range st.Participants {
		tabs = append(tabs, ds.pair(t, sec, id, p.ID))
	}
	head := ds.head(t, id)
	path := ds.URL + "/api/meetings/" + id + "/documents/" + up.Document.ID + "/content"
	var wg sync.WaitGroup
	for _, tab := range tabs {
		for range 2 {
			wg.Go(func() {
				req, _ := http.NewRequest("GET", path, nil)
				resp, err := tab.hc.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if !bytes.Equal(b, content) {
					t.Errorf("download = %d %d bytes", resp.StatusCode, len(b))
				}
			})
		}
	}
	wg.Wait()
	var log struct{ Downloads []struct{ meeting.Download } }
	sec.must(200, "GET", "/api/meetings/"+id+"/documents/"+up.Document.ID+"/downloads", nil, &log)
	seen := map[string]int{}
	for _, d := range log.Downloads {
		seen[d.Participant]++
	}
	if len(seen) != len(tabs) || len(log.Downloads) != len(tabs) {
		t.Errorf("%d records for %d readers (%v); want one per reader", len(log.Downloads), len(seen), seen)
	}
	events := ds.head(t, id) - head
	if events < 1 || events > int64(len(tabs)) {
		t.Errorf("%d events for %d downloads; want between 1 and %d", events, len(tabs), len(tabs))
	}
	t.Logf("%d readers recorded in %d events", len(seen), events)
}
