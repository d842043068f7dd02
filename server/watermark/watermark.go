// Package watermark stamps a visible watermark on every page of a PDF: the
// name of the reader of a confidential document and the time, so that any
// copy that leaves the meeting room says whose it was.
//
// It uses github.com/pdfcpu/pdfcpu (pure Go). The text is set in Roboto
// Regular, the Unicode font pdfcpu ships (its Latin Extended Additional
// block covers every Vietnamese letter with its diacritics), embedded as a
// subset with a ToUnicode map, so the stamped text can be searched and
// extracted as Vietnamese. No font file has to be installed.
//
// pdfcpu keeps its configuration and installed fonts in process-wide state
// under a configuration directory: Init sets it once per process.
//
// The PDFs stamped are uploads, so they may be hostile: every call is
// bounded in time (MaxDuration, through pdfcpu's context checks) and in
// memory (pdfcpu's resource limits, tightened in config), and a panic inside
// pdfcpu is turned into an error, so a PDF is stamped or refused, never
// hangs or crashes its caller (FuzzStamp checks this).
package watermark

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"golang.org/x/text/unicode/norm"
)

// Font is the font of the stamp (shipped with pdfcpu).
const Font = "Roboto-Regular"

var (
	initOnce sync.Once
	initErr  error
	initDir  string
)

// Init prepares pdfcpu's configuration directory under dir (created if
// needed; a private temporary directory if dir is ""). Only the first call
// in a process has an effect; later calls return its result. Stamp calls
// Init("") itself if nobody did.
func Init(dir string) error {
	initOnce.Do(func() {
		if dir == "" {
			dir, initErr = os.MkdirTemp("", "phonghop-pdfcpu-")
			if initErr != nil {
				return
			}
		}
		if initErr = os.MkdirAll(dir, 0o700); initErr != nil {
			return
		}
		initDir = dir
		// Writes <dir>/pdfcpu/config.yml and installs Roboto there.
		initErr = model.EnsureDefaultConfigAt(dir, false)
	})
	return initErr
}

// Dir returns the configuration directory Init chose ("" before Init).
func Dir() string { return initDir }

// Bounds of the work on one PDF.
const (
	// MaxDuration is the longest one call may work on a PDF; after it the
	// PDF is refused with ErrTooComplex. Stamping a 300-page or a 10 MB
	// PDF takes well under a second (BenchmarkStamp10MB).
	MaxDuration = 2 * time.Minute
	// MaxDecodeBytes bounds each decoded stream (and a page's combined
	// content): a decompression bomb is refused instead of filling memory.
	MaxDecodeBytes = 256 << 20
	// MaxObjects bounds the objects of a PDF and of each object stream.
	MaxObjects = 1_000_000
	// MaxDepth bounds the nesting of objects and of the page tree.
	MaxDepth = 64
)

// Errors besides pdfcpu's own (which say why a PDF cannot be read).
var (
	// ErrTooComplex: the PDF took longer than MaxDuration.
	ErrTooComplex = errors.New("watermark: the PDF takes too long to process")
	// ErrUnreadable: pdfcpu failed on the PDF in an unexpected way (a
	// panic, turned into this error), or the stamped PDF does not
	// validate.
	ErrUnreadable = errors.New("watermark: the PDF cannot be read")
	// ErrNoPages: the PDF has no page pdfcpu can find.
	ErrNoPages = errors.New("watermark: the PDF has no pages")
)

func config() *model.Configuration {
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	conf.Limits.MaxDecodeBytes = MaxDecodeBytes
	conf.Limits.MaxObjectCount = MaxObjects
	conf.Limits.MaxXRefEntries = MaxObjects
	conf.Limits.MaxObjectStreamCount = MaxObjects
	conf.Limits.MaxRecursionDepth = MaxDepth
	return conf
}

// bounded runs f with a context that ends after MaxDuration (or when ctx
// ends), and turns a panic inside pdfcpu into ErrUnreadable.
func bounded(ctx context.Context, f func(context.Context) error) (err error) {
	if err := Init(""); err != nil {
		return fmt.Errorf("watermark: init: %w", err)
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, MaxDuration)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v\n%s", ErrUnreadable, r, debug.Stack())
		}
	}()
	err = f(ctx)
	switch {
	case err == nil:
	case parent.Err() != nil: // the caller's own deadline or cancellation
		return fmt.Errorf("watermark: %w", parent.Err())
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%w (more than %s): %w", ErrTooComplex, MaxDuration, err)
	}
	return err
}

// Stamp is StampContext without a context of its own (MaxDuration still
// bounds it).
func Stamp(rs io.ReadSeeker, w io.Writer, lines ...string) error {
	return StampContext(context.Background(), rs, w, lines...)
}

