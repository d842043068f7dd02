package docfile_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"github.com/phonghop/phonghop/server/docfile"
)

// zip64Disguised returns a DOCX of n entries whose end of central
// directory record claims one entry but sets the directory offset to
// 0xFFFFFFFF, which makes archive/zip read the zip64 record (holding the
// true count) while a reader trusting the 16-bit count sees one entry.
func zip64Disguised(t *testing.T, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	add := func(name, body string) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	add("[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`+
		`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`)
	add("word/document.xml", `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>`)
	for i := range n - 2 {
		add(fmt.Sprintf("word/media/p%d.xml", i), "x")
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	z := b.Bytes()
	eocd := z[len(z)-22:]
	if string(eocd[:4]) != "PK\x05\x06" {
		t.Fatal("no end record where expected")
	}
	dirSize := binary.LittleEndian.Uint32(eocd[12:])
	dirOff := binary.LittleEndian.Uint32(eocd[16:])
	out := bytes.Clone(z[:len(z)-22])
	rec := uint64(len(out))
	le := binary.LittleEndian
	// zip64 end of central directory record.
	out = append(out, "PK\x06\x06"...)
	out = le.AppendUint64(out, 44)
	out = le.AppendUint16(out, 45)
	out = le.AppendUint16(out, 45)
	out = le.AppendUint32(out, 0)
	out = le.AppendUint32(out, 0)
	out = le.AppendUint64(out, uint64(n))
	out = le.AppendUint64(out, uint64(n))
	out = le.AppendUint64(out, uint64(dirSize))
	out = le.AppendUint64(out, uint64(dirOff))
	// zip64 locator.
	out = append(out, "PK\x06\x07"...)
	out = le.AppendUint32(out, 0)
	out = le.AppendUint64(out, rec)
	out = le.AppendUint32(out, 1)
	// The end record: one entry, offset 0xFFFFFFFF.
	out = append(out, "PK\x05\x06"...)
	out = le.AppendUint16(out, 0)
	out = le.AppendUint16(out, 0)
	out = le.AppendUint16(out, 1)
	out = le.AppendUint16(out, 1)
	out = le.AppendUint32(out, dirSize)
	out = le.AppendUint32(out, 0xFFFFFFFF)
	out = le.AppendUint16(out, 0)
	return out
}

// TestDetectZip64CountNotDisguised: an Office file of more than MaxEntries
// entries is refused even when its 16-bit entry count says one and only the
// zip64 record (which archive/zip reads) holds the truth.
func TestDetectZip64CountNotDisguised(t *testing.T) {
	b := zip64Disguised(t, docfile.MaxEntries+1)
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil || len(zr.File) != docfile.MaxEntries+1 {
		t.Fatalf("archive/zip reads the disguised zip as %v entries, %v; the test file is wrong", len(zr.File), err)
	}
	if mt, err := detect(b); !errors.Is(err, docfile.ErrBomb) {
		t.Errorf("Detect(DOCX of %d entries claiming 1) = %q, %v; want ErrBomb", docfile.MaxEntries+1, mt, err)
	}
	// The same construction under the limit is a good DOCX.
	small := zip64Disguised(t, 10)
	if mt, err := detect(small); err != nil || mt != docfile.DOCX {
		t.Errorf("Detect(disguised DOCX of 10 entries) = %q, %v; want DOCX", mt, err)
	}
}
