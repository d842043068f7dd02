package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestBrowserPaper runs paper polls of every form (issue 19, docs/paper.md)
// on the real binary with three entry stations in Chromium, the three
// members of the counting committee each on their own browser: every
// station keys every bundle of generated ballots (an election of 300
// ballots with 33 names for 30 seats, every invalid reason present, then a
// list without surplus, a single name, a confidence vote and a rating)
// through /count's keyboard, with 2% keying errors planted by the test.
// Every planted error, and nothing else, is flagged side by side; the
// committee decides each from the true ballot on its page; the poll closes;
// the result equals the tally of the true ballots, every count of the
// counting record equals the recount from the entry log, the record prints
// the log's hash, and the hall screen shows the result.
func TestBrowserPaper(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	srv := startServer(t, "127.0.0.1:0", t.TempDir())
	m := newPaperMeeting(ctx, t, srv, 305)

	// Three stations: the committee's members, each paired on /count.
	var stations []*page
	for i, p := range m.members {
		pg := b.newPage(fmt.Sprintf("station%d", i+1), 1280, 900)
		pg.navigate(srv.URL + "/count#code=" + m.code(p))
		pg.waitJS(wmOnline)
		stations = append(stations, pg)
	}
	head := stations[0]
	hall := b.newPage("hall", 1280, 720)
	// A voter's tablet: a paper poll is cast on paper, not on the tablet.
	tab := b.newPage("tablet", 1280, 800)
	tab.navigate(srv.URL + "/tablet#code=" + m.code(m.delegates[10]))
	tab.waitJS(wmOnline)

	cases := []struct {
		name   string
		spec   map[string]any
		n      int
		bundle int
	}{
		{"election with surplus", electionSpec("Bầu Ban Chấp hành Đảng bộ khóa IV", 33, 30), 300, 50},
		{"election without surplus", electionSpec("Bầu Ủy ban Kiểm tra", 7, 7), 60, 30},
		{"single name", electionSpec("Bầu Bí thư Đảng bộ", 1, 1), 60, 30},
		{"confidence vote", ratingSpec("Lấy phiếu tín nhiệm", "confidence", 5), 60, 30},
		{"rating", ratingSpec("Đánh giá, xếp loại cán bộ", "review", 4), 60, 30},
	}
	for ci, tc := range cases {
		r := rand.New(rand.NewPCG(uint64(ci)+19, 2026))
		pollID := m.createPoll(tc.spec)
		m.cmd("poll.open", map[string]any{"id": pollID})
		p, _ := m.state().Poll(pollID)
		truth := paperTruth(r, p, tc.n)
		shots := ci == 0
		if ci == 0 {
			tab.click("tab-polls")
			tab.waitJS(`!!document.querySelector('[data-testid="poll-` + pollID + `"] [data-testid="poll-paper"]')`)
			if tab.exists(`[data-testid="poll-` + pollID + `"] button`) {
				t.Errorf("the tablet offers to vote in a paper poll")
			}
			tab.shot("paper-poll")
		} else {
			hall.waitJS(`!!document.querySelector('[data-testid="hall-poll-` + pollID + `"] [data-testid="hall-paper"]')`)
		}

		// The committee records the ballots issued and returned on its page.
		for _, pg := range stations {
			pg.waitJS(`!!document.querySelector('[data-testid="count-poll-` + pollID + `"]') || (document.querySelector('[data-testid="count-title"]')||{}).textContent === ` + wmQ(p.Question))
			if pg.exists(testidSel("count-poll-" + pollID)) {
				pg.click("count-poll-" + pollID)
			}
			pg.waitJS(`(document.querySelector('[data-testid="count-title"]')||{}).textContent === ` + wmQ(p.Question))
		}
		head.waitTestID("counts-issued")
		if ci == 0 { // the committee names a technician on its page
			head.click("tech-" + m.techs[0].ID)
			head.click("tech-save")
			if !waitFor(10*time.Second, func() bool { return slices.Equal(m.state().Technicians, []string{m.techs[0].ID}) }) {
				t.Fatalf("technicians = %v; want %s named from the page", m.state().Technicians, m.techs[0].ID)
			}
		}
		head.do("counts", chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="counts-issued"]').value = ""; document.querySelector('[data-testid="counts-returned"]').value = ""`),
			chromedp.SendKeys(chromedp.CSS(testidSel("counts-issued")), strconv.Itoa(tc.n+2)),
			chromedp.SendKeys(chromedp.CSS(testidSel("counts-returned")), strconv.Itoa(tc.n)))
		head.click("counts-save")
		head.waitJS(`document.querySelector('[data-testid="summary"]').textContent.includes(` + wmQ(strconv.Itoa(tc.n+2)) + `)`)
		if shots {
			// A wrong number on the station: a clear error, nothing saved.
			stations[1].typeInto("bundle-input", "1\r")
			stations[1].typeInto("entry-input", "34\r")
			stations[1].waitJS(`document.querySelector('[data-testid="entry-error"]').textContent.includes("Số 34 không có trong danh sách")`)
			stations[1].shot("error-number-not-on-list")
			paperGuideShot(t, stations[1], "loi")
			stations[1].do("clear", chromedp.SendKeys(chromedp.CSS(testidSel("entry-input")), "\x1b"))
		}

		// Keying: every station keys every bundle, stations in parallel.
		planted := map[[2]int]bool{}
		var bundles [][]int // [start, end) per bundle
		for start := 0; start < tc.n; start += tc.bundle {
			bundles = append(bundles, []int{start, min(tc.n, start+tc.bundle)})
		}
		typed := make([][][]string, len(stations)) // per station, per bundle: the lines keyed
		for si := range stations {
			typed[si] = make([][]string, len(bundles))
		}
		for bi, bd := range bundles {
			for pos := bd[0]; pos < bd[1]; pos++ {
				wrong := 0
				for si := range stations {
					mk := truth[pos]
					// 2% keying errors; never on every station at one position.
					if r.IntN(50) == 0 && wrong < len(stations)-1 {
						mk = paperMistype(r, p, mk)
						wrong++
						planted[[2]int{bi + 1, pos - bd[0] + 1}] = true
					}
					typed[si][bi] = append(typed[si][bi], keyed(p, mk))
				}
			}
		}
		var wg sync.WaitGroup
		errs := make([]error, len(stations))
		keyingShot = make(chan *page, 1)
		for si, pg := range stations {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Each station takes the bundles in its own order.
				for k := range bundles {
					bi := (k + si) % len(bundles)
					if err := keyBundle(ctx, pg, bi+1, typed[si][bi], bundles[bi][1]-bundles[bi][0], shots && si == 0 && k == 0); err != nil {
						errs[si] = fmt.Errorf("station %d, bundle %d: %w", si+1, bi+1, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		select {
		case pg := <-keyingShot:
			_ = pg // taken below, once the station is idle (a guide shot redraws the page)
			paperGuideShot(t, pg, "nhap")
		default:
		}
		for _, err := range errs {
			if err != nil {
				for _, pg := range stations {
					pg.shot("FAILED-keying")
				}
				t.Fatalf("%s: %v", tc.name, err)
			}
		}
		if len(planted) == 0 {
			t.Fatalf("%s: no keying error planted", tc.name)
		}

		// Every planted error, and nothing else, is flagged on the committee's page.
		head.waitJS(`document.querySelector('[data-testid="summary"]').dataset.incomplete === "0" && document.querySelector('[data-testid="summary"]').dataset.flagged === ` + wmQ(strconv.Itoa(len(planted))))
		flagged := map[[2]int]bool{}
		for _, id := range evalJS[[]string](head, `[...document.querySelectorAll('[data-testid^="flag-"]')].map(e => e.dataset.testid)`) {
			var bn, pos int
			if _, err := fmt.Sscanf(id, "flag-%d-%d", &bn, &pos); err != nil {
				t.Fatalf("flag id %q: %v", id, err)
			}
			flagged[[2]int{bn, pos}] = true
		}
		if fmt.Sprint(flagged) != fmt.Sprint(planted) {
			t.Fatalf("%s: flagged %v; planted %v", tc.name, flagged, planted)
		}
		if shots {
			head.do("scroll", chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid^="flag-"]').scrollIntoView({block: "center"})`))
			head.shot("flagged-side-by-side")
			paperGuideShot(t, head, "khac-biet")
		}
		// The close is refused while differences are open (the SDK reads the English message).
		if _, err := m.sec.Command(ctx, m.id, "poll.close", map[string]any{"id": pollID}); err == nil || !strings.Contains(err.Error(), "not decided by the counting committee") {
			t.Fatalf("%s: poll.close with differences open = %v; want a conflict", tc.name, err)
		}

		// The committee decides each from the true ballot.
		for k := range planted {
			id := fmt.Sprintf("%d-%d", k[0], k[1])
			tr := truth[bundles[k[0]-1][0]+k[1]-1]
			head.do("decide "+id, chromedp.WaitVisible(chromedp.CSS(testidSel("decide-marks-"+id))),
				chromedp.SendKeys(chromedp.CSS(testidSel("decide-marks-"+id)), keyed(p, tr)),
				chromedp.SendKeys(chromedp.CSS(testidSel("decide-note-"+id)), "Đối chiếu phiếu gốc"))
			head.click("decide-save-" + id)
			head.waitJS(`(document.querySelector('[data-testid="flag-` + id + `"]')||{dataset:{}}).dataset.decided === "1"`)
		}
		head.waitJS(`document.querySelector('[data-testid="ready"]').dataset.ready === "1"`)
		if shots {
			head.do("scroll", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
			head.shot("ready")
			paperGuideShot(t, head, "xong")
		}

		// The close, the publication; the hall shows the result.
		m.cmd("poll.close", map[string]any{"id": pollID})
		m.cmd("poll.publish", map[string]any{"id": pollID})
		if ci == 0 {
			hall.navigate(srv.URL + "/hall?meeting=" + m.id)
			// The secretary's session: log the hall tab in through the API.
			hallLogin(t, hall, srv.URL)
			hall.navigate(srv.URL + "/hall?meeting=" + m.id)
		}
		hall.waitTestID("result-" + pollID)
		if shots {
			hall.shot("result")
		}
		m.checkRecord(pollID, truth, planted)
		head.waitJS(`document.querySelector('[data-testid="ready"]').dataset.ready === "1"`)
	}
}

func electionSpec(q string, names, seats int) map[string]any {
	var cands []map[string]string
	for i := range names {
		cands = append(cands, map[string]string{"name": fmt.Sprintf("Ứng viên Thử %s %d", []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ"}[i%6], i+1)})
	}
	return map[string]any{"kind": "election", "question": q, "candidates": cands, "seats": seats, "paper": true}
}

func ratingSpec(q, scale string, names int) map[string]any {
	var subs []map[string]string
	for i := range names {
		subs = append(subs, map[string]string{"name": fmt.Sprintf("Cán bộ Thử %d", i+1)})
	}
	return map[string]any{"kind": "rating", "question": q, "subjects": subs, "scale": scale, "base": "cast", "paper": true}
}

// keyBundle keys one bundle at a station: its number, then every line and
// Enter without waiting (the first five typed key by key, the others put in
// the field as a keyboard's input method would, then Enter), then, once the
// station's running count says every ballot is saved, Ctrl+Enter and the
// confirmation to finish it.
func keyBundle(ctx context.Context, pg *page, bundle int, lines []string, n int, shot bool) error {
	ctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	c, cc := context.WithCancel(pg.ctx)
	defer cc()
	go func() { <-ctx.Done(); cc() }()
	sel := func(id string) chromedp.CSS { return chromedp.CSS(testidSel(id)) }
	if err := chromedp.Do(c, chromedp.WaitVisible(sel("bundle-input")),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="bundle-input"]').value = ""`),
		chromedp.SendKeys(sel("bundle-input"), strconv.Itoa(bundle)+"\r"),
		chromedp.WaitEnabled(sel("entry-input"))); err != nil {
		return err
	}
	if shot { // the first lines, then an undo: a wrong line keyed and withdrawn
		if err := chromedp.Do(c, chromedp.SendKeys(sel("entry-input"), "1 2 3 4 5\r")); err != nil {
			return err
		}
		if _, err := chromedp.Run(c, chromedp.Poll[chromedp.Void](`document.querySelector('[data-testid="entry-count"]').dataset.count === "1"`)); err != nil {
			return err
		}
		pg.shot("keying")
		keyingShot <- pg
		if err := chromedp.Do(c, chromedp.Focus(sel("entry-input")), chromedp.KeyEvent("z", chromedp.KeyModifiers(chromedp.ModifierCtrl))); err != nil {
			return err
		}
		if _, err := chromedp.Run(c, chromedp.Poll[chromedp.Void](`document.querySelector('[data-testid="entry-count"]').dataset.count === "0" && document.querySelector('[data-testid="entry-last"]').textContent.includes("Đã hủy phiếu 1")`)); err != nil {
			return fmt.Errorf("undo: %w", err)
		}
	}
	for i, line := range lines {
		if i < 5 {
			if err := chromedp.Do(c, chromedp.SendKeys(sel("entry-input"), line+"\r")); err != nil {
				return err
			}
			continue
		}
		if line != "" {
			if _, err := chromedp.Call(c, input.InsertText, input.InsertTextParams{Text: line}); err != nil {
				return err
			}
		}
		if err := chromedp.Do(c, chromedp.KeyEvent("\r")); err != nil {
			return err
		}
	}
	want := strconv.Itoa(n)
	if _, err := chromedp.Run(c, chromedp.Poll[chromedp.Void](`document.querySelector('[data-testid="entry-count"]').dataset.count === `+strconv.Quote(want)+` && document.querySelector('[data-testid="entry-error"]').hidden`)); err != nil {
		msg, _ := chromedp.Run(pg.ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="entry-error"]').textContent + " / count " + document.querySelector('[data-testid="entry-count"]').dataset.count`))
		return fmt.Errorf("waiting for %d ballots: %w (%s)", n, err, msg)
	}
	if err := chromedp.Do(c, chromedp.Focus(sel("entry-input")), chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.WaitVisible(sel("finish-confirm"))); err != nil {
		return err
	}
	if shot {
		pg.shot("finish-bundle")
	}
	if err := chromedp.Do(c, chromedp.Click(sel("finish-confirm"))); err != nil {
		return err
	}
	_, err := chromedp.Run(c, chromedp.Poll[chromedp.Void](`(document.querySelector('[data-testid="entry-last"]')||{}).textContent.includes(`+strconv.Quote(fmt.Sprintf("tệp %d", bundle))+`)`))
	return err
}

// hallLogin logs the hall tab in as the secretary (a login through the
// page's own fetch, so the cookie is the tab's).
func hallLogin(t *testing.T, p *page, base string) {
	t.Helper()
	js := `fetch('/api/login', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({username: ` + wmQ(adminUser) + `, password: ` + wmQ(adminPassword) + `})}).then(r => r.ok)`
	ok := evalJS[bool](p, js, chromedp.EvalAwaitPromise)
	if !ok {
		t.Fatal("hall login failed")
	}
}

// keyingShot passes the station that keyed the guide's first lines to the
// test's goroutine, which takes the guide's picture once keying is over.
var keyingShot chan *page

// paperGuideDir holds the counting committee's guide pictures (outside
// docs/guide/img, which the secretariat's guide owns).
const paperGuideDir = "../docs/guide/kiem-phieu"

var paperImage = regexp.MustCompile(`!\[[^\]]*\]\(([^)\s]+\.(?:jpg|png))\)`)

// paperGuideShots are the pictures of the counting committee's guide.
var paperGuideShots = []string{"nhap", "loi", "khac-biet", "xong"}

// paperGuideShot takes picture name of p in Vietnamese and in English into
// the artifacts, and into docs/guide/kiem-phieu with -update-guide.
func paperGuideShot(t *testing.T, p *page, name string) {
	t.Helper()
	for _, lang := range []string{"vi", "en"} {
		setLang(p, lang)
		ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
		v := evalJS[[]float64](p, `[scrollX, scrollY, document.documentElement.clientWidth, document.documentElement.clientHeight]`)
		q := int64(72)
		img, err := chromedp.Call(ctx, cdppage.CaptureScreenshot, cdppage.CaptureScreenshotParams{Format: cdppage.CaptureScreenshotFormatJpeg, Quality: &q,
			Clip: &cdppage.Viewport{X: v[0], Y: v[1], Width: v[2], Height: v[3], Scale: 0.75}})
		cancel()
		if err != nil {
			t.Fatalf("guide picture %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(p.b.artifacts, "kiem-phieu-"+lang+"-"+name+".jpg"), img.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		if *updateGuide {
			dst := filepath.Join(paperGuideDir, lang, name+".jpg")
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, img.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	setLang(p, "vi")
}

// TestPaperGuideImages: the counting committee's guide (kiem-phieu.md and
// kiem-phieu.en.md) shows exactly the pictures TestBrowserPaper takes, each
// present (go test ./e2e -run TestBrowserPaper -update-guide).
func TestPaperGuideImages(t *testing.T) {
	for _, page := range []struct{ file, lang string }{{"kiem-phieu.md", "vi"}, {"kiem-phieu.en.md", "en"}} {
		md, err := os.ReadFile(filepath.Join(guideDir, page.file))
		if err != nil {
			t.Fatal(err)
		}
		var shown []string
		for _, m := range paperImage.FindAllStringSubmatch(string(md), -1) {
			want := "kiem-phieu/" + page.lang + "/"
			if !strings.HasPrefix(m[1], want) {
				t.Errorf("%s shows %s; want %s<name>.jpg", page.file, m[1], want)
			}
			if _, err := os.Stat(filepath.Join(guideDir, m[1])); err != nil {
				t.Errorf("%s shows %s, which does not exist", page.file, m[1])
			}
			shown = append(shown, strings.TrimSuffix(filepath.Base(m[1]), ".jpg"))
		}
		if !slices.Equal(shown, paperGuideShots) {
			t.Errorf("%s shows %v; want %v", page.file, shown, paperGuideShots)
		}
	}
}
