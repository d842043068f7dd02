package minutes

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/phonghop/phonghop/server/meeting"
)

// The rating table (issue 14: "the minutes' rating table is cramped"): in
// the PDF and in the HTML, at 1, 30 and 1,600 members, in both layouts,
// every level of every person reads on one line — its name whole, its
// count and its share beside it —, the header is one line, and nothing
// leaves its cell or the page. The table before put the four levels in
// columns of 18 mm: their names over five lines, each count over its share.

// rows returns the text of page as table rows: the pieces of text
// (pdftotext's words joined where less than 3 mm apart) whose vertical
// middles are within 2 pt, left to right, joined by " | ".
func rows(p bboxPage) []string {
	type seg struct {
		y, x float64
		text string
	}
	var segs []seg
	for _, l := range p.lines() {
		segs = append(segs, seg{(l.YMin + l.YMax) / 2, l.XMin, l.text()})
	}
	sort.SliceStable(segs, func(i, j int) bool { return segs[i].y < segs[j].y })
	var out []string
	for i := 0; i < len(segs); {
		j := i
		for j < len(segs) && segs[j].y-segs[i].y <= 2 {
			j++
		}
		row := segs[i:j]
		sort.SliceStable(row, func(a, b int) bool { return row[a].x < row[b].x })
		texts := make([]string, len(row))
		for k, s := range row {
			texts[k] = s.text
		}
		out = append(out, strings.Join(texts, " | "))
		i = j
	}
	return out
}

// ratingPolls returns the rating polls of r.
func ratingPolls(r Record) []Poll {
	var out []Poll
	for _, p := range allPolls(r) {
		if p.Kind == meeting.PollRating && p.Result != nil {
			out = append(out, p)
		}
	}
	return out
}

// wantRatingRows is what the table of rating p must print, row by row:
// for each person, a row per level ("Hoàn thành tốt nhiệm vụ | 260 |
// 21,21%", the person's number and name before the first) and the valid
// ballots.
func wantRatingRows(w *words, d *doc, p Poll) [][]string {
	var out [][]string
	for i, s := range p.Result.Subjects {
		var counts []int
		var recorded []meeting.Percent
		for _, l := range s.Levels {
			counts = append(counts, l.Votes)
			recorded = append(recorded, l.Percent)
		}
		pcts := d.percents(recorded, counts, s.BaseCount)
		for k, l := range s.Levels {
			row := []string{w.term("level." + string(l.Level)), w.n(l.Votes), w.pct(pcts[k])}
			if k == 0 {
				row = append([]string{fmt.Sprint(i + 1), s.Name}, row...)
			}
			out = append(out, row)
		}
		out = append(out, []string{w.colValid, w.n(s.Valid)})
	}
	return out
}

func TestRatingTable(t *testing.T) {
	sizesN := []int{1, 30, 1600}
	if testing.Short() {
		sizesN = []int{1, 30}
	}
	for _, n := range sizesN {
		for _, layout := range []meeting.MinutesLayout{meeting.LayoutParty, meeting.LayoutState} {
			t.Run(fmt.Sprintf("%d/%s", n, layout), func(t *testing.T) {
				g := generate(t, genSpec{n: n, layout: layout, seed: 7})
				m, err := Build(g.log)
				if err != nil {
					t.Fatal(err)
				}
				langs := []string{"vi"}
				if n == 1600 {
					langs = append(langs, "en")
				}
				for _, lang := range langs {
					w := wordsFor(lang)
					d := m.doc(lang)
					polls := ratingPolls(m.r)
					if len(polls) != 2 {
						t.Fatalf("%d rating polls in the generated meeting; want the review and the confidence vote", len(polls))
					}
					pdf, err := m.PDF(lang)
					if err != nil {
						t.Fatal(err)
					}
					pages, _ := readLayout(t, pdf)
					var all []string
					for _, p := range pages {
						all = append(all, rows(p)...)
					}
					sz := partySizes
					if layout == meeting.LayoutState {
						sz = stateSizes
					}
					head := strings.Join([]string{w.colNo, w.colName, levelColumn[lang], w.term("count.votes"), w.term("count.percent")}, " | ")
					// The rows of each table, in order, each on one line.
					at := 0
					for _, p := range polls {
						for _, want := range wantRatingRows(w, d, p) {
							suffix := strings.Join(want, " | ")
							found := false
							for ; at < len(all); at++ {
								if all[at] == suffix || strings.HasSuffix(all[at], " | "+suffix) {
									found = true
									break
								}
							}
							if !found {
								t.Logf("rows: %q", all)
								t.Fatalf("%s PDF: the rating %q has no line %q (a level's name, count and share on one line)", lang, p.Question, suffix)
							}
						}
					}
					heads := 0
					for _, r := range all {
						if r == head {
							heads++
						}
					}
					if heads < len(polls) {
						t.Errorf("%s PDF: the header %q is on one line %d times; want at least once per rating table (%d)", lang, head, heads, len(polls))
					}
					// Table text at the table's size, inside the page's text width.
					for pi, p := range pages {
						for _, l := range p.lines() {
							if l.XMin < marginL*pt-1 || l.XMax > (pageW-marginR)*pt+1 {
								if strings.Contains(l.text(), "%") || levelName(w, l.text()) {
									t.Errorf("%s PDF page %d: %q runs outside the text width (%.0f–%.0f pt)", lang, pi+1, l.text(), l.XMin, l.XMax)
								}
							}
							if levelName(w, l.text()) && !near(l.size(), sz.Table, 0.6) {
								t.Errorf("%s PDF page %d: %q is %.1f pt; want the tables' %.0f pt", lang, pi+1, l.text(), l.size(), sz.Table)
							}
						}
					}
				}
			})
		}
	}
}

