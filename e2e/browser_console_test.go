package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

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

	// Edit the details: the heading line follows.
	run("edit details",
		chromedp.Click(chromedp.CSS(`[data-testid="details-card"] > summary`)),
		chromedp.WaitVisible(sel("details-place")),
		chromedp.SetValue(sel("details-place"), "Hội trường tầng 3"),
		chromedp.Click(sel("details-save")),
		chromedp.WaitVisible(sel("details-result")))
	waitJS("details updated", `document.querySelector('[data-testid="meeting-sub"]').textContent.includes('Hội trường tầng 3')`)
	if got := evalJS[string](p, `document.querySelector('[data-testid="details-title"]').value`); got != title {
		t.Errorf("details title = %q; want the meeting's title", got)
	}

	// 3. Agenda: three items, the last moved up.
	items := []string{"Thông qua chương trình", "Báo cáo tình hình quý IV", "Biểu quyết nghị quyết"}
	for i, it := range items[:2] {
		run("add item "+it,
			chromedp.SetValue(sel("agenda-add-title"), it),
			chromedp.SetValue(sel("agenda-add-presenter"), "Đồng chí Phạm Văn Trình"),
			chromedp.Click(sel("agenda-add-submit")))
		waitJS("item added", fmt.Sprintf(`document.querySelectorAll('[data-testid="agenda-item"]').length === %d`, i+1))
	}
	// The third from the keyboard: type, Enter.
	run("add item by keyboard", chromedp.Focus(sel("agenda-add-title")), chromedp.KeyEvent(items[2]+kb.Enter))
	waitJS("item added by keyboard", `document.querySelectorAll('[data-testid="agenda-item"]').length === 3`)
	// The tabs follow the arrow keys; nothing is wider than the 1280 px window.
	run("tab by keyboard", chromedp.Focus(sel("tab-prepare")), chromedp.KeyEvent(kb.ArrowRight))
	waitJS("live tab by keyboard", `document.querySelector('[data-testid="tab-live"]').getAttribute('aria-selected') === 'true' && document.activeElement === document.querySelector('[data-testid="tab-live"]')`)
	if w := evalJS[int](p, `document.documentElement.scrollWidth`); w > 1280 {
		t.Errorf("the live tab is %d px wide at 1280×800", w)
	}
	run("back by keyboard", chromedp.KeyEvent(kb.ArrowLeft))
	waitJS("prepare tab by keyboard", `document.querySelector('[data-testid="tab-prepare"]').getAttribute('aria-selected') === 'true'`)
	if w := evalJS[int](p, `document.documentElement.scrollWidth`); w > 1280 {
		t.Errorf("the preparation tab is %d px wide at 1280×800", w)
	}
	run("move the last item up", chromedp.Click(chromedp.CSS(`[data-testid="agenda-item"]:nth-child(3) [data-testid="agenda-up"]`)))
	waitJS("item moved", fmt.Sprintf(`document.querySelector('[data-testid="agenda-item"]:nth-child(2) [data-testid="agenda-item-title"]').textContent === %q`, items[2]))
	// Rename the second item; add a fourth and remove it (two clicks).
	run("rename", chromedp.Click(chromedp.CSS(`[data-testid="agenda-item"]:nth-child(2) [data-testid="agenda-rename"]`)), chromedp.WaitVisible(sel("agenda-edit-title")))
	items[2] = "Biểu quyết nghị quyết về nhiệm vụ năm 2026"
	run("save rename", chromedp.SetValue(sel("agenda-edit-title"), items[2]), chromedp.Click(sel("agenda-edit-save")))
	waitJS("renamed", fmt.Sprintf(`document.querySelector('[data-testid="agenda-item"]:nth-child(2) [data-testid="agenda-item-title"]')?.textContent === %q`, items[2]))
	run("add a fourth", chromedp.SetValue(sel("agenda-add-title"), "Mục thừa sẽ xóa"), chromedp.Click(sel("agenda-add-submit")))
	waitJS("four items", `document.querySelectorAll('[data-testid="agenda-item"]').length === 4`)
	run("ask to remove", chromedp.Click(chromedp.CSS(`[data-testid="agenda-item"]:nth-child(4) [data-testid="agenda-remove"]`)))
	waitJS("confirmation", `!!document.querySelector(`+wmQ(confirmSel("agenda.remove"))+`)`)
	if got := text(sel("confirm-title")); got != "Xóa mục “Mục thừa sẽ xóa” khỏi chương trình?" {
		t.Errorf("confirmation title = %q", got)
	}
	if n := count(sel("agenda-item")); n != 4 {
		t.Errorf("one click removed the item")
	}
	p.confirm("agenda.remove")
	waitJS("three items", `document.querySelectorAll('[data-testid="agenda-item"]').length === 3`)
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
	// A second version, then withdraw and publish again.
	pdf2 := filepath.Join(t.TempDir(), "bao-cao-quy-IV-sua.pdf")
	if err := os.WriteFile(pdf2, testdocs.PDF(4, "bao cao quy IV ban sua"), 0o644); err != nil {
		t.Fatal(err)
	}
	run("new version",
		chromedp.SetUploadFiles(sel("doc-version-file"), []string{pdf2}),
		chromedp.SetValue(sel("doc-version-note"), "Bổ sung số liệu tháng 12"),
		chromedp.Click(sel("doc-version-submit")))
	waitJS("version 2", `document.querySelector('[data-testid="doc-row"]').textContent.includes('Phiên bản 2')`)
	run("withdraw", chromedp.Click(sel("doc-withdraw")))
	waitJS("withdrawn", `document.querySelector('[data-testid="doc-status"]').dataset.status === 'withdrawn'`)
	run("publish again", chromedp.Click(sel("doc-publish")))
	waitJS("published again", `document.querySelector('[data-testid="doc-status"]').dataset.status === 'published'`)

	// 6. Pairing codes and the printable sheet: a card with a QR image per
	// participant who is not a secretary (4 here).
	p.clickConfirm(testidSel("pairing-issue"), "pairing.issue")
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

	// One more participant by hand: an observer (not counted for quorum).
	run("add observer",
		chromedp.SetValue(sel("participant-name"), "Vũ Văn Khách"),
		chromedp.SetValue(sel("participant-position"), "Phóng viên"),
		chromedp.SetValue(sel("participant-role"), "observer"),
		chromedp.Click(sel("participant-add-submit")))
	waitJS("five participants", `document.querySelectorAll('[data-testid="participant-row"]').length === 5`)

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
	// A poll opened without the quorum is refused; the refusal stays next
	// to it while unrelated events redraw the list, and goes once the
	// quorum changes (it would otherwise say "not enough" next to a quorum
	// that is met).
	const question = "Thông qua chương trình kỳ họp"
	run("create poll",
		chromedp.SetValue(sel("poll-question"), question),
		chromedp.Click(sel("poll-create-submit")))
	waitJS("poll draft", `document.querySelector('[data-testid="poll-row"] [data-testid="poll-status"]')?.dataset.status === 'draft'`)
	run("open poll without quorum", chromedp.Click(sel("poll-open")))
	if got := text(`[data-testid="poll-row"] [data-testid="poll-error"]`); !strings.HasPrefix(got, "Chưa đủ số lượng: có mặt 0, cần 3 trên 4.") {
		t.Errorf("poll error = %q; want the server's no-quorum message", got)
	}
	second := evalJS[string](p, `document.querySelector('[data-testid="live-item"]:nth-child(2) .grow').textContent`)
	run("another current item", chromedp.Click(chromedp.CSS(`[data-testid="live-item"]:nth-child(2) [data-testid="live-item-set"]`)))
	waitJS("current item 2", fmt.Sprintf(`document.querySelector('[data-testid="live-current"]').textContent === %q`, second))
	if got := text(`[data-testid="poll-row"] [data-testid="poll-error"]`); !strings.HasPrefix(got, "Chưa đủ số lượng") {
		t.Errorf("after an unrelated event the poll error = %q; want it kept", got)
	}
	run("current item back", chromedp.Click(chromedp.CSS(`[data-testid="live-item"]:nth-child(1) [data-testid="live-item-set"]`)))
	waitJS("current item 1", fmt.Sprintf(`document.querySelector('[data-testid="live-current"]').textContent === %q`, items[0]))
	run("mark everyone present", chromedp.Click(sel("attendance-mark-all-present")))
	waitJS("quorum", `document.querySelector('[data-testid="quorum-state"]').dataset.met === 'true'`)
	waitJS("stale poll error gone", `[...document.querySelectorAll('[data-testid="poll-row"] [data-testid="poll-error"]')].every(e => e.hidden)`)
	if got := text(sel("quorum-state")); got != "Đủ số lượng để tiến hành" {
		t.Errorf("quorum = %q; want Đủ số lượng để tiến hành", got)
	}
	shot("live-open")

	// Speakers: three added directly; reorder, withdraw; close and reopen
	// the list; give the floor, the countdown runs; add time, pause, resume,
	// end.
	addSpeaker := func(name string) {
		t.Helper()
		evalJS[bool](p, fmt.Sprintf(`(() => { const s = document.querySelector('[data-testid="speaker-add-participant"]'); s.value = [...s.options].find(o => o.text === %q).value; return true; })()`, name))
		run("add speaker "+name, chromedp.Click(sel("speaker-add-submit")))
	}
	queue := func() string {
		return evalJS[string](p, `[...document.querySelectorAll('[data-testid="speaker-request"] .strong')].map(e => e.textContent).join(', ')`)
	}
	addSpeaker("Trần Thị Mẫu")
	waitJS("queued", `document.querySelectorAll('[data-testid="speaker-request"]').length === 1`)
	if vis := count(`[data-testid="speaker-error"]:not([hidden])`); vis != 0 {
		t.Errorf("the earlier speaker error is still shown after a successful command")
	}
	addSpeaker("Hoàng Văn Phó")
	waitJS("two queued", `document.querySelectorAll('[data-testid="speaker-request"]').length === 2`)
	addSpeaker("Đỗ Thị Thành")
	waitJS("three queued", `document.querySelectorAll('[data-testid="speaker-request"]').length === 3`)
	run("move the first down", chromedp.Click(chromedp.CSS(`[data-testid="speaker-request"]:nth-child(1) [data-testid="speaker-down"]`)))
	waitJS("reordered", `document.querySelector('[data-testid="speaker-request"]:nth-child(1) .strong').textContent === 'Hoàng Văn Phó'`)
	run("withdraw the last", chromedp.Click(chromedp.CSS(`[data-testid="speaker-request"]:nth-child(3) [data-testid="speaker-withdraw"]`)))
	waitJS("withdrawn", `document.querySelectorAll('[data-testid="speaker-request"]').length === 2`)
	if got := queue(); got != "Hoàng Văn Phó, Trần Thị Mẫu" {
		t.Errorf("queue = %q; want Hoàng Văn Phó, Trần Thị Mẫu", got)
	}
	run("close the list", chromedp.Click(sel("speaker-close-list")))
	waitJS("list closed", `document.querySelector('[data-testid="speaker-list-state"]').textContent === 'Danh sách đã khóa'`)
	var me *meeting.Error
	if _, err := live.Send(ctx, "speaker.request", map[string]any{}); !errors.As(err, &me) || me.Kind != meeting.KindConflict || !strings.Contains(me.Message, "đã khóa") {
		t.Errorf("a tablet's request on the closed list: %v; want the list-closed conflict", err)
	}
	run("reopen the list", chromedp.Click(sel("speaker-reopen-list")))
	waitJS("list open", `document.querySelector('[data-testid="speaker-list-state"]').hidden`)
	run("give the floor", chromedp.Click(chromedp.CSS(`[data-testid="speaker-request"]:nth-child(2) [data-testid="speaker-give-floor"]`)))
	waitJS("speaking", `document.querySelector('[data-testid="speaker-current"]').textContent === 'Đang phát biểu: Trần Thị Mẫu'`)
	waitJS("countdown runs", `document.querySelector('[data-testid="speaker-countdown"]').dataset.running === 'true' && /^Thời gian còn lại 0[34]:\d\d$/.test(document.querySelector('[data-testid="speaker-countdown"]').textContent)`)
	run("add a minute", chromedp.SetValue(sel("speaker-add-seconds"), "60"), chromedp.Click(sel("speaker-add-time")))
	waitJS("a minute more", `/^Thời gian còn lại 0[45]:\d\d$/.test(document.querySelector('[data-testid="speaker-countdown"]').textContent)`)
	shot("speaking")
	run("pause the clock", chromedp.Click(sel("speaker-pause")))
	waitJS("clock paused", `document.querySelector('[data-testid="speaker-countdown"]').dataset.running === 'false'`)
	run("resume the clock", chromedp.Click(sel("speaker-resume")))
	waitJS("clock runs", `document.querySelector('[data-testid="speaker-countdown"]').dataset.running === 'true'`)
	run("end the speech", chromedp.Click(sel("speaker-end")))
	waitJS("nobody speaking", `document.querySelector('[data-testid="speaker-current"]').textContent === 'Chưa có ai phát biểu.'`)
	if got := queue(); got != "Hoàng Văn Phó" {
		t.Errorf("queue after the speech = %q; want Hoàng Văn Phó", got)
	}

	// Present the PDF: the tablet follows; next page; the pdf.js preview.
	docID := evalJS[string](p, `document.querySelector('[data-testid="doc-row"]').dataset.id`)
	evalJS[bool](p, fmt.Sprintf(`(() => { const s = document.querySelector('[data-testid="present-doc"]'); s.value = %q; s.dispatchEvent(new Event('change')); return true; })()`, docID))
	run("present", chromedp.Click(sel("present-send")))
	waitJS("presenting page 1", `document.querySelector('[data-testid="present-current"]').textContent === 'Đang trình chiếu: Báo cáo tình hình quý IV (phiên bản 2), trang 1 — không hiện trên màn hình hội trường'`)
	run("next page", chromedp.Click(sel("present-next")))
	waitJS("presenting page 2", `document.querySelector('[data-testid="present-current"]').dataset.page === '2'`)
	waitJS("pdf.js preview", `(() => { const c = document.querySelector('[data-testid="present-preview"]'); return !c.hidden && c.width > 0; })()`)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if pr := live.State().Presentation; pr != nil && pr.DocumentID == docID && pr.Page == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the tablet does not follow the presenter to page 2: %+v", live.State().Presentation)
		}
		time.Sleep(50 * time.Millisecond)
	}
	shot("presenting")
	run("stop presenting", chromedp.Click(sel("present-stop")))
	waitJS("not presenting", `document.querySelector('[data-testid="present-current"]').textContent === 'Không trình chiếu.'`)

	// 8. A poll: create, open, a tablet votes, not-voted list, close, publish.
	run("open poll", chromedp.Click(sel("poll-open")))
	waitJS("poll open", `document.querySelector('[data-testid="poll-row"]').dataset.status === 'open'`)
	if vis := count(`[data-testid="poll-error"]:not([hidden])`); vis != 0 {
		t.Errorf("the poll error is still shown after the poll opened")
	}
	waitJS("not voted: 4", `document.querySelectorAll('[data-testid="poll-not-voted"] .chip').length === 4`)
	pollID := evalJS[string](p, `document.querySelector('[data-testid="poll-row"]').dataset.id`)
	if _, err := live.Cast(ctx, pollID, "console-e2e-1", meeting.Ballot{Choice: meeting.ChoiceAgree}); err != nil {
		t.Fatalf("tablet ballot: %v", err)
	}
	waitJS("progress 1/4", `document.querySelector('[data-testid="poll-progress"]').dataset.voted === '1'`)
	waitJS("not voted: 3", `document.querySelectorAll('[data-testid="poll-not-voted"] .chip').length === 3`)
	shot("poll-open")
	// The click on "Đóng" spans an event: pressed, a tablet's support
	// request is folded and the rows could be redrawn, released. The click
	// must still close the poll (a redraw that swaps the button loses it).
	xy := evalJS[[]float64](p, `(() => { const r = document.querySelector('[data-testid="poll-close"]').getBoundingClientRect(); return [r.x + r.width/2, r.y + r.height/2]; })()`)
	run("press on poll-close", chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, xy[0], xy[1], chromedp.ButtonLeft, chromedp.ClickCount(1)))
	seq, err := live.Send(ctx, "support.request", map[string]any{"message": "Máy tính bảng không hiện tài liệu."})
	if err != nil {
		t.Fatalf("support request: %v", err)
	}
	waitJS("the support request folded", fmt.Sprintf(`globalThis.phonghopKernel.seq() >= %d`, seq))
	evalJS[bool](p, `new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok(true))))`, chromedp.EvalAwaitPromise)
	run("release on poll-close", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, xy[0], xy[1], chromedp.ButtonLeft, chromedp.ClickCount(1)))
	p.confirm("poll.close") // the held click asked: closing a vote is irreversible
	waitJS("poll closed by the held click", `document.querySelector('[data-testid="poll-row"]').dataset.status === 'closed'`)
	waitJS("support listed", `document.querySelector('[data-testid="support-item"]')?.dataset.resolved === 'false'`)
	run("resolve", chromedp.Click(sel("support-resolve")))
	waitJS("support resolved", `[...document.querySelectorAll('[data-testid="support-item"]')].every((e) => e.dataset.resolved === 'true')`)
	waitJS("poll closed", `document.querySelector('[data-testid="poll-row"]').dataset.status === 'closed'`)
	run("result", chromedp.WaitVisible(sel("poll-result")))
	agree := text(`[data-testid="poll-result"] tr[data-choice="agree"]`)
	if !strings.Contains(agree, "Tán thành") || !strings.Contains(agree, "25,00%") {
		t.Errorf("result row = %q; want Tán thành with 1 vote, 25,00%% of the 4 summoned", agree)
	}
	p.clickConfirm(testidSel("poll-publish"), "poll.publish")
	waitJS("poll published", `document.querySelector('[data-testid="poll-row"]').dataset.status === 'published'`)
	shot("poll-published")

	// An election without candidates: the server's field error is shown at
	// the form; then with candidates, a draft, cancelled with a reason.
	run("election without candidates",
		chromedp.SetValue(sel("poll-question"), "Bầu Ban Kiểm tra"),
		chromedp.SetValue(sel("poll-kind"), "election"),
		chromedp.Click(sel("poll-create-submit")),
		chromedp.WaitVisible(sel("poll-create-error")))
	if got := text(sel("poll-create-error")); !strings.Contains(got, "trống") {
		t.Errorf("election error = %q; want the server's Vietnamese message about the empty list", got)
	}
	run("election with candidates",
		chromedp.SetValue(sel("poll-candidates"), "Hoàng Văn Phó\nTrần Thị Mẫu; 1980-03-02\nĐỗ Thị Thành"),
		chromedp.SetValue(sel("poll-seats"), "2"),
		chromedp.Click(sel("poll-create-submit")))
	waitJS("election draft", `[...document.querySelectorAll('[data-testid="poll-row"]')].some(r => r.dataset.status === 'draft')`)
	if vis := count(`[data-testid="poll-create-error"]:not([hidden])`); vis != 0 {
		t.Errorf("the poll error is still shown after a good create")
	}
	run("cancel reason", chromedp.SetValue(chromedp.CSS(`[data-testid="poll-row"][data-status="draft"] [data-testid="poll-cancel-reason"]`), "Chuyển sang kỳ họp sau"))
	p.clickConfirm(`[data-testid="poll-row"][data-status="draft"] [data-testid="poll-cancel"]`, "poll.cancel")
	waitJS("election cancelled", `[...document.querySelectorAll('[data-testid="poll-row"]')].some(r => r.dataset.status === 'cancelled' && r.textContent.includes('Chuyển sang kỳ họp sau'))`)

	// A secret vote, an election and a rating, each with the tablet's
	// ballot, closed and published: the results of every kind render.
	type kindCase struct {
		kind, question string
		setup          func()
		ballot         meeting.Ballot
		row            string // a result row that must show the tablet's vote
	}
	cases := []kindCase{
		{"secret", "Biểu quyết kín về nhân sự", func() {}, meeting.Ballot{Choice: meeting.ChoiceDisagree}, `tr[data-choice="disagree"]`},
		{"election", "Bầu Bí thư", func() {
			run("candidates", chromedp.SetValue(sel("poll-candidates"), "Hoàng Văn Phó\nTrần Thị Mẫu"), chromedp.SetValue(sel("poll-seats"), "1"))
		}, meeting.Ballot{Kept: []string{"c2"}}, `tr[data-candidate="c2"]`},
		{"rating", "Đánh giá, xếp loại cán bộ năm 2026", func() {
			run("subjects", chromedp.SetValue(sel("poll-subjects"), "Nguyễn Văn Chủ"), chromedp.SetValue(sel("poll-scale"), "review"))
		}, meeting.Ballot{Ratings: map[string]meeting.Level{"c1": meeting.LevelGood}}, `.subject`},
	}
	for i, c := range cases {
		run("kind "+c.kind, chromedp.SetValue(sel("poll-question"), c.question), chromedp.SetValue(sel("poll-kind"), c.kind))
		evalJS[bool](p, `(() => { document.querySelector('[data-testid="poll-kind"]').dispatchEvent(new Event('change')); return true; })()`)
		c.setup()
		run("create "+c.kind, chromedp.Click(sel("poll-create-submit")))
		row := fmt.Sprintf(`[data-testid="poll-row"]:nth-child(1)`)
		waitJS(c.kind+" draft", fmt.Sprintf(`document.querySelector(%q)?.dataset.status === 'draft' && document.querySelector(%q).textContent.includes(%q)`, row, row, c.question))
		id := evalJS[string](p, fmt.Sprintf(`document.querySelector(%q).dataset.id`, row))
		run("open "+c.kind, chromedp.Click(chromedp.CSS(row+` [data-testid="poll-open"]`)))
		waitJS(c.kind+" open", fmt.Sprintf(`document.querySelector(%q).dataset.status === 'open'`, row))
		if _, err := live.Cast(ctx, id, fmt.Sprintf("console-e2e-kind-%d", i), c.ballot); err != nil {
			t.Fatalf("%s ballot: %v", c.kind, err)
		}
		waitJS(c.kind+" voted", fmt.Sprintf(`document.querySelector(%q).dataset.voted === '1'`, row+` [data-testid="poll-progress"]`))
		p.clickConfirm(row+` [data-testid="poll-close"]`, "poll.close")
		waitJS(c.kind+" closed", fmt.Sprintf(`document.querySelector(%q).dataset.status === 'closed'`, row))
		p.clickConfirm(row+` [data-testid="poll-publish"]`, "poll.publish")
		waitJS(c.kind+" published", fmt.Sprintf(`document.querySelector(%q).dataset.status === 'published'`, row))
		if got := text(chromedp.CSS(row + ` [data-testid="poll-result"] ` + c.row)); !strings.Contains(got, "1") {
			t.Errorf("%s result row = %q; want the tablet's vote counted", c.kind, got)
		}
	}
	shot("poll-kinds")

	// Excused with a reason: the roll and the quorum follow.
	pid := evalJS[string](p, `[...document.querySelectorAll('[data-testid="attendance-row"]')].find(r => r.textContent.includes('Đỗ Thị Thành')).dataset.id`)
	row := fmt.Sprintf(`[data-testid="attendance-row"][data-id=%q] `, pid)
	run("excuse", chromedp.SetValue(chromedp.CSS(row+`[data-testid="attendance-reason"]`), "Đi công tác"), chromedp.Click(chromedp.CSS(row+`[data-testid="attendance-excused"]`)))
	waitJS("excused", fmt.Sprintf(`document.querySelector(%q).textContent === 'Vắng có lý do — Đi công tác'`, row+`[data-testid="attendance-status"]`))
	if got := text(`[data-testid="quorum-summary"] .big-num`); got != "Có mặt 3/4" {
		t.Errorf("quorum after an excuse = %q; want Có mặt 3/4", got)
	}

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
	deadline = time.Now().Add(10 * time.Second)
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
	// A private notice to the paired delegate only.
	const private = "Đồng chí Phó chuẩn bị phát biểu mục 2."
	run("private notice",
		chromedp.SetValue(sel("notice-text"), private),
		chromedp.SetValue(sel("notice-to"), pr.Participant),
		chromedp.Click(sel("notice-send")))
	waitJS("private listed", fmt.Sprintf(`[...document.querySelectorAll('[data-testid="notice-item"]')].some(e => e.textContent.includes(%q) && e.textContent.includes('Riêng cho Hoàng Văn Phó'))`, private))
	deadline = time.Now().Add(10 * time.Second)
	for {
		st := live.State()
		if n := len(st.Notices); n > 0 && st.Notices[n-1].Text == private && st.Notices[n-1].To == pr.Participant {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the delegate did not get the private notice")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// 10. A support request from the tablet, resolved at the console.
	if _, err := live.Send(ctx, "support.request", map[string]any{"message": "Máy tính bảng không mở được tài liệu"}); err != nil {
		t.Fatalf("support request: %v", err)
	}
	waitJS("support listed", `document.querySelector('[data-testid="support-item"]')?.dataset.resolved === 'false'`)
	shot("support")
	run("resolve", chromedp.Click(sel("support-resolve")))
	waitJS("support resolved", `document.querySelector('[data-testid="support-item"]').dataset.resolved === 'true'`)

	// After the meeting, while it is still open: the minutes exist as a
	// draft (no "not available" notice), a conclusion can be recorded and
	// the preview holds it, finalising is refused until the close, and the
	// archive has nothing yet.
	meetingID := evalJS[string](p, `new URLSearchParams(location.hash.slice(1)).get('m')`)
	run("after tab", chromedp.Click(sel("tab-after")), chromedp.WaitVisible(sel("minutes-conclude")))
	if count(`[data-testid="minutes-availability"]:not([hidden])`) != 0 {
		t.Errorf("the console says the minutes are not available: %q", text(sel("minutes-availability")))
	}
	if got := text(sel("minutes-status")); got != "Biên bản đang là bản nháp." {
		t.Errorf("minutes status = %q; want the draft notice", got)
	}
	const conclusion = "Hội nghị thống nhất thông qua chương trình."
	wmSet(t, p, testidSel("minutes-item"), "")
	wmSet(t, p, testidSel("minutes-text"), conclusion)
	run("conclude", chromedp.Click(sel("minutes-conclude")))
	waitJS("conclusion listed", `!!document.querySelector('[data-testid="conclusion-row"][data-item=""]')`)
	type preview struct {
		Status int    `json:"status"`
		Body   string `json:"body"`
	}
	pv := evalJS[preview](p, `fetch(document.querySelector('[data-testid="minutes-preview-json"]').href).then(async r => ({status: r.status, body: await r.text()}))`, chromedp.EvalAwaitPromise)
	if pv.Status != http.StatusOK || !strings.Contains(pv.Body, conclusion) || !strings.Contains(pv.Body, meetingID) {
		t.Errorf("minutes preview (JSON) = %d, has the conclusion %v", pv.Status, strings.Contains(pv.Body, conclusion))
	}
	wmSet(t, p, testidSel("minutes-number"), "01-BB/ĐU")
	p.clickConfirm(testidSel("minutes-finalize"), "minutes.finalize")
	waitJS("finalize refused", `!document.querySelector('[data-testid="minutes-finalize-error"]').hidden`)
	if got := text(sel("minutes-finalize-error")); got != "Chỉ hoàn thành biên bản sau khi bế mạc cuộc họp." {
		t.Errorf("finalize before the close = %q; want the server's Vietnamese refusal", got)
	}
	run("archive search", chromedp.Click(sel("archive-search")))
	waitJS("archive listed", `!!document.querySelector('[data-testid="archive-list"] .empty')`)
	if got := text(sel("archive-list")); got != "Không có bản lưu trữ." {
		t.Errorf("archive list = %q; want none yet", got)
	}
	if count(`[data-testid="archive-error"]:not([hidden])`) != 0 {
		t.Errorf("archive error = %q", text(sel("archive-error")))
	}
	shot("after")
	run("live tab again", chromedp.Click(sel("tab-live")))

	// Done with the first item: the next one is current.
	run("advance", chromedp.Click(sel("live-advance")))
	waitJS("advanced", fmt.Sprintf(`document.querySelector('[data-testid="live-current"]').textContent === %q`, items[2]))
	if n := count(`[data-testid="live-item"]:nth-child(1) .done-text`); n != 1 {
		t.Errorf("the first item is not shown done after advancing")
	}

	// Pause, resume, close (two clicks).
	run("pause", chromedp.Click(sel("live-pause")))
	waitJS("paused", `document.querySelector('[data-testid="live-status"]').dataset.status === 'paused'`)
	run("resume", chromedp.Click(sel("live-resume")))
	waitJS("resumed", `document.querySelector('[data-testid="live-status"]').dataset.status === 'open'`)
	p.clickConfirm(testidSel("live-close"), "meeting.close")
	waitJS("closed", `document.querySelector('[data-testid="live-status"]').dataset.status === 'closed' && document.querySelector('[data-testid="meeting-status"]').textContent === 'Đã kết thúc'`)
	shot("closed")

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
