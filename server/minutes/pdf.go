package minutes

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// The fonts: Liberation Serif 2.1.5 (metric-compatible with Times New
// Roman, full Vietnamese coverage), SIL Open Font License 1.1 (see
// fonts/LICENSE). fpdf embeds the subset of each font a document uses, with
// a ToUnicode map, so the text of the PDF extracts as written.
var (
	//go:embed fonts/LiberationSerif-Regular.ttf
	fontRegular []byte
	//go:embed fonts/LiberationSerif-Bold.ttf
	fontBold []byte
	//go:embed fonts/LiberationSerif-Italic.ttf
	fontItalic []byte
	//go:embed fonts/LiberationSerif-BoldItalic.ttf
	fontBoldItalic []byte
)

// Font returns the embedded Liberation Serif face for an fpdf style: ""
// (regular), "B", "I" or "BI"; nil for any other style. Other PDF writers of
// the server (the demo's sample documents) use the same faces.
func Font(style string) []byte {
	switch style {
	case "":
		return fontRegular
	case "B":
		return fontBold
	case "I":
		return fontItalic
	case "BI":
		return fontBoldItalic
	}
	return nil
}

// Page geometry, in millimetres (docs/rules.md §7: A4; margins 20–25 top and
// bottom, 30–35 left, 15–20 right).
const (
	pageW, pageH     = 210.0, 297.0
	marginL, marginR = 30.0, 20.0
	marginT, marginB = 20.0, 20.0
	textW            = pageW - marginL - marginR
	family           = "serif"

	// The header's two columns reach a little into the margins, as on
	// printed forms, from headLX to headRight.
	headLX, headRight = marginL - 8, pageW - marginR + 7
)

// headCols returns the header's columns (left x and width, right x and
// width): the right one as wide as the motto's longest line needs (the
// state's national name at 13 pt is about 96 mm, the Party's motto at 15
// pt about 73 mm), the left one, for the bodies' names, the rest, so that
// a name breaks as little as the page allows.
func (r *renderer) headCols(d *doc) (lx, lw, rx, rw float64) {
	need := 0.0
	for _, m := range []struct {
		text string
		pt   float64
	}{{d.Right1, r.sz.Motto1}, {d.Right2, r.sz.Motto2}} {
		if m.text != "" {
			r.font("B", m.pt)
			need = max(need, r.p.GetStringWidth(m.text))
		}
	}
	rw = min(max(need+6, 80), headRight-headLX-70)
	lw = headRight - headLX - rw
	return headLX, lw, headLX + lw, rw
}

// sizes are the font sizes of a layout, in points.
type sizes struct {
	Left          float64 // the bodies, top left (the issuing one bold)
	Motto1        float64 // "ĐẢNG CỘNG SẢN VIỆT NAM" / "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
	Motto2        float64 // "Độc lập - Tự do - Hạnh phúc" (state)
	Number        float64 // "Số …"
	PlaceDate     float64
	Title         float64 // "BIÊN BẢN"
	Subject       float64 // the subject line
	Body          float64
	Table         float64
	Small         float64
	Page          float64 // page numbers
	Sign, SignRow float64 // signature titles and names
}

// The sizes of HD 36-HD/VPTW (Party) and NĐ 30/2020/NĐ-CP (state):
// Party motto 15 bold; bodies 14 (the issuing one bold); number, date and
// text 14; title 15–16 bold; subject 14–15 bold. State national name 12–13
// bold, motto 13–14 bold, body names 12–13 bold, number 13, date 13–14
// italic, title and subject 13–14 bold, text 13–14, page numbers 13–14.
var (
	partySizes = sizes{Left: 14, Motto1: 15, Number: 14, PlaceDate: 14, Title: 16, Subject: 14, Body: 14, Table: 12, Small: 10, Page: 14, Sign: 14, SignRow: 14}
	stateSizes = sizes{Left: 13, Motto1: 13, Motto2: 14, Number: 13, PlaceDate: 14, Title: 14, Subject: 14, Body: 14, Table: 12, Small: 10, Page: 13, Sign: 14, SignRow: 14}
)

