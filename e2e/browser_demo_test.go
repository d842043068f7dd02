package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// TestBrowserDemo: the demo meeting (PHONGHOP_DEMO) of the real binary, on
// a real tablet page and hall screen: its sample report opens in pdf.js
// (4 pages) and follows the presenter page by page; the confidential guide
// opens too (the reader's watermarked copy, 3 pages); the hall screen pairs
// with its code and shows the current item.
func TestBrowserDemo(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	srv := startServer(t, "127.0.0.1:0", t.TempDir(), "PHONGHOP_DEMO=4")
	sec, _ := newClient(t, srv.URL)
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	ms, err := sec.Meetings(ctx)
	if err != nil || len(ms) != 1 {
		t.Fatalf("meetings = %+v, %v; want the demo meeting", ms, err)
	}
	id := ms[0].ID
	st := secState(ctx, t, sec, id)
	if len(st.Documents) != 2 {
		t.Fatalf("the demo meeting has %d documents; want 2", len(st.Documents))
	}
	report, guide := st.Documents[0], st.Documents[1]
	var delegate, hall meeting.Participant
	for _, p := range st.Participants {
		if p.Role == meeting.RoleDelegate && delegate.ID == "" {
			delegate = p
		}
		if p.Role == meeting.RoleHall {
			hall = p
		}
	}
	codes, err := sec.PairingCodes(ctx, id, []string{delegate.ID, hall.ID})
	if err != nil {
		t.Fatal(err)
	}
	cmd := func(name string, data any) {
		t.Helper()
		if _, err := sec.Command(ctx, id, name, data); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	cmd("meeting.open", nil)
	cmd("agenda.current", map[string]any{"id": report.Item})

	hallPage := b.newPage("hall", 1280, 800)
	hallPage.navigate(srv.URL + "/hall#code=" + codes[1].Code)
	hallPage.waitJS(`(document.querySelector('[data-testid="hall-current"]')||{textContent:""}).textContent.includes("Báo cáo kiểm điểm tập thể Ban Thường vụ năm 2025")`)
	hallPage.shot("current-item")

	tab := b.newPage("tablet", 1280, 800)
	tab.navigate(srv.URL + "/tablet#code=" + codes[0].Code)
	tab.waitTestID("me-name")
	tab.waitJS(`document.querySelector('[data-testid="conn-status"]').dataset.status === "online"`)
	tab.click("tab-agenda")
	tab.click("doc-open-" + report.ID)
	tab.waitJS(rendered(report.ID, 1, 1))
	if got := tab.text("doc-page"); got != "Trang 1/4" {
		t.Errorf("doc-page = %q; want Trang 1/4", got)
	}
	tab.shot("report-page-1")
	for _, page := range []int{2, 3, 4} {
		cmd("document.present", map[string]any{"document_id": report.ID, "version": 1, "page": page})
		tab.waitJS(rendered(report.ID, 1, page))
	}
	if got := tab.text("doc-page"); got != "Trang 4/4" {
		t.Errorf("doc-page = %q; want Trang 4/4", got)
	}
	tab.shot("report-following-page-4")
	tab.click("doc-close")

	cmd("agenda.current", map[string]any{"id": guide.Item})
	tab.waitJS(currentIs(guide.Item))
	tab.click("doc-open-" + guide.ID)
	tab.waitJS(rendered(guide.ID, 1, 1))
	if got := tab.text("doc-page"); got != "Trang 1/3" {
		t.Errorf("confidential guide doc-page = %q; want Trang 1/3", got)
	}
	tab.shot("guide-watermarked")
	hallPage.waitJS(`document.querySelector('[data-testid="hall-current"]').textContent.includes("Bỏ phiếu đánh giá")`)
	if s := secState(ctx, t, sec, id); !strings.Contains(s.Details.Title, "Hội nghị kiểm điểm") {
		t.Errorf("demo title = %q", s.Details.Title)
	}
	tab.checkErrors()
	hallPage.checkErrors()
}
