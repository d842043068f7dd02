package testdocs

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// Drafts for opinions (docs/congress.md): documents with a structure.

// Part is one heading of a draft and the paragraphs under it. Level 0 is
// the document's title (style Title), 1 to 3 the headings.
type Part struct {
	Level int
	Text  string
	Body  []string
}

// DOCXDraft returns a Word document made of parts: headings in the
// built-in styles "heading 1"…"heading 3" (with style IDs that are not
// their names, as Vietnamese Word writes them), the title in "Title", and
// body paragraphs in the default style. One heading has no style but an
// outline level set on the paragraph itself, as some editors write them.
func DOCXDraft(parts []Part) []byte {
	var body strings.Builder
	for i, p := range parts {
		switch {
		case p.Level == 0:
			fmt.Fprintf(&body, `<w:p><w:pPr><w:pStyle w:val="TieuDe"/></w:pPr><w:r><w:t>%s</w:t></w:r></w:p>`, html.EscapeString(p.Text))
		case i == len(parts)-1 && p.Level == 2:
			fmt.Fprintf(&body, `<w:p><w:pPr><w:outlineLvl w:val="1"/></w:pPr><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>`, html.EscapeString(p.Text))
		default:
			fmt.Fprintf(&body, `<w:p><w:pPr><w:pStyle w:val="Tieude%d"/></w:pPr><w:r><w:t>%s</w:t></w:r></w:p>`, p.Level, html.EscapeString(p.Text))
		}
		for _, para := range p.Body {
			fmt.Fprintf(&body, `<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>`, html.EscapeString(para))
		}
	}
	const w = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`
	doc := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document %s><w:body>%s<w:sectPr/></w:body></w:document>`, w, body.String())
	var styles strings.Builder
	fmt.Fprintf(&styles, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles %s>`, w)
	styles.WriteString(`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>`)
	styles.WriteString(`<w:style w:type="paragraph" w:styleId="TieuDe"><w:name w:val="Title"/><w:basedOn w:val="Normal"/></w:style>`)
	for n := 1; n <= 3; n++ {
		fmt.Fprintf(&styles, `<w:style w:type="paragraph" w:styleId="Tieude%d"><w:name w:val="heading %d"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="%d"/></w:pPr></w:style>`, n, n, n-1)
	}
	styles.WriteString(`</w:styles>`)
	docRels := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`
	types := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>`
	return zipOf(
		part{name: "[Content_Types].xml", data: []byte(types)},
		part{name: "_rels/.rels", data: fmt.Appendf(nil, rels, "word/document.xml")},
		part{name: "word/document.xml", data: []byte(doc)},
		part{name: "word/_rels/document.xml.rels", data: []byte(docRels)},
		part{name: "word/styles.xml", data: []byte(styles.String())},
	)
}

// PDFWithOutline returns a PDF of one page per top-level part (its text
// and body in ASCII: Helvetica) with an outline of the parts: each level-1
// part a bookmark to its page, the level-2 parts after it its children on
// the same page.
func PDFWithOutline(parts []Part) []byte {
	pages := 0
	for _, p := range parts {
		if p.Level <= 1 {
			pages++
		}
	}
	pdf := PDF(max(pages, 1), "Du thao")
	var bms []pdfcpu.Bookmark
	page := 0
	for _, p := range parts {
		switch {
		case p.Level <= 1:
			page++
			bms = append(bms, pdfcpu.Bookmark{Title: p.Text, PageFrom: page})
		case len(bms) > 0:
			last := &bms[len(bms)-1]
			last.Kids = append(last.Kids, pdfcpu.Bookmark{Title: p.Text, PageFrom: page})
		}
	}
	var out bytes.Buffer
	if err := api.AddBookmarks(context.Background(), bytes.NewReader(pdf), &out, bms, true, model.NewDefaultConfiguration()); err != nil {
		panic(err)
	}
	return out.Bytes()
}