// lineH returns the line height for a font size in points.
func lineH(pt float64) float64 { return pt * 0.3528 * 1.25 }

// PDF returns the minutes as an A4 PDF with its fonts embedded, in
// Vietnamese ("vi", the default) or English ("en"). The bytes depend only
// on the events (the document's dates are the log's).
func (m *Minutes) PDF(lang string) ([]byte, error) {
	d := m.doc(lang)
	return renderPDF(d, m.stamp(), d.Title+" — "+d.Subject, m.r.Number)
}

// stamp is the PDF's date: when the minutes reached their revision (the
// last finalisation or correction), else the last event the minutes cover.
func (m *Minutes) stamp() time.Time {
	t := m.r.FinalizedAt
	if n := len(m.r.Corrections); n > 0 {
		t = m.r.Corrections[n-1].At
	}
	if t.IsZero() {
		t = m.r.ClosedAt
	}
	if t.IsZero() {
		t = m.r.OpenedAt
	}
	if t.IsZero() {
		t = time.Date(2000, 1, 1, 0, 0, 0, 0, VN)
	}
	return t
}

// zoneDates gives the Info dictionary's dates their zone: fpdf writes
// "D:20251215093000", a date in no zone that a reader takes for its own
// local time; the record's dates are in the meeting's zone, so each becomes
// "D:20251215093000+07'00'". Inserting bytes moves every object after the
// Info dictionary: the cross-reference table and startxref are rewritten
// to match, so the file stays valid (pdfinfo and the layout tests read it).
func zoneDates(pdf []byte, stamp time.Time) ([]byte, error) {
	_, off := stamp.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	zone := fmt.Sprintf("%s%02d'%02d'", sign, off/3600, off%3600/60)
	if off == 0 {
		zone = "Z"
	}
	date := "(D:" + stamp.Format("20060102150405") + ")"
	xref := bytes.LastIndex(pdf, []byte("\nxref\n"))
	if xref < 0 {
		return nil, fmt.Errorf("minutes: no cross-reference table in the PDF")
	}
	var out bytes.Buffer
	var moves []int // positions (in pdf) of each insertion
	rest := pdf[:xref+1]
	for {
		i := bytes.Index(rest, []byte(date))
		if i < 0 {
			break
		}
		at := len(pdf[:xref+1]) - len(rest) + i + len(date) - 1 // before the ')'
		moves = append(moves, at)
		rest = rest[i+len(date):]
	}
	if len(moves) != 2 {
		return nil, fmt.Errorf("minutes: %d dates in the PDF's Info dictionary; want 2", len(moves))
	}
	shift := func(pos int) int {
		n := 0
		for _, m := range moves {
			if pos > m {
				n += len(zone)
			}
		}
		return pos + n
	}
	last := 0
	for _, m := range moves {
		out.Write(pdf[last:m])
		out.WriteString(zone)
		last = m
	}
	out.Write(pdf[last : xref+1])
	// The table: "xref", "0 n", then n lines "oooooooooo ggggg n \n".
	lines := bytes.Split(pdf[xref+1:], []byte("\n"))
	for i, l := range lines {
		switch {
		case len(l) == 19 && l[17] == 'n' && l[10] == ' ':
			var pos int
			if _, err := fmt.Sscanf(string(l[:10]), "%d", &pos); err != nil {
				return nil, err
			}
			lines[i] = []byte(fmt.Sprintf("%010d%s", shift(pos), l[10:]))
		case string(l) == "startxref" && i+1 < len(lines):
			var pos int
			if _, err := fmt.Sscanf(string(lines[i+1]), "%d", &pos); err != nil {
				return nil, err
			}
			lines[i+1] = []byte(fmt.Sprint(shift(pos)))
		}
	}
	out.Write(bytes.Join(lines, []byte("\n")))
	return out.Bytes(), nil
}

