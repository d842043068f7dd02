package docfile_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"path"
	"strings"
	"testing"

	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server/docfile"
	"github.com/phonghop/phonghop/server/meeting"
)

// FuzzDetect feeds Detect any bytes as an upload and checks that it never
// panics, answers with an allowed type or one of its documented errors,
// reads a bounded amount, and never accepts as an Office document a zip
// that breaks the limits its documentation promises (too many entries,
// too much declared data, a macro part, no main part).
func FuzzDetect(f *testing.F) {
	for _, b := range [][]byte{
		testdocs.PDF(1, "x"), []byte("%PDF-1.7\n"), []byte("%PDF-2.0"), testdocs.PNG(), testdocs.JPEG(),
		testdocs.DOCX("Báo cáo"), testdocs.XLSX(), testdocs.PPTX(), testdocs.DOCM(), testdocs.DOCXWithVBA(),
		testdocs.ZipBomb(4 << 20), testdocs.DOCXMissingMain(), testdocs.PlainZip(), testdocs.Executable(), testdocs.ELF(), testdocs.HTML(),
		[]byte("PK\x03\x04"), []byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), nil,
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := &countingReader{r: bytes.NewReader(b)}
		mt, err := docfile.Detect(r, int64(len(b)))
		// Bounded work: the head, the end of the zip's directory, the
		// directory itself, and "[Content_Types].xml" (compressed, at
		// most the file) — never more than a few passes over the file.
		if n := r.n.Load(); n > 4*int64(len(b))+64<<10 {
			t.Fatalf("Detect read %d bytes of a %d-byte file", n, len(b))
		}
		if err != nil {
			if mt != "" {
				t.Fatalf("Detect = %q and %v; want no type with an error", mt, err)
			}
			known := false
			for _, e := range []error{docfile.ErrType, docfile.ErrEmpty, docfile.ErrMacro, docfile.ErrBomb, docfile.ErrCorrupt} {
				known = known || errors.Is(err, e)
			}
			var me *meeting.Error
			if !known || !errors.As(err, &me) || me.Kind != meeting.KindInvalid {
				t.Fatalf("Detect = %T %v; want one of the package's errors", err, err)
			}
			return
		}
		if _, ok := meeting.DocumentTypes[mt]; !ok {
			t.Fatalf("Detect = %q, not an allowed type", mt)
		}
		switch mt {
		case docfile.PDF:
			if !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Fatalf("Detect(%.16q) = PDF", b)
			}
			return
		case docfile.PNG, docfile.JPEG:
			return
		}
		// An Office document: it is a zip within the package's limits.
		if !bytes.HasPrefix(b, []byte("PK\x03\x04")) {
			t.Fatalf("Detect(%.16q) = %s without a zip header", b, mt)
		}
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("Detect = %s for a zip archive/zip cannot read: %v", mt, err)
		}
		if len(zr.File) > docfile.MaxEntries {
			t.Fatalf("Detect = %s for a zip of %d entries (limit %d)", mt, len(zr.File), docfile.MaxEntries)
		}
		var total uint64
		types := 0
		for _, e := range zr.File {
			total += e.UncompressedSize64
			base := strings.ToLower(path.Base(e.Name))
			if base == "vbaproject.bin" || strings.HasPrefix(base, "activex") {
				t.Fatalf("Detect = %s for a zip with the macro part %s", mt, e.Name)
			}
			if e.Flags&1 != 0 || (e.Method != zip.Store && e.Method != zip.Deflate) {
				t.Fatalf("Detect = %s with entry %s encrypted or compressed by method %d", mt, e.Name, e.Method)
			}
			if e.Name == "[Content_Types].xml" {
				types++
			}
		}
		if total > docfile.MaxUncompressed {
			t.Fatalf("Detect = %s for a zip declaring %d bytes (limit %d)", mt, total, uint64(docfile.MaxUncompressed))
		}
		if types != 1 {
			t.Fatalf("Detect = %s for a zip with %d [Content_Types].xml", mt, types)
		}
	})
}
