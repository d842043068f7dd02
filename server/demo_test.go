package server_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/watermark"
)

// TestDemoDocuments: the demo meeting carries two sample PDFs, published,
// on agenda items 2 and 5, stored in the document store like uploads: the
// report (delegates) downloads as it was made, in Vietnamese over 4 pages;
// the confidential guide (named readers: the delegates) downloads stamped
// with the delegate's name on each of its 3 pages, and an observer cannot
// see it. The hall screen has a pairing code.
func TestDemoDocuments(t *testing.T) {
	ds := newDocServer(t)
	ctx := context.Background()
	demo, err := ds.srv.LoadDemo(ctx, adminUser, 5)
	if err != nil {
		t.Fatal(err)
	}
	if demo.HallCode() == "" {
		t.Errorf("the demo has no hall pairing code: %+v", demo.Codes)
	}
	sec := ds.secretary(t)
	var st meeting.State
	sec.must(200, "GET", "/api/meetings/"+demo.ID, nil, &st)
	if len(demo.Documents) != 2 || len(st.Documents) != 2 {
		t.Fatalf("demo documents = %+v, state has %d; want 2", demo.Documents, len(st.Documents))
	}
	for i, want := range []struct {
		item   string
		access meeting.Access
		title  string
	}{{st.Agenda[1].ID, meeting.AccessDelegates, "Báo cáo kiểm điểm tập thể Ban Thường vụ năm 2025"}, {st.Agenda[4].ID, meeting.AccessNamed, "Hướng dẫn đánh giá"}} {
		d := st.Documents[i]
		if d.Item != want.item || d.Access != want.access || !strings.HasPrefix(d.Title, want.title) || d.Status != meeting.DocumentPublished ||
			d.Latest().ContentType != "application/pdf" || d.ID != demo.Documents[i].ID {
			t.Errorf("document %d = %+v; want %q on %s, %s, published, a PDF", i, d, want.title, want.item, want.access)
		}
	}
	// Stored under their content keys, nothing else.
	if objs := ds.objects(t); len(objs) != 2 || !strings.HasPrefix(objs[0], "sha256/") || !strings.HasPrefix(objs[1], "sha256/") {
		t.Errorf("store holds %v; want the two originals", objs)
	}
	if left := ds.workFiles(t); len(left) != 0 {
		t.Errorf("WorkDir keeps %v; want empty", left)
	}

	var delegate, observer string
	for _, p := range st.Participants {
		switch {
		case p.Role == meeting.RoleDelegate && delegate == "":
			delegate = p.ID
		case p.Role == meeting.RoleObserver && observer == "":
			observer = p.ID
		}
	}
	tab := ds.pair(t, sec, demo.ID, delegate)
	base := "/api/meetings/" + demo.ID + "/documents/"

	// The report, as made: Vietnamese text over four pages.
	resp, report := tab.get(base + st.Documents[0].ID + "/content")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(report, []byte("%PDF-")) {
		t.Fatalf("report download = %d %v", resp.StatusCode, resp.Header)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pdftotext (poppler-utils) not found: %v", err)
		}
		t.Logf("pdftotext not found: the report's text is not checked")
	} else {
		cmd := exec.Command("pdftotext", "-layout", "-", "-")
		cmd.Stdin = bytes.NewReader(report)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		text := string(out)
		for _, want := range []string{"BÁO CÁO", "Kiểm điểm tập thể Ban Thường vụ Đảng ủy năm 2025", "ĐẢNG CỘNG SẢN VIỆT NAM", "II. HẠN CHẾ, KHUYẾT ĐIỂM", "IV. PHƯƠNG HƯỚNG, BIỆN PHÁP KHẮC PHỤC", "Trang 4/4"} {
			if !strings.Contains(text, want) {
				t.Errorf("the report's text lacks %q:\n%s", want, text)
			}
		}
		if n := strings.Count(text, "\f"); n != 4 {
			t.Errorf("the report has %d pages; want 4", n)
		}
	}

	// The confidential guide: stamped with the delegate's name on every page.
	resp, guide := tab.get(base + st.Documents[1].ID + "/content")
	if resp.StatusCode != 200 {
		t.Fatalf("guide download = %d", resp.StatusCode)
	}
	texts, err := watermark.Text(guide)
	if err != nil || len(texts) != 3 {
		t.Fatalf("stamped guide: %d pages, %v; want 3", len(texts), err)
	}
	var name string
	for _, p := range st.Participants {
		if p.ID == delegate {
			name = p.Name
		}
	}
	for i, text := range texts {
		if !strings.Contains(text, name) || !strings.Contains(text, "TÀI LIỆU MẬT") {
			t.Errorf("page %d of the guide: %q; want %s's name and the mark", i+1, text, name)
		}
	}
	obs := ds.pair(t, sec, demo.ID, observer)
	if resp, _ := obs.get(base + st.Documents[1].ID + "/content"); resp.StatusCode != 404 {
		t.Errorf("an observer downloads the confidential guide: %d; want 404", resp.StatusCode)
	}
	if resp, _ := obs.get(base + st.Documents[0].ID + "/content"); resp.StatusCode != 404 && resp.StatusCode != 403 {
		t.Errorf("an observer downloads the delegates' report: %d; want refused", resp.StatusCode)
	}
}
