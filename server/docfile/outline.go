package docfile

import (
	"archive/zip"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/phonghop/phonghop/server/meeting"
)

// The structure of a draft (docs/congress.md §1): the headings of a Word
// document, the outline (bookmarks) of a PDF. The console proposes it to
// the secretariat, who corrects it before opening the draft; tablets read a
// DOCX draft section by section from the text under each heading.

// Heading is one heading of a document: its level (1 to
// meeting.MaxSectionLvl), its number ("Phần thứ nhất", "II.", "1.") and
// title, split from the heading's text, the PDF page it starts on, and (for
// a DOCX) the text under it up to the next heading.
type Heading struct {
	Level int    `json:"level"`
	Label string `json:"label,omitempty"`
	Title string `json:"title"`
	Page  int    `json:"page,omitempty"`
	Text  string `json:"text,omitempty"`
}

// Limits of the outline.
const (
	// MaxDocumentXML is the most of a DOCX's main part that is read, in
	// bytes uncompressed (a 500-page report is a few MB).
	MaxDocumentXML = 64 << 20
	// MaxStylesXML is the most of its styles part that is read.
	MaxStylesXML = 8 << 20
	// MaxSectionText is the most text kept under one heading, in runes.
	MaxSectionText = 100000
)

// Outline returns the headings of a DOCX or PDF (the size bytes readable
// from r, of media type mt), at most meeting.MaxSections of them. A
// document without headings has none (and no error); other types are
// refused.
func Outline(r io.ReaderAt, size int64, mt string) ([]Heading, error) {
	var hs []Heading
	var err error
	switch mt {
	case DOCX:
		hs, err = docxOutline(r, size)
	case PDF:
		hs, err = pdfOutline(r, size)
	default:
		return nil, invalid("Chỉ đọc được mục lục của tệp DOCX hoặc PDF.", "only a DOCX or PDF file has an outline")
	}
	if err != nil {
		return nil, err
	}
	if len(hs) > meeting.MaxSections {
		hs = hs[:meeting.MaxSections]
	}
	return hs, nil
}

// ---- DOCX ----

// docxOutline reads the heading paragraphs of a Word document: paragraphs
// whose style is a built-in heading ("heading 1"…), the title, or any style
// or paragraph with an outline level.
func docxOutline(r io.ReaderAt, size int64) ([]Heading, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, ErrCorrupt
	}
	files := map[string]*zip.File{}
	var types *zip.File
	for _, f := range zr.File {
		files[f.Name] = f
		if f.Name == "[Content_Types].xml" {
			types = f
		}
	}
	if types == nil {
		return nil, ErrCorrupt
	}
	mp, err := mainPart(types)
	if err != nil {
		return nil, err
	}
	main := strings.TrimPrefix(mp.part, "/")
	doc := files[main]
	if doc == nil {
		return nil, ErrCorrupt
	}
	levels := map[string]int{}
	if st := files[path.Join(path.Dir(main), "styles.xml")]; st != nil {
		if levels, err = styleLevels(st); err != nil {
			return nil, err
		}
	}
	rc, err := doc.Open()
	if err != nil {
		return nil, ErrCorrupt
	}
	defer rc.Close()
	return headings(io.LimitReader(rc, MaxDocumentXML), levels)
}

// styleLevels maps the ID of each paragraph style that is a heading to its
// level (1…): the built-in "heading N" and "title" styles by name (the
// name is English whatever the language of Word; the ID may not be), and
// any style with an outline level.
func styleLevels(f *zip.File) (map[string]int, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, ErrCorrupt
	}
	defer rc.Close()
	var st struct {
		Styles []struct {
			Type string `xml:"type,attr"`
			ID   string `xml:"styleId,attr"`
			Name struct {
				Val string `xml:"val,attr"`
			} `xml:"name"`
			Outline *struct {
				Val string `xml:"val,attr"`
			} `xml:"pPr>outlineLvl"`
		} `xml:"style"`
	}
	if err := xml.NewDecoder(io.LimitReader(rc, MaxStylesXML)).Decode(&st); err != nil {
		return nil, ErrCorrupt
	}
	out := map[string]int{}
	for _, s := range st.Styles {
		if s.Type != "" && s.Type != "paragraph" {
			continue
		}
		name := strings.ToLower(strings.TrimSpace(s.Name.Val))
		switch {
		case name == "title":
			out[s.ID] = 1
		case strings.HasPrefix(name, "heading "):
			if n, err := strconv.Atoi(strings.TrimPrefix(name, "heading ")); err == nil && n >= 1 {
				out[s.ID] = n
			}
		case s.Outline != nil:
			if n, err := strconv.Atoi(s.Outline.Val); err == nil && n >= 0 && n < 9 {
				out[s.ID] = n + 1
			}
		}
	}
	return out, nil
}