// renderPDF renders a printed record.
func renderPDF(d *doc, stamp time.Time, title, subject string) ([]byte, error) {
	sz := partySizes
	if !d.Party {
		sz = stateSizes
	}
	p := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	p.AddUTF8FontFromBytes(family, "", fontRegular)
	p.AddUTF8FontFromBytes(family, "B", fontBold)
	p.AddUTF8FontFromBytes(family, "I", fontItalic)
	p.AddUTF8FontFromBytes(family, "BI", fontBoldItalic)
	p.SetMargins(marginL, marginT, marginR)
	p.SetAutoPageBreak(true, marginB)
	p.SetCatalogSort(true)
	p.SetCreationDate(stamp)
	p.SetModificationDate(stamp)
	p.SetTitle(title, true)
	p.SetSubject(subject, true)
	p.SetCreator("phonghop", true)
	p.SetProducer("phonghop (go-pdf/fpdf)", true)
	p.SetLang(map[string]string{"vi": "vi-VN", "en": "en"}[d.Lang])
	// Page numbers: from the second page, centred in the top margin, in
	// Arabic numerals (NĐ 30; HD 36 likewise).
	p.SetHeaderFunc(func() {
		if p.PageNo() < 2 {
			return
		}
		p.SetFont(family, "", sz.Page)
		p.SetXY(marginL, 9)
		p.CellFormat(textW, lineH(sz.Page), fmt.Sprint(p.PageNo()), "", 0, "C", false, 0, "")
		p.SetXY(marginL, marginT)
	})
	p.AddPage()

	r := &renderer{p: p, sz: sz}
	r.header(d)
	for i, b := range d.Blocks {
		if i+1 < len(d.Blocks) && d.Blocks[i+1].Kind == blockSign && b.Kind == blockPara {
			// The signatures never stand alone on a page: the last
			// paragraph goes with them.
			r.keep(r.paraHeight(b.Text) + 6 + 45)
		}
		r.block(b)
	}
	if err := p.Error(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, err
	}
	return zoneDates(buf.Bytes(), stamp)
}

type renderer struct {
	p  *fpdf.Fpdf
	sz sizes
}

func (r *renderer) font(style string, pt float64) { r.p.SetFont(family, style, pt) }

// wrap splits text into lines no wider than w at pt in style: explicit
// line breaks are kept, other breaks fall between words only, and a lone
// dash stays with the word after it ("KẾ HOẠCH" / "- TÀI CHÍNH").
func (r *renderer) wrap(text, style string, pt, w float64) []string {
	return r.wrapUnits(text, style, pt, w, false)
}

// compounds are words of two syllables frequent in the names of Party and
// state bodies, places and posts: a header line never cuts one ("ĐẢNG ỦY
// KHỐI CÁC CƠ" / "QUAN" would). Longer words are listed as overlapping
// pairs ("HỒ CHÍ", "CHÍ MINH"), which glue in a chain. Vietnamese writes a word's syllables apart,
// so a line breaker cannot tell a word from two without such a list; the
// secretariat can also break a name where it wants with a new line.
var compounds = map[string]bool{}

