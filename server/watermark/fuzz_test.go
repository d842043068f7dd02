package watermark_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server/watermark"
)

// handPDF assembles a PDF from numbered object bodies ("<< … >>" or a
// stream) with a correct cross-reference table, so that a seed can be
// hostile in exactly one way. trailer is added to the trailer dictionary.
func handPDF(trailer string, objects ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(objects))
	for i, o := range objects {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, trailer, xref)
	return b.Bytes()
}

// stream returns a stream object with dict entries extra and content data.
func stream(extra string, data []byte) string {
	return fmt.Sprintf("<< /Length %d %s >>\nstream\n%s\nendstream", len(data), extra, data)
}

func deflate(b []byte) []byte {
	var out bytes.Buffer
	w, _ := zlib.NewWriterLevel(&out, zlib.BestCompression)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

const (
	catalog = "<< /Type /Catalog /Pages 2 0 R >>"
	pages1  = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
	page1   = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"
)

// hostilePDFs are PDFs each broken or hostile in one way: loops in the
// page tree and the cross-reference chain, absurd counts and lengths,
// deep nesting, a decompression bomb, encryption.
func hostilePDFs() map[string][]byte {
	content := stream("", []byte("BT /F1 12 Tf 72 720 Td (trang) Tj ET"))
	deep := strings.Repeat("[", 5000) + strings.Repeat("]", 5000)
	bomb := deflate(make([]byte, 1<<20)) // 1 MiB of zeros in 1 KiB (more is slow under -race)
	pdfs := map[string][]byte{
		"plain":           handPDF("", catalog, pages1, page1, content),
		"kids loop":       handPDF("", catalog, "<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>", page1, content),
		"parent loop":     handPDF("", catalog, "<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 3 0 R >>", "<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>", content),
		"huge count":      handPDF("", catalog, "<< /Type /Pages /Kids [3 0 R] /Count 2000000000 >>", page1, content),
		"no kids":         handPDF("", catalog, "<< /Type /Pages /Count 1 >>", page1, content),
		"self length":     handPDF("", catalog, pages1, page1, "<< /Length 4 0 R >>\nstream\nBT ET\nendstream"),
		"huge length":     handPDF("", catalog, pages1, page1, "<< /Length 99999999999 >>\nstream\nBT ET\nendstream"),
		"deep array":      handPDF("", catalog, pages1, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /X "+deep+" >>", content),
		"deep dict":       handPDF("", catalog, pages1, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /X "+strings.Repeat("<< /A ", 3000)+strings.Repeat(">> ", 3000)+" >>", content),
		"flate bomb":      handPDF("", catalog, pages1, page1, stream("/Filter /FlateDecode", bomb)),
		"encrypted":       handPDF("/Encrypt << /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >> /ID [<01> <01>]", catalog, pages1, page1, content),
		"mediabox absurd": handPDF("", catalog, pages1, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 1e308 -1e308] /Rotate 7 /Contents 4 0 R >>", content),
		"objstm":          handPDF("", catalog, pages1, page1, content, stream("/Type /ObjStm /N 1000000 /First 5", []byte("5 0 <<>>"))),
		"root not dict":   handPDF("", "[1 0 R]", pages1, page1, content),
		"resources loop":  handPDF("", catalog, pages1, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources 5 0 R /Contents 4 0 R >>", content, "<< /XObject << /X 5 0 R >> /Font 5 0 R >>"),
		"form loop": handPDF("", catalog, pages1, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /X 5 0 R >> >> /Contents 4 0 R >>",
			stream("", []byte("/X Do")), stream("/Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << /XObject << /X 5 0 R >> >>", []byte("/X Do"))),
	}
	// A cross-reference chain that points back at itself.
	loop := handPDF("", catalog, pages1, page1, content)
	start := bytes.LastIndex(loop, []byte("startxref\n")) + len("startxref\n")
	var xref int
	fmt.Sscanf(string(loop[start:]), "%d", &xref)
	pdfs["xref prev loop"] = bytes.Replace(loop, []byte("/Root 1 0 R"), fmt.Appendf(nil, "/Root 1 0 R /Prev %d", xref), 1)
	good := testdocs.PDF(2, "x")
	pdfs["pdfcpu"] = good
	pdfs["truncated"] = good[:len(good)/2]
	pdfs["no eof"] = good[:len(good)-7]
	pdfs["hand made"] = testdocs.LargePDF(1500, "x")
	return pdfs
}

// stampBudget is how long one stamp of a fuzz input (at most a few
// kilobytes) may take: a small PDF takes milliseconds, so an input that
// needs more is a finding (work out of proportion to the input), reported
// through Stamp's own bound (ErrTooComplex) or, if pdfcpu ignores the
// context, by the watchdog of stampWithin.
const stampBudget = 10 * time.Second

// FuzzStamp gives the watermarker any bytes as a confidential PDF: it must
// refuse them or stamp them — never panic, never hang — and a stamped PDF
// keeps its page count and shows the reader's name on every page.
func FuzzStamp(f *testing.F) {
	for _, b := range hostilePDFs() {
		f.Add(b)
	}
	const name = "Nguyễn Thị Hồng Nhung"
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := stampWithin(t, b, "TÀI LIỆU MẬT — "+name)
		if err != nil {
			return
		}
		n, err := watermark.PageCount(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("the stamped PDF does not read back: %v", err)
		}
		if n < 1 {
			t.Fatalf("stamped a PDF of %d pages", n)
		}
		if in, err := watermark.PageCount(bytes.NewReader(b)); err == nil && in != n {
			t.Fatalf("stamped PDF has %d pages; the original %d", n, in)
		}
		// Text (a reader for checks, not for every PDF) must read the
		// stamped copy of any PDF it reads.
		if _, err := watermark.Text(b); err != nil {
			return
		}
		texts, err := watermark.Text(out)
		if err != nil {
			t.Fatalf("Text of the stamped PDF: %v", err)
		}
		for i, text := range texts {
			if !strings.Contains(text, name) {
				t.Fatalf("page %d of %d does not show the name: %q", i+1, len(texts), text)
			}
		}
	})
}

// stampWithin stamps b within stampBudget, failing the test (with every
// goroutine's stack) if it takes longer; a panic crashes the test binary,
// which the fuzzer reports.
func stampWithin(t *testing.T, b []byte, lines ...string) ([]byte, error) {
	t.Helper()
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	ctx, cancel := context.WithTimeout(context.Background(), stampBudget)
	defer cancel()
	go func() {
		var out bytes.Buffer
		err := watermark.StampContext(ctx, bytes.NewReader(b), &out, lines...)
		done <- result{out.Bytes(), err}
	}()
	select {
	case r := <-done:
		if ctx.Err() != nil {
			t.Fatalf("Stamp took more than %s on a %d-byte input: %v", stampBudget, len(b), r.err)
		}
		return r.out, r.err
	case <-time.After(stampBudget + 30*time.Second):
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Fatalf("Stamp did not return %s after its context ended, on a %d-byte input:\n%s", 30*time.Second, len(b), buf)
		return nil, nil
	}
}

// TestStampHostilePDFs runs every hostile seed through Stamp, each a
// subtest, so that a regression names the PDF it is about.
func TestStampHostilePDFs(t *testing.T) {
	for name, b := range hostilePDFs() {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			out, err := stampWithin(t, b, "Đặng Quỳnh Hương")
			t.Logf("%d bytes in %v: %d bytes out, %v", len(b), time.Since(start), len(out), err)
		})
	}
}
