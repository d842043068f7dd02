package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// TestKernelWasmUpToDate rebuilds the kernel with scripts/build-wasm.sh into
// a temporary directory and checks that the committed kernel.wasm and
// wasm_exec.js are byte-identical: whoever changes server/meeting must
// rebuild (the browser would otherwise fold events with an older Apply).
func TestKernelWasmUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the wasm kernel (about 20 s)")
	}
	dir := t.TempDir()
	cmd := exec.Command("sh", "../../scripts/build-wasm.sh", dir)
	cmd.Stderr = os.Stderr
	if out, err := cmd.Output(); err != nil {
		t.Fatalf("scripts/build-wasm.sh: %v\n%s", err, out)
	}
	for _, name := range []string{"kernel.wasm", "wasm_exec.js"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(filepath.Join("assets", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, committed) {
			t.Errorf("client/web/assets/%s is stale (%d bytes committed, %d rebuilt with %s): run scripts/build-wasm.sh and commit the result "+
				"(the committed kernel is built with the Go version of go.mod)", name, len(committed), len(got), runtime.Version())
		}
	}
}

func TestServePagesAndAssets(t *testing.T) {
	h := New()
	get := func(path string, gz bool) *http.Response {
		r := httptest.NewRequest("GET", path, nil)
		if gz {
			r.Header.Set("Accept-Encoding", "gzip, deflate")
		}
		w := httptest.NewRecorder()
		if p, ok := strings.CutPrefix(path, "/assets/"); ok {
			h.ServeAsset(w, r, p)
		} else {
			h.ServePage(w, r, path)
		}
		return w.Result()
	}
	for _, route := range []string{"/", "/tablet", "/hall"} {
		resp := get(route, false)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-cache" || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s: %d %v", route, resp.StatusCode, resp.Header)
		}
		if bytes.Contains(body, []byte("{{ASSETS}}")) || !bytes.Contains(body, []byte(h.AssetPrefix()+"/")) {
			t.Errorf("%s: asset prefix not substituted", route)
		}
	}
	resp := get(h.AssetPrefix()+"/kernel.wasm", true)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/wasm" || resp.Header.Get("Content-Encoding") != "gzip" ||
		!strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("kernel.wasm: %d %v", resp.StatusCode, resp.Header)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(zr)
	want, _ := os.ReadFile("assets/kernel.wasm")
	if !bytes.Equal(raw, want) {
		t.Error("gzipped kernel.wasm does not decompress to the file")
	}
	resp = get("/assets/js/live.js", false)
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-cache" || resp.Header.Get("Content-Encoding") != "" ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") {
		t.Errorf("unversioned live.js: %d %v", resp.StatusCode, resp.Header)
	}
	for _, bad := range []string{"/assets/../embed.go", "/assets/nope.js", "/assets/" + h.Version() + "/../index.html", "/assets/"} {
		if resp := get(bad, false); resp.StatusCode != 404 {
			t.Errorf("%s: %d; want 404", bad, resp.StatusCode)
		}
	}
	r := httptest.NewRequest("GET", "/assets/css/app.css", nil)
	r.Header.Set("If-None-Match", `"`+h.Version()+`"`)
	w := httptest.NewRecorder()
	h.ServeAsset(w, r, "css/app.css")
	if w.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d; want 304", w.Code)
	}
}

// TestConcurrentFirstRequests: many tablets asking for the kernel at once
// all get the same complete gzip (run with -race).
func TestConcurrentFirstRequests(t *testing.T) {
	h := New()
	want, _ := os.ReadFile("assets/kernel.wasm")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			r := httptest.NewRequest("GET", "/assets/kernel.wasm", nil)
			r.Header.Set("Accept-Encoding", "gzip")
			w := httptest.NewRecorder()
			h.ServeAsset(w, r, "kernel.wasm")
			zr, err := gzip.NewReader(w.Body)
			if err != nil {
				t.Error(err)
				return
			}
			got, _ := io.ReadAll(zr)
			if !bytes.Equal(got, want) {
				t.Error("gzipped kernel.wasm differs from the file")
			}
		})
		wg.Go(func() {
			w := httptest.NewRecorder()
			h.ServePage(w, httptest.NewRequest("GET", "/tablet", nil), "/tablet")
			if w.Code != 200 {
				t.Errorf("/tablet: %d", w.Code)
			}
		})
	}
	wg.Wait()
}
