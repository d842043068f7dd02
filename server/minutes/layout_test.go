package minutes

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/phonghop/phonghop/server/meeting"
)

// The layout test reads the generated PDFs back — words and their boxes
// with pdftotext -bbox-layout (poppler-utils), rules from the pages'
// content streams — and checks the HD 36-HD/VPTW (Party) and NĐ 30/2020
// (state) layouts (docs/rules.md §7) at 1, 30 and 1,600 members: the font sizes
// of every part of the header, the title and the text; the rule under the
// motto as long as the motto; no word of the header cut over two lines; the
// signature blocks; the page numbers.

// pt is one millimetre in points.
const pt = 72 / 25.4

// ascentDescent is Liberation Serif's (ascent − descent) / em: poppler's
// word boxes are this many times the font size high.
const ascentDescent = 1.107

type bboxWord struct {
	XMin float64 `xml:"xMin,attr"`
	YMin float64 `xml:"yMin,attr"`
	XMax float64 `xml:"xMax,attr"`
	YMax float64 `xml:"yMax,attr"`
	Text string  `xml:",chardata"`
}

type bboxLine struct {
	XMin  float64    `xml:"xMin,attr"`
	YMin  float64    `xml:"yMin,attr"`
	XMax  float64    `xml:"xMax,attr"`
	YMax  float64    `xml:"yMax,attr"`
	Words []bboxWord `xml:"word"`
}

// text is the line's words joined by spaces.
func (l bboxLine) text() string {
	w := make([]string, len(l.Words))
	for i, x := range l.Words {
		w[i] = x.Text
	}
	return strings.Join(w, " ")
}

// size is the line's font size in points, from its height.
func (l bboxLine) size() float64 { return (l.YMax - l.YMin) / ascentDescent }

type bboxPage struct {
	Width  float64 `xml:"width,attr"`
	Height float64 `xml:"height,attr"`
	Flows  []struct {
		Blocks []struct {
			Lines []bboxLine `xml:"line"`
		} `xml:"block"`
	} `xml:"flow"`
}

// lines returns the page's lines, top to bottom, each split where its
// words are more than 3 mm apart (a space is about 1 mm): the two columns
// of the header and of the signatures, which poppler may join into one
// line, come apart.
func (p bboxPage) lines() []bboxLine {
	var out []bboxLine
	for _, f := range p.Flows {
		for _, b := range f.Blocks {
			for _, l := range b.Lines {
				seg := bboxLine{}
				flush := func() {
					if len(seg.Words) > 0 {
						out = append(out, seg)
					}
					seg = bboxLine{}
				}
				for i, w := range l.Words {
					if i > 0 && w.XMin-l.Words[i-1].XMax > 3*pt {
						flush()
					}
					if len(seg.Words) == 0 {
						seg = bboxLine{XMin: w.XMin, YMin: w.YMin, XMax: w.XMax, YMax: w.YMax}
					}
					seg.Words = append(seg.Words, w)
					seg.XMin, seg.XMax = math.Min(seg.XMin, w.XMin), math.Max(seg.XMax, w.XMax)
					seg.YMin, seg.YMax = math.Min(seg.YMin, w.YMin), math.Max(seg.YMax, w.YMax)
				}
				flush()
			}
		}
	}
	return out
}

// rule is a horizontal rule drawn on a page, in points from the top left.
type rule struct{ x0, x1, y float64 }

