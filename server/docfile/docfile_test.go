package docfile_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sync/atomic"
	"testing"

	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server/docfile"
	"github.com/phonghop/phonghop/server/meeting"
)

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.ReaderAt
	n atomic.Int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

func detect(b []byte) (string, error) { return docfile.Detect(bytes.NewReader(b), int64(len(b))) }

func TestDetectAllowedTypes(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"pdf made with pdfcpu", testdocs.PDF(2, "Bao cao"), docfile.PDF},
		{"large hand-made pdf", testdocs.LargePDF(100<<10, "x"), docfile.PDF},
		{"docx", testdocs.DOCX("Báo cáo tổng kết"), docfile.DOCX},
		{"xlsx", testdocs.XLSX(), docfile.XLSX},
		{"pptx", testdocs.PPTX(), docfile.PPTX},
		{"png", testdocs.PNG(), docfile.PNG},
		{"jpeg", testdocs.JPEG(), docfile.JPEG},
	} {
		got, err := detect(tc.b)
		if err != nil || got != tc.want {
			t.Errorf("Detect(%s) = %q, %v; want %q", tc.name, got, err, tc.want)
		}
		if _, ok := meeting.DocumentTypes[got]; !ok {
			t.Errorf("Detect(%s) = %q, not a meeting.DocumentTypes key", tc.name, got)
		}
	}
}

// rawZip writes entries with the headers given, the data as given (already
// compressed for Deflate), for archives archive/zip would not write.
func rawZip(t *testing.T, entries ...struct {
	h    zip.FileHeader
	data []byte
}) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, e := range entries {
		h := e.h
		f, err := w.CreateRaw(&h)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(e.data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type entry = struct {
	h    zip.FileHeader
	data []byte
}

func stored(name string, data []byte) entry {
	return entry{zip.FileHeader{Name: name, Method: zip.Store, CRC32: crc32.ChecksumIEEE(data), CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(len(data))}, data}
}

func TestDetectRefuses(t *testing.T) {
	types := []byte(`<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`)
	doc := []byte("<w:document/>")
	lying := stored("word/media/big.bin", []byte("tiny"))
	lying.h.UncompressedSize64 = 3 << 30 // declares 3 GiB
	lying.h.Method = zip.Deflate
	encrypted := stored("word/document.xml", doc)
	encrypted.h.Flags |= 1
	many := []entry{stored("[Content_Types].xml", types), stored("word/document.xml", doc)}
	for i := range docfile.MaxEntries {
		many = append(many, stored(fmt.Sprintf("word/media/p%d.xml", i), nil))
	}
	twoMains := []byte(`<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`)
	template := []byte(`<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"/></Types>`)

	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, docfile.ErrEmpty},
		{"windows executable renamed", testdocs.Executable(), docfile.ErrType},
		{"linux executable", testdocs.ELF(), docfile.ErrType},
		{"html", testdocs.HTML(), docfile.ErrType},
		{"text", []byte("Báo cáo tổng kết năm 2025"), docfile.ErrType},
		{"pdf header not at the start", append([]byte("MZ"), testdocs.PDF(1, "x")...), docfile.ErrType},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), docfile.ErrType},
		{"plain zip", testdocs.PlainZip(), docfile.ErrType},
		{"zip bomb posing as docx", testdocs.ZipBomb(8 << 20), docfile.ErrBomb},
		{"entry declaring 3 GiB", rawZip(t, stored("[Content_Types].xml", types), stored("word/document.xml", doc), lying), docfile.ErrBomb},
		{"too many entries", rawZip(t, many...), docfile.ErrBomb},
		{"macro-enabled docm", testdocs.DOCM(), docfile.ErrMacro},
		{"docx carrying a VBA project", testdocs.DOCXWithVBA(), docfile.ErrMacro},
		{"main part missing", testdocs.DOCXMissingMain(), docfile.ErrCorrupt},
		{"no content types", rawZip(t, stored("word/document.xml", doc)), docfile.ErrType},
		{"two main parts", rawZip(t, stored("[Content_Types].xml", twoMains), stored("word/document.xml", doc), stored("xl/workbook.xml", doc)), docfile.ErrType},
		{"template", rawZip(t, stored("[Content_Types].xml", template), stored("word/document.xml", doc)), docfile.ErrType},
		{"encrypted entry", rawZip(t, stored("[Content_Types].xml", types), encrypted), docfile.ErrCorrupt},
		{"path traversal entry", rawZip(t, stored("[Content_Types].xml", types), stored("word/document.xml", doc), stored("../../etc/cron.d/x", doc)), docfile.ErrCorrupt},
		{"truncated zip", testdocs.DOCX("x")[:200], docfile.ErrCorrupt},
		{"bad content types xml", rawZip(t, stored("[Content_Types].xml", []byte("<Types><Override")), stored("word/document.xml", doc)), docfile.ErrCorrupt},
	} {
		got, err := detect(tc.b)
		if !errors.Is(err, tc.want) {
			t.Errorf("Detect(%s) = %q, %v; want %v", tc.name, got, err, tc.want)
			continue
		}
		var me *meeting.Error
		if !errors.As(err, &me) || me.Kind != meeting.KindInvalid || me.Message == "" || me.MessageEN == "" {
			t.Errorf("Detect(%s) error = %#v; want an invalid *meeting.Error with both messages", tc.name, err)
		}
	}
}

