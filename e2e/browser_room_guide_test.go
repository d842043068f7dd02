package e2e

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server/meeting"
)

// updateGuide makes TestRoomGuide write its screenshots into docs/guide/img
// (go test ./e2e -run TestRoomGuide -update-guide), as gofmt's tests do
// with -update: the guide's pictures are always those of the current apps.
var updateGuide = flag.Bool("update-guide", false, "write the secretariat guide's screenshots into docs/guide/img (TestRoomGuide)")

// guideDir is the secretariat's guide, Vietnamese (vi.md) and English (en.md).
const guideDir = "../docs/guide"

// guideShots are the screenshots of the guide, in its order: TestRoomGuide
// takes each in Vietnamese and in English (img/vi/<name>.jpg,
// img/en/<name>.jpg) and TestGuideImages checks the guide shows exactly
// these, all present.
var guideShots = []string{
	"01-meeting", "01b-settings", "02-agenda-participants", "02b-bodies-propose", "02c-bodies-approved", "03-documents", "04-pairing-sheet", "05-reissue", "06-tablet-pair",
	"07-checkin-tablet", "08-attendance", "09-floor-tablet", "10-speakers-console", "11-speakers-hall",
	"12-vote-console", "13-vote-tablet", "14-vote-close", "15-result-hall", "16-document-tablet", "17-present-console",
	"18-present-hall", "19-close", "20-hall-closed", "21-minutes", "22-finalize", "23-archive",
}

var guideImage = regexp.MustCompile(`!\[[^\]]*\]\((img/[^)\s]+)\)`)

// TestGuideImages: every picture docs/guide shows exists, every picture in
// docs/guide/img is shown, and the guide in each language shows exactly the
// screenshots TestRoomGuide takes (so a renamed or new step needs the
// pictures taken again: go test ./e2e -run TestRoomGuide -update-guide).
func TestGuideImages(t *testing.T) {
	checkGuidePictures(t, guideDir, "", guideShots, "go test ./e2e -run TestRoomGuide -update-guide")
}

