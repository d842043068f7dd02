// Package testdocs makes the documents the tests upload: small valid files
// of every allowed type (PDFs made with pdfcpu, Office files, images) and
// the files that must be refused (a renamed executable, a zip bomb posing as
// DOCX, a macro-enabled document, a plain zip, HTML). Everything is made in
// memory, deterministically; nothing is read from disk.
package testdocs

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/phonghop/phonghop/server/watermark"
)

// PDF returns a valid PDF of the given number of pages, made with pdfcpu;
// page i shows "<marker> trang i" (Helvetica: keep marker ASCII).
func PDF(pages int, marker string) []byte {
	if err := watermark.Init(""); err != nil {
		panic(err)
	}
	var js strings.Builder
	js.WriteString(`{"paper":"A4P","origin":"UpperLeft","fonts":{"r":{"name":"Helvetica","size":16}},"pages":{`)
	for i := 1; i <= pages; i++ {
		if i > 1 {
			js.WriteByte(',')
		}
		fmt.Fprintf(&js, `"%d":{"content":{"text":[{"value":%q,"pos":[60,80],"font":{"name":"$r"}}]}}`, i, fmt.Sprintf("%s trang %d", marker, i))
	}
	js.WriteString(`}}`)
	conf := model.NewDefaultConfiguration()
	var out bytes.Buffer
	if err := api.Create(context.Background(), nil, strings.NewReader(js.String()), &out, conf); err != nil {
		panic(err)
	}
	return out.Bytes()
}

// LargePDF returns a valid one-page PDF of about size bytes (at least a few
// hundred): the page's content stream carries filler comment lines of
// pseudo-random printable text (not compressible to nothing), then shows
// marker. It is made by hand, quickly, for benchmarks.
func LargePDF(size int, marker string) []byte {
	var content bytes.Buffer
	x := uint32(2463534242)
	line := make([]byte, 100)
	for content.Len() < size-600 {
		line[0] = '%'
		for i := 1; i < len(line)-1; i++ {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			line[i] = 'A' + byte(x%26)
		}
		line[len(line)-1] = '\n'
		content.Write(line)
	}
	fmt.Fprintf(&content, "BT /F1 18 Tf 60 760 Td (%s) Tj ET\n", marker)
	var b bytes.Buffer
	var offs []int
	obj := func(s string) {
		offs = append(offs, b.Len())
		b.WriteString(s)
	}
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	obj("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
	obj("2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n")
	obj("3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>\nendobj\n")
	offs = append(offs, b.Len())
	fmt.Fprintf(&b, "4 0 obj\n<< /Length %d >>\nstream\n", content.Len())
	b.Write(content.Bytes())
	b.WriteString("\nendstream\nendobj\n")
	obj("5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}

// part is one file of a zip archive.
type part struct {
	name   string
	data   []byte
	stored bool
}

func zipOf(parts ...part) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, p := range parts {
		h := &zip.FileHeader{Name: p.name, Method: zip.Deflate}
		if p.stored {
			h.Method = zip.Store
		}
		f, err := w.CreateHeader(h)
		if err != nil {
			panic(err)
		}
		f.Write(p.data)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return b.Bytes()
}

const rels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="%s"/></Relationships>`

func contentTypes(partName, contentType string) []byte {
	return fmt.Appendf(nil, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="%s" ContentType="%s"/></Types>`, partName, contentType)
}

func office(main, contentType string, body []byte, extra ...part) []byte {
	parts := []part{
		{name: "[Content_Types].xml", data: contentTypes("/"+main, contentType)},
		{name: "_rels/.rels", data: fmt.Appendf(nil, rels, main)},
		{name: main, data: body},
	}
	return zipOf(append(parts, extra...)...)
}

// DOCX returns a minimal Word document saying text.
func DOCX(text string) []byte {
	return office("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
		fmt.Appendf(nil, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:body></w:document>`, text))
}

// XLSX returns a minimal spreadsheet.
func XLSX() []byte {
	return office("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
		[]byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>`))
}

// PPTX returns a minimal presentation.
func PPTX() []byte {
	return office("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
		[]byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>`))
}

// DOCM returns a macro-enabled Word document (with a VBA project).
func DOCM() []byte {
	return office("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml",
		[]byte(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>`),
		part{name: "word/vbaProject.bin", data: []byte("\xd0\xcf\x11\xe0 VBA")})
}

// DOCXWithVBA returns a document declared as DOCX that carries a VBA project.
func DOCXWithVBA() []byte {
	return office("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
		[]byte(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>`),
		part{name: "word/vbaProject.bin", data: []byte("\xd0\xcf\x11\xe0 VBA")})
}

// ZipBomb returns a valid-looking DOCX with an extra part of n zero bytes,
// deflated to about n/1000 bytes: a zip bomb posing as a Word document.
func ZipBomb(n int) []byte {
	return office("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
		[]byte(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>`),
		part{name: "word/media/image1.png", data: make([]byte, n)})
}

// DOCXMissingMain returns an archive whose [Content_Types].xml names a main
// part that is not in it.
func DOCXMissingMain() []byte {
	return zipOf(part{name: "[Content_Types].xml", data: contentTypes("/word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")})
}

// PlainZip returns a zip archive that is not an Office document.
func PlainZip() []byte {
	return zipOf(part{name: "bao-cao.txt", data: []byte("Báo cáo")}, part{name: "run.exe", data: Executable()})
}

// Executable returns the start of a Windows executable (an "MZ" header and
// a PE signature), as found in a program renamed to "bao-cao.pdf".
func Executable() []byte {
	b := make([]byte, 1024)
	copy(b, "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff")
	b[0x3c] = 0x80
	copy(b[0x80:], "PE\x00\x00\x4c\x01")
	copy(b[0x200:], "This program cannot be run in DOS mode. %PDF-1.7")
	return b
}

// ELF returns the start of a Linux executable.
func ELF() []byte {
	b := make([]byte, 512)
	copy(b, "\x7fELF\x02\x01\x01")
	return b
}

// HTML returns an HTML page with a script.
func HTML() []byte {
	return []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>")
}

func picture() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for y := range 24 {
		for x := range 32 {
			img.Set(x, y, color.RGBA{R: uint8(x * 8), G: uint8(y * 10), B: 128, A: 255})
		}
	}
	return img
}

// PNG returns a small PNG image.
func PNG() []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, picture()); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// JPEG returns a small JPEG image.
func JPEG() []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, picture(), nil); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// PDFStream returns a reader of size bytes that pass as a PDF (the header
// "%PDF-1.7") followed by pseudo-random bytes from seed, made on the fly:
// an upload of any size that holds nothing in memory.
func PDFStream(size int64, seed uint64) io.Reader {
	return &pdfStream{n: size, x: seed | 1}
}

type pdfStream struct {
	n, off int64
	x      uint64
}

func (s *pdfStream) Read(p []byte) (int, error) {
	const header = "%PDF-1.7\n"
	if s.off >= s.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), s.n-s.off)]
	for i := range p {
		if s.off < int64(len(header)) {
			p[i] = header[s.off]
		} else {
			s.x ^= s.x << 13
			s.x ^= s.x >> 7
			s.x ^= s.x << 17
			p[i] = byte(s.x)
		}
		s.off++
	}
	return len(p), nil
}