// StampContext writes to w the PDF read from rs with lines of text stamped
// diagonally across the middle of every page (semi-transparent, dark red,
// above the content so it cannot be hidden under an opaque page). The text
// is normalised to Unicode NFC (Vietnamese typed on some systems arrives
// decomposed). It returns an error if rs is not a PDF pdfcpu can read
// (including encrypted ones), if it takes longer than MaxDuration
// (ErrTooComplex) or if ctx ends. On error, w may hold part of a PDF.
func StampContext(ctx context.Context, rs io.ReadSeeker, w io.Writer, lines ...string) error {
	text := norm.NFC.String(strings.Join(lines, "\n"))
	if strings.TrimSpace(text) == "" {
		return errors.New("watermark: empty text")
	}
	return bounded(ctx, func(ctx context.Context) error {
		conf := config()
		// pdfcpu's description language separates options with commas:
		// the text is passed apart from it, so it may contain anything.
		wm, err := api.TextWatermark(ctx, text, "font:"+Font+", scale:0.85 rel, rot:45, op:0.3, fillc:#B00000", true, false, types.POINTS, conf)
		if err != nil {
			return fmt.Errorf("watermark: %w", err)
		}
		// api.AddWatermarks, with two checks between its steps: a PDF
		// without pages has nothing to stamp (a viewer repairing its page
		// tree otherwise than pdfcpu could show pages unstamped), and the
		// stamped document must still validate before it is written.
		conf.Cmd = model.ADDWATERMARKS
		conf.OptimizeDuplicateContentStreams = false
		pdf, err := api.ReadValidateAndOptimize(ctx, rs, conf, nil)
		if err != nil {
			return fmt.Errorf("watermark: %w", err)
		}
		if pdf.PageCount < 1 {
			return ErrNoPages
		}
		pages, err := api.PagesForSelection(pdf.PageCount, nil, true)
		if err != nil {
			return fmt.Errorf("watermark: %w", err)
		}
		if err := pdfcpu.AddWatermarks(ctx, pdf, pages, wm); err != nil {
			return fmt.Errorf("watermark: %w", err)
		}
		if err := api.ValidateContext(ctx, pdf); err != nil {
			return fmt.Errorf("%w: %w", ErrUnreadable, err)
		}
		if err := api.Write(ctx, pdf, w, conf); err != nil {
			return fmt.Errorf("watermark: %w", err)
		}
		return nil
	})
}

// PageCount returns the number of pages of the PDF read from rs (bounded
// like Stamp).
func PageCount(rs io.ReadSeeker) (n int, err error) {
	err = bounded(context.Background(), func(ctx context.Context) error {
		n, err = api.PageCount(ctx, rs, config())
		return err
	})
	return n, err
}

// ---- text extraction (a check of what Stamp wrote) ----

// Text returns the text shown on each page of the PDF in b, in content
// order, one string per page, lines separated by "\n". It decodes what
// pdfcpu writes — simple fonts and Type0 fonts with a ToUnicode map, in
// page contents and the form XObjects they draw — and is meant for tests
// and checks, not as a general PDF text extractor (no positioning, no
// TJ kerning arrays beyond concatenation).
func Text(b []byte) (out []string, err error) {
	err = bounded(context.Background(), func(c context.Context) error {
		out, err = text(c, b)
		return err
	})
	return out, err
}

func text(c context.Context, b []byte) ([]string, error) {
	// Validated: the page count is the page tree's, not a number the
	// file merely claims.
	ctx, err := api.ReadAndValidate(c, bytes.NewReader(b), config())
	if err != nil {
		return nil, err
	}
	out := make([]string, ctx.PageCount)
	for i := 1; i <= ctx.PageCount; i++ {
		d, _, _, err := ctx.PageDict(c, i, true)
		if err != nil {
			return nil, err
		}
		var sb strings.Builder
		res, _ := ctx.DereferenceDict(d["Resources"])
		var content []byte
		if c, ok := d["Contents"]; ok {
			if arr, err := ctx.DereferenceArray(c); err == nil && arr != nil {
				for _, o := range arr {
					content = append(content, streamBytes(ctx, o)...)
					content = append(content, '\n')
				}
			} else {
				content = streamBytes(ctx, c)
			}
		}
		pageText(ctx, res, content, &sb, 0)
		out[i-1] = sb.String()
	}
	return out, nil
}

func streamBytes(ctx *model.Context, o types.Object) []byte {
	sd, _, err := ctx.DereferenceStreamDict(o)
	if err != nil || sd == nil {
		return nil
	}
	if err := sd.Decode(); err != nil {
		return nil
	}
	return sd.Content
}

var (
	textOps  = regexp.MustCompile(`/([^\s/\[\]()<>]+)\s+[-\d.]+\s+Tf|<([0-9A-Fa-f\s]*)>\s*Tj|\(((?:\\.|[^\\)])*)\)\s*Tj|\[((?:\\.|[^\]])*)\]\s*TJ|/([^\s/\[\]()<>]+)\s+Do`)
	tjParts  = regexp.MustCompile(`<([0-9A-Fa-f\s]*)>|\(((?:\\.|[^\\)])*)\)`)
	bfRanges = regexp.MustCompile(`(?s)beginbfrange(.*?)endbfrange`)
	bfChars  = regexp.MustCompile(`(?s)beginbfchar(.*?)endbfchar`)
	hexPair  = regexp.MustCompile(`<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>`)
	hexTri   = regexp.MustCompile(`<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>`)
)

