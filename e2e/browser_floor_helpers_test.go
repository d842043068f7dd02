package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The congress floor's browser tests share these helpers: the /floor page,
// reading exports back with real parsers (pandoc, pdftotext), and the
// screenshots of the floor's guide pages (docs/guide/floor).

// floorGuideDir holds the guide pages of the congress floor, in Vietnamese
// (vi.md) and English (en.md), with their screenshots in img/<lang>.
const floorGuideDir = "../docs/guide/floor"

// floorShots are the screenshots of the floor's guide, in its order; the
// floor's browser tests take each in Vietnamese and English and
// TestFloorGuideImages checks the guide shows exactly these.
var floorShots = []string{
	"01-open-draft", "02-draft-counts", "03-tablet-opinion", "04-tablet-offline", "05-revise", "06-rollup",
	"07-groups", "08-tablet-group", "09-group-notes", "10-groups-live", "11-group-report",
	"12-contrib-tablet", "13-contrib-schedule", "14-contrib-minutes",
}

// floorShot takes screenshot name of p in Vietnamese and English, as the
// secretariat's guide does (guide.shot): into the artifacts, and into
// docs/guide/floor/img with -update-guide.
func floorShot(t *testing.T, p *page, name string, show func() func()) {
	t.Helper()
	if !slices.Contains(floorShots, name) {
		t.Fatalf("floor guide shot %q is not in floorShots", name)
	}
	for _, lang := range []string{"vi", "en"} {
		setLang(p, lang)
		done := func() {}
		if show != nil {
			done = show()
		}
		floorCapture(t, p, name, lang)
		done()
	}
	setLang(p, "vi")
}

// floorShotURL takes screenshot name of a page that is a rendered record
// (the tổ report): p navigates to url with "vi", then "en" appended (url
// ends with "lang=").
func floorShotURL(t *testing.T, p *page, name, url string, scrollTo ...string) {
	t.Helper()
	for i, lang := range []string{"vi", "en"} {
		p.navigate(url + lang)
		p.waitJS(`document.readyState === "complete" && document.body.innerText.length > 100`)
		if i < len(scrollTo) {
			// The part of the record the guide is about, at the top.
			evalJS[bool](p, `(() => { const e = [...document.querySelectorAll('h3, p.label')].find(x => x.textContent.includes(`+wmQ(scrollTo[i])+`));
				if (e) e.scrollIntoView({block: "start"}); return true })()`)
		}
		floorCapture(t, p, name, lang)
	}
}

// floorCapture saves p's screen as screenshot name in lang (artifacts;
// docs/guide/floor/img with -update-guide).
func floorCapture(t *testing.T, p *page, name, lang string) {
	t.Helper()
	if !slices.Contains(floorShots, name) {
		t.Fatalf("floor guide shot %q is not in floorShots", name)
	}
	// A passing message (toast) is not part of the picture.
	evalJS[bool](p, `(() => { const e = document.getElementById('toast'); if (e) e.hidden = true; return true })()`)
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	v := evalJS[[]float64](p, `[scrollX, scrollY, document.documentElement.clientWidth, document.documentElement.clientHeight]`)
	q := int64(72)
	img, err := chromedp.Call(ctx, cdppage.CaptureScreenshot, cdppage.CaptureScreenshotParams{Format: cdppage.CaptureScreenshotFormatJpeg, Quality: &q,
		Clip: &cdppage.Viewport{X: v[0], Y: v[1], Width: v[2], Height: v[3], Scale: 0.75}})
	cancel()
	if err != nil {
		t.Fatalf("floor guide screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(p.b.artifacts, "floor-guide-"+lang+"-"+name+".jpg"), img.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	if *updateGuide {
		dst := filepath.Join(floorGuideDir, "img", lang, name+".jpg")
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, img.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFloorGuideImages: every picture the floor's guide shows exists, every
// picture in its folder is shown, and each language shows exactly
// floorShots, in order (go test ./e2e -run 'TestFloor' -update-guide
// takes them again).
func TestFloorGuideImages(t *testing.T) {
	checkGuidePictures(t, floorGuideDir, "floor/", floorShots, "go test ./e2e -run TestFloor -update-guide")
}

// openFloor opens the secretariat's floor page of meeting id at w×h and
// logs in.
func openFloor(b *browser, base, id string, w, h int) *page {
	p := b.newPage("floor", w, h)
	p.navigate(base + "/floor?meeting=" + id)
	p.waitTestID("floor-login")
	wmSet(p.t, p, testidSel("login-username"), adminUser)
	p.typeInto("login-password", adminPassword)
	p.click("login-submit")
	p.waitTestID("floor-title")
	p.waitJS(wmOnline)
	return p
}

// fetchBytes fetches url with p's cookies (the page's own session) and
// returns the status and body.
func fetchBytes(t *testing.T, p *page, url string) (int, []byte) {
	t.Helper()
	res := evalJS[[]string](p, `(async () => { const r = await fetch(`+wmQ(url)+`, {credentials: 'same-origin'});
		const b = new Uint8Array(await r.arrayBuffer()); let s = ''; for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
		return [String(r.status), btoa(s)]; })()`, chromedp.EvalAwaitPromise)
	b, err := base64.StdEncoding.DecodeString(res[1])
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range res[0] {
		n = n*10 + int(c-'0')
	}
	return n, b
}

// needTool returns the path of prog (Debian's pkg), skipping the test
// without it, failing under CI=true (scripts/test.sh installs it).
func needTool(t *testing.T, prog, pkg string) string {
	t.Helper()
	bin, err := exec.LookPath(prog)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s (Debian's %s) is required under CI=true: %v", prog, pkg, err)
		}
		t.Skipf("%s not installed (%s): %v", prog, pkg, err)
	}
	return bin
}

var spaces = regexp.MustCompile(`\s+`)

// docxToText reads a Word document back with pandoc, whitespace collapsed.
func docxToText(t *testing.T, docx []byte) string {
	t.Helper()
	bin := needTool(t, "pandoc", "pandoc")
	cmd := exec.Command(bin, "-f", "docx", "-t", "plain", "--wrap=none")
	cmd.Stdin = bytes.NewReader(docx)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pandoc: %v\n%s", err, out)
	}
	return strings.TrimSpace(spaces.ReplaceAllString(string(out), " "))
}

// pdfToRawText reads a PDF back with pdftotext in content order (a table
// cell's lines together), whitespace collapsed.
func pdfToRawText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin := needTool(t, "pdftotext", "poppler-utils")
	cmd := exec.Command(bin, "-raw", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return strings.TrimSpace(spaces.ReplaceAllString(string(out), " "))
}

// chromeType types text into the element sel as a keyboard would.
func chromeType(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(chromedp.CSS(sel), text)
}

// wmSetRowID gives the section row of ID id in the revision editor of p
// the ID to (the secretariat ties a section to the one it continues).
func wmSetRowID(t *testing.T, p *page, id, to string) {
	t.Helper()
	wmSet(t, p, `[data-testid="revise-editor"] tr[data-id="`+id+`"] [data-testid="section-id"]`, to)
	p.waitJS(`!!document.querySelector('[data-testid="revise-editor"] tr[data-id="` + to + `"]')`)
}