// levelColumn is the heading of the rating table's level column.
var levelColumn = map[string]string{"vi": "Mức", "en": "Level"}

// levelsJSON is the names of the levels of both scales in lang, as a JSON
// array.
func levelsJSON(lang string) string {
	var names []string
	for _, sc := range []meeting.Scale{meeting.ScaleReview, meeting.ScaleConfidence} {
		for _, l := range sc.Levels() {
			names = append(names, fmt.Sprintf("%q", wordsFor(lang).term("level."+string(l))))
		}
	}
	return "[" + strings.Join(names, ",") + "]"
}

// levelName reports whether s is the name of a level of a rating scale.
func levelName(w *words, s string) bool {
	for _, sc := range []meeting.Scale{meeting.ScaleReview, meeting.ScaleConfidence} {
		for _, l := range sc.Levels() {
			if s == w.term("level."+string(l)) {
				return true
			}
		}
	}
	return false
}

// ratingHTMLJS measures the rating tables of a record in the browser (the
// tables that name a level of a rating scale, levels): the problems it
// finds, or the tables' count.
const ratingHTMLJS = `((levels) => {
	const out = [];
	const cells = (t) => [...t.querySelectorAll('th, td')];
	const tables = [...document.querySelectorAll('table.t')].filter(t => cells(t).some(c => levels.includes(c.textContent.trim())));
	if (!tables.length) return ['no table names a level'];
	const body = document.body.getBoundingClientRect(), bs = getComputedStyle(document.body);
	const right = body.right - parseFloat(bs.paddingRight), left = body.left + parseFloat(bs.paddingLeft);
	const oneLine = (el) => { const cs = getComputedStyle(el); const lh = parseFloat(cs.lineHeight) || 1.3 * parseFloat(cs.fontSize);
		return el.getBoundingClientRect().height - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom) < 1.5 * lh; };
	for (const t of tables) {
		const r = t.getBoundingClientRect();
		if (r.right > right + 1 || r.left < left - 1) out.push('the table (' + Math.round(r.width) + ' px) is wider than the text (' + Math.round(right - left) + ' px)');
		for (const th of t.querySelectorAll('th')) if (!oneLine(th)) out.push('the header “' + th.textContent.trim() + '” takes more than one line');
		for (const c of cells(t)) if (c.scrollWidth > c.clientWidth + 1) out.push('“' + c.textContent.trim() + '” overflows its cell');
		// A level's row: its name, its count and its share, each on one line.
		for (const tr of t.querySelectorAll('tr')) {
			if (!levels.some(l => [...tr.children].some(c => c.textContent.trim() === l))) continue;
			for (const c of tr.querySelectorAll('td:not([rowspan])')) if (c.textContent.trim() && !oneLine(c)) out.push('“' + c.textContent.trim() + '” takes more than one line');
		}
	}
	return out.length ? [...new Set(out)] : [String(tables.length)];
})`

// TestRatingTableHTML opens the HTML minutes of the 1,600-member meeting in
// Chromium (both layouts, Vietnamese and English) and measures the rating
// tables: no wider than the text, the header and every level's row on one
// line, nothing overflowing a cell. Without Chromium it is skipped, or fails
// under CI=true.
func TestRatingTableHTML(t *testing.T) {
	path := os.Getenv("PHONGHOP_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium not found at %s (set PHONGHOP_CHROMIUM): %v", path, err)
		}
		t.Skipf("Chromium not found at %s: %v", path, err)
	}
	n := 1600
	if testing.Short() {
		n = 30
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	// Start the browser on its own context: a timeout's context ending
	// would otherwise end the browser.
	if err := chromedp.Do(bctx); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("start Chromium: %v", err)
		}
		t.Skipf("Chromium does not start: %v", err)
	}
	for _, layout := range []meeting.MinutesLayout{meeting.LayoutParty, meeting.LayoutState} {
		g := generate(t, genSpec{n: n, layout: layout, seed: 7})
		m, err := Build(g.log)
		if err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"vi", "en"} {
			h, err := m.HTML(lang)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(t.TempDir(), "minutes.html")
			if err := os.WriteFile(file, h, 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
			var got []string
			err = chromedp.Do(ctx, chromedp.Navigate("file://"+file))
			if err == nil {
				got, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](ratingHTMLJS+`(`+levelsJSON(lang)+`)`))
			}
			cancel()
			if err != nil {
				t.Fatalf("%s %s: %v", layout, lang, err)
			}
			if len(got) != 1 || got[0] != "2" {
				for _, s := range got {
					t.Errorf("%d members, %s layout, %s: %s", n, layout, lang, s)
				}
			}
		}
	}
}