func init() {
	for _, w := range strings.Split("ĐẢNG ỦY|ĐẢNG BỘ|CHI BỘ|CHI ỦY|CƠ QUAN|CƠ SỞ|THÀNH PHỐ|TỈNH ỦY|THÀNH ỦY|HUYỆN ỦY|QUẬN ỦY|ỦY BAN|NHÂN DÂN|"+
		"HỘI ĐỒNG|TRUNG ƯƠNG|THƯỜNG VỤ|CHẤP HÀNH|KIỂM TRA|TỔ CHỨC|TUYÊN GIÁO|DÂN VẬN|VĂN PHÒNG|TÀI CHÍNH|KẾ HOẠCH|ĐẦU TƯ|NỘI VỤ|"+
		"TƯ PHÁP|GIÁO DỤC|ĐÀO TẠO|Y TẾ|XÂY DỰNG|GIAO THÔNG|VẬN TẢI|CÔNG THƯƠNG|NÔNG NGHIỆP|MÔI TRƯỜNG|TÀI NGUYÊN|VĂN HÓA|THỂ THAO|DU LỊCH|"+
		"KHOA HỌC|CÔNG NGHỆ|THÔNG TIN|TRUYỀN THÔNG|LAO ĐỘNG|THƯƠNG BINH|XÃ HỘI|NGOẠI VỤ|CÔNG AN|QUÂN SỰ|BIÊN PHÒNG|DOANH NGHIỆP|"+
		"HÀNH CHÍNH|SỰ NGHIỆP|THANH TRA|DỮ LIỆU|HÀ NỘI|HẢI PHÒNG|ĐÀ NẴNG|CẦN THƠ|HỒ CHÍ|CHÍ MINH|VIỆT NAM|CỘNG HÒA|CHỦ NGHĨA|"+
		"ĐỘC LẬP|TỰ DO|HẠNH PHÚC|BÍ THƯ|PHÓ BÍ|ỦY VIÊN|TRƯỞNG BAN|CHỦ TỊCH|THƯ KÝ|CHỦ TỌA|HOÀN KIẾM|BA ĐÌNH|ĐỐNG ĐA|CẦU GIẤY", "|") {
		compounds[w] = true
	}
}

// units splits a line of text into the pieces a line may not cut: words,
// a dash with the word after it, the words of a parenthesis, and (for
// headers) the compounds above. A piece wider than w is cut into words
// again.
func (r *renderer) units(para string, w float64, header bool) []string {
	var words []string
	for _, f := range strings.Fields(para) {
		n := len(words)
		switch {
		case n > 0 && (words[n-1] == "-" || words[n-1] == "–"):
			words[n-1] += " " + f
		case n > 0 && strings.Count(words[n-1], "(") > strings.Count(words[n-1], ")"):
			words[n-1] += " " + f // inside a parenthesis
		case n > 0 && header && compounds[strings.ToUpper(lastWord(words[n-1])+" "+f)]:
			words[n-1] += " " + f
		default:
			words = append(words, f)
		}
	}
	var out []string
	for _, u := range words {
		if strings.Contains(u, " ") && r.p.GetStringWidth(u) > w {
			out = append(out, strings.Fields(u)...)
			continue
		}
		out = append(out, u)
	}
	return out
}

func lastWord(s string) string {
	f := strings.Fields(s)
	return f[len(f)-1]
}

// wrapUnits is wrap; header also keeps the compounds whole.
func (r *renderer) wrapUnits(text, style string, pt, w float64, header bool) []string {
	r.font(style, pt)
	var out []string
	for _, para := range strings.Split(text, "\n") {
		words := r.units(para, w, header)
		line := ""
		for _, wd := range words {
			try := wd
			if line != "" {
				try = line + " " + wd
			}
			if line != "" && r.p.GetStringWidth(try) > w {
				out = append(out, line)
				line = wd
				continue
			}
			line = try
		}
		out = append(out, line)
	}
	return out
}

// keepWords moves the last word of a line down to the next line when the
// next would hold a single word (a Vietnamese name's last syllable:
// "… THÀNH PHỐ HÀ" / "NỘI" becomes "… THÀNH PHỐ" / "HÀ NỘI"), if it fits.
// Most Vietnamese words have two syllables: a line of one is most often a
// word cut in two.
func (r *renderer) keepWords(lines []string, style string, pt, w float64) []string {
	r.font(style, pt)
	for i := len(lines) - 1; i > 0; i-- {
		cur, prev := strings.Fields(lines[i]), strings.Fields(lines[i-1])
		if len(cur) != 1 || len(prev) < 3 {
			continue
		}
		k := len(prev) - 1
		if k > 1 && (prev[k-1] == "-" || prev[k-1] == "–") {
			k-- // a dash goes with the word after it
		}
		moved := strings.Join(prev[k:], " ") + " " + lines[i]
		if r.p.GetStringWidth(moved) > w {
			continue
		}
		lines[i-1], lines[i] = strings.Join(prev[:k], " "), moved
	}
	return lines
}

