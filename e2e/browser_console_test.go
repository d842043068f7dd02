package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server/meeting"
)

// sel is a CSS selector for a data-testid, optionally inside a row with a
// data-id: sel("agenda-item") or sel("agenda-up", "agenda-item", "i3").
func sel(testid string, row ...string) chromedp.CSS {
	s := fmt.Sprintf(`[data-testid=%q]`, testid)
	if len(row) == 2 {
		s = fmt.Sprintf(`[data-testid=%q][data-id=%q] %s`, row[0], row[1], s)
	}
	return chromedp.CSS(s)
}

// TestConsoleBrowser drives the secretary console in a real Chromium against
// the real binary: log in, create a meeting, build the agenda, import a CSV
// with a bad row (the row's error shown, nobody added), fix it, upload a
// PDF, issue pairing codes and print the sheet (a QR image per delegate),
// open the meeting, set the current item, mark attendance, run a poll with a
// real tablet's ballot (open, not-voted list, close, publish, counts), send a
// notice, and resolve a support request, with a screenshot of every step.
func TestConsoleBrowser(t *testing.T) {
	b := newBrowser(t)
	p := b.newPage("console", 1280, 800)
	srv := startServer(t, "127.0.0.1:0", t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// shot saves the whole page (the console is taller than the window).
	shot := func(step string) {
		t.Helper()
		sctx, scancel := context.WithTimeout(p.ctx, 15*time.Second)
		defer scancel()
		png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Logf("screenshot %s: %v", step, err)
			return
		}
		p.shots++
		if err := os.WriteFile(filepath.Join(b.artifacts, fmt.Sprintf("console-%02d-%s.png", p.shots, step)), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		p.do(what, steps...)
	}
	// text is the trimmed text of the first visible element matching s.
	text := func(s chromedp.CSS) string {
		t.Helper()
		p.do("wait for "+string(s), chromedp.WaitVisible(s))
		return strings.TrimSpace(evalJS[string](p, fmt.Sprintf(`document.querySelector(%q).innerText`, string(s))))
	}
	waitJS := func(what, expr string) {
		t.Helper()
		p.waitJS(expr)
	}
	count := func(s chromedp.CSS) int {
		t.Helper()
		return evalJS[int](p, fmt.Sprintf(`document.querySelectorAll(%q).length`, string(s)))
	}

	// 1. Login page, in Vietnamese.
	run("open /console", chromedp.Navigate(srv.URL+"/console"), chromedp.WaitVisible(sel("login-form")))
	if got := text(sel("login-form") + " h2"); got != "Đăng nhập tài khoản thư ký" {
		t.Errorf("login heading = %q; want the Vietnamese heading", got)
	}
	shot("login")
	run("wrong password",
		chromedp.SetValue(sel("login-username"), adminUser),
		chromedp.SetValue(sel("login-password"), "sai-mat-khau"),
		chromedp.Click(sel("login-submit")),
		chromedp.WaitVisible(sel("login-error")))
	if got := text(sel("login-error")); !strings.Contains(got, "Sai tên đăng nhập hoặc mật khẩu") {
		t.Errorf("login error = %q; want the server's Vietnamese message", got)
	}
	run("log in",
		chromedp.SetValue(sel("login-password"), adminPassword),
		chromedp.Click(sel("login-submit")),
		chromedp.WaitVisible(sel("meeting-create-form")))
	shot("meetings")

	// 2. Create a meeting.
	const title = "Hội nghị Ban Chấp hành Đảng bộ phường Thử Nghiệm — kỳ họp tháng 12"
	run("create meeting",
		chromedp.SetValue(sel("meeting-title"), title),
		chromedp.SetValue(sel("meeting-organization"), "Đảng ủy phường Thử Nghiệm"),
		chromedp.SetValue(sel("meeting-place"), "Hội trường tầng 2"),
		chromedp.SetValue(sel("meeting-chair"), "Đồng chí Nguyễn Văn Chủ"),
		chromedp.SetValue(sel("meeting-secretary"), "Đồng chí Lê Thị Ký"),
		chromedp.Click(sel("meeting-create-submit")),
		chromedp.WaitVisible(sel("agenda-add-form")))
	waitJS("meeting heading", fmt.Sprintf(`document.querySelector('[data-testid="meeting-heading"]').textContent === %q`, title))
	if got := text(sel("meeting-status")); got != "Chuẩn bị" {
		t.Errorf("meeting status = %q; want Chuẩn bị", got)
	}

	// 3. Agenda: three items, the last moved up.
	items := []string{"Thông qua chương trình", "Báo cáo tình hình quý IV", "Biểu quyết nghị quyết"}
	for i, it := range items {
		run("add item "+it,
			chromedp.SetValue(sel("agenda-add-title"), it),
			chromedp.SetValue(sel("agenda-add-presenter"), "Đồng chí Phạm Văn Trình"),
			chromedp.Click(sel("agenda-add-submit")))
		waitJS("item added", fmt.Sprintf(`document.querySelectorAll('[data-testid="agenda-item"]').length === %d`, i+1))
	}
	run("move the last item up", chromedp.Click(chromedp.CSS(`[data-testid="agenda-item"]:nth-child(3) [data-testid="agenda-up"]`)))
	waitJS("item moved", fmt.Sprintf(`document.querySelector('[data-testid="agenda-item"]:nth-child(2) [data-testid="agenda-item-title"]').textContent === %q`, items[2]))
	shot("agenda")

	// 4. CSV with a bad row: its error is shown by row, nobody is added.
	bad := "họ và tên,chức vụ,đơn vị,vai trò\n" +
		"Nguyễn Văn Chủ,Bí thư,Đảng ủy,chủ tọa\n" +
		",Phó Bí thư,Đảng ủy,đại biểu\n" +
		"Trần Thị Mẫu,Ủy viên,Văn phòng,đại biểu\n"
	run("import bad CSV",
		chromedp.SetValue(sel("csv-text"), bad),
		chromedp.Click(sel("csv-import")),
		chromedp.WaitVisible(sel("csv-error")))
	prob := text(`[data-testid="csv-error"] [data-testid="problem"][data-row="3"]`)
	if !strings.HasPrefix(prob, "Dòng 3:") {
		t.Errorf("CSV problem = %q; want it to start with Dòng 3:", prob)
	}
	if n := count(sel("participant-row")); n != 0 {
		t.Errorf("after a refused import, %d participants are listed; want 0", n)
	}
	shot("csv-error")
	good := strings.Replace(bad, ",Phó Bí thư", "Hoàng Văn Phó,Phó Bí thư", 1) + "Đỗ Thị Thành,Ủy viên,Ban Tuyên giáo,đại biểu\n"
	run("import fixed CSV",
		chromedp.SetValue(sel("csv-text"), good),
		chromedp.Click(sel("csv-import")),
		chromedp.WaitVisible(sel("csv-result")))
	waitJS("participants listed", `document.querySelectorAll('[data-testid="participant-row"]').length === 4`)
	if got := text(sel("csv-result")); got != "Đã thêm 4 người." {
		t.Errorf("CSV result = %q; want Đã thêm 4 người.", got)
	}
	if vis := count(`[data-testid="csv-error"]:not([hidden])`); vis != 0 {
		t.Errorf("the CSV error is still shown after a good import")
	}
	shot("participants")

	// 5. Upload a PDF, published at once.
	pdf := filepath.Join(t.TempDir(), "bao-cao-quy-IV.pdf")
	if err := os.WriteFile(pdf, testdocs.PDF(3, "bao cao quy IV"), 0o644); err != nil {
		t.Fatal(err)
	}
	run("upload PDF",
		chromedp.SetUploadFiles(sel("doc-file"), []string{pdf}),
		chromedp.SetValue(sel("doc-title"), "Báo cáo tình hình quý IV"),
		chromedp.Click(sel("doc-publish-now")),
		chromedp.Click(sel("doc-upload-submit")),
		chromedp.WaitVisible(sel("doc-upload-result")))
	waitJS("document listed", `[...document.querySelectorAll('[data-testid="doc-row"] [data-testid="doc-status"]')].some(e => e.dataset.status === 'published')`)
	shot("document")

	// 6. Pairing codes and the printable sheet: a card with a QR image per
	// participant who is not a secretary (4 here).
	run("issue codes", chromedp.Click(sel("pairing-issue")))
	waitJS("cards", `document.querySelectorAll('[data-testid="pairing-sheet"] [data-testid="pairing-card"]').length === 4`)
	waitJS("QR images decoded", `[...document.querySelectorAll('[data-testid="pairing-sheet"] [data-testid="pairing-qr"]')].filter(i => i.complete && i.naturalWidth > 0).length === 4`)
	shot("pairing-preview")
	codes := evalJS[[]string](p, `[...document.querySelectorAll('[data-testid="pairing-sheet"] [data-testid="pairing-code"]')].map(e => e.textContent)`)
	media := func(m string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
			return err
		})
	}
	run("print media", media("print"))
	shot("pairing-print-media")
	pctx, pcancel := context.WithTimeout(p.ctx, 30*time.Second)
	printed, err := chromedp.Run(pctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPrintBackground()))
	pcancel()
	if err != nil {
		t.Fatalf("print the sheet: %v", err)
	}
	run("screen media", media(""))
	sheet := filepath.Join(b.artifacts, "console-pairing-sheet.pdf")
	if err := os.WriteFile(sheet, printed, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftotext", "-layout", sheet, "-").Output(); err != nil {
		t.Errorf("pdftotext: %v", err)
	} else {
		txt := string(out)
		for _, want := range append([]string{"Nguyễn Văn Chủ", "Hoàng Văn Phó", "Trần Thị Mẫu", "Đỗ Thị Thành"}, codes...) {
			if !strings.Contains(txt, want) {
				t.Errorf("the printed sheet lacks %q", want)
			}
		}
		if strings.Contains(txt, "Chương trình nghị sự") {
			t.Errorf("the printed sheet shows the console, not only the cards")
		}
		if pages := strings.Count(txt, "\f"); pages != 1 {
			t.Errorf("the printed sheet of 4 cards has %d pages; want 1 (several cards per A4)", pages)
		}
	}
	if len(codes) != 4 {
		t.Fatalf("read %d codes from the sheet; want 4", len(codes))
	}

	// A real tablet pairs with the first delegate's printed code.
	tab, _ := newClient(t, srv.URL)
	pr, err := tab.Pair(ctx, codes[1])
	if err != nil {
		t.Fatalf("pair with a printed code: %v", err)
	}
	live, err := tab.Connect(ctx, pr.Meeting)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if err := live.WaitSynced(ctx); err != nil {
		t.Fatal(err)
	}

	// 7. Live: open, set the current item, attendance.
	run("live tab", chromedp.Click(sel("tab-live")), chromedp.WaitVisible(sel("live-open")))
	waitJS("live socket", `document.querySelector('[data-testid="conn-status"]').dataset.status === 'online' && document.querySelector('[data-testid="conn-status"]').dataset.source === 'live'`)
	run("open meeting", chromedp.Click(sel("live-open")))
	waitJS("meeting open", `document.querySelector('[data-testid="live-status"]').dataset.status === 'open'`)
	run("set current item", chromedp.Click(chromedp.CSS(`[data-testid="live-item"]:nth-child(1) [data-testid="live-item-set"]`)))
	waitJS("current item", fmt.Sprintf(`document.querySelector('[data-testid="live-current"]').textContent === %q`, items[0]))
	run("end speech with nobody speaking", chromedp.Click(sel("speaker-end")), chromedp.WaitVisible(sel("speaker-error")))
	if got := text(sel("speaker-error")); got != "Không có ai đang phát biểu." {
		t.Errorf("speaker error = %q; want the server's Vietnamese message", got)
	}
	waitJS("connected tablet listed", `document.querySelectorAll('[data-testid="connection-row"][data-participant]:not([data-participant=""])').length === 1`)
	run("mark everyone present", chromedp.Click(sel("attendance-mark-all-present")))
	waitJS("quorum", `document.querySelector('[data-testid="quorum-state"]').dataset.met === 'true'`)
	if got := text(sel("quorum-state")); got != "Đủ số lượng để tiến hành" {
		t.Errorf("quorum = %q; want Đủ số lượng để tiến hành", got)
	}
	shot("live-open")

	// 8. A poll: create, open, a tablet votes, not-voted list, close, publish.
	const question = "Thông qua chương trình kỳ họp"
	run("create poll",
		chromedp.SetValue(sel("poll-question"), question),
		chromedp.Click(sel("poll-create-submit")))
	waitJS("poll draft", `document.querySelector('[data-testid="poll-row"] [data-testid="poll-status"]')?.dataset.status === 'draft'`)
	run("open poll", chromedp.Click(sel("poll-open")))
	waitJS("poll open", `document.querySelector('[data-testid="poll-row"]').dataset.status === 'open'`)
	waitJS("not voted: 4", `document.querySelectorAll('[data-testid="poll-not-voted"] .chip').length === 4`)
	pollID := evalJS[string](p, `document.querySelector('[data-testid="poll-row"]').dataset.id`)
	if _, err := live.Cast(ctx, pollID, "console-e2e-1", meeting.Ballot{Choice: meeting.ChoiceAgree}); err != nil {
		t.Fatalf("tablet ballot: %v", err)
	}
	waitJS("progress 1/4", `document.querySelector('[data-testid="poll-progress"]').dataset.voted === '1'`)
	waitJS("not voted: 3", `document.querySelectorAll('[data-testid="poll-not-voted"] .chip').length === 3`)
	shot("poll-open")
	run("close poll", chromedp.Click(sel("poll-close")))
	waitJS("poll closed", `document.querySelector('[data-testid="poll-row"]').dataset.status === 'closed'`)
	run("result", chromedp.WaitVisible(sel("poll-result")))
	agree := text(`[data-testid="poll-result"] tr[data-choice="agree"]`)
	if !strings.Contains(agree, "Tán thành") || !strings.Contains(agree, "25,00%") {
		t.Errorf("result row = %q; want Tán thành with 1 vote, 25,00%% of the 4 summoned", agree)
	}
	run("publish poll", chromedp.Click(sel("poll-publish")))
	waitJS("poll published", `document.querySelector('[data-testid="poll-row"]').dataset.status === 'published'`)
	shot("poll-published")

	// 9. A notice to everyone reaches the tablet.
	const notice = "Đề nghị các đồng chí tắt chuông điện thoại."
	run("send notice",
		chromedp.SetValue(sel("notice-text"), notice),
		chromedp.Click(sel("notice-send")),
		chromedp.WaitVisible(sel("notice-result")))
	waitJS("notice listed", fmt.Sprintf(`[...document.querySelectorAll('[data-testid="notice-item"]')].some(e => e.textContent.includes(%q))`, notice))
	if got := text(sel("notice-result")); got != "Đã gửi thông báo." {
		t.Errorf("notice result = %q", got)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := live.State()
		if n := len(st.Notices); n > 0 && st.Notices[n-1].Text == notice {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the tablet did not get the notice")
		}
		time.Sleep(50 * time.Millisecond)
	}
	shot("notice")

	// 10. A support request from the tablet, resolved at the console.
	if _, err := live.Send(ctx, "support.request", map[string]any{"message": "Máy tính bảng không mở được tài liệu"}); err != nil {
		t.Fatalf("support request: %v", err)
	}
	waitJS("support listed", `document.querySelector('[data-testid="support-item"]')?.dataset.resolved === 'false'`)
	shot("support")
	run("resolve", chromedp.Click(sel("support-resolve")))
	waitJS("support resolved", `document.querySelector('[data-testid="support-item"]').dataset.resolved === 'true'`)

	// 11. English on request, Vietnamese back.
	run("English", chromedp.Click(sel("lang-en")))
	if got := text(sel("tab-live")); got != "Live" {
		t.Errorf("English tab = %q; want Live", got)
	}
	shot("english")
	run("Vietnamese", chromedp.Click(sel("lang-vi")))
	if got := text(sel("tab-live")); got != "Điều hành phiên họp" {
		t.Errorf("Vietnamese tab = %q", got)
	}
}