// readLayout runs pdftotext -bbox-layout on pdf and reads the rules of each
// page from its content stream. Without pdftotext the test is skipped, or
// fails under CI=true.
func readLayout(t *testing.T, pdf []byte) ([]bboxPage, [][]rule) {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pdftotext (poppler-utils) is required under CI=true: %v", err)
		}
		t.Skipf("pdftotext not installed (poppler-utils): %v", err)
	}
	path := filepath.Join(t.TempDir(), "record.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-bbox-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox-layout: %v", err)
	}
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	var doc struct {
		Pages []bboxPage `xml:"body>doc>page"`
	}
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("pdftotext output: %v", err)
	}
	// Page content streams, in page order: the FlateDecode streams that
	// set a font (font files and the like do not).
	var rules [][]rule
	line := regexp.MustCompile(`([\d.]+) ([\d.]+) m ([\d.]+) ([\d.]+) l S`)
	rest := pdf
	for {
		i := bytes.Index(rest, []byte("stream\n"))
		if i < 0 {
			break
		}
		j := bytes.Index(rest[i:], []byte("\nendstream"))
		if j < 0 {
			break
		}
		data := rest[i+len("stream\n") : i+j]
		rest = rest[i+j+len("\nendstream"):]
		zr, err := zlib.NewReader(bytes.NewReader(data))
		if err != nil {
			continue
		}
		content, err := io.ReadAll(zr)
		if err != nil || !bytes.Contains(content, []byte(" Tf")) || !bytes.Contains(content, []byte("Tj")) {
			continue
		}
		var rs []rule
		for _, m := range line.FindAllStringSubmatch(string(content), -1) {
			x0, _ := strconv.ParseFloat(m[1], 64)
			y0, _ := strconv.ParseFloat(m[2], 64)
			x1, _ := strconv.ParseFloat(m[3], 64)
			y1, _ := strconv.ParseFloat(m[4], 64)
			if math.Abs(y0-y1) < 0.01 {
				rs = append(rs, rule{math.Min(x0, x1), math.Max(x0, x1), 841.89 - y0})
			}
		}
		rules = append(rules, rs)
	}
	if len(rules) != len(doc.Pages) {
		t.Fatalf("found %d page content streams for %d pages", len(rules), len(doc.Pages))
	}
	return doc.Pages, rules
}

// near reports whether a and b are within tol.
func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// findLine returns the first line of lines whose text starts with prefix.
func findLine(lines []bboxLine, prefix string) (bboxLine, bool) {
	for _, l := range lines {
		if strings.HasPrefix(l.text(), prefix) {
			return l, true
		}
	}
	return bboxLine{}, false
}

// layoutCase is what a record's PDF must look like.
type layoutCase struct {
	party    bool
	org      []string // words of the bodies' names (upper case) in the header
	title    string   // "BIÊN BẢN" or "BIÊN BẢN KIỂM PHIẾU"
	number   string   // the number's first word ("Số" or "Số:"), "" when none
	signs    []string // the signature titles, left to right, on one line
	names    []string // the names under them
	compound []string // two-syllable words that must stay on one line
}

