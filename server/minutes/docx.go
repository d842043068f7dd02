package minutes

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"
)

// renderDOCX renders a printed record as a Word document (Office Open XML):
// the header as a borderless two-column table, the title and subject
// centred, sections and items as the built-in heading styles (so Word's
// navigation pane and a reader such as pandoc see the structure), body
// paragraphs justified, tables with a repeated header row, signatures as a
// borderless table. Times New Roman, A4, the margins of the minutes. The
// bytes depend only on d and stamp (the zip entries carry stamp's time).
func renderDOCX(d *doc, stamp time.Time) ([]byte, error) {
	sz := partySizes
	if !d.Party {
		sz = stateSizes
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	b.WriteString(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)

	// The header: the bodies on the left, the motto and date on the right.
	var left, right strings.Builder
	for i, l := range d.Left {
		para(&left, l, paraOpts{align: "center", bold: i == len(d.Left)-1, size: sz.Left})
	}
	if len(d.Left) > 0 && d.Party {
		para(&left, "*", paraOpts{align: "center", size: sz.Left})
	}
	if d.Number != "" {
		para(&left, d.Number, paraOpts{align: "center", size: sz.Number})
	}
	para(&right, d.Right1, paraOpts{align: "center", bold: true, size: sz.Motto1})
	if d.Right2 != "" {
		para(&right, d.Right2, paraOpts{align: "center", bold: true, size: sz.Motto2})
	}
	if d.PlaceDate != "" {
		para(&right, d.PlaceDate, paraOpts{align: "center", italic: true, size: sz.PlaceDate})
	}
	table(&b, []float64{0.45, 0.55}, false, nil, [][]string{{left.String(), right.String()}}, true)

	para(&b, d.Title, paraOpts{style: "Title", align: "center", bold: true, size: sz.Title, before: 240})
	para(&b, d.Subject, paraOpts{style: "Subtitle", align: "center", bold: true, size: sz.Subject})
	if d.Draft != "" {
		para(&b, d.Draft, paraOpts{align: "center", bold: true, color: "A00000", size: sz.Number})
		para(&b, d.DraftNote, paraOpts{align: "center", italic: true, size: 11})
	}
	for _, bl := range d.Blocks {
		switch bl.Kind {
		case blockSection:
			para(&b, bl.Text, paraOpts{style: "Heading1", bold: true, size: sz.Body, before: 180})
		case blockItem:
			para(&b, bl.Text, paraOpts{style: "Heading2", bold: true, size: sz.Body, before: 120})
		case blockSub:
			para(&b, bl.Text, paraOpts{style: "Heading3", bold: true, italic: true, size: sz.Body, before: 80})
		case blockLabel:
			para(&b, bl.Text, paraOpts{bold: true, size: sz.Body})
		case blockWarn:
			para(&b, bl.Text, paraOpts{bold: true, color: "A00000", size: sz.Body})
		case blockSmall:
			para(&b, bl.Text, paraOpts{size: sz.Small})
		case blockTable:
			rows := make([][]string, len(bl.Rows))
			for i, r := range bl.Rows {
				rows[i] = make([]string, len(r))
				for k, c := range r {
					align := ""
					if k < len(bl.Right) && bl.Right[k] {
						align = "right"
					}
					var cell strings.Builder
					para(&cell, c, paraOpts{align: align, size: sz.Table})
					rows[i][k] = cell.String()
				}
			}
			head := make([]string, len(bl.Head))
			for k, h := range bl.Head {
				var cell strings.Builder
				para(&cell, h, paraOpts{align: "center", bold: true, size: sz.Table})
				head[k] = cell.String()
			}
			table(&b, bl.Widths, true, head, rows, false)
			para(&b, "", paraOpts{size: 6})
		case blockSign:
			if bl.Title != "" {
				para(&b, bl.Title, paraOpts{align: "center", bold: true, size: sz.Sign, before: 240})
			}
			for _, row := range bl.SignRows() {
				cells := make([]string, 2)
				for k, s := range row {
					var cell strings.Builder
					if s != nil {
						for _, l := range s.Lines {
							para(&cell, l, paraOpts{align: "center", bold: true, size: sz.Sign})
						}
						para(&cell, "", paraOpts{size: sz.Sign, before: 1200})
						para(&cell, s.Name, paraOpts{align: "center", bold: true, size: sz.SignRow})
					} else {
						para(&cell, "", paraOpts{size: sz.Sign})
					}
					cells[k] = cell.String()
				}
				table(&b, []float64{0.5, 0.5}, false, nil, [][]string{cells}, true)
			}
		default:
			para(&b, bl.Text, paraOpts{align: "both", size: sz.Body})
		}
	}
	// A4, margins 20 mm top and bottom, 30 mm left, 20 mm right.
	b.WriteString(`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1701" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr>`)
	b.WriteString(`</w:body></w:document>`)

	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	add := func(name, content string) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: stamp.UTC()})
		if err != nil {
			return err
		}
		_, err = f.Write([]byte(content))
		return err
	}
	core := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>%s</dc:title><dc:subject>%s</dc:subject><dc:creator>phonghop</dc:creator><dc:language>%s</dc:language><dcterms:created xsi:type="dcterms:W3CDTF">%s</dcterms:created></cp:coreProperties>`,
		esc(d.Title), esc(d.Subject), map[string]string{"vi": "vi-VN", "en": "en"}[d.Lang], stamp.UTC().Format(time.RFC3339))
	for _, f := range [][2]string{
		{"[Content_Types].xml", docxContentTypes},
		{"_rels/.rels", docxRels},
		{"word/document.xml", b.String()},
		{"word/_rels/document.xml.rels", docxDocRels},
		{"word/styles.xml", fmt.Sprintf(docxStyles, int(sz.Body*2))},
		{"docProps/core.xml", core},
	} {
		if err := add(f[0], f[1]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// paraOpts are the properties of one paragraph.
type paraOpts struct {
	style         string // paragraph style ID
	align         string // left (""), center, right, both
	bold, italic  bool
	color         string // hex RGB
	size          float64
	before, after int // spacing in twentieths of a point
}

// para writes a paragraph of text; new lines in it are line breaks.
func para(b *strings.Builder, text string, o paraOpts) {
	b.WriteString(`<w:p><w:pPr>`)
	if o.style != "" {
		fmt.Fprintf(b, `<w:pStyle w:val="%s"/>`, o.style)
	}
	fmt.Fprintf(b, `<w:spacing w:before="%d" w:after="%d"/>`, o.before, max(o.after, 60))
	if o.align != "" {
		fmt.Fprintf(b, `<w:jc w:val="%s"/>`, o.align)
	}
	b.WriteString(`</w:pPr>`)
	if text != "" {
		var rpr strings.Builder
		if o.bold {
			rpr.WriteString(`<w:b/>`)
		}
		if o.italic {
			rpr.WriteString(`<w:i/>`)
		}
		if o.color != "" {
			fmt.Fprintf(&rpr, `<w:color w:val="%s"/>`, o.color)
		}
		if o.size > 0 {
			fmt.Fprintf(&rpr, `<w:sz w:val="%d"/><w:szCs w:val="%d"/>`, int(o.size*2), int(o.size*2))
		}
		for i, line := range strings.Split(text, "\n") {
			b.WriteString(`<w:r><w:rPr>` + rpr.String() + `</w:rPr>`)
			if i > 0 {
				b.WriteString(`<w:br/>`)
			}
			b.WriteString(`<w:t xml:space="preserve">` + esc(line) + `</w:t></w:r>`)
		}
	}
	b.WriteString(`</w:p>`)
}

// table writes a table of pre-rendered cells (each holding paragraphs),
// the widths as shares of the text width (160 mm), with grid borders or
// none; head, when given, is a header row repeated on every page.
func table(b *strings.Builder, widths []float64, grid bool, head []string, rows [][]string, fixed bool) {
	const textTwips = 9071 // 160 mm
	b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/>`)
	if fixed {
		b.WriteString(`<w:tblLayout w:type="fixed"/>`)
	}
	border := "single"
	if !grid {
		border = "nil"
	}
	fmt.Fprintf(b, `<w:tblBorders><w:top w:val="%[1]s" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="%[1]s" w:sz="4" w:space="0" w:color="000000"/><w:bottom w:val="%[1]s" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="%[1]s" w:sz="4" w:space="0" w:color="000000"/><w:insideH w:val="%[1]s" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="%[1]s" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders>`, border)
	b.WriteString(`<w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>`)
	n := len(widths)
	if len(rows) > 0 {
		n = max(n, len(rows[0]))
	}
	width := func(i int) int {
		if i < len(widths) {
			return int(widths[i] * textTwips)
		}
		return textTwips / max(n, 1)
	}
	for i := range n {
		fmt.Fprintf(b, `<w:gridCol w:w="%d"/>`, width(i))
	}
	b.WriteString(`</w:tblGrid>`)
	row := func(cells []string, header bool) {
		b.WriteString(`<w:tr>`)
		if header {
			b.WriteString(`<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>`)
		} else {
			b.WriteString(`<w:trPr><w:cantSplit/></w:trPr>`)
		}
		for i, c := range cells {
			fmt.Fprintf(b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/></w:tcPr>`, width(i))
			if c == "" {
				c = `<w:p/>`
			}
			b.WriteString(c)
			b.WriteString(`</w:tc>`)
		}
		b.WriteString(`</w:tr>`)
	}
	if head != nil {
		row(head, true)
	}
	for _, r := range rows {
		row(r, false)
	}
	b.WriteString(`</w:tbl>`)
}

// esc escapes text for XML, dropping characters XML 1.0 cannot hold.
func esc(s string) string {
	var b strings.Builder
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r != 0xFFFE && r != 0xFFFF {
			return r
		}
		return -1
	}, s)
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

const docxContentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`

const docxRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`

const docxDocRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`

// docxStyles: Times New Roman at the body size (%d half-points), the
// title, subtitle and three heading levels with their outline levels.
const docxStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/><w:sz w:val="%[1]d"/><w:szCs w:val="%[1]d"/><w:lang w:val="vi-VN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="60" w:line="276" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:b/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:b/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading3"><w:name w:val="heading 3"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:outlineLvl w:val="2"/></w:pPr><w:rPr><w:b/><w:i/></w:rPr></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>`
