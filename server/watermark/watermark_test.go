package watermark_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server/watermark"
)

// Fictional names with every kind of Vietnamese diacritic: breve, circumflex,
// horn, đ, and the five tones stacked on them.
const (
	name1 = "Nguyễn Thị Hồng Nhung"
	name2 = "Đặng Quỳnh Hương — Phó Trưởng ban Tuyên giáo"
	when  = "15/12/2025 08:30 (giờ Việt Nam)"
)

func stamp(t *testing.T, src []byte, lines ...string) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := watermark.Stamp(bytes.NewReader(src), &out, lines...); err != nil {
		t.Fatalf("Stamp = %v", err)
	}
	return out.Bytes()
}

func TestStampOnEveryPageWithDiacritics(t *testing.T) {
	const pages = 5
	src := testdocs.PDF(pages, "Bao cao mat")
	out := stamp(t, src, "TÀI LIỆU MẬT — "+name1, when)
	texts, err := watermark.Text(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(texts) != pages {
		t.Fatalf("stamped PDF has %d pages; want %d", len(texts), pages)
	}
	for i, text := range texts {
		for _, want := range []string{name1, "TÀI LIỆU MẬT", when, "Bao cao mat trang"} {
			if !strings.Contains(text, want) {
				t.Errorf("page %d text = %q; want it to contain %q", i+1, text, want)
			}
		}
	}
	// The source had no watermark: the check can fail.
	before, err := watermark.Text(src)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range before {
		if strings.Contains(text, name1) {
			t.Errorf("unstamped page %d already contains the name: the check proves nothing", i+1)
		}
	}
}

func TestStampNormalisesDecomposedText(t *testing.T) {
	decomposed := norm.NFD.String(name2)
	if decomposed == name2 {
		t.Fatal("NFD did not decompose the name")
	}
	out := stamp(t, testdocs.PDF(2, "x"), decomposed)
	texts, err := watermark.Text(out)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range texts {
		if !strings.Contains(text, name2) {
			t.Errorf("page %d text = %q; want the composed name %q", i+1, text, name2)
		}
	}
}

func TestStampHandMadeAndRefusesNonPDF(t *testing.T) {
	out := stamp(t, testdocs.LargePDF(200<<10, "Phu luc"), name1)
	texts, err := watermark.Text(out)
	if err != nil || len(texts) != 1 || !strings.Contains(texts[0], name1) || !strings.Contains(texts[0], "Phu luc") {
		t.Errorf("stamped hand-made PDF: Text = %q, %v; want the name and the marker", texts, err)
	}
	if n, err := watermark.PageCount(bytes.NewReader(out)); err != nil || n != 1 {
		t.Errorf("PageCount = %d, %v; want 1", n, err)
	}
	var sink bytes.Buffer
	for _, bad := range [][]byte{testdocs.DOCX("x"), []byte("%PDF-1.7\nrác"), nil} {
		if err := watermark.Stamp(bytes.NewReader(bad), &sink, name1); err == nil {
			t.Errorf("Stamp(%.20q) = nil; want an error", bad)
		}
	}
	if err := watermark.Stamp(bytes.NewReader(testdocs.PDF(1, "x")), &sink, "  "); err == nil {
		t.Error("Stamp with no text = nil; want an error")
	}
}

// BenchmarkStamp10MB stamps a 10 MB one-page PDF (a large content stream)
// and a 300-page PDF made with pdfcpu: the cost of the first download of a
// confidential PDF by each reader (later ones are served from the store).
func BenchmarkStamp10MB(b *testing.B) {
	for _, tc := range []struct {
		name string
		pdf  []byte
	}{
		{"10MB-1page", testdocs.LargePDF(10<<20, "lon")},
		{"300pages", testdocs.PDF(300, "nhieu trang")},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.pdf)))
			b.ReportAllocs()
			for b.Loop() {
				if err := watermark.Stamp(bytes.NewReader(tc.pdf), io.Discard, "TÀI LIỆU MẬT — "+name1, when); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