// checkLayout checks one record's PDF against c.
func checkLayout(t *testing.T, name string, pdf []byte, c layoutCase) {
	t.Helper()
	if err := api.Validate(context.Background(), bytes.NewReader(pdf), model.NewDefaultConfiguration(), nil); err != nil {
		t.Errorf("%s: pdfcpu validate: %v", name, err)
	}
	pages, rules := readLayout(t, pdf)
	sz := stateSizes
	if c.party {
		sz = partySizes
	}
	sizeIs := func(what string, l bboxLine, want float64) {
		t.Helper()
		if !near(l.size(), want, 0.15) {
			t.Errorf("%s: %s %q is %.2f pt; want %.1f", name, what, l.text(), l.size(), want)
		}
	}
	first := pages[0].lines()
	// The header: everything above the title.
	title, ok := findLine(first, c.title)
	if !ok {
		t.Fatalf("%s: no title %q on page 1", name, c.title)
	}
	sizeIs("title", title, sz.Title)
	var header []bboxLine
	for _, l := range first {
		if l.YMax <= title.YMin {
			header = append(header, l)
		}
	}
	motto := []string{"ĐẢNG CỘNG SẢN VIỆT NAM"}
	if !c.party {
		motto = []string{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"}
	}
	var last bboxLine
	for k, m := range motto {
		l, ok := findLine(header, m)
		if !ok || l.text() != m {
			t.Fatalf("%s: the motto line %q is not on one line of the header", name, m)
		}
		sizeIs("motto", l, []float64{sz.Motto1, sz.Motto2}[k])
		last = l
	}
	// The rule under the motto: as long as the motto's last line, centred
	// under it (HD 36: "đường kẻ có độ dài bằng độ dài tiêu đề"; NĐ 30:
	// as long as the line of "Độc lập - Tự do - Hạnh phúc").
	found := false
	for _, r := range rules[0] {
		if r.y > last.YMax-1 && r.y < last.YMax+4 && r.x0 > pageW/2*pt-20 {
			found = true
			if !near(r.x1-r.x0, last.XMax-last.XMin, 1.5) || !near((r.x0+r.x1)/2, (last.XMin+last.XMax)/2, 1.5) {
				t.Errorf("%s: the rule under the motto runs %.1f–%.1f pt; the motto %.1f–%.1f pt", name, r.x0, r.x1, last.XMin, last.XMax)
			}
		}
	}
	if !found {
		t.Errorf("%s: no rule under the motto (rules on page 1: %v)", name, rules[0])
	}
	// The bodies' names, the number and the date line.
	// The left column: what lies left of the motto.
	var left []bboxLine
	for _, l := range header {
		if l.XMax < last.XMin {
			left = append(left, l)
		}
	}
	words := map[string]bool{}
	for _, l := range left {
		for _, w := range l.Words {
			words[w.Text] = true
		}
		if l.text() == "*" || strings.HasPrefix(l.text(), "Số") {
			continue
		}
		sizeIs("body name", l, sz.Left)
	}
	for _, w := range c.org {
		if !words[w] {
			t.Errorf("%s: the header's left column lacks the word %q (lines %q)", name, w, texts(left))
		}
	}
	// No word cut in two: every word of the names is printed whole, and
	// every two-syllable word stays on one line.
	for _, l := range header {
		txt := " " + l.text() + " "
		for _, cw := range c.compound {
			parts := strings.Fields(cw)
			if strings.HasSuffix(strings.TrimSpace(txt), parts[0]) && !strings.Contains(txt, " "+cw+" ") {
				t.Errorf("%s: the header breaks %q: a line ends %q", name, cw, l.text())
			}
		}
	}
	if c.number != "" {
		num, ok := findLine(left, c.number+" ")
		if !ok {
			t.Errorf("%s: no number line %q… in %q", name, c.number, texts(left))
		} else {
			sizeIs("number", num, sz.Number)
		}
	}
	if pd, ok := findLine(header, "Hà Nội, ngày"); !ok {
		t.Errorf("%s: no place and date line in the header %q", name, texts(header))
	} else {
		sizeIs("place and date", pd, sz.PlaceDate)
	}
	// Body text and tables.
	body, tables := 0, 0
	for _, p := range pages {
		for _, l := range p.lines() {
			switch {
			case l.YMin < title.YMax && p.Height == pages[0].Height && &p == &pages[0]:
			case near(l.size(), sz.Body, 0.15):
				body++
			case near(l.size(), sz.Table, 0.15):
				tables++
			}
			for _, w := range l.Words {
				if w.XMin < 15*pt || w.XMax > (pageW-12)*pt {
					t.Errorf("%s: the word %q runs off the page (%.0f–%.0f pt)", name, w.Text, w.XMin, w.XMax)
				}
			}
		}
	}
	if body < 10 || tables < 3 {
		t.Errorf("%s: %d lines at the body size %.0f, %d at the table size %.0f; want both", name, body, sz.Body, tables, sz.Table)
	}
	// Page numbers: none on the first page; on every other page its
	// number alone, centred in the top margin.
	for k, p := range pages {
		var top []bboxLine
		for _, l := range p.lines() {
			if l.YMax < marginT*pt {
				top = append(top, l)
			}
		}
		if k == 0 {
			if len(top) > 0 {
				t.Errorf("%s: page 1 has %q in its top margin; want no page number", name, texts(top))
			}
			continue
		}
		if len(top) != 1 || top[0].text() != strconv.Itoa(k+1) || !near((top[0].XMin+top[0].XMax)/2, (marginL+textW/2)*pt, 2) {
			t.Errorf("%s: page %d top margin = %q; want its number, centred", name, k+1, texts(top))
			continue
		}
		sizeIs("page number", top[0], sz.Page)
	}
	// The signature blocks: their titles side by side (left and right,
	// or on the right alone), the names 20 mm or more below them, on a
	// page with text above them (never alone on a page).
	pi := len(pages) - 1
	var at []bboxLine
	for ; pi >= 0 && at == nil; pi-- {
		lines := pages[pi].lines()
		for _, l := range lines {
			if l.text() != c.signs[0] {
				continue
			}
			row := []bboxLine{l}
			for _, r := range lines[1:] {
				if len(c.signs) == 2 && r.text() == c.signs[1] && near(r.YMin, l.YMin, 1) && r.XMin > l.XMax {
					row = append(row, r)
				}
			}
			if len(row) == len(c.signs) {
				at = row
				break
			}
		}
	}
	pi++
	if at == nil {
		t.Errorf("%s: no signature titles %q side by side on any page", name, c.signs)
		return
	}
	lines := pages[pi].lines()
	for _, l := range at {
		sizeIs("signature title", l, sz.Sign)
	}
	if len(at) == 2 && (at[0].XMax > pageW/2*pt+5 || at[1].XMin < pageW/2*pt-5) {
		t.Errorf("%s: signature titles %q are not left and right", name, c.signs)
	}
	above := false
	for _, l := range lines {
		if l.YMax < at[0].YMin && l.YMin > marginT*pt && len([]rune(l.text())) > 12 {
			above = true
		}
	}
	if !above {
		t.Errorf("%s: the signatures stand alone on page %d", name, pi+1)
	}
	for k, n := range c.names {
		var nl bboxLine
		for _, l := range lines {
			if l.text() == n && l.YMin > at[0].YMax && nl.Words == nil && near((l.XMin+l.XMax)/2, (at[k].XMin+at[k].XMax)/2, 3) {
				nl = l
			}
		}
		if nl.Words == nil {
			t.Errorf("%s: no name %q under the signature title %q on page %d", name, n, c.signs[k], pi+1)
			continue
		}
		if gap := nl.YMin - at[k].YMax; gap < 20*pt {
			t.Errorf("%s: %q is %.0f mm under the titles; want room to sign (20 mm or more)", name, n, gap/pt)
		}
		sizeIs("signer's name", nl, sz.SignRow)
	}
}

func texts(ls []bboxLine) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.text()
	}
	return out
}

