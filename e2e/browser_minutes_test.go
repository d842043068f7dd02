package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/meeting"
)

// TestBrowserMinutes drives the console's "after the meeting" tab in a real
// Chromium against the real binary: a small meeting prepared through the Go
// SDK (agenda, participants, a published secret vote and an open vote, then
// closed); on the console a conclusion for an item and for the meeting, the
// HTML and PDF previews (the PDF's text holds the title and the
// conclusion), finalisation as no. 01-BB/CB (two clicks), a conclusion
// refused afterwards with the server's Vietnamese message, a correction
// (revision 2), the archive appearing in the list (written in the
// background), found by its title without diacritics, downloaded through the
// console's link and verified (valid, holding the conclusion). A paired
// tablet — the chair's: a delegate's is refused once the meeting is
// archived (server/pairing_policy.go) — stays connected throughout: its wasm
// replica equals the server's view after finalisation and it logs no
// JavaScript error.
func TestBrowserMinutes(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pdftotext (poppler-utils) not found: %v", err)
		}
		t.Skipf("pdftotext (poppler-utils) not found: %v", err)
	}
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	srv := startServer(t, "127.0.0.1:0", t.TempDir())

	// ---- the meeting, prepared through the SDK ----
	sec, secHTTP := newClient(t, srv.URL)
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	const title = "Hội nghị Chi bộ Cơ quan Thử Nghiệm tháng 11"
	id, err := sec.CreateMeeting(ctx, meeting.Details{Title: title, Organization: "Chi bộ Cơ quan Thử Nghiệm", Place: "Phòng họp tầng 3",
		Chair: "Đồng chí Nguyễn Văn Chủ", Secretary: "Đồng chí Lê Thị Ký", StartsAt: time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	cmd := func(name string, data any) int64 {
		t.Helper()
		seq, err := sec.Command(ctx, id, name, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return seq
	}
	var items []string
	for _, it := range []string{"Báo cáo kết quả công tác tháng 11", "Phương hướng nhiệm vụ tháng 12"} {
		items = append(items, fmt.Sprintf("i%d", cmd("agenda.add", map[string]any{"title": it})))
	}
	parts, err := sec.ImportParticipantsCSV(ctx, id, strings.NewReader("họ và tên,chức vụ,vai trò\n"+
		"Nguyễn Văn Chủ,Bí thư Chi bộ,chủ trì\nTrần Thị Thử,Đảng viên,đại biểu\nPhạm Văn Mẫu,Đảng viên,đại biểu\nĐỗ Thị Ví Dụ,Đảng viên,đại biểu\n"))
	if err != nil {
		t.Fatal(err)
	}
	me := parts[0]
	codes, err := sec.PairingCodes(ctx, id, []string{parts[0].ID, parts[1].ID, parts[2].ID, parts[3].ID})
	if err != nil {
		t.Fatal(err)
	}
	code := map[string]string{}
	for _, c := range codes {
		code[c.Participant] = c.Code
	}
	cmd("meeting.open", nil)
	for _, p := range parts {
		cmd("attendance.mark", map[string]any{"participant": p.ID, "status": "present"})
	}

	// The paired tablet, in the browser, connected from now to the end.
	tab := b.newPage("tablet", 1280, 800)
	tab.navigate(srv.URL + "/tablet#code=" + code[me.ID])
	tab.waitTestID("me-name")
	tab.waitJS(`document.querySelector('[data-testid="conn-status"]').dataset.status === "online"`)
	tab.waitText("Chương trình")
	tab.shot("paired")

	// The other delegates vote through the SDK.
	voters := map[string]*client.Live{}
	for _, p := range []meeting.Participant{parts[1], parts[2], parts[3]} {
		c, _ := newClient(t, srv.URL)
		if _, err := c.Pair(ctx, code[p.ID]); err != nil {
			t.Fatalf("pair %s: %v", p.Name, err)
		}
		l, err := c.Connect(ctx, id, client.WithBackoff(20*time.Millisecond, 300*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		voters[p.ID] = l
	}
	vote := func(poll string, choices map[string]meeting.Choice) {
		t.Helper()
		for pid, ch := range choices {
			if _, err := voters[pid].Cast(ctx, poll, "k-"+poll+"-"+pid, meeting.Ballot{Choice: ch}); err != nil {
				t.Fatalf("cast %s by %s: %v", poll, pid, err)
			}
		}
	}
	cmd("agenda.current", map[string]any{"id": items[0]})
	cmd("poll.create", map[string]any{"question": "Thông qua báo cáo kết quả công tác tháng 11", "kind": "secret", "item": items[0]})
	cmd("poll.create", map[string]any{"question": "Thông qua phương hướng nhiệm vụ tháng 12", "kind": "open", "item": items[1]})
	st := secState(ctx, t, sec, id)
	secret, open := st.Polls[0].ID, st.Polls[1].ID
	cmd("poll.open", map[string]any{"id": secret})
	vote(secret, map[string]meeting.Choice{parts[1].ID: meeting.ChoiceAgree, parts[2].ID: meeting.ChoiceAgree, parts[3].ID: meeting.ChoiceDisagree})
	cmd("poll.close", map[string]any{"id": secret})
	cmd("poll.publish", map[string]any{"id": secret})
	cmd("agenda.current", map[string]any{"id": items[1]})
	cmd("poll.open", map[string]any{"id": open})
	vote(open, map[string]meeting.Choice{parts[1].ID: meeting.ChoiceAgree, parts[2].ID: meeting.ChoiceAgree, parts[3].ID: meeting.ChoiceAgree})
	cmd("poll.close", map[string]any{"id": open})
	cmd("meeting.close", nil)
	tab.waitJS(`globalThis.phonghopKernel && JSON.parse(globalThis.phonghopKernel.state()).status === "closed"`)

	// ---- the console ----
	con := b.newPage("console", 1280, 900)
	con.navigate(srv.URL + "/console")
	con.waitTestID("login-form")
	wmSet(t, con, testidSel("login-username"), adminUser)
	wmSet(t, con, testidSel("login-password"), adminPassword)
	con.click("login-submit")
	con.waitTestID("meeting-create-form")
	con.navigate(srv.URL + "/console#m=" + id + "&tab=after")
	con.waitTestID("minutes-conclude")
	con.waitJS(`document.querySelector('[data-testid="meeting-status"]').dataset.status === "closed"`)
	if con.exists(`[data-testid="minutes-availability"]`) {
		t.Errorf("the console says the minutes are not available: %q", con.text("minutes-availability"))
	}
	con.waitJS(wmTextIs("minutes-status", "Biên bản đang là bản nháp."))
	con.shot("after-tab")

	// A conclusion for the first item, then one for the whole meeting.
	const itemConclusion = "Chi bộ thống nhất thông qua báo cáo kết quả công tác tháng 11."
	const meetingConclusion = "Hội nghị kết luận: giao Chi ủy hoàn thiện phương hướng nhiệm vụ tháng 12."
	wmSet(t, con, testidSel("minutes-item"), items[0])
	wmSet(t, con, testidSel("minutes-text"), itemConclusion)
	con.click("minutes-conclude")
	con.waitJS(`!!document.querySelector('[data-testid="conclusion-row"][data-item="` + items[0] + `"]')`)
	con.waitJS(wmTextIs("minutes-result", "Đã lưu."))
	wmSet(t, con, testidSel("minutes-item"), "")
	if got := evalJS[string](con, `document.querySelector('[data-testid="minutes-text"]').value`); got != "" {
		t.Errorf("the meeting's conclusion field shows %q before any; want empty", got)
	}
	wmSet(t, con, testidSel("minutes-text"), meetingConclusion)
	con.click("minutes-conclude")
	con.waitJS(`!!document.querySelector('[data-testid="conclusion-row"][data-item=""]')`)
	if got := con.text("minutes-conclusions"); !strings.Contains(got, "Báo cáo kết quả công tác tháng 11: "+itemConclusion) || !strings.Contains(got, "Cả cuộc họp: "+meetingConclusion) {
		t.Errorf("conclusions listed = %q", got)
	}
	// Choosing the item again shows its recorded conclusion.
	wmSet(t, con, testidSel("minutes-item"), items[0])
	if got := evalJS[string](con, `document.querySelector('[data-testid="minutes-text"]').value`); got != itemConclusion {
		t.Errorf("the item's conclusion field = %q; want the recorded one", got)
	}
	con.shot("concluded")

	// The previews: HTML and PDF, through the console's own links.
	type fetched struct {
		Status int    `json:"status"`
		Type   string `json:"type"`
		Body   string `json:"body"` // base64
	}
	fetchLink := func(testid string) fetched {
		t.Helper()
		return evalJS[fetched](con, `(async () => { const a = document.querySelector('[data-testid="`+testid+`"]');
			const r = await fetch(a.href); const b = new Uint8Array(await r.arrayBuffer()); let s = '';
			for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode.apply(null, b.subarray(i, i + 8192));
			return {status: r.status, type: r.headers.get('content-type') || '', body: btoa(s)} })()`, chromedp.EvalAwaitPromise)
	}
	decode := func(f fetched) []byte {
		t.Helper()
		b, err := base64.StdEncoding.DecodeString(f.Body)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if href := evalJS[string](con, `document.querySelector('[data-testid="minutes-preview-pdf"]').getAttribute('href')`); href != "/api/meetings/"+id+"/minutes?format=pdf&lang=vi" {
		t.Errorf("PDF link = %q", href)
	}
	html := fetchLink("minutes-preview-html")
	if htmlBody := string(decode(html)); html.Status != 200 || !strings.HasPrefix(html.Type, "text/html") || !strings.Contains(htmlBody, itemConclusion) || !strings.Contains(htmlBody, title) {
		t.Errorf("HTML preview: %d %s, has conclusion %v, title %v", html.Status, html.Type, strings.Contains(htmlBody, itemConclusion), strings.Contains(htmlBody, title))
	}
	pdf := fetchLink("minutes-preview-pdf")
	if pdf.Status != 200 || pdf.Type != "application/pdf" {
		t.Fatalf("PDF preview: %d %q", pdf.Status, pdf.Type)
	}
	pdfText := pdfToText(t, decode(pdf))
	for _, want := range []string{"Báo cáo kết quả công tác tháng 11", "Chi bộ thống nhất thông qua báo cáo kết quả", "BIÊN BẢN"} {
		if !strings.Contains(pdfText, want) {
			t.Errorf("the PDF preview's text lacks %q:\n%s", want, pdfText)
		}
	}
	if !strings.Contains(strings.Join(strings.Fields(pdfText), " "), "Chi bộ Cơ quan Thử Nghiệm") {
		t.Errorf("the PDF preview's text lacks the organisation / title:\n%s", pdfText)
	}
	// The HTML preview opens in a tab of its own (same cookies).
	con.navigate(srv.URL + "/api/meetings/" + id + "/minutes?format=html&lang=vi")
	con.waitText(itemConclusion)
	con.shot("preview-html")
	con.navigate(srv.URL + "/console#m=" + id + "&tab=after")
	con.waitTestID("minutes-conclude")
	con.waitJS(`document.querySelectorAll('[data-testid="conclusion-row"]').length === 2`)

	// Finalise as no. 01-BB/CB: the click only asks (confirm.js).
	wmSet(t, con, testidSel("minutes-number"), "01-BB/CB")
	wmSet(t, con, testidSel("minutes-place-date"), "Hà Nội, ngày 20 tháng 11 năm 2026")
	con.click("minutes-finalize")
	con.waitJS(`!!document.querySelector(` + wmQ(confirmSel("minutes.finalize")) + `)`)
	if s := secState(ctx, t, sec, id); s.Minutes.Final() {
		t.Fatalf("one click finalised the minutes")
	}
	con.shot("finalize-confirm")
	con.confirm("minutes.finalize")
	con.waitJS(`document.querySelector('[data-testid="minutes-status"]').dataset.revision === "1"`)
	con.waitJS(wmTextIs("minutes-finalize-result", "Đã lưu."))
	if got := con.text("minutes-status"); !strings.Contains(got, "Biên bản đã hoàn thành — lần 1, số 01-BB/CB") {
		t.Errorf("minutes status = %q", got)
	}
	if got := strings.TrimSpace(con.text("minutes-finalize")); got != "Hoàn thành" {
		t.Errorf("the finalise button reads %q after the confirmation; want its label back", got)
	}
	if m := secState(ctx, t, sec, id).Minutes; m.Number != "01-BB/CB" || m.PlaceDate != "Hà Nội, ngày 20 tháng 11 năm 2026" || m.Layout != meeting.LayoutParty || len(m.Conclusions) != 2 {
		t.Errorf("the server's minutes after finalisation = %+v", m)
	}
	con.shot("finalized")

	// Conclusions can no longer change: the server's Vietnamese message.
	wmSet(t, con, testidSel("minutes-item"), items[1])
	wmSet(t, con, testidSel("minutes-text"), "Một kết luận đến muộn.")
	con.click("minutes-conclude")
	con.waitJS(`!document.querySelector('[data-testid="minutes-error"]').hidden`)
	if got := con.text("minutes-error"); !strings.Contains(got, "Biên bản đã được hoàn thành (số 01-BB/CB); không thể sửa kết luận. Hãy dùng đính chính.") {
		t.Errorf("late conclusion error = %q; want the server's Vietnamese message", got)
	}
	if n := len(secState(ctx, t, sec, id).Minutes.Conclusions); n != 2 {
		t.Errorf("the server has %d conclusions after a refused one; want 2", n)
	}
	con.shot("conclusion-refused")

	// A correction: revision 2.
	const correction = "Đính chính: tên báo cáo là \"Báo cáo kết quả công tác tháng 11 năm 2026\"."
	wmSet(t, con, testidSel("minutes-correct-text"), correction)
	wmSet(t, con, testidSel("minutes-correct-reason"), "Ghi thiếu năm")
	con.clickConfirm(testidSel("minutes-correct"), "minutes.correct")
	con.waitJS(`!!document.querySelector('[data-testid="correction-row"][data-revision="2"]')`)
	con.waitJS(`document.querySelector('[data-testid="minutes-status"]').dataset.revision === "2"`)
	if got := con.text("minutes-corrections"); !strings.Contains(got, "Ghi thiếu năm") {
		t.Errorf("corrections = %q", got)
	}
	con.shot("corrected")

	// The tablet stayed connected: its replica equals the server's view,
	// which now holds the conclusions (published with the finalisation).
	if r := compareReplica(t, tab, id); r.Minutes.Revision != 2 || len(r.Minutes.Conclusions) != 2 || len(r.Minutes.Corrections) != 1 {
		t.Errorf("the tablet's replica of the minutes = %+v; want revision 2, both conclusions, one correction", r.Minutes)
	}
	tab.checkErrors()
	tab.shot("after-finalisation")

	// The archive, written in the background: search by the title without
	// diacritics until both revisions are listed.
	wmSet(t, con, testidSel("archive-q"), "hoi nghi")
	deadline := time.Now().Add(time.Minute)
	for {
		con.click("archive-search")
		con.waitJS(`document.querySelector('[data-testid="archive-search"]').getAttribute('aria-busy') !== 'true'`)
		if evalJS[int](con, `document.querySelectorAll('[data-testid="archive-row"][data-id="`+id+`"]').length`) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the archive list has not shown two revisions after a minute: %q / %q", con.text("archive-list"), con.text("archive-error"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got := con.text("archive-list"); !strings.Contains(got, title) {
		t.Errorf("archive list = %q; want the title", got)
	}
	con.shot("archive")
	// A search that matches nothing says so.
	wmSet(t, con, testidSel("archive-q"), "khong co cuoc hop nay")
	con.click("archive-search")
	con.waitJS(`!!document.querySelector('[data-testid="archive-list"] .empty')`)
	if got := con.text("archive-list"); got != "Không có bản lưu trữ." {
		t.Errorf("empty search = %q", got)
	}
	wmSet(t, con, testidSel("archive-q"), "HOI NGHI chi bo")
	con.click("archive-search")
	con.waitJS(`document.querySelectorAll('[data-testid="archive-row"]').length === 2`)

	// Download revision 2 through the console's link (a real download).
	dl := t.TempDir()
	bctx := chromedp.FromContext(con.ctx).BrowserContextID
	if _, err := chromedp.CallBrowser(con.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, BrowserContextID: bctx, DownloadPath: dl}); err != nil {
		t.Fatal(err)
	}
	con.clickSel(`[data-testid="archive-row"][data-id="` + id + `"][data-revision="2"] [data-testid="archive-download"]`)
	zipPath := filepath.Join(dl, fmt.Sprintf("bien-ban-%s-r2.zip", id))
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if fi, err := os.Stat(zipPath); err == nil && fi.Size() > 0 {
			if m, _ := filepath.Glob(filepath.Join(dl, "*.crdownload")); len(m) == 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			ls, _ := os.ReadDir(dl)
			t.Fatalf("no %s downloaded (folder: %v)", zipPath, ls)
		}
	}

	// It verifies against the server's key and holds the conclusion and
	// the correction.
	var pk struct {
		Fingerprint string `json:"fingerprint"`
	}
	if err := getJSON(ctx, http.DefaultClient, srv.URL+"/api/archive/public-key", &pk); err != nil {
		t.Fatal(err)
	}
	tr, err := archive.ParseTrust(pk.Fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	src, closer, err := archive.ZipSource(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	rep, err := archive.Verify(ctx, src, archive.Options{Trusted: &tr})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || !rep.Trusted || rep.Manifest == nil || rep.Manifest.Revision != 2 || rep.Manifest.Meeting.ID != id {
		t.Errorf("verify the downloaded zip: ok %v, trusted %v, manifest %+v, problems %v", rep.OK(), rep.Trusted, rep.Manifest, rep.Problems)
	}
	mj, err := src.ReadFile(ctx, archive.FileMinutesJSON)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(mj, []byte(itemConclusion)) || !bytes.Contains(mj, []byte("Ghi thiếu năm")) {
		t.Errorf("minutes.json of revision 2 lacks the conclusion or the correction:\n%s", mj)
	}
	apdf, err := src.ReadFile(ctx, archive.FileMinutesVIP)
	if err != nil {
		t.Fatal(err)
	}
	if txt := pdfToText(t, apdf); !strings.Contains(txt, "01-BB/CB") || !strings.Contains(txt, "Chi bộ thống nhất thông qua báo cáo kết quả") {
		t.Errorf("the archived PDF lacks the number or the conclusion:\n%s", txt)
	}
	// And with the binary.
	if out, err := exec.Command(binary, "verify", zipPath, "-key", pk.Fingerprint).CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "Hợp lệ / valid") {
		t.Errorf("phonghop verify = %v\n%s", err, out)
	}

	// The zip the server serves is the one the browser saved.
	resp, err := secHTTP.Get(srv.URL + "/api/archives/" + id + "/2/zip")
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	saved, _ := os.ReadFile(zipPath)
	if !bytes.Equal(served, saved) {
		t.Errorf("the downloaded zip (%d bytes) differs from the served one (%d bytes)", len(saved), len(served))
	}

	// At the end, the tablet is still online and still agrees.
	tab.waitJS(`document.querySelector('[data-testid="conn-status"]').dataset.status === "online"`)
	compareReplica(t, tab, id)
	con.checkErrors()
	tab.checkErrors()
}

// compareReplica waits until the page's wasm replica has the server's head,
// then checks it equals the server's view for that page (GET
// /api/meetings/{id} with the page's cookie), and that every event folded
// with the wasm Apply (no resync).
func compareReplica(t *testing.T, pg *page, id string) *meeting.State {
	t.Helper()
	type views struct {
		Replica string `json:"replica"`
		Server  string `json:"server"`
	}
	var replica, view meeting.State
	for i := 0; ; i++ {
		v := evalJS[views](pg, `fetch("/api/meetings/`+id+`").then(r => r.text()).then(s => ({replica: globalThis.phonghopKernel.state(), server: s}))`, chromedp.EvalAwaitPromise)
		replica, view = meeting.State{}, meeting.State{}
		if err := json.Unmarshal([]byte(v.Replica), &replica); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(v.Server), &view); err != nil {
			t.Fatal(err)
		}
		if replica.Seq == view.Seq || i == 100 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := evalJS[int](pg, `globalThis.phonghop.live.resyncs`); n != 0 {
		t.Errorf("%s: %d events did not fold with the wasm Apply (replica rebuilt from snapshots)", pg.name, n)
	}
	if diff := cmp.Diff(&view, &replica); diff != "" {
		t.Errorf("%s: the browser's replica differs from the server's view (-server +replica):\n%s", pg.name, diff)
	}
	return &replica
}

// pdfToText extracts the text of a PDF with pdftotext.
func pdfToText(t *testing.T, pdf []byte) string {
	t.Helper()
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}