// checkGuidePictures checks a guide in dir (vi.md and en.md, pictures
// under img/<lang>/): every picture a page shows exists, every picture in
// the folder is shown, and each language shows exactly shots, in order.
// name prefixes the pages' names in the messages; retake is the command
// that takes the pictures again.
func checkGuidePictures(t *testing.T, dir, name string, shots []string, retake string) {
	t.Helper()
	used := map[string]bool{}
	for _, lang := range []string{"vi", "en"} {
		md, err := os.ReadFile(filepath.Join(dir, lang+".md"))
		if err != nil {
			t.Fatalf("the guide %s%s.md: %v", name, lang, err)
		}
		var names []string
		for _, m := range guideImage.FindAllStringSubmatch(string(md), -1) {
			path := m[1]
			used[path] = true
			if _, err := os.Stat(filepath.Join(dir, path)); err != nil {
				t.Errorf("%s%s.md shows %s, which does not exist (take the screenshots: %s)", name, lang, path, retake)
			}
			if !strings.HasPrefix(path, "img/"+lang+"/") || !strings.HasSuffix(path, ".jpg") {
				t.Errorf("%s%s.md shows %s; want img/%s/<name>.jpg", name, lang, path, lang)
			}
			names = append(names, strings.TrimSuffix(filepath.Base(path), ".jpg"))
		}
		if !slices.Equal(names, shots) {
			t.Errorf("%s%s.md shows the screenshots %v; want those the tests take, in order: %v", name, lang, names, shots)
		}
	}
	err := filepath.WalkDir(filepath.Join(dir, "img"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if !used[filepath.ToSlash(rel)] {
			t.Errorf("%s%s is in the guide's folder but no page shows it", name, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// guide takes the guide's screenshots.
type guide struct {
	t     *testing.T
	taken []string
}

// setLang switches p to lang (the console's buttons or the apps' toggle).
func setLang(p *page, lang string) {
	p.t.Helper()
	if evalJS[string](p, `document.documentElement.lang`) == lang {
		return
	}
	// A click by script: the button may be under the document viewer.
	evalJS[bool](p, `(document.querySelector('[data-testid="lang-`+lang+`"]') || document.querySelector('[data-testid="lang-toggle"]')).click(), true`)
	p.waitJS(`document.documentElement.lang === ` + wmQ(lang))
	// The apps redraw on the next frame.
	evalJS[bool](p, `new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok(true))))`, chromedp.EvalAwaitPromise)
}

// shot takes screenshot name of p in Vietnamese and in English; show, when
// not nil, brings the view up (in the current language: a dialog is built
// in it) and returns what puts it away. The pictures go to the artifacts,
// and into docs/guide/img with -update-guide.
func (g *guide) shot(p *page, name string, show func() func()) {
	g.t.Helper()
	if !slices.Contains(guideShots, name) {
		g.t.Fatalf("guide shot %q is not in guideShots", name)
	}
	for _, lang := range []string{"vi", "en"} {
		setLang(p, lang)
		done := func() {}
		if show != nil {
			done = show()
		}
		ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
		// The screen as the user sees it (clip coordinates are the page's:
		// the scroll position is added), three quarters of its size.
		v := evalJS[[]float64](p, `[scrollX, scrollY, document.documentElement.clientWidth, document.documentElement.clientHeight]`)
		q := int64(72)
		img, err := chromedp.Call(ctx, cdppage.CaptureScreenshot, cdppage.CaptureScreenshotParams{Format: cdppage.CaptureScreenshotFormatJpeg, Quality: &q,
			Clip: &cdppage.Viewport{X: v[0], Y: v[1], Width: v[2], Height: v[3], Scale: 0.75}})
		cancel()
		if err != nil {
			g.t.Fatalf("guide screenshot %s: %v", name, err)
		}
		file := lang + "/" + name + ".jpg"
		if err := os.WriteFile(filepath.Join(p.b.artifacts, "guide-"+lang+"-"+name+".jpg"), img.Data, 0o644); err != nil {
			g.t.Fatal(err)
		}
		if *updateGuide {
			dst := filepath.Join(guideDir, "img", file)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				g.t.Fatal(err)
			}
			if err := os.WriteFile(dst, img.Data, 0o644); err != nil {
				g.t.Fatal(err)
			}
		}
		done()
	}
	setLang(p, "vi")
	g.taken = append(g.taken, name)
}

// dialog is a show function for shot: click opener, wait for the
// confirmation of action; put away with its Back button.
func dialog(p *page, opener, action string) func() func() {
	return func() func() {
		p.clickSel(opener)
		p.waitJS(`!!document.querySelector(` + wmQ(confirmSel(action)) + `)`)
		return func() {
			p.clickSel(confirmSel(action) + ` [data-testid="confirm-cancel"]`)
			p.waitJS(`!document.querySelector('dialog[data-testid="confirm-dialog"]')`)
		}
	}
}

// into scrolls the element sel of p to the top of the screen.
func into(p *page, sel string) func() func() {
	return func() func() {
		p.waitJS(`!!document.querySelector(` + wmQ(sel) + `)`)
		evalJS[bool](p, `(document.querySelector(`+wmQ(sel)+`).scrollIntoView({block: "start"}), true)`)
		return func() {}
	}
}

// TestRoomGuide runs a meeting through the console, a delegate's tablet and
// the hall screen as the guide tells it — preparing, pairing, check-in,
// speakers, a vote, documents, the close, the minutes and the archive — and
// takes the guide's screenshots on the way, in Vietnamese and English
// (written into docs/guide/img with -update-guide). The other delegates
// act through the Go SDK.
func TestRoomGuide(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	srv := startServer(t, "127.0.0.1:0", t.TempDir())
	g := &guide{t: t}
	sec, _ := newClient(t, srv.URL)
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}

	// ---- preparing ----
	con := b.newPage("console", 1280, 800)
	con.navigate(srv.URL + "/console")
	con.waitTestID("login-form")
	wmSet(t, con, testidSel("login-username"), adminUser)
	con.typeInto("login-password", adminPassword)
	con.click("login-submit")
	con.waitTestID("meeting-create-form")
	now := time.Now().In(ict)
	day := time.Date(now.Year(), now.Month(), now.Day()+1, 8, 0, 0, 0, ict)
	wmSet(t, con, testidSel("meeting-title"), "Hội nghị Ban Chấp hành Đảng bộ xã Thử Nghiệm lần thứ 9")
	wmSet(t, con, testidSel("meeting-organization"), "Đảng ủy xã Thử Nghiệm")
	wmSet(t, con, testidSel("meeting-place"), "Hội trường UBND xã")
	wmSet(t, con, testidSel("meeting-starts-at"), day.Format("02/01/2006"))
	wmSet(t, con, testidSel("meeting-starts-at-time"), "08:00")
	wmSet(t, con, testidSel("meeting-chair"), "Đồng chí Nguyễn Văn Chủ, Bí thư Đảng ủy")
	wmSet(t, con, testidSel("meeting-secretary"), "Đồng chí Lê Thị Ký")
	g.shot(con, "01-meeting", nil)
	con.click("meeting-create-submit")
	con.waitTestID("agenda-add-form")
	con.waitJS(`/[#&]m=/.test(location.hash)`)
	id := evalJS[string](con, `decodeURIComponent(location.hash.match(/m=([^&]+)/)[1])`)
	con.waitJS(wmOnline)
	for i, it := range []string{"Khai mạc, thông qua chương trình", "Thảo luận Báo cáo kiểm điểm năm 2026", "Biểu quyết Nghị quyết, bế mạc"} {
		wmSet(t, con, testidSel("agenda-add-title"), it)
		wmSet(t, con, testidSel("agenda-add-presenter"), "Đồng chí Phạm Văn Trình")
		con.click("agenda-add-submit")
		con.waitJS(wmCount(`[data-testid="agenda-item"]`, i+1))
	}
	people := []string{"Trần Văn Thử", "Lê Thị Mẫu", "Phạm Văn Ví Dụ", "Nguyễn Thị Hồng Nhung"}
	csv := "họ và tên,chức vụ,đơn vị,vai trò\nNguyễn Văn Chủ,Bí thư Đảng ủy,Đảng ủy xã,chủ tọa\n"
	for _, p := range people {
		csv += p + ",Đảng ủy viên,Đảng ủy xã,đại biểu\n"
	}
	csv += "Màn hình hội trường,,,màn hình\n"
	wmSet(t, con, testidSel("csv-text"), csv)
	con.click("csv-import")
	con.waitJS(wmCount(`[data-testid="participant-row"]`, len(people)+2))
	g.shot(con, "02-agenda-participants", into(con, `[data-testid="agenda-list"]`))
	pdf := filepath.Join(t.TempDir(), "bao-cao-kiem-diem.pdf")
	if err := os.WriteFile(pdf, pdfBytes(4), 0o644); err != nil {
		t.Fatal(err)
	}
	con.do("choose the PDF", chromedp.SetUploadFiles(chromedp.CSS(testidSel("doc-file")), []string{pdf}))
	wmSet(t, con, testidSel("doc-title"), "Báo cáo kiểm điểm của Ban Thường vụ năm 2026")
	st, err := sec.Meeting(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	items := []string{st.Agenda[0].ID, st.Agenda[1].ID, st.Agenda[2].ID}
	pid := map[string]string{}
	for _, p := range st.Participants {
		pid[p.Name] = p.ID
	}
	wmSet(t, con, testidSel("doc-item"), items[1])
	wmSet(t, con, testidSel("doc-access"), "delegates")
	con.clickSel(testidSel("doc-publish-now"))
	con.click("doc-upload-submit")
	con.waitJS(`!!document.querySelector('[data-testid="doc-row"] [data-testid="doc-status"][data-status="published"]')`)
	doc := evalJS[string](con, `document.querySelector('[data-testid="doc-row"]').dataset.id`)
	g.shot(con, "03-documents", into(con, `[data-testid="doc-list"]`))

	// ---- pairing ----
	con.clickConfirm(testidSel("pairing-issue"), "pairing.issue")
	con.waitJS(wmCount(`[data-testid="pairing-sheet"] [data-testid="pairing-card"]`, len(people)+2))
	g.shot(con, "04-pairing-sheet", into(con, `.card:has([data-testid="pairing-issue"])`))
	reissue := `[data-testid="participant-row"][data-id="` + pid[people[1]] + `"] [data-testid="participant-reissue"]`
	g.shot(con, "05-reissue", dialog(con, reissue, "pairing.reissue"))
	code := func(name string) string {
		return strings.TrimSpace(evalJS[string](con, `document.querySelector('[data-testid="pairing-sheet"] [data-testid="pairing-card"][data-participant="`+pid[name]+`"] [data-testid="pairing-code"]').textContent`))
	}
	codes := map[string]string{}
	for _, name := range append(people, "Màn hình hội trường") {
		codes[name] = code(name)
	}
	tab := b.newPage("tablet", 1280, 800)
	tab.navigate(srv.URL + "/tablet")
	tab.waitTestID("pair-code")
	tab.typeInto("pair-code", codes[people[0]])
	g.shot(tab, "06-tablet-pair", nil)
	tab.click("pair-submit")
	tab.waitTestID("me-name")
	tab.waitJS(wmOnline)
	hall := b.newPage("hall", 1280, 720)
	hall.navigate(srv.URL + "/hall#code=" + codes["Màn hình hội trường"])
	hall.waitTestID("hall-title")
	hall.waitJS(wmOnline)
	var voters []*liveVoter
	for _, name := range people[1:] {
		voters = append(voters, newLiveVoter(t, ctx, srv.URL, codes[name]))
	}

	// ---- check-in ----
	con.click("tab-live")
	con.waitTestID("live-open")
	con.waitJS(wmOnline)
	con.click("live-open")
	con.waitJS(`document.querySelector('[data-testid="live-status"]').dataset.status === "open"`)
	con.clickSel(`[data-testid="live-item"][data-id="` + items[1] + `"] [data-testid="live-item-set"]`)
	tab.waitTestID("checkin-button")
	g.shot(tab, "07-checkin-tablet", nil)
	tab.click("checkin-button")
	tab.waitTestID("checkin-status")
	for _, v := range voters {
		v.send("attendance.check_in", map[string]any{})
	}
	con.waitJS(`document.querySelector('[data-testid="quorum-state"]').dataset.met === "true"`)
	g.shot(con, "08-attendance", into(con, `[data-testid="quorum-summary"]`))

	// ---- speakers ----
	tab.click("tab-floor")
	tab.click("floor-request")
	tab.waitTestID("floor-position")
	voters[0].send("speaker.request", map[string]any{})
	voters[2].send("speaker.request", map[string]any{})
	g.shot(tab, "09-floor-tablet", nil)
	con.waitJS(`document.querySelectorAll('[data-testid="speaker-request"]').length === 3`)
	con.clickSel(`[data-testid="speaker-request"][data-participant="` + pid[people[0]] + `"] [data-testid="speaker-give-floor"]`)
	con.waitJS(`document.querySelector('[data-testid="speaker-current"]').dataset.participant === ` + wmQ(pid[people[0]]))
	g.shot(con, "10-speakers-console", into(con, `[data-testid="speaker-current"]`))
	hall.waitJS(`document.querySelector('[data-testid="hall-speaker"]').textContent.includes(` + wmQ(people[0]) + `)`)
	g.shot(hall, "11-speakers-hall", nil)
	con.click("speaker-end")

	// ---- a vote ----
	vote := wmCreatePoll(t, con, "Thông qua Báo cáo kiểm điểm của Ban Thường vụ năm 2026", "secret", items[1], "", 0)
	con.clickSel(wmPollRow(vote) + ` [data-testid="poll-open"]`)
	con.waitJS(`document.querySelector(` + wmQ(wmPollRow(vote)) + `).dataset.status === "open"`)
	tab.waitTestID("poll-" + vote)
	voters[0].cast(vote, meeting.Ballot{Choice: meeting.ChoiceAgree})
	con.waitJS(`document.querySelector(` + wmQ(wmPollRow(vote)+` [data-testid="poll-progress"]`) + `).dataset.voted === "1"`)
	con.waitJS(`document.querySelectorAll(` + wmQ(wmPollRow(vote)+` [data-testid="poll-not-voted"] .chip`) + `).length === 3`)
	g.shot(con, "12-vote-console", into(con, wmPollRow(vote)))
	tab.clickSel(testidSel("poll-"+vote) + ` [data-testid="choice-agree"]`)
	tab.waitTestID("vote-confirm-panel")
	g.shot(tab, "13-vote-tablet", nil)
	tab.clickSel(testidSel("poll-"+vote) + ` [data-testid="vote-confirm"]`)
	tab.waitTestID("vote-receipt")
	voters[1].cast(vote, meeting.Ballot{Choice: meeting.ChoiceAgree})
	voters[2].cast(vote, meeting.Ballot{Choice: meeting.ChoiceDisagree})
	con.waitJS(`document.querySelector(` + wmQ(wmPollRow(vote)+` [data-testid="poll-progress"]`) + `).dataset.voted === "4"`)
	g.shot(con, "14-vote-close", dialog(con, wmPollRow(vote)+` [data-testid="poll-close"]`, "poll.close"))
	con.clickConfirm(wmPollRow(vote)+` [data-testid="poll-close"]`, "poll.close")
	con.clickConfirm(wmPollRow(vote)+` [data-testid="poll-publish"]`, "poll.publish")
	hall.waitTestID("result-" + vote)
	g.shot(hall, "15-result-hall", nil)

	// ---- documents ----
	wmSet(t, con, testidSel("present-doc"), doc)
	con.click("present-send")
	tab.waitJS(wmRendered(doc, 1, 1))
	con.click("present-next")
	tab.waitJS(wmRendered(doc, 1, 2))
	g.shot(tab, "16-document-tablet", nil)
	g.shot(con, "17-present-console", into(con, `[data-testid="present-doc"]`))
	hall.waitTestID("hall-presentation-hidden")
	g.shot(hall, "18-present-hall", nil)
	con.click("present-stop")
	tab.click("doc-close")

	// ---- closing ----
	g.shot(con, "19-close", dialog(con, testidSel("live-close"), "meeting.close"))
	con.clickConfirm(testidSel("live-close"), "meeting.close")
	hall.waitTestID("hall-closed")
	g.shot(hall, "20-hall-closed", nil)

	// ---- minutes and archive ----
	con.click("tab-after")
	con.waitTestID("minutes-conclude")
	wmSet(t, con, testidSel("minutes-item"), items[1])
	wmSet(t, con, testidSel("minutes-text"), "Hội nghị thống nhất thông qua Báo cáo kiểm điểm của Ban Thường vụ năm 2026.")
	con.click("minutes-conclude")
	con.waitJS(`!!document.querySelector('[data-testid="conclusion-row"][data-item="` + items[1] + `"]')`)
	wmSet(t, con, testidSel("minutes-number"), "09-BB/ĐU")
	g.shot(con, "21-minutes", into(con, `[data-testid="minutes-status"]`))
	g.shot(con, "22-finalize", dialog(con, testidSel("minutes-finalize"), "minutes.finalize"))
	con.clickConfirm(testidSel("minutes-finalize"), "minutes.finalize")
	con.waitJS(`document.querySelector('[data-testid="minutes-status"]').dataset.revision === "1"`)
	for deadline := time.Now().Add(time.Minute); ; {
		con.click("archive-search")
		con.waitJS(`document.querySelector('[data-testid="archive-search"]').getAttribute('aria-busy') !== 'true'`)
		if evalJS[int](con, `document.querySelectorAll('[data-testid="archive-row"]').length`) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the archive is not listed")
		}
		time.Sleep(200 * time.Millisecond)
	}
	g.shot(con, "23-archive", into(con, `[data-testid="archive-q"]`))

	sort.Strings(g.taken)
	// TestConsoleGuide takes the others (the record's settings, the bodies).
	want := slices.DeleteFunc(slices.Clone(guideShots), func(s string) bool { return slices.Contains(consoleGuideShots, s) })
	if !slices.Equal(g.taken, want) {
		t.Errorf("took %v; want every guide shot %v", g.taken, want)
	}
	if *updateGuide {
		t.Logf("the guide's %d screenshots were written in %s", 2*len(guideShots), filepath.Join(guideDir, "img"))
	}
}

// liveVoter is another delegate's tablet, through the Go SDK.
type liveVoter struct {
	t   *testing.T
	ctx context.Context
	l   *client.Live
	n   int
}

func newLiveVoter(t *testing.T, ctx context.Context, url, code string) *liveVoter {
	t.Helper()
	c, _ := newClient(t, url)
	pr, err := c.Pair(ctx, code)
	if err != nil {
		t.Fatalf("pair with %s: %v", code, err)
	}
	l, err := c.Connect(ctx, pr.Meeting)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	if err := l.WaitSynced(ctx); err != nil {
		t.Fatal(err)
	}
	return &liveVoter{t: t, ctx: ctx, l: l}
}

func (v *liveVoter) send(name string, data any) {
	v.t.Helper()
	if _, err := v.l.Send(v.ctx, name, data); err != nil {
		v.t.Fatalf("%s: %v", name, err)
	}
}

func (v *liveVoter) cast(poll string, b meeting.Ballot) {
	v.t.Helper()
	v.n++
	if _, err := v.l.Cast(v.ctx, poll, fmt.Sprintf("guide-%p-%d", v, v.n), b); err != nil {
		v.t.Fatalf("cast in %s: %v", poll, err)
	}
}

// pdfBytes is a sample PDF of n pages.
func pdfBytes(n int) []byte { return testdocs.PDF(n, "Bao cao kiem diem cua Ban Thuong vu nam 2026") }