// TestLayout checks the minutes and a counting record of generated
// meetings of 1, 30 and 1,600 members in both layouts.
func TestLayout(t *testing.T) {
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
				party := layout == meeting.LayoutParty
				c := layoutCase{party: party, title: "BIÊN BẢN", number: "Số",
					names:    []string{genName(1), genName(0)},
					compound: []string{"TÀI CHÍNH", "HÀ NỘI", "KẾ HOẠCH", "THÀNH PHỐ", "NHÂN DÂN", "HOÀN KIẾM", "ỦY BAN"}}
				if party {
					c.org = strings.Fields("ĐẢNG BỘ SỞ TÀI CHÍNH THÀNH PHỐ HÀ NỘI CHI BỘ PHÒNG KẾ HOẠCH - TÀI CHÍNH")
					c.signs = []string{"NGƯỜI GHI BIÊN BẢN", "T/M CHI BỘ"}
				} else {
					c.org = strings.Fields("SỞ TÀI CHÍNH THÀNH PHỐ HÀ NỘI PHÒNG TÀI CHÍNH - KẾ HOẠCH QUẬN HOÀN KIẾM")
					c.number = "Số:"
					c.signs = []string{"THƯ KÝ", "CHỦ TỌA"}
				}
				pdf, err := m.PDF("vi")
				if err != nil {
					t.Fatal(err)
				}
				checkLayout(t, "minutes", pdf, c)
				if party {
					// "T/M CHI BỘ" over the post, "BÍ THƯ".
					pages, _ := readLayout(t, pdf)
					lines := pages[len(pages)-1].lines()
					tm, ok1 := findLine(lines, "NGƯỜI GHI BIÊN BẢN")
					post, ok2 := findLine(lines, "BÍ THƯ")
					if !ok1 || !ok2 || post.YMin < tm.YMax-1 {
						t.Errorf("minutes: no post BÍ THƯ under T/M CHI BỘ on the last page: %q", texts(lines))
					}
				}

				cs, err := BuildCountings(g.log)
				if err != nil {
					t.Fatal(err)
				}
				var election *Counting
				for _, x := range cs {
					if x.r.Poll.Form == meeting.FormStrike && election == nil {
						election = x
					}
				}
				if election == nil {
					t.Fatal("no counting record of the election")
				}
				cpdf, err := election.PDF("vi")
				if err != nil {
					t.Fatal(err)
				}
				cc := c
				cc.title, cc.number = "BIÊN BẢN KIỂM PHIẾU", ""
				committee := election.r.Committee
				cc.signs, cc.names = []string{"TRƯỞNG BAN"}, []string{committee.Members[0].Name}
				if len(committee.Members) > 1 {
					cc.signs = []string{"TRƯỞNG BAN", "ỦY VIÊN"}
					cc.names = []string{committee.Members[0].Name, committee.Members[1].Name}
				}
				checkLayout(t, "counting record", cpdf, cc)
			})
		}
	}
}