// centered writes text centred in the column [x, x+w), from y, wrapped by
// wrap and keepWords; it returns the y below it and the width of its
// widest line.
func (r *renderer) centered(x, y, w float64, text, style string, pt float64) (float64, float64) {
	lines := r.keepWords(r.wrapUnits(text, style, pt, w, true), style, pt, w)
	r.font(style, pt)
	widest := 0.0
	for _, l := range lines {
		r.p.SetXY(x, y)
		r.p.CellFormat(w, lineH(pt), l, "", 0, "C", false, 0, "")
		widest = max(widest, r.p.GetStringWidth(l))
		y += lineH(pt)
	}
	return y, widest
}

// rule draws a horizontal rule of length l centred on x at y.
func (r *renderer) rule(x, y, l float64) {
	r.p.SetLineWidth(0.3)
	r.p.Line(x-l/2, y, x+l/2, y)
}

func (r *renderer) header(d *doc) {
	p, sz := r.p, r.sz
	headLX, headLW, headRX, headRW := r.headCols(d)
	y0 := p.GetY()
	// Top left: the bodies (the issuing one bold); under the issuing one a
	// star (Party) or a rule of a third to a half of its width (state);
	// then the number.
	y := y0
	last := 0.0
	for i, l := range d.Left {
		style := ""
		if i == len(d.Left)-1 {
			style = "B"
		}
		y, last = r.centered(headLX, y, headLW, l, style, sz.Left) // last: its widest line
	}
	if len(d.Left) > 0 {
		if d.Party {
			y, _ = r.centered(headLX, y, headLW, "*", "", sz.Left)
		} else {
			r.rule(headLX+headLW/2, y+0.8, 0.4*last)
			y += 2.5
		}
	}
	if d.Number != "" {
		y, _ = r.centered(headLX, y, headLW, d.Number, "", sz.Number)
	}
	left := y
	// Top right: the motto, a rule as long as its last line, the place
	// and date.
	y, w := r.centered(headRX, y0, headRW, d.Right1, "B", sz.Motto1)
	if d.Right2 != "" {
		y, w = r.centered(headRX, y, headRW, d.Right2, "B", sz.Motto2)
	}
	r.rule(headRX+headRW/2, y+0.5, w)
	y += 2.5
	if d.PlaceDate != "" {
		y, _ = r.centered(headRX, y, headRW, d.PlaceDate, "I", sz.PlaceDate)
	}
	y = max(left, y) + 8
	// Title, subject, a short rule.
	y, _ = r.centered(marginL, y, textW, d.Title, "B", sz.Title)
	y, w = r.centered(marginL, y, textW, d.Subject, "B", sz.Subject)
	r.rule(marginL+textW/2, y+1.5, min(max(w/3, 25), 60))
	p.SetY(y + 3)
	if d.Draft != "" {
		p.SetTextColor(160, 0, 0)
		y, _ = r.centered(marginL, p.GetY(), textW, d.Draft, "B", sz.Number)
		p.SetTextColor(0, 0, 0)
		y, _ = r.centered(marginL, y, textW, d.DraftNote, "I", 11)
		p.SetY(y)
	}
	p.SetY(p.GetY() + 3)
}