// TestDetectReadsLittle checks that a large Office file is judged from its
// directory: a DOCX with 30 MiB of stored media is accepted after reading
// a small fraction of it, and a zip bomb refused without inflating it.
func TestDetectReadsLittle(t *testing.T) {
	media := bytes.Repeat([]byte{0x5a, 0x17, 0xc3}, 10<<20)
	b := rawZip(t,
		stored("[Content_Types].xml", []byte(`<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`)),
		stored("word/document.xml", []byte("<w:document/>")),
		stored("word/media/image1.bin", media))
	cr := &countingReader{r: bytes.NewReader(b)}
	if got, err := docfile.Detect(cr, int64(len(b))); err != nil || got != docfile.DOCX {
		t.Fatalf("Detect(docx with media) = %q, %v; want DOCX", got, err)
	}
	if n := cr.n.Load(); n > 256<<10 {
		t.Errorf("Detect read %d bytes of a %d-byte DOCX; want at most 256 KiB", n, len(b))
	}
	// An entry of 1 MiB of data declaring 1 GiB: refused after reading
	// less than its data, so it was not inflated.
	big := stored("word/media/image2.bin", bytes.Repeat([]byte{0xa7, 0x3e}, 512<<10))
	big.h.Method, big.h.UncompressedSize64 = zip.Deflate, 1<<30
	bomb := rawZip(t,
		stored("[Content_Types].xml", []byte(`<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`)),
		stored("word/document.xml", []byte("<w:document/>")), big)
	cr = &countingReader{r: bytes.NewReader(bomb)}
	if _, err := docfile.Detect(cr, int64(len(bomb))); !errors.Is(err, docfile.ErrBomb) {
		t.Fatalf("Detect(bomb) = %v; want ErrBomb", err)
	}
	if n := cr.n.Load(); n > 100<<10 {
		t.Errorf("Detect read %d bytes of a %d-byte bomb; want at most 100 KiB (the directory, not the data)", n, len(bomb))
	}
}

func TestFileName(t *testing.T) {
	for _, tc := range []struct{ name, mt, want string }{
		{"Báo cáo.pdf", docfile.PDF, "Báo cáo.pdf"},
		{"Báo cáo.PDF", docfile.PDF, "Báo cáo.PDF"},
		{"bao-cao.exe", docfile.PDF, "bao-cao.exe.pdf"},
		{"anh.jpeg", docfile.JPEG, "anh.jpeg"},
		{"anh", docfile.JPEG, "anh.jpg"},
		{"du-thao.doc", docfile.DOCX, "du-thao.doc.docx"},
		{"x", "text/plain", "x"},
	} {
		if got := docfile.FileName(tc.name, tc.mt); got != tc.want {
			t.Errorf("FileName(%q, %s) = %q; want %q", tc.name, tc.mt, got, tc.want)
		}
	}
	if got := docfile.Describe(docfile.XLSX); got != "XLSX" {
		t.Errorf("Describe(XLSX) = %q", got)
	}
}
