package minutes

import (
	"bytes"
	_ "embed"
	"fmt"
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

// Page geometry, in millimetres (RULES-VN §7: A4; margins about 20–25 top
// and bottom, 30–35 left, 15–20 right; body 13–14 pt).
const (
	pageW, pageH             = 210.0, 297.0
	marginL, marginR         = 30.0, 20.0
	marginT, marginB         = 20.0, 20.0
	textW                    = pageW - marginL - marginR
	bodyPt, tablePt, smallPt = 13.0, 11.0, 9.5
	family                   = "serif"
)

// lineH returns the line height for a font size in points.
func lineH(pt float64) float64 { return pt * 0.3528 * 1.3 }

// PDF returns the minutes as an A4 PDF with its fonts embedded, in
// Vietnamese ("vi", the default) or English ("en"). The bytes depend only
// on the events (the document's dates are the log's).
func (m *Minutes) PDF(lang string) ([]byte, error) {
	d := m.doc(lang)
	p := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	p.AddUTF8FontFromBytes(family, "", fontRegular)
	p.AddUTF8FontFromBytes(family, "B", fontBold)
	p.AddUTF8FontFromBytes(family, "I", fontItalic)
	p.AddUTF8FontFromBytes(family, "BI", fontBoldItalic)
	p.SetMargins(marginL, marginT, marginR)
	p.SetAutoPageBreak(true, marginB)
	p.SetCatalogSort(true)
	stamp := m.stamp()
	p.SetCreationDate(stamp)
	p.SetModificationDate(stamp)
	p.SetTitle(d.Title+" — "+d.Subject, true)
	p.SetSubject(m.r.Number, true)
	p.SetCreator("phonghop", true)
	p.SetProducer("phonghop (go-pdf/fpdf)", true)
	p.SetLang(map[string]string{"vi": "vi-VN", "en": "en"}[d.Lang])
	p.AliasNbPages("{nb}")
	p.SetFooterFunc(func() {
		p.SetY(-marginB + 6)
		p.SetFont(family, "", 10)
		p.CellFormat(0, 5, fmt.Sprintf(d.w.page, p.PageNo(), "{nb}"), "", 0, "C", false, 0, "")
	})
	p.AddPage()

	r := &renderer{p: p}
	r.header(d)
	for _, b := range d.Blocks {
		r.block(b)
	}
	r.signatures(d.Signs)
	if len(d.Corrections) > 0 {
		r.block(block{Kind: blockSection, Text: d.CorrectionsTitle})
		for _, b := range d.Corrections {
			r.block(b)
		}
	}
	if err := p.Error(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
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
	return t.In(VN)
}

type renderer struct {
	p *fpdf.Fpdf
}

func (r *renderer) font(style string, pt float64) { r.p.SetFont(family, style, pt) }

// centered writes lines centred in the column [x, x+w), from y; it returns
// the y below them.
func (r *renderer) centered(x, y, w float64, text, style string, pt float64) float64 {
	r.font(style, pt)
	r.p.SetXY(x, y)
	r.p.MultiCell(w, lineH(pt), text, "", "C", false)
	return r.p.GetY()
}

func (r *renderer) header(d *doc) {
	p := r.p
	// Two columns, the right one wider (the motto), both reaching a little
	// into the margins as on printed forms.
	lx, lw := marginL-8, 0.45*textW+4
	rx, rw := marginL+0.45*textW-2, 0.55*textW+10
	y0 := p.GetY()
	// Top left: the bodies (the issuing one bold), a star, the number.
	y := y0
	for i, l := range d.Left {
		style := ""
		if i == len(d.Left)-1 {
			style = "B"
		}
		y = r.centered(lx, y, lw, l, style, 12.5)
	}
	if len(d.Left) > 0 {
		y = r.centered(lx, y, lw, "*", "", 12.5)
	}
	if d.Number != "" {
		y = r.centered(lx, y, lw, d.Number, "", 13)
	}
	left := y
	// Top right: the motto, a rule, the place and date.
	y = r.centered(rx, y0, rw, d.Right1, "B", 12.5)
	if d.Right2 != "" {
		y = r.centered(rx, y, rw, d.Right2, "B", 13)
	}
	mid := rx + rw/2
	p.SetLineWidth(0.3)
	p.Line(mid-25, y+0.5, mid+25, y+0.5)
	y += 3
	if d.PlaceDate != "" {
		y = r.centered(rx, y, rw, d.PlaceDate, "I", 13)
	}
	p.SetXY(marginL, max(left, y)+8)
	// Title, subject, a short rule.
	r.centered(marginL, p.GetY(), textW, d.Title, "B", 16)
	r.centered(marginL, p.GetY(), textW, d.Subject, "B", 14)
	y = p.GetY() + 1
	p.Line(pageW/2-15, y, pageW/2+15, y)
	p.SetY(y + 2)
	if d.Draft != "" {
		p.SetTextColor(160, 0, 0)
		r.centered(marginL, p.GetY(), textW, d.Draft, "B", 13)
		p.SetTextColor(0, 0, 0)
		r.centered(marginL, p.GetY(), textW, d.DraftNote, "I", 11)
	} else if d.Revision != "" {
		r.centered(marginL, p.GetY(), textW, d.Revision, "", 11)
	}
	p.SetY(p.GetY() + 3)
}

func (r *renderer) block(b block) {
	p := r.p
	p.SetX(marginL)
	switch b.Kind {
	case blockSection:
		p.SetY(p.GetY() + 3)
		r.keep(3 * lineH(bodyPt))
		r.font("B", bodyPt)
		p.MultiCell(textW, lineH(bodyPt), b.Text, "", "L", false)
	case blockItem:
		p.SetY(p.GetY() + 2)
		r.keep(3 * lineH(bodyPt))
		r.font("B", bodyPt)
		p.MultiCell(textW, lineH(bodyPt), b.Text, "", "L", false)
	case blockSub:
		p.SetY(p.GetY() + 1.5)
		r.keep(3 * lineH(bodyPt))
		r.font("BI", bodyPt)
		p.MultiCell(textW, lineH(bodyPt), b.Text, "", "L", false)
	case blockLabel:
		r.keep(5 * lineH(bodyPt)) // with the start of what it introduces
		r.font("B", bodyPt)
		p.MultiCell(textW, lineH(bodyPt), b.Text, "", "L", false)
	case blockSmall:
		r.font("", smallPt)
		p.MultiCell(textW, lineH(smallPt), b.Text, "", "L", false)
	case blockTable:
		r.table(b)
	default:
		r.font("", bodyPt)
		p.MultiCell(textW, lineH(bodyPt), b.Text, "", "J", false)
	}
}

// keep starts a new page unless h millimetres are left on this one.
func (r *renderer) keep(h float64) {
	if r.p.GetY()+h > pageH-marginB {
		r.p.AddPage()
	}
}

func (r *renderer) table(b block) {
	p := r.p
	lh := lineH(tablePt)
	widths := make([]float64, len(b.Head))
	for i := range widths {
		f := 1.0 / float64(len(widths))
		if i < len(b.Widths) {
			f = b.Widths[i]
		}
		widths[i] = f * textW
	}
	row := func(cells []string, style string, head bool) {
		r.font(style, tablePt)
		lines := make([][]string, len(cells))
		n := 1
		for i, c := range cells {
			lines[i] = p.SplitText(c, widths[i])
			n = max(n, len(lines[i]))
		}
		h := float64(n)*lh + 1.2
		if p.GetY()+h > pageH-marginB {
			p.AddPage()
			if !head {
				r.font("B", tablePt)
				r.drawRow(b.Head, nil, widths, splitAll(p, b.Head, widths), lh, true)
				r.font(style, tablePt)
			}
		}
		r.drawRow(cells, b.Right, widths, lines, lh, head)
	}
	// The header never ends a page: keep it with the first row.
	need := rowHeight(splitAll(p, b.Head, widths), lh)
	if len(b.Rows) > 0 {
		r.font("", tablePt)
		need += rowHeight(splitAll(p, b.Rows[0], widths), lh)
	}
	r.keep(need)
	row(b.Head, "B", true)
	for _, cells := range b.Rows {
		row(cells, "", false)
	}
	p.SetY(p.GetY() + 1.5)
}

func splitAll(p *fpdf.Fpdf, cells []string, widths []float64) [][]string {
	out := make([][]string, len(cells))
	for i, c := range cells {
		out[i] = p.SplitText(c, widths[i])
	}
	return out
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
func (r *renderer) drawRow(cells []string, right []bool, widths []float64, lines [][]string, lh float64, head bool) {
	p := r.p
	n := 1
	for _, l := range lines {
		n = max(n, len(l))
	}
	h := float64(n)*lh + 1.2
	x, y := marginL, p.GetY()
	p.SetLineWidth(0.2)
	for i := range cells {
		p.Rect(x, y, widths[i], h, "D")
		align := "L"
		switch {
		case head:
			align = "C"
		case i < len(right) && right[i]:
			align = "R"
		}
		for k, line := range lines[i] {
			p.SetXY(x, y+0.6+float64(k)*lh)
			p.CellFormat(widths[i], lh, line, "", 0, align, false, 0, "")
		}
		x += widths[i]
	}
	p.SetXY(marginL, y+h)
}

func (r *renderer) signatures(signs [2]sign) {
	p := r.p
	p.SetY(p.GetY() + 6)
	r.keep(55)
	col := textW / 2
	y0 := p.GetY()
	titles := y0
	for i, s := range signs {
		x := marginL + float64(i)*col
		y := y0
		for _, l := range s.Lines {
			y = r.centered(x, y, col, l, "B", bodyPt)
		}
		titles = max(titles, r.centered(x, y, col, s.Hint, "I", 11))
	}
	// The names on one line, below room for the signatures.
	bottom := titles + 25
	for i, s := range signs {
		if s.Name != "" {
			bottom = max(bottom, r.centered(marginL+float64(i)*col, titles+25, col, s.Name, "B", bodyPt))
		}
	}
	p.SetXY(marginL, bottom+4)
}
