// Package web holds the browser apps of phonghop — the delegate tablet
// (/tablet), the secretary console (/console), the hall screen (/hall) and a
// landing page (/) — embedded in the binary, so `go run ./cmd/phonghop`
// serves them with no build step.
//
// Layout:
//
//	*.html                  one page per app; "{{ASSETS}}" in a page is replaced
//	                        by the versioned asset prefix (/assets/<hash>)
//	assets/css/app.css      shared styles
//	assets/js/*.js          ES modules (no bundler): api.js, live.js, i18n.js,
//	                        kernel.js, ui.js, tablet.js, hall.js, console.js…
//	assets/kernel.wasm      the pure domain core (server/meeting) compiled to
//	                        WebAssembly by scripts/build-wasm.sh (committed;
//	                        TestKernelWasmUpToDate checks it is current)
//	assets/wasm_exec.js     Go's WebAssembly loader, copied with the wasm
//	assets/vendor/pdfjs/    pdf.js, vendored by scripts/vendor-pdfjs.sh
//
// Pages carry a Content-Security-Policy (ContentSecurityPolicy): no inline
// scripts, so a page's code lives in assets/js.
//
// Caching: pages are served with "Cache-Control: no-cache". Assets are served
// under two prefixes: /assets/<hash>/… (hash of every embedded asset, so it
// changes with any release) with a one-year immutable cache, and /assets/…
// with "no-cache" and an ETag. Pages use {{ASSETS}}, so a module's relative
// imports stay in the same versioned tree. Compressible assets (js, css, wasm,
// mjs, svg, json) are gzip-compressed once, on first request, when the client
// accepts gzip.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
)

//go:embed *.html assets
var files embed.FS

// Pages maps each app's path to its HTML file.
var Pages = map[string]string{
	"/":        "index.html",
	"/tablet":  "tablet.html",
	"/console": "console.html",
	"/hall":    "hall.html",
	"/floor":   "floor.html", // the congress floor (floor.js)
	"/count":   "count.html", // entry stations of paper ballots (docs/paper.md)
}

// ContentSecurityPolicy is sent with every page: scripts only from the
// server (no inline script, no eval; WebAssembly allowed for the kernel),
// connections (REST, WebSocket) only to it, images also as data: URLs (QR
// codes), inline style attributes allowed.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
	"style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; " +
	"media-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// Handler serves the pages and the assets. It is safe for concurrent use.
type Handler struct {
	version string // hash of all assets
	prefix  string // "/assets/" + version

	gz sync.Map // asset name → *gzEntry

	mu   sync.Mutex
	page map[string][]byte // pages with {{ASSETS}} replaced
}

// New returns the handler of the embedded files.
func New() *Handler {
	h := sha256.New()
	_ = fs.WalkDir(files, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := files.ReadFile(p)
		h.Write([]byte(p))
		h.Write([]byte{0})
		h.Write(b)
		return nil
	})
	v := hex.EncodeToString(h.Sum(nil))[:12]
	return &Handler{version: v, prefix: "/assets/" + v, page: map[string][]byte{}}
}

// Version is the hash naming this build's assets.
func (h *Handler) Version() string { return h.version }

// AssetPrefix is the versioned URL prefix of the assets ("/assets/<hash>").
func (h *Handler) AssetPrefix() string { return h.prefix }

// ServePage serves the page of an app path ("/", "/tablet", …); 404 when the
// page is not embedded.
func (h *Handler) ServePage(w http.ResponseWriter, r *http.Request, route string) {
	name, ok := Pages[route]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h.mu.Lock()
	b, ok := h.page[name]
	if !ok {
		raw, err := files.ReadFile(name)
		if err == nil {
			b = bytes.ReplaceAll(raw, []byte("{{ASSETS}}"), []byte(h.prefix))
			h.page[name] = b
		}
	}
	h.mu.Unlock()
	if b == nil {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Content-Security-Policy", ContentSecurityPolicy)
	w.Write(b)
}

// ServeAsset serves /assets/… (p is the path after "/assets/").
func (h *Handler) ServeAsset(w http.ResponseWriter, r *http.Request, p string) {
	immutable := false
	if rest, ok := strings.CutPrefix(p, h.version+"/"); ok {
		p, immutable = rest, true
	}
	p = path.Clean("/" + p)[1:]
	if p == "" || strings.HasPrefix(p, ".") {
		http.NotFound(w, r)
		return
	}
	name := "assets/" + p
	b, err := files.ReadFile(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", contentType(name))
	hd.Set("X-Content-Type-Options", "nosniff")
	if immutable {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "no-cache")
	}
	etag := `"` + h.version + `"`
	hd.Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if compressible(name) {
		hd.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			hd.Set("Content-Encoding", "gzip")
			b = h.gzipped(name, b)
		}
	}
	if r.Method == http.MethodHead {
		return
	}
	w.Write(b)
}

// gzipped returns the gzip of asset name, compressed once (concurrent first
// requests for the same file wait for one compression; other files and pages
// are not held up).
func (h *Handler) gzipped(name string, b []byte) []byte {
	v, _ := h.gz.LoadOrStore(name, &gzEntry{})
	e := v.(*gzEntry)
	e.once.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		e.data = buf.Bytes()
	})
	return e.data
}

type gzEntry struct {
	once sync.Once
	data []byte
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

func compressible(name string) bool {
	switch path.Ext(name) {
	case ".js", ".mjs", ".css", ".wasm", ".svg", ".json", ".txt", ".map":
		return true
	}
	return strings.HasSuffix(name, "LICENSE")
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".wasm":
		return "application/wasm"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".json", ".map":
		return "application/json"
	case "":
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}
