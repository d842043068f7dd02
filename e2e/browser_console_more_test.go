package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/phonghop/phonghop/server/meeting"
)

// TestConsoleBrowser1600 opens the console on a meeting of 1,600 delegates
// and marks everyone present from it (1,600 attendance.mark commands over the
// WebSocket, 16 in flight), opens a vote and sends a notice. It checks the
// roll and the quorum reach every delegate, the not-voted list is capped, and logs the figures: time to show the live
// tab, to mark everyone, for a notice's round trip, and the console's own
// render count and time (window.__consoleRender). Skipped with -short.
func TestConsoleBrowser1600(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("-short")
	}
	b := newBrowser(t)
	p := b.newPage("console1600", 1280, 800)
	srv := startServer(t, "127.0.0.1:0", t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sec, _ := newClient(t, srv.URL)
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	id, err := sec.CreateMeeting(ctx, meeting.Details{Title: "Đại hội đại biểu — 1.600 đại biểu"})
	if err != nil {
		t.Fatal(err)
	}
	var csv strings.Builder
	csv.WriteString("họ và tên,vai trò\n")
	for i := range 1600 {
		fmt.Fprintf(&csv, "Đại biểu Thử Nghiệm %04d,đại biểu\n", i+1)
	}
	if _, err := sec.ImportParticipantsCSV(ctx, id, strings.NewReader(csv.String())); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		data any
	}{{"agenda.add", map[string]any{"title": "Khai mạc"}}, {"meeting.open", nil}} {
		if _, err := sec.Command(ctx, id, c.name, c.data); err != nil {
			t.Fatal(err)
		}
	}

	p.navigate(srv.URL + "/console")
	p.do("log in", chromedp.SetValue(sel("login-password"), adminPassword), chromedp.Click(sel("login-submit")), chromedp.WaitVisible(sel("meeting-create-form")))
	t0 := time.Now()
	p.navigate(srv.URL + "/console#m=" + id + "&tab=live")
	p.waitJS(`document.querySelectorAll('[data-testid="attendance-row"]').length === 1600 && document.querySelector('[data-testid="conn-status"]').dataset.source === 'live'`)
	t.Logf("live tab with 1,600 delegates shown in %v", time.Since(t0).Round(time.Millisecond))

	t0 = time.Now()
	p.click("attendance-mark-all-present")
	deadline := time.Now().Add(2 * time.Minute)
	for evalJS[string](p, `document.querySelector('[data-testid="quorum-summary"] .big-num').textContent`) != "Có mặt 1600/1600" {
		if time.Now().After(deadline) {
			p.shot("mark-all-stuck")
			t.Fatalf("the console did not reach 1600/1600 present: %s", evalJS[string](p, `document.querySelector('[data-testid="quorum-summary"]').innerText`))
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("1,600 marked present from the console in %v", time.Since(t0).Round(time.Millisecond))
	if n := evalJS[int](p, `document.querySelectorAll('[data-testid="attendance-row"][data-status="present"]').length`); n != 1600 {
		t.Errorf("%d rows show present; want 1600", n)
	}
	if met := evalJS[string](p, `document.querySelector('[data-testid="quorum-state"]').dataset.met`); met != "true" {
		t.Errorf("quorum-state data-met = %s; want true", met)
	}
	st, err := sec.Meeting(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if q := meeting.QuorumOf(st); q.Present != 1600 {
		t.Errorf("the server has %d present; want 1600", q.Present)
	}

	// An open vote: the not-voted list shows 100 names and how many more.
	p.do("create poll", chromedp.SetValue(sel("poll-question"), "Thông qua chương trình đại hội"), chromedp.Click(sel("poll-create-submit")))
	p.waitJS(`document.querySelector('[data-testid="poll-row"]')?.dataset.status === 'draft'`)
	p.click("poll-open")
	p.waitJS(`document.querySelector('[data-testid="poll-not-voted"]')?.dataset.count === '1600'`)
	if n := evalJS[int](p, `document.querySelectorAll('[data-testid="poll-not-voted"] .chip').length`); n != 100 {
		t.Errorf("%d not-voted names shown; want the first 100", n)
	}
	if got := p.text("poll-not-voted-more"); got != "… và 1500 người khác" {
		t.Errorf("not-voted overflow = %q", got)
	}
	if got := evalJS[string](p, `document.querySelector('[data-testid="poll-progress"]').innerText`); !strings.Contains(got, "Đã bỏ phiếu 0/1600") {
		t.Errorf("poll progress = %q", got)
	}

	t0 = time.Now()
	p.do("notice", chromedp.SetValue(sel("notice-text"), "Đề nghị đại biểu ổn định chỗ ngồi."), chromedp.Click(sel("notice-send")))
	p.waitJS(`document.querySelectorAll('[data-testid="notice-item"]').length === 1`)
	t.Logf("notice round trip with 1,600 delegates: %v", time.Since(t0).Round(time.Millisecond))
	ms := evalJS[float64](p, `(() => { const t = performance.now(); document.querySelector('[data-testid="lang-en"]').click(); return performance.now() - t; })()`)
	t.Logf("whole re-render (language switch) with 1,600 delegates: %.0f ms", ms)
	t.Logf("console renders: %s", evalJS[string](p, `JSON.stringify(window.__consoleRender)`))
	p.shot("after")
}

// TestConsoleBrowserRESTFallback runs the console in a browser whose
// WebSocket never connects (as behind a proxy that drops upgrades): after
// its wait the console falls back to REST polling, says so, still sends
// commands and still sees what others change.
func TestConsoleBrowserRESTFallback(t *testing.T) {
	b := newBrowser(t)
	p := b.newPage("rest", 1280, 800)
	srv := startServer(t, "127.0.0.1:0", t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sec, _ := newClient(t, srv.URL)
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	id, err := sec.CreateMeeting(ctx, meeting.Details{Title: "Họp giao ban — không có WebSocket"})
	if err != nil {
		t.Fatal(err)
	}
	// A WebSocket that stays "connecting" for ever.
	p.do("break WebSocket", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{
			Source: `window.WebSocket = class { constructor() { this.readyState = 0; } send() {} close() {} };`})
		return err
	}))
	p.navigate(srv.URL + "/console")
	p.do("log in", chromedp.SetValue(sel("login-password"), adminPassword), chromedp.Click(sel("login-submit")), chromedp.WaitVisible(sel("meeting-create-form")))
	p.navigate(srv.URL + "/console#m=" + id + "&tab=prepare")
	p.waitJS(`document.querySelector('[data-testid="conn-status"]').dataset.source === 'rest'`)
	if got := p.text("conn-status"); got != "Cập nhật định kỳ" {
		t.Errorf("conn-status = %q; want Cập nhật định kỳ", got)
	}
	p.do("add item", chromedp.SetValue(sel("agenda-add-title"), "Đánh giá công tác tuần"), chromedp.Click(sel("agenda-add-submit")))
	p.waitJS(`document.querySelectorAll('[data-testid="agenda-item"]').length === 1`)
	if _, err := sec.Command(ctx, id, "agenda.add", map[string]any{"title": "Kế hoạch tuần tới"}); err != nil {
		t.Fatal(err)
	}
	p.waitJS(`[...document.querySelectorAll('[data-testid="agenda-item-title"]')].some(e => e.textContent === 'Kế hoạch tuần tới')`)
	p.shot("rest")
}