func (r *renderer) block(b block) {
	p, sz := r.p, r.sz
	lh := lineH(sz.Body)
	p.SetX(marginL)
	switch b.Kind {
	case blockSection:
		p.SetY(p.GetY() + 3)
		r.keep(3 * lh)
		r.font("B", sz.Body)
		p.MultiCell(textW, lh, b.Text, "", "L", false)
	case blockItem:
		p.SetY(p.GetY() + 2)
		r.keep(3 * lh)
		r.font("B", sz.Body)
		p.MultiCell(textW, lh, b.Text, "", "L", false)
	case blockSub:
		p.SetY(p.GetY() + 1.5)
		r.keep(3 * lh)
		r.font("BI", sz.Body)
		p.MultiCell(textW, lh, b.Text, "", "L", false)
	case blockLabel:
		r.keep(5 * lh) // with the start of what it introduces
		r.font("B", sz.Body)
		p.MultiCell(textW, lh, b.Text, "", "L", false)
	case blockWarn:
		r.font("B", sz.Body)
		p.SetTextColor(160, 0, 0)
		p.MultiCell(textW, lh, b.Text, "", "L", false)
		p.SetTextColor(0, 0, 0)
	case blockSmall:
		r.font("", sz.Small)
		p.MultiCell(textW, lineH(sz.Small), b.Text, "", "L", false)
	case blockTable:
		r.table(b)
	case blockSign:
		r.signatures(b)
	default:
		r.font("", sz.Body)
		p.MultiCell(textW, lh, b.Text, "", "J", false)
	}
}

// paraHeight is the height of a paragraph of body text.
func (r *renderer) paraHeight(text string) float64 {
	r.font("", r.sz.Body)
	return float64(len(r.p.SplitText(text, textW))) * lineH(r.sz.Body)
}

// keep starts a new page unless h millimetres are left on this one.
func (r *renderer) keep(h float64) {
	if r.p.GetY()+h > pageH-marginB {
		r.p.AddPage()
	}
}

func (r *renderer) table(b block) {
	p := r.p
	pt := r.sz.Table
	lh := lineH(pt)
	widths := make([]float64, len(b.Head))
	for i := range widths {
		f := 1.0 / float64(len(widths))
		if i < len(b.Widths) {
			f = b.Widths[i]
		}
		widths[i] = f * textW
	}
	split := func(cells []string, style string) [][]string {
		out := make([][]string, len(cells))
		for i, c := range cells {
			out[i] = r.wrap(c, style, pt, widths[i]-2*cellPad)
		}
		return out
	}
	head := split(b.Head, "B")
	groups := b.Groups
	if len(groups) == 0 {
		groups = make([]int, len(b.Rows))
		for i := range groups {
			groups[i] = 1
		}
	}
	// lay splits the rows of a group and gives each row its height; a
	// merged cell taller than its rows lengthens the last one.
	lay := func(rows [][]string) ([][][]string, []float64, float64) {
		lines := make([][][]string, len(rows))
		heights := make([]float64, len(rows))
		total, span := 0.0, 0.0
		for k, cells := range rows {
			lines[k] = split(cells, "")
			own := make([][]string, 0, len(cells))
			for i, l := range lines[k] {
				if i < len(b.Span) && b.Span[i] {
					if k == 0 {
						span = max(span, rowHeight([][]string{l}, lh))
					}
					continue
				}
				own = append(own, l)
			}
			heights[k] = rowHeight(own, lh)
			total += heights[k]
		}
		if span > total && len(rows) > 0 {
			heights[len(rows)-1] += span - total
			total = span
		}
		return lines, heights, total
	}
	// The header never ends a page: keep it with the first group.
	need := rowHeight(head, lh)
	if len(b.Rows) > 0 {
		_, _, h := lay(b.Rows[:groups[0]])
		need += h
	}
	r.keep(need)
	r.drawRow(head, nil, widths, lh, "B", true)
	at := 0
	for _, n := range groups {
		rows := b.Rows[at : at+n]
		at += n
		lines, heights, total := lay(rows)
		if p.GetY()+total > pageH-marginB {
			p.AddPage()
			r.drawRow(head, nil, widths, lh, "B", true)
		}
		r.drawGroup(lines, heights, total, b, widths, lh)
	}
	p.SetY(p.GetY() + 1.5)
}