// TestHeaderWords: long names of bodies, as the demo and real committees
// have them, wrap in the header between words only — never inside a word
// of two syllables ("CƠ QUAN", "HÀ NỘI") nor a parenthesis — in both
// layouts.
func TestHeaderWords(t *testing.T) {
	names := [][2]string{
		{"Đảng bộ thành phố (dữ liệu mẫu)", "Đảng ủy Khối các cơ quan (dữ liệu mẫu)"},
		{"Đảng bộ Khối các cơ quan Trung ương", "Đảng ủy Bộ Kế hoạch và Đầu tư"},
		{"Sở Tài chính thành phố Hà Nội", "Phòng Tài chính - Kế hoạch quận Hoàn Kiếm"},
		{"Ủy ban nhân dân thành phố Hồ Chí Minh", "Sở Giáo dục và Đào tạo thành phố Hồ Chí Minh"},
	}
	for _, party := range []bool{true, false} {
		for _, n := range names {
			d := &doc{w: vi, Lang: "vi", Party: party, Title: "BIÊN BẢN", Subject: "Hội nghị"}
			d.header(n[0], n[1], "01-BB")
			d.PlaceDate = "Hà Nội, ngày 15 tháng 12 năm 2025"
			d.add(blockPara, "Nội dung.")
			pdf, err := renderPDF(d, time.Date(2025, 12, 15, 9, 0, 0, 0, VN), "x", "")
			if err != nil {
				t.Fatal(err)
			}
			pages, _ := readLayout(t, pdf)
			lines := pages[0].lines()
			for i := 0; i+1 < len(lines); i++ {
				a, b := lines[i], lines[i+1]
				if b.YMin < a.YMax || b.XMin > a.XMax || b.XMax < a.XMin {
					continue // not the next line of the same column
				}
				last, first := a.Words[len(a.Words)-1].Text, b.Words[0].Text
				if compounds[strings.ToUpper(last+" "+first)] || strings.Count(a.text(), "(") > strings.Count(a.text(), ")") {
					t.Errorf("party %v: the header cuts %q between lines %q and %q", party, last+" "+first, a.text(), b.text())
				}
			}
		}
	}
}
