package e2e

// Browser-test harness: a real Chromium (headless, via chromedp) driving the
// web apps served by the real phonghop binary.
//
//	b := newBrowser(t)                  // skips without Chromium (fails under CI=true)
//	p := b.newPage("tablet", 1280, 800) // a tab in its own browser context (own cookies)
//	p.navigate(url)
//	p.waitTestID("agenda-list")         // visible element with data-testid
//	p.waitText("Chương trình")          // text anywhere in the page
//	p.waitJS(`expr`)                    // a JavaScript predicate becomes truthy
//	p.click("floor-request")            // a real mouse click on [data-testid=…]
//	p.clickSel(`css selector`)          // the same, any CSS selector
//	p.typeInto("pair-code", "ABCD")     // focus and type
//	p.text("meeting-title")             // textContent of [data-testid=…]
//	p.shot("step")                      // PNG to the artifacts dir (printed once)
//	p.setOffline(true)                  // emulate a lost network (navigator.onLine too)
//	p.viewport(800, 1280)
//
// Every page collects console messages; an uncaught exception or a
// console.error call of the page fails the test (network errors the browser
// logs itself while offline do not). Chromium: /usr/bin/chromium, or
// PHONGHOP_CHROMIUM. Screenshots: PHONGHOP_ARTIFACTS, or a temporary directory
// kept after the test (its path is logged).

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// browser is one Chromium process for a test.
type browser struct {
	t         *testing.T
	ctx       context.Context // the browser's first context (a blank tab)
	artifacts string
}

func chromiumPath() string {
	if p := os.Getenv("PHONGHOP_CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

var artifactsOnce sync.Map // test name → dir

// artifactsDir returns the directory for t's screenshots, made once per test.
func artifactsDir(t *testing.T) string {
	if d, ok := artifactsOnce.Load(t.Name()); ok {
		return d.(string)
	}
	base := os.Getenv("PHONGHOP_ARTIFACTS")
	if base == "" {
		var err error
		base, err = os.MkdirTemp("", "phonghop-browser-")
		if err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(base, strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("browser screenshots: %s", dir)
	artifactsOnce.Store(t.Name(), dir)
	return dir
}

// newBrowser starts a headless Chromium for t, stopped at the end of t.
// Without Chromium the test is skipped, or fails when CI=true.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromiumPath()
	if _, err := exec.LookPath(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium not found at %s (set PHONGHOP_CHROMIUM): %v", path, err)
		}
		t.Skipf("Chromium not found at %s (set PHONGHOP_CHROMIUM); skipping the browser test", path)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil {
		bcancel()
		acancel()
		if os.Getenv("CI") == "true" {
			t.Fatalf("start Chromium: %v", err)
		}
		t.Skipf("Chromium does not start: %v", err)
	}
	t.Cleanup(func() { bcancel(); acancel() })
	return &browser{t: t, ctx: bctx, artifacts: artifactsDir(t)}
}

// page is one tab in its own browser context (its own cookies: one device).
type page struct {
	t     *testing.T
	b     *browser
	name  string
	ctx   context.Context
	shots int

	mu     sync.Mutex
	errors []string
	logs   []string
}

// newPage opens a tab named name (used in screenshot names) in a new browser
// context, with a w×h viewport.
func (b *browser) newPage(name string, w, h int) *page {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	return b.tab(name, w, h, ctx, cancel)
}

// sibling opens another tab named name in p's browser context: the same
// cookies, so the same session (a second tab of one browser).
func (p *page) sibling(name string, w, h int) *page {
	p.t.Helper()
	ctx, cancel := chromedp.NewContext(p.ctx)
	return p.b.tab(name, w, h, ctx, cancel)
}

// tab makes the tab of ctx a page named name, with a w×h viewport.
func (b *browser) tab(name string, w, h int, ctx context.Context, cancel context.CancelFunc) *page {
	b.t.Helper()
	p := &page{t: b.t, b: b, name: name, ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("open tab %s: %v", name, err)
	}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			line := fmt.Sprintf("[%s] %s %s:%d", m.Type, m.Text, m.URL, m.Line)
			p.mu.Lock()
			p.logs = append(p.logs, line)
			if m.IsException() || (m.Type == chromedp.ConsoleError && len(m.Args) > 0) {
				p.errors = append(p.errors, line)
			}
			p.mu.Unlock()
		}
	}()
	b.t.Cleanup(func() {
		p.checkErrors()
		p.mu.Lock()
		logs := strings.Join(p.logs, "\n")
		p.mu.Unlock()
		_ = os.WriteFile(filepath.Join(b.artifacts, name+"-console.log"), []byte(logs+"\n"), 0o644)
		cancel()
	})
	p.viewport(w, h)
	return p
}

// checkErrors fails the test for every JavaScript exception or console.error
// the page produced so far.
func (p *page) checkErrors() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.errors {
		p.t.Errorf("%s: JavaScript error: %s", p.name, e)
	}
	p.errors = nil
}

func (p *page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.shot("FAILED-" + what)
		p.checkErrors()
		p.t.Fatalf("%s: %s: %v", p.name, what, err)
	}
}

func (p *page) viewport(w, h int) {
	p.t.Helper()
	p.do("viewport", chromedp.EmulateViewport(int64(w), int64(h)))
}

func (p *page) navigate(url string) {
	p.t.Helper()
	p.do("navigate "+url, chromedp.Navigate(url))
}

func testidSel(id string) string { return `[data-testid="` + id + `"]` }

// waitTestID waits until [data-testid=id] is visible.
func (p *page) waitTestID(id string) {
	p.t.Helper()
	p.do("wait for "+id, chromedp.WaitVisible(chromedp.CSS(testidSel(id))))
}