// cmap maps character codes (as raw bytes) to text.
type cmap struct {
	width int // bytes per code
	m     map[string]string
}

func (c *cmap) decode(raw []byte) string {
	if c == nil {
		return string(raw) // a simple font: assume ASCII-compatible codes
	}
	var sb strings.Builder
	for i := 0; i+c.width <= len(raw); i += c.width {
		sb.WriteString(c.m[string(raw[i:i+c.width])])
	}
	return sb.String()
}

func hexBytes(h string) []byte {
	h = strings.Join(strings.Fields(h), "")
	if len(h)%2 == 1 {
		h += "0"
	}
	b := make([]byte, len(h)/2)
	for i := range b {
		v, _ := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
		b[i] = byte(v)
	}
	return b
}

func utf16Text(b []byte) string {
	var rs []rune
	for i := 0; i+1 < len(b); i += 2 {
		u := rune(b[i])<<8 | rune(b[i+1])
		if u >= 0xD800 && u < 0xDC00 && i+3 < len(b) {
			lo := rune(b[i+2])<<8 | rune(b[i+3])
			u = (u-0xD800)<<10 + (lo - 0xDC00) + 0x10000
			i += 2
		}
		rs = append(rs, u)
	}
	return string(rs)
}

func parseCMap(b []byte) *cmap {
	c := &cmap{width: 2, m: map[string]string{}}
	s := string(b)
	for _, sec := range bfRanges.FindAllStringSubmatch(s, -1) {
		for _, r := range hexTri.FindAllStringSubmatch(sec[1], -1) {
			lo, hi, dst := hexBytes(r[1]), hexBytes(r[2]), hexBytes(r[3])
			c.width = len(lo)
			l, h, d := beUint(lo), beUint(hi), beUint(dst)
			for code := l; code <= h && code-l < 1<<16; code++ {
				c.m[string(beBytes(code, len(lo)))] = utf16Text(beBytes(d+code-l, len(dst)))
			}
		}
	}
	for _, sec := range bfChars.FindAllStringSubmatch(s, -1) {
		for _, r := range hexPair.FindAllStringSubmatch(sec[1], -1) {
			src := hexBytes(r[1])
			c.width = len(src)
			c.m[string(src)] = utf16Text(hexBytes(r[2]))
		}
	}
	return c
}

func beUint(b []byte) uint64 {
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v
}

func beBytes(v uint64, n int) []byte {
	b := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
	return b
}

// unescape decodes a PDF literal string's escapes.
func unescape(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' || i+1 == len(b) {
			out = append(out, c)
			continue
		}
		i++
		switch e := b[i]; e {
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case '\n':
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v, j := 0, 0
			for ; j < 3 && i+j < len(b) && b[i+j] >= '0' && b[i+j] <= '7'; j++ {
				v = v*8 + int(b[i+j]-'0')
			}
			out = append(out, byte(v))
			i += j - 1
		default:
			out = append(out, e)
		}
	}
	return out
}

func pageText(ctx *model.Context, res types.Dict, content []byte, sb *strings.Builder, depth int) {
	if depth > 8 {
		return
	}
	fonts := map[string]*cmap{}
	if fd, _ := ctx.DereferenceDict(res["Font"]); fd != nil {
		for name, ref := range fd {
			f, _ := ctx.DereferenceDict(ref)
			if f == nil {
				continue
			}
			if tu, ok := f["ToUnicode"]; ok {
				fonts[name] = parseCMap(streamBytes(ctx, tu))
			}
		}
	}
	var cur *cmap
	for _, t := range textOps.FindAllSubmatch(content, -1) {
		switch {
		case t[1] != nil:
			cur = fonts[string(t[1])]
		case t[2] != nil:
			sb.WriteString(cur.decode(hexBytes(string(t[2]))))
			sb.WriteByte('\n')
		case t[3] != nil:
			sb.WriteString(cur.decode(unescape(t[3])))
			sb.WriteByte('\n')
		case t[4] != nil:
			for _, p := range tjParts.FindAllSubmatch(t[4], -1) {
				if p[1] != nil {
					sb.WriteString(cur.decode(hexBytes(string(p[1]))))
				} else {
					sb.WriteString(cur.decode(unescape(p[2])))
				}
			}
			sb.WriteByte('\n')
		case t[5] != nil:
			xo, _ := ctx.DereferenceDict(res["XObject"])
			if xo == nil {
				continue
			}
			sd, _, _ := ctx.DereferenceStreamDict(xo[string(t[5])])
			if sd == nil {
				continue
			}
			if st, ok := sd.Dict["Subtype"].(types.Name); !ok || st != "Form" {
				continue
			}
			sres, _ := ctx.DereferenceDict(sd.Dict["Resources"])
			pageText(ctx, sres, streamBytes(ctx, xo[string(t[5])]), sb, depth+1)
		}
	}
}
