package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server/meeting"
)

// TestFloorContributions: a delegate registers a written contribution with
// its text on the tablet; the secretariat registers another on a
// delegate's behalf; the presidium's choice puts the first on the speaker
// list, it is read and its time recorded; the second is not read, and the
// minutes list it as sent to the congress (tham luận gửi đại hội) with its
// file's hash.
func TestFloorContributions(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	m := newRoomMeeting(t, ctx, 3)
	m.open()
	thu, mau := m.delegates[0], m.delegates[1]
	dir := t.TempDir()
	pdfA, pdfB := filepath.Join(dir, "tham-luan-chuyen-doi-so.pdf"), filepath.Join(dir, "tham-luan-nong-nghiep.pdf")
	if err := os.WriteFile(pdfA, testdocs.PDF(2, "tham luan chuyen doi so"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pdfB, testdocs.PDF(3, "tham luan nong nghiep"), 0o644); err != nil {
		t.Fatal(err)
	}
	const titleA, titleB = "Đẩy mạnh chuyển đổi số trong các cơ quan Đảng", "Phát triển nông nghiệp xanh gắn với xây dựng nông thôn mới"

	audit := newA11yAudit(t)
	defer audit.report()

	// ---- a delegate registers on the tablet ----
	tab := m.pairTablet(b, "tablet", thu, 1280, 800)
	tab.click("tab-contrib")
	tab.waitTestID("contrib-form")
	wmSet(t, tab, testidSel("contrib-title"), titleA)
	tab.do("choose the text", chromedp.SetUploadFiles(chromedp.CSS(testidSel("contrib-file")), []string{pdfA}))
	tab.click("contrib-submit")
	tab.waitJS(`(document.querySelector('[data-testid="contrib-mine"] li')||{dataset:{}}).dataset.status === "registered"`)
	audit.check(tab, "tablet-contrib")
	floorShot(t, tab, "12-contrib-tablet", nil)

	// ---- the secretariat registers one for a delegate ----
	fl := openFloor(b, m.srv.URL, m.id, 1280, 800)
	fl.click("tab-contrib")
	wmSet(t, fl, testidSel("contrib-participant"), mau.ID)
	wmSet(t, fl, testidSel("contrib-up-title"), titleB)
	fl.do("choose the text", chromedp.SetUploadFiles(chromedp.CSS(testidSel("contrib-up-file")), []string{pdfB}))
	fl.click("contrib-up-submit")
	fl.waitJS(wmCount(`[data-testid="contrib-list"] tbody tr`, 2))
	var a, bb meeting.Contribution
	for _, c := range m.state().Floor.Contributions {
		switch c.Participant {
		case thu.ID:
			a = c
		case mau.ID:
			bb = c
		}
	}
	if a.Title != titleA || bb.Title != titleB {
		t.Fatalf("contributions registered: %+v, %+v", a, bb)
	}

	// ---- chosen, read, its time recorded ----
	fl.click("contrib-schedule-" + a.ID)
	fl.waitJS(`document.querySelector('[data-testid="contrib-list"] tr[data-id="` + a.ID + `"]').dataset.status === "scheduled"`)
	audit.check(fl, "floor-contrib")
	floorShot(t, fl, "13-contrib-schedule", into(fl, testidSel("contrib-list")))
	st := m.state()
	a, _ = st.Contribution(a.ID)
	if q := st.Queue(st.Current); len(q) != 1 || q[0].ID != a.Request || q[0].Participant != thu.ID || !strings.Contains(q[0].Topic, titleA) {
		t.Fatalf("the speaker list after choosing = %+v; want the author, with the title", q)
	}
	m.cmd("speaker.give_floor", map[string]any{"id": a.Request})
	time.Sleep(1200 * time.Millisecond)
	m.cmd("speaker.end", nil)
	fl.waitJS(`document.querySelector('[data-testid="contrib-list"] tr[data-id="` + a.ID + `"]').dataset.status === "spoken"`)
	tab.waitJS(`(document.querySelector('[data-testid="contrib-mine"] li')||{dataset:{}}).dataset.status === "spoken"`)
	st = m.state()
	state, sp := st.ContributionStatus(a)
	if state != meeting.ContributionStateSpoken || sp.End.IsZero() || sp.Elapsed < time.Second {
		t.Fatalf("contribution %s: %s, speech %+v; want spoken, its time recorded", a.ID, state, sp)
	}

	// ---- the minutes ----
	m.cmd("meeting.close", nil)
	code, pdf := fetchBytes(t, fl, "/api/meetings/"+m.id+"/minutes?format=pdf")
	if code != 200 {
		t.Fatalf("minutes = %d", code)
	}
	text := pdfToRawText(t, pdf)
	read := sp.Start.In(ict).Format("15:04")
	for _, s := range []string{"Tham luận trình bày tại hội nghị:", "1. " + thu.Name + " — “" + titleA + "”, trình bày lúc " + read,
		"Tham luận gửi đại hội (không trình bày tại hội nghị):", "1. " + mau.Name + " — “" + titleB + "” (tệp tham-luan-nong-nghiep.pdf, SHA-256"} {
		if !strings.Contains(text, s) {
			t.Errorf("the minutes lack %q:\n%s", s, text)
		}
	}
	sent := text[strings.Index(text, "Tham luận gửi đại hội (không"):]
	if strings.Contains(sent, titleA) {
		t.Errorf("the contribution read is also listed as sent")
	}
	doc, _ := st.Document(bb.Document)
	if !strings.Contains(strings.ReplaceAll(text, " ", ""), doc.Versions[0].SHA256) {
		t.Errorf("the minutes lack the hash of the text sent to the congress")
	}
	floorShotURL(t, fl, "14-contrib-minutes", m.srv.URL+"/api/meetings/"+m.id+"/minutes?format=html&lang=", "Tham luận", "Written contributions")
}