// waitJS waits until the JavaScript expression is truthy.
// A navigation in progress (a link followed) destroys the page's JavaScript
// context; the wait then starts again in the new page.
func (p *page) waitJS(expr string) {
	p.t.Helper()
	deadline := time.Now().Add(25 * time.Second)
	for {
		ctx, cancel := context.WithDeadline(p.ctx, deadline)
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(time.Until(deadline))))
		cancel()
		if err == nil {
			return
		}
		if time.Now().Before(deadline) && navigating(err) {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		p.shot("FAILED-wait")
		p.checkErrors()
		p.t.Fatalf("%s: wait for %s: %v", p.name, expr, err)
	}
}

// waitText waits until text appears in the page's visible text.
func (p *page) waitText(text string) {
	p.t.Helper()
	p.waitJS(`document.body.innerText.includes(` + strconv.Quote(text) + `)`)
}

// waitNoText waits until text is gone from the page's visible text.
func (p *page) waitNoText(text string) {
	p.t.Helper()
	p.waitJS(`!document.body.innerText.includes(` + strconv.Quote(text) + `)`)
}

// click clicks [data-testid=id] with the mouse once it is visible.
func (p *page) click(id string) {
	p.t.Helper()
	p.clickSel(testidSel(id))
}

func (p *page) clickSel(sel string) {
	p.t.Helper()
	// The apps redraw on every change: between finding the element and
	// clicking it, a redraw may replace it with an equal one. A finger would
	// press the new one; the click is retried on the new node then.
	for try := 1; ; try++ {
		ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
		err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(sel)))
		if err == nil {
			_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](steadyJS(sel), chromedp.EvalAwaitPromise))
		}
		if err == nil {
			err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel)))
		}
		cancel()
		if err == nil {
			return
		}
		if try < 5 && replacedNode(err) {
			continue
		}
		p.shot("FAILED-click " + sel)
		p.checkErrors()
		p.t.Fatalf("%s: click %s: %v", p.name, sel, err)
	}
}

// steadyJS is a promise that settles once the element sel has kept its
// place on the screen for three checks 20 ms apart (at most 2 s): a person
// aims at a button that is not moving. A redraw that moves it (a banner
// appearing above it as an event arrives) between the moment the click's
// position is taken and the press would land the press elsewhere, which is
// the layout jumping, not a tap the app lost.
func steadyJS(sel string) string {
	return `new Promise((resolve) => {
  const sel = ` + strconv.Quote(sel) + `, end = Date.now() + 2000;
  let last = '', same = 0;
  const step = () => {
    const el = document.querySelector(sel), r = el && el.getBoundingClientRect();
    const k = r ? [r.x, r.y, r.width, r.height].join(',') : '';
    same = k !== '' && k === last ? same + 1 : 0;
    last = k;
    if (same >= 3 || Date.now() > end) resolve(same >= 3); else setTimeout(step, 20);
  };
  step();
})`
}

// navigating reports whether err comes from the page navigating under the
// evaluation (a link followed, a reload): the wait goes on in the new page.
func navigating(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "context with specified id") || strings.Contains(msg, "Execution context was destroyed") ||
		strings.Contains(msg, "Inspected target navigated or closed") || strings.Contains(msg, "Not attached to an active page")
}

// replacedNode reports whether err says the node went away under the
// action (a redraw replaced it).
func replacedNode(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Could not find node with given id") || strings.Contains(msg, "Node is detached") ||
		strings.Contains(msg, "No node with given id") || strings.Contains(msg, "node not found")
}

// typeInto types text into the input [data-testid=id].
func (p *page) typeInto(id, text string) {
	p.t.Helper()
	p.do("type into "+id, chromedp.WaitVisible(chromedp.CSS(testidSel(id))), chromedp.SendKeys(chromedp.CSS(testidSel(id)), text))
}

// eval evaluates a JavaScript expression and decodes its value.
func evalJS[T any](p *page, expr string, opts ...chromedp.EvaluateOption) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		p.t.Fatalf("%s: eval %s: %v", p.name, expr, err)
	}
	return v
}

// text returns the textContent of [data-testid=id] ("" when absent).
func (p *page) text(id string) string {
	p.t.Helper()
	return evalJS[string](p, `(document.querySelector(`+strconv.Quote(testidSel(id))+`)||{}).textContent||""`)
}

// exists reports whether a selector matches a visible element now.
func (p *page) exists(sel string) bool {
	p.t.Helper()
	return evalJS[bool](p, `(()=>{const e=document.querySelector(`+strconv.Quote(sel)+`);return !!e && !!(e.offsetWidth||e.offsetHeight||e.getClientRects().length)})()`)
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// shot saves a screenshot of the viewport as NN-name-step.png.
func (p *page) shot(step string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Logf("%s: screenshot %s: %v", p.name, step, err)
		return
	}
	p.shots++
	name := fmt.Sprintf("%s-%02d-%s.png", p.name, p.shots, unsafeName.ReplaceAllString(step, "_"))
	if err := os.WriteFile(filepath.Join(p.b.artifacts, name), png, 0o644); err != nil {
		p.t.Logf("save screenshot: %v", err)
	}
}

// setOffline cuts (or restores) the page's network: every request fails and
// navigator.onLine follows (the page gets offline/online events, as when a
// tablet loses the Wi-Fi).
func (p *page) setOffline(offline bool) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		p.t.Fatalf("network.enable: %v", err)
	}
	cond := []*network.Conditions{{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: cond}); err != nil {
		p.t.Fatalf("emulate network conditions: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		p.t.Fatalf("override network state: %v", err)
	}
}