// rowHeight is the height of a row of pre-split cells.
func rowHeight(lines [][]string, lh float64) float64 {
	n := 1
	for _, l := range lines {
		n = max(n, len(l))
	}
	return float64(n)*lh + 1.2
}

// drawRow draws one table row of pre-split cells at the current position.
func (r *renderer) drawRow(lines [][]string, right []bool, widths []float64, lh float64, style string, head bool) {
	h := rowHeight(lines, lh)
	x, y := marginL, r.p.GetY()
	r.p.SetLineWidth(0.2)
	r.font(style, r.sz.Table)
	for i := range lines {
		align := "L"
		switch {
		case head:
			align = "C"
		case i < len(right) && right[i]:
			align = "R"
		}
		r.cell(x, y, widths[i], h, lines[i], align, lh)
		x += widths[i]
	}
	r.p.SetXY(marginL, y+h)
}

// drawGroup draws a group of rows of pre-split cells, each row of its
// height, at the current position: a merged column (b.Span) once, over
// the whole group, with the first row's text.
func (r *renderer) drawGroup(lines [][][]string, heights []float64, total float64, b block, widths []float64, lh float64) {
	x0, y0 := marginL, r.p.GetY()
	r.p.SetLineWidth(0.2)
	r.font("", r.sz.Table)
	x := x0
	for i, w := range widths {
		align := "L"
		if i < len(b.Right) && b.Right[i] {
			align = "R"
		}
		if i < len(b.Span) && b.Span[i] {
			r.cell(x, y0, w, total, lines[0][i], align, lh)
		} else {
			y := y0
			for k := range lines {
				r.cell(x, y, w, heights[k], lines[k][i], align, lh)
				y += heights[k]
			}
		}
		x += w
	}
	r.p.SetXY(marginL, y0+total)
}

// cellPad is the room left and right of a table cell's text, in mm: the
// texts of two cells side by side are 3.5 mm apart (Word's default cell
// margins are 1.9 mm), so a reader never takes them for one phrase.
const cellPad = 1.75

// cell draws one cell's border and its lines from the top.
func (r *renderer) cell(x, y, w, h float64, lines []string, align string, lh float64) {
	r.p.Rect(x, y, w, h, "D")
	for k, line := range lines {
		r.p.SetXY(x+cellPad, y+0.6+float64(k)*lh)
		r.p.CellFormat(w-2*cellPad, lh, line, "", 0, align, false, 0, "")
	}
}

// signatures draws signature blocks two to a row: titles in bold upper
// case, room to sign, the name in bold. A row is never split over pages.
func (r *renderer) signatures(b block) {
	p, sz := r.p, r.sz
	p.SetY(p.GetY() + 6)
	col := textW / 2
	if b.Title != "" {
		r.keep(lineH(sz.Sign) + 45)
		y, _ := r.centered(marginL, p.GetY(), textW, b.Title, "B", sz.Sign)
		p.SetY(y + 2)
	}
	for i := 0; i < len(b.Signs); i += 2 {
		row := b.Signs[i:min(i+2, len(b.Signs))]
		r.keep(45)
		y0 := p.GetY()
		titles := y0
		// A lone block (one signer, or an odd last member) signs on the
		// right, where the chair does.
		xs := []float64{marginL, marginL + col}
		if len(row) == 1 {
			xs = []float64{marginL + col}
		}
		for k, s := range row {
			x := xs[k]
			y := y0
			for _, l := range s.Lines {
				y, _ = r.centered(x, y, col, l, "B", sz.Sign)
			}
			titles = max(titles, y)
		}
		// The names on one line, below room for the signatures.
		bottom := titles + 25
		for k, s := range row {
			if s.Name != "" {
				y, _ := r.centered(xs[k], titles+25, col, s.Name, "B", sz.SignRow)
				bottom = max(bottom, y)
			}
		}
		p.SetXY(marginL, bottom+6)
	}
}