// headings walks the main part of a Word document, paragraph by
// paragraph, without holding it in memory.
func headings(r io.Reader, levels map[string]int) ([]Heading, error) {
	dec := xml.NewDecoder(r)
	var out []Heading
	var para strings.Builder // the text of the paragraph being read
	var body []string        // the paragraphs under the last heading
	inPara, inText := false, false
	style, outline := "", -1
	flush := func() {
		if len(out) > 0 {
			out[len(out)-1].Text = clip(strings.Join(body, "\n"), MaxSectionText)
		}
		body = body[:0]
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, ErrCorrupt
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "p":
				inPara, style, outline = true, "", -1
				para.Reset()
			case "pStyle":
				style = attr(t, "val")
			case "outlineLvl":
				if n, err := strconv.Atoi(attr(t, "val")); err == nil && n >= 0 && n < 9 {
					outline = n
				}
			case "t":
				inText = inPara
			case "tab":
				if inPara {
					para.WriteByte(' ')
				}
			case "br", "cr":
				if inPara {
					para.WriteByte('\n')
				}
			}
		case xml.CharData:
			if inText {
				para.Write(t)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				inPara = false
				text := strings.TrimSpace(collapse(para.String()))
				level := levels[style]
				if outline >= 0 {
					level = outline + 1
				}
				switch {
				case text == "":
				case level > 0:
					flush()
					label, title := splitLabel(text)
					out = append(out, Heading{Level: min(level, meeting.MaxSectionLvl), Label: label, Title: title})
				default:
					body = append(body, text)
				}
			}
		}
	}
	flush()
	return out, nil
}

func attr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// collapse turns runs of spaces into one and drops control characters
// (other than new lines).
func collapse(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteRune(r)
			space = false
		case r == ' ' || r == '\t' || r == '\u00a0':
			if !space {
				b.WriteByte(' ')
			}
			space = true
		case r < ' ' || r == 0x7f:
		default:
			b.WriteRune(r)
			space = false
		}
	}
	return b.String()
}

// clip cuts s to at most n runes.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// labelRE splits the number of a Vietnamese heading from its title: "Phần
// thứ nhất", "Phần I", "Chương II", "Mục 3", "Điều 12", "I.", "1.", "1.2.",
// "a)", followed by ":", "." or "-" and the title.
var labelRE = regexp.MustCompile(`^((?:(?i:phần|chương|mục|điều|tiết)\s+(?:thứ\s+)?[\p{L}\d]+)|[IVXLCDM]+\.|\d+(?:\.\d+)*\.?|[a-zđ]\))\s*[:.\-–—]?\s+(.+)$`)

// splitLabel splits a heading's text into its label and title; a heading
// without a recognised number has its whole text as title.
func splitLabel(text string) (label, title string) {
	first, rest, _ := strings.Cut(text, "\n")
	if m := labelRE.FindStringSubmatch(first); m != nil {
		title = strings.TrimSpace(m[2])
		if rest != "" {
			title += " " + strings.TrimSpace(strings.ReplaceAll(rest, "\n", " "))
		}
		return clip(m[1], meeting.MaxLabel), clip(title, meeting.MaxTitle)
	}
	return "", clip(strings.ReplaceAll(text, "\n", " "), meeting.MaxTitle)
}

// ---- PDF ----

// pdfOutline reads a PDF's bookmarks, depth first.
func pdfOutline(r io.ReaderAt, size int64) ([]Heading, error) {
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	bms, err := api.Bookmarks(context.Background(), io.NewSectionReader(r, 0, size), conf)
	if errors.Is(err, pdfcpu.ErrNoBookmarks) {
		return nil, nil // a PDF without an outline has no headings
	}
	if err != nil {
		return nil, ErrCorrupt
	}
	var out []Heading
	var walk func(bms []pdfcpu.Bookmark, level int)
	walk = func(bms []pdfcpu.Bookmark, level int) {
		for _, b := range bms {
			if len(out) >= meeting.MaxSections {
				return
			}
			text := strings.TrimSpace(collapse(strings.ReplaceAll(b.Title, "\n", " ")))
			if text != "" {
				label, title := splitLabel(text)
				out = append(out, Heading{Level: min(level, meeting.MaxSectionLvl), Label: label, Title: title, Page: b.PageFrom})
			}
			walk(b.Kids, level+1)
		}
	}
	walk(bms, 1)
	return out, nil
}
