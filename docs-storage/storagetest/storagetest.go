// Package storagetest is the conformance suite for docstorage.Store
// implementations. Every backend must pass it unchanged:
//
//	func TestFS(t *testing.T) {
//		storagetest.Test(t, func(t *testing.T) docstorage.Store { ... })
//	}
//
// The contract it checks is the one documented on package docstorage; in
// particular, ranges follow Go slice semantics (a length past the end is
// clamped, an offset past the size is Invalid, offset == size is empty).
package storagetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	docstorage "github.com/phonghop/phonghop/docs-storage"
)

// VietnameseName is a file name that must round-trip through Meta.Name.
const VietnameseName = "Báo cáo tổng kết năm 2025.pdf"

// LargeSize is the size of the object streamed by the "Large" subtest:
// above minio-go's 16 MiB single-PUT limit, so S3 uploads go multipart.
const LargeSize = 20 << 20

// InvalidKeys are keys every Store must reject with kind Invalid.
var InvalidKeys = []string{
	"", "../x", "..", ".", "a//b", "/a", "a/", "a/./b", "a/../b", "a%2Fb", `a\b`,
	"a b", "a?b", "a#b", "a:b", "tài-liệu", "a\x00b", "a\nb",
	strings.Repeat("a", docstorage.MaxSegmentLen+1),
	strings.Repeat(strings.Repeat("k", 99)+"/", 5) + strings.Repeat("k", 13), // 513 bytes
}

// Test runs the conformance suite. newStore must return a new, empty store
// each time it is called; it is called once per subtest, and subtests run
// in parallel.
func Test(t *testing.T, newStore func(t *testing.T) docstorage.Store) {
	for _, tc := range []struct {
		name string
		f    func(t *testing.T, s docstorage.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"EmptyObject", testEmptyObject},
		{"DefaultContentType", testDefaultContentType},
		{"Ranges", testRanges},
		{"InvalidRanges", testInvalidRanges},
		{"NotFound", testNotFound},
		{"Delete", testDelete},
		{"List", testList},
		{"InvalidPrefix", testInvalidPrefix},
		{"InvalidKeys", testInvalidKeys},
		{"LongestKey", testLongestKey},
		{"BadSizeOrMeta", testBadSizeOrMeta},
		{"ShortReader", testShortReader},
		{"LongReader", testLongReader},
		{"ShortAndLongReaderLarge", testShortAndLongReaderLarge},
		{"ReaderError", testReaderError},
		{"FailedOverwriteKeepsOld", testFailedOverwriteKeepsOld},
		{"CanceledContext", testCanceledContext},
		{"Overwrite", testOverwrite},
		{"VietnameseName", testVietnameseName},
		{"Large", testLarge},
		{"ConcurrentPuts", testConcurrentPuts},
		{"Create", testCreate},
		{"ConcurrentCreates", testConcurrentCreates},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.f(t, newStore(t))
		})
	}
}

// ---- helpers ---------------------------------------------------------------

func ctx(t *testing.T) context.Context { return t.Context() }

// put stores data and fails t on error.
func put(t *testing.T, s docstorage.Store, key string, data []byte, meta docstorage.Meta) {
	t.Helper()
	if err := s.Put(ctx(t), key, bytes.NewReader(data), int64(len(data)), meta); err != nil {
		t.Fatalf("Put(%q, %d bytes) = %v; want nil", key, len(data), err)
	}
}

// read returns the bytes of Open(key, off, n) and fails t on error.
func read(t *testing.T, s docstorage.Store, key string, off, n int64) []byte {
	t.Helper()
	rc, err := s.Open(ctx(t), key, off, n)
	if err != nil {
		t.Fatalf("Open(%q, %d, %d) = %v; want nil error", key, off, n, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading Open(%q, %d, %d): %v", key, off, n, err)
	}
	if err := rc.Close(); err != nil {
		t.Errorf("Close of Open(%q, %d, %d) = %v; want nil", key, off, n, err)
	}
	return b
}

// wantKind checks that err is of the given kind.
func wantKind(t *testing.T, what string, err error, want docstorage.Kind) {
	t.Helper()
	if got := docstorage.KindOf(err); got != want {
		t.Errorf("%s: error %v has kind %q; want %q", what, err, got, want)
	}
}

// wantMissing checks that Stat and Open report key as NotFound.
func wantMissing(t *testing.T, s docstorage.Store, key string) {
	t.Helper()
	info, err := s.Stat(ctx(t), key)
	if docstorage.KindOf(err) != docstorage.NotFound {
		t.Errorf("Stat(%q) = %+v, %v; want kind %q", key, info, err, docstorage.NotFound)
	}
	rc, err := s.Open(ctx(t), key, 0, -1)
	if rc != nil {
		rc.Close()
	}
	if docstorage.KindOf(err) != docstorage.NotFound {
		t.Errorf("Open(%q) error = %v; want kind %q", key, err, docstorage.NotFound)
	}
}

// wantKeys checks List(prefix) returns exactly keys, in this order.
func wantKeys(t *testing.T, s docstorage.Store, prefix string, keys ...string) []docstorage.Info {
	t.Helper()
	infos, err := s.List(ctx(t), prefix)
	if err != nil {
		t.Fatalf("List(%q) = %v; want nil error", prefix, err)
	}
	got := make([]string, len(infos))
	for i, in := range infos {
		got[i] = in.Key
	}
	if diff := cmp.Diff(keys, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("List(%q) keys (-want +got):\n%s", prefix, diff)
	}
	return infos
}

// pattern returns n deterministic, position-dependent bytes.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7+i/251) ^ seed
	}
	return b
}

// genReader streams n pseudo-random bytes determined by seed, without
// holding them in memory. It deliberately is not an io.ReaderAt/Seeker.
func genReader(seed uint64, n int64) io.Reader {
	var key [32]byte
	key[0], key[1] = byte(seed), byte(seed>>8)
	return io.LimitReader(rand.NewChaCha8(key), n)
}

// errAfterReader yields the data of r and then fails with err.
type errAfterReader struct {
	r   io.Reader
	err error
}

func (e *errAfterReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF && e.err != nil {
		return n, e.err
	}
	return n, err
}

// onlyReader hides every method but Read.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// ---- subtests --------------------------------------------------------------

func testRoundTrip(t *testing.T, s docstorage.Store) {
	data := []byte("Biên bản họp phiên thứ nhất.\nNội dung: ...\n")
	meta := docstorage.Meta{ContentType: "text/plain; charset=utf-8", Name: "bien-ban.txt"}
	before := time.Now()
	put(t, s, "meeting/1/bien-ban.txt", data, meta)
	after := time.Now()

	info, err := s.Stat(ctx(t), "meeting/1/bien-ban.txt")
	if err != nil {
		t.Fatalf("Stat = %v; want nil", err)
	}
	want := docstorage.Info{Key: "meeting/1/bien-ban.txt", Size: int64(len(data)), Meta: meta}
	if diff := cmp.Diff(want, info, cmpopts.IgnoreFields(docstorage.Info{}, "Modified")); diff != "" {
		t.Errorf("Stat (-want +got):\n%s", diff)
	}
	// S3 has one-second precision; allow for it and a little clock skew.
	if info.Modified.Before(before.Add(-2*time.Second)) || info.Modified.After(after.Add(2*time.Second)) {
		t.Errorf("Stat Modified = %v; want within [%v, %v] (±2s)", info.Modified, before, after)
	}
	if got := read(t, s, "meeting/1/bien-ban.txt", 0, -1); !bytes.Equal(got, data) {
		t.Errorf("Open(0,-1) = %q; want %q", got, data)
	}
	infos := wantKeys(t, s, "", "meeting/1/bien-ban.txt")
	if len(infos) == 1 {
		if diff := cmp.Diff(want, infos[0], cmpopts.IgnoreFields(docstorage.Info{}, "Modified")); diff != "" {
			t.Errorf("List entry (-want +got):\n%s", diff)
		}
		if d := infos[0].Modified.Sub(info.Modified); d < -time.Second || d > time.Second {
			t.Errorf("List Modified = %v; want Stat's %v (±1s)", infos[0].Modified, info.Modified)
		}
	}
}

func testEmptyObject(t *testing.T, s docstorage.Store) {
	put(t, s, "empty", nil, docstorage.Meta{ContentType: "text/plain"})
	info, err := s.Stat(ctx(t), "empty")
	if err != nil || info.Size != 0 {
		t.Fatalf("Stat(empty) = %+v, %v; want size 0, nil", info, err)
	}
	for _, r := range [][2]int64{{0, -1}, {0, 0}, {0, 10}} {
		if got := read(t, s, "empty", r[0], r[1]); len(got) != 0 {
			t.Errorf("Open(empty, %d, %d) = %q; want empty", r[0], r[1], got)
		}
	}
	_, err = s.Open(ctx(t), "empty", 1, -1)
	wantKind(t, "Open(empty, 1, -1)", err, docstorage.Invalid)
}

func testDefaultContentType(t *testing.T, s docstorage.Store) {
	put(t, s, "x.bin", []byte{1, 2, 3}, docstorage.Meta{})
	info, err := s.Stat(ctx(t), "x.bin")
	if err != nil {
		t.Fatalf("Stat = %v; want nil", err)
	}
	if want := (docstorage.Meta{ContentType: docstorage.DefaultContentType}); info.Meta != want {
		t.Errorf("Stat Meta = %+v; want %+v", info.Meta, want)
	}
}

func testRanges(t *testing.T, s docstorage.Store) {
	data := pattern(1000, 0x5a)
	put(t, s, "r/data", data, docstorage.Meta{ContentType: "application/pdf"})
	for _, tc := range []struct {
		off, n     int64
		start, end int // expected data[start:end]
	}{
		{0, -1, 0, 1000},   // whole
		{0, 1000, 0, 1000}, // whole, explicit
		{0, 10, 0, 10},     // start
		{100, 50, 100, 150},
		{500, 1, 500, 501},
		{999, 1, 999, 1000},   // last byte
		{990, -1, 990, 1000},  // to end
		{1, -1, 1, 1000},      // to end from 1
		{995, 100, 995, 1000}, // past the end: clamped
		{0, 5000, 0, 1000},    // past the end: clamped
		{500, 0, 500, 500},    // empty
		{1000, -1, 1000, 1000},
		{1000, 5, 1000, 1000},
		{1000, 0, 1000, 1000},
	} {
		got := read(t, s, "r/data", tc.off, tc.n)
		if want := data[tc.start:tc.end]; !bytes.Equal(got, want) {
			t.Errorf("Open(%d, %d) = %d bytes (%x…); want data[%d:%d] (%d bytes)",
				tc.off, tc.n, len(got), got[:min(len(got), 8)], tc.start, tc.end, len(want))
		}
	}
}

func testInvalidRanges(t *testing.T, s docstorage.Store) {
	put(t, s, "r/data", pattern(1000, 1), docstorage.Meta{})
	for _, r := range [][2]int64{{1001, -1}, {1001, 0}, {1001, 10}, {5000, 1}, {-1, -1}, {-1, 10}} {
		rc, err := s.Open(ctx(t), "r/data", r[0], r[1])
		if rc != nil {
			rc.Close()
		}
		wantKind(t, fmt.Sprintf("Open(r/data, %d, %d)", r[0], r[1]), err, docstorage.Invalid)
	}
}

func testNotFound(t *testing.T, s docstorage.Store) {
	wantMissing(t, s, "no/such/key")
	put(t, s, "no/such", []byte("x"), docstorage.Meta{}) // a prefix of the key exists
	wantMissing(t, s, "no/such/key")
	for _, r := range [][2]int64{{0, 0}, {5, 10}, {0, -1}} {
		rc, err := s.Open(ctx(t), "missing", r[0], r[1])
		if rc != nil {
			rc.Close()
		}
		wantKind(t, fmt.Sprintf("Open(missing, %d, %d)", r[0], r[1]), err, docstorage.NotFound)
	}
}

func testDelete(t *testing.T, s docstorage.Store) {
	put(t, s, "d/a", []byte("a"), docstorage.Meta{})
	put(t, s, "d/b", []byte("b"), docstorage.Meta{})
	if err := s.Delete(ctx(t), "d/a"); err != nil {
		t.Fatalf("Delete(d/a) = %v; want nil", err)
	}
	wantMissing(t, s, "d/a")
	if err := s.Delete(ctx(t), "d/a"); err != nil {
		t.Errorf("second Delete(d/a) = %v; want nil", err)
	}
	if err := s.Delete(ctx(t), "never/existed"); err != nil {
		t.Errorf("Delete(never/existed) = %v; want nil", err)
	}
	wantKeys(t, s, "", "d/b")
	if got := read(t, s, "d/b", 0, -1); string(got) != "b" {
		t.Errorf("Open(d/b) = %q; want %q", got, "b")
	}
	// The key can be stored again after deletion.
	put(t, s, "d/a", []byte("again"), docstorage.Meta{})
	if got := read(t, s, "d/a", 0, -1); string(got) != "again" {
		t.Errorf("Open(d/a) after re-Put = %q; want %q", got, "again")
	}
}

func testList(t *testing.T, s docstorage.Store) {
	// No key is a "directory" of another (see the package docs of
	// docstorage: MinIO hides such objects from listings).
	keys := []string{"m/1/b", "m/1/a/x", "m/1/a-b", "m/1/a/y", "m/10/c", "m/2/d", "n/1/e", "m1/z", "m.txt", "m-a"}
	for i, k := range keys {
		put(t, s, k, pattern(10+i, byte(i)), docstorage.Meta{ContentType: "text/plain", Name: strings.ReplaceAll(k, "/", "_") + ".txt"})
	}
	// Byte order: '-' < '.' < '/' < '0' < '1'.
	all := wantKeys(t, s, "", "m-a", "m.txt", "m/1/a-b", "m/1/a/x", "m/1/a/y", "m/1/b", "m/10/c", "m/2/d", "m1/z", "n/1/e")
	for _, in := range all {
		i := -1
		for j, k := range keys {
			if k == in.Key {
				i = j
			}
		}
		want := docstorage.Info{Key: in.Key, Size: int64(10 + i),
			Meta: docstorage.Meta{ContentType: "text/plain", Name: strings.ReplaceAll(in.Key, "/", "_") + ".txt"}}
		if diff := cmp.Diff(want, in, cmpopts.IgnoreFields(docstorage.Info{}, "Modified")); diff != "" {
			t.Errorf("List entry %q (-want +got):\n%s", in.Key, diff)
		}
		if in.Modified.IsZero() {
			t.Errorf("List entry %q: Modified is zero; want the write time", in.Key)
		}
	}
	wantKeys(t, s, "m/1/", "m/1/a-b", "m/1/a/x", "m/1/a/y", "m/1/b")
	wantKeys(t, s, "m/1", "m/1/a-b", "m/1/a/x", "m/1/a/y", "m/1/b", "m/10/c")
	wantKeys(t, s, "m/1/a", "m/1/a-b", "m/1/a/x", "m/1/a/y")
	wantKeys(t, s, "m/1/a/", "m/1/a/x", "m/1/a/y")
	wantKeys(t, s, "m/1/a/x", "m/1/a/x")
	wantKeys(t, s, "m/", "m/1/a-b", "m/1/a/x", "m/1/a/y", "m/1/b", "m/10/c", "m/2/d")
	wantKeys(t, s, "m", "m-a", "m.txt", "m/1/a-b", "m/1/a/x", "m/1/a/y", "m/1/b", "m/10/c", "m/2/d", "m1/z")
	wantKeys(t, s, "m.", "m.txt")
	wantKeys(t, s, "n/", "n/1/e")
	wantKeys(t, s, "zz/")
	wantKeys(t, s, "m/3")
	wantKeys(t, s, "m/1/b/")
}

func testInvalidPrefix(t *testing.T, s docstorage.Store) {
	put(t, s, "a/b", []byte("x"), docstorage.Meta{})
	for _, p := range []string{"/", "/a", "../", "a//", "./a", "a/../", `a\`, "a%", "a b", "a/./"} {
		infos, err := s.List(ctx(t), p)
		wantKind(t, fmt.Sprintf("List(%q) = %d entries", p, len(infos)), err, docstorage.Invalid)
	}
}

func testInvalidKeys(t *testing.T, s docstorage.Store) {
	for _, key := range InvalidKeys {
		err := s.Put(ctx(t), key, strings.NewReader("x"), 1, docstorage.Meta{})
		wantKind(t, fmt.Sprintf("Put(%q)", key), err, docstorage.Invalid)
		rc, err := s.Open(ctx(t), key, 0, -1)
		if rc != nil {
			rc.Close()
		}
		wantKind(t, fmt.Sprintf("Open(%q)", key), err, docstorage.Invalid)
		_, err = s.Stat(ctx(t), key)
		wantKind(t, fmt.Sprintf("Stat(%q)", key), err, docstorage.Invalid)
		err = s.Delete(ctx(t), key)
		wantKind(t, fmt.Sprintf("Delete(%q)", key), err, docstorage.Invalid)
		if docstorage.ValidKey(key) == nil {
			t.Errorf("ValidKey(%q) = nil; want an error", key)
		}
	}
	wantKeys(t, s, "") // nothing stored
}

func testLongestKey(t *testing.T, s docstorage.Store) {
	seg := strings.Repeat("k", docstorage.MaxSegmentLen)
	key := seg + "/" + seg + "/" + seg + "/" + strings.Repeat("z", docstorage.MaxKeyLen-3*(len(seg)+1))
	if len(key) != docstorage.MaxKeyLen {
		t.Fatalf("test key is %d bytes; want %d", len(key), docstorage.MaxKeyLen)
	}
	put(t, s, key, []byte("long"), docstorage.Meta{})
	if got := read(t, s, key, 0, -1); string(got) != "long" {
		t.Errorf("Open(longest key) = %q; want %q", got, "long")
	}
	wantKeys(t, s, seg+"/", key)
	sum := sha256.Sum256([]byte("long"))
	ck := docstorage.ContentKey(sum[:])
	put(t, s, ck, []byte("long"), docstorage.Meta{})
	wantKeys(t, s, "sha256/", ck)
}

func testBadSizeOrMeta(t *testing.T, s docstorage.Store) {
	err := s.Put(ctx(t), "neg", strings.NewReader("x"), -1, docstorage.Meta{})
	wantKind(t, "Put(size -1)", err, docstorage.Invalid)
	err = s.Put(ctx(t), "ct", strings.NewReader("x"), 1, docstorage.Meta{ContentType: "text/plain\r\nX-Evil: 1"})
	wantKind(t, "Put(content type with CRLF)", err, docstorage.Invalid)
	err = s.Put(ctx(t), "ct2", strings.NewReader("x"), 1, docstorage.Meta{ContentType: "văn-bản/pdf"})
	wantKind(t, "Put(non-ASCII content type)", err, docstorage.Invalid)
	wantKeys(t, s, "")
}

func testShortReader(t *testing.T, s docstorage.Store) {
	err := s.Put(ctx(t), "short", onlyReader{bytes.NewReader(pattern(50, 2))}, 100, docstorage.Meta{})
	if err == nil {
		t.Fatalf("Put(50 bytes, size 100) = nil; want an error")
	}
	wantKind(t, "Put(50 bytes, size 100)", err, docstorage.Invalid)
	wantMissing(t, s, "short")
	// Even one byte short.
	err = s.Put(ctx(t), "short1", onlyReader{bytes.NewReader(pattern(99, 2))}, 100, docstorage.Meta{})
	wantKind(t, "Put(99 bytes, size 100)", err, docstorage.Invalid)
	wantMissing(t, s, "short1")
	// Empty reader with a size.
	err = s.Put(ctx(t), "short0", strings.NewReader(""), 10, docstorage.Meta{})
	wantKind(t, "Put(0 bytes, size 10)", err, docstorage.Invalid)
	wantMissing(t, s, "short0")
	wantKeys(t, s, "")
}

func testLongReader(t *testing.T, s docstorage.Store) {
	err := s.Put(ctx(t), "long", onlyReader{bytes.NewReader(pattern(100, 3))}, 50, docstorage.Meta{})
	if err == nil {
		t.Fatalf("Put(100 bytes, size 50) = nil; want an error")
	}
	wantKind(t, "Put(100 bytes, size 50)", err, docstorage.Invalid)
	wantMissing(t, s, "long")
	err = s.Put(ctx(t), "long1", bytes.NewReader(pattern(101, 3)), 100, docstorage.Meta{})
	wantKind(t, "Put(101 bytes, size 100)", err, docstorage.Invalid)
	wantMissing(t, s, "long1")
	err = s.Put(ctx(t), "long0", strings.NewReader("x"), 0, docstorage.Meta{})
	wantKind(t, "Put(1 byte, size 0)", err, docstorage.Invalid)
	wantMissing(t, s, "long0")
	wantKeys(t, s, "")
}

// testShortAndLongReaderLarge repeats the size checks above the single-PUT
// limit of S3 clients (multipart uploads).
func testShortAndLongReaderLarge(t *testing.T, s docstorage.Store) {
	const size = 17 << 20
	err := s.Put(ctx(t), "big/short", genReader(7, size-1), size, docstorage.Meta{})
	wantKind(t, "Put(17 MiB - 1 bytes, size 17 MiB)", err, docstorage.Invalid)
	wantMissing(t, s, "big/short")
	err = s.Put(ctx(t), "big/long", genReader(7, size+1), size, docstorage.Meta{})
	wantKind(t, "Put(17 MiB + 1 bytes, size 17 MiB)", err, docstorage.Invalid)
	wantMissing(t, s, "big/long")
	wantKeys(t, s, "")
}

func testReaderError(t *testing.T, s docstorage.Store) {
	boom := errors.New("boom")
	r := &errAfterReader{r: bytes.NewReader(pattern(1000, 4)), err: boom}
	err := s.Put(ctx(t), "err", r, 2000, docstorage.Meta{})
	if err == nil {
		t.Fatalf("Put(reader failing after 1000 of 2000 bytes) = nil; want an error")
	}
	wantMissing(t, s, "err")
}

func testFailedOverwriteKeepsOld(t *testing.T, s docstorage.Store) {
	old := pattern(300, 5)
	put(t, s, "k", old, docstorage.Meta{Name: "old.bin"})
	err := s.Put(ctx(t), "k", onlyReader{bytes.NewReader(pattern(100, 6))}, 300, docstorage.Meta{Name: "new.bin"})
	wantKind(t, "Put(short, over existing)", err, docstorage.Invalid)
	err = s.Put(ctx(t), "k", onlyReader{bytes.NewReader(pattern(400, 6))}, 300, docstorage.Meta{Name: "new.bin"})
	wantKind(t, "Put(long, over existing)", err, docstorage.Invalid)
	if got := read(t, s, "k", 0, -1); !bytes.Equal(got, old) {
		t.Errorf("Open(k) after failed overwrites = %d bytes; want the original %d bytes", len(got), len(old))
	}
	info, err := s.Stat(ctx(t), "k")
	if err != nil || info.Meta.Name != "old.bin" || info.Size != 300 {
		t.Errorf("Stat(k) = %+v, %v; want size 300, name old.bin", info, err)
	}
}

func testCanceledContext(t *testing.T, s docstorage.Store) {
	c, cancel := context.WithCancel(ctx(t))
	cancel()
	err := s.Put(c, "canceled", strings.NewReader("x"), 1, docstorage.Meta{})
	if err == nil {
		t.Errorf("Put(canceled context) = nil; want an error")
	}
	wantMissing(t, s, "canceled")
}

func testOverwrite(t *testing.T, s docstorage.Store) {
	data := pattern(4096, 7)
	meta := docstorage.Meta{ContentType: "application/pdf", Name: "a.pdf"}
	put(t, s, "o/k", data, meta)
	put(t, s, "o/k", data, meta)
	if got := read(t, s, "o/k", 0, -1); !bytes.Equal(got, data) {
		t.Errorf("Open after overwrite = %d bytes; want the same %d bytes", len(got), len(data))
	}
	info, err := s.Stat(ctx(t), "o/k")
	if err != nil || info.Size != int64(len(data)) || info.Meta != meta {
		t.Errorf("Stat after overwrite = %+v, %v; want size %d, meta %+v", info, err, len(data), meta)
	}
	wantKeys(t, s, "o/", "o/k")
}

func testVietnameseName(t *testing.T, s docstorage.Store) {
	for _, tc := range []struct{ key, name, want string }{
		{"vn/1", VietnameseName, VietnameseName},
		// NFD input (as macOS sends it) comes back NFC.
		{"vn/2", "Bie\u0302n ba\u0309n.docx", "Biên bản.docx"},
		// Paths are dropped, control characters removed.
		{"vn/3", `C:\Users\chủ tọa\Tờ trình số 5.pdf`, "Tờ trình số 5.pdf"},
		{"vn/4", "../../etc/Quyết\x00 định\n.txt", "Quyết định.txt"},
		{"vn/5", "Nghị quyết \u202Efdp.exe", "Nghị quyết fdp.exe"},
	} {
		put(t, s, tc.key, []byte("pdf"), docstorage.Meta{ContentType: "application/pdf", Name: tc.name})
		info, err := s.Stat(ctx(t), tc.key)
		if err != nil {
			t.Fatalf("Stat(%q) = %v; want nil", tc.key, err)
		}
		if info.Meta.Name != tc.want {
			t.Errorf("Put name %+q: Stat Meta.Name = %+q; want %+q", tc.name, info.Meta.Name, tc.want)
		}
	}
	infos := wantKeys(t, s, "vn/1", "vn/1")
	if len(infos) == 1 && infos[0].Meta.Name != VietnameseName {
		t.Errorf("List Meta.Name = %q; want %q", infos[0].Meta.Name, VietnameseName)
	}
}

func testLarge(t *testing.T, s docstorage.Store) {
	h := sha256.New()
	if _, err := io.Copy(h, genReader(42, LargeSize)); err != nil {
		t.Fatal(err)
	}
	wantSum := h.Sum(nil)
	key := docstorage.ContentKey(wantSum)

	if err := s.Put(ctx(t), key, genReader(42, LargeSize), LargeSize, docstorage.Meta{ContentType: "application/pdf", Name: VietnameseName}); err != nil {
		t.Fatalf("Put(%d bytes streamed) = %v; want nil", LargeSize, err)
	}
	info, err := s.Stat(ctx(t), key)
	if err != nil || info.Size != LargeSize {
		t.Fatalf("Stat = %+v, %v; want size %d", info, err, LargeSize)
	}
	rc, err := s.Open(ctx(t), key, 0, -1)
	if err != nil {
		t.Fatalf("Open = %v; want nil", err)
	}
	h.Reset()
	n, err := io.Copy(h, rc)
	rc.Close()
	if err != nil || n != LargeSize {
		t.Fatalf("reading back: %d bytes, %v; want %d bytes, nil", n, err, LargeSize)
	}
	if got := h.Sum(nil); !bytes.Equal(got, wantSum) {
		t.Errorf("SHA-256 of read-back = %x; want %x", got, wantSum)
	}

	// A range across the 16 MiB part boundary.
	off, length := int64(16<<20-100), int64(300)
	want := make([]byte, length)
	g := genReader(42, LargeSize)
	if _, err := io.CopyN(io.Discard, g, off); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(g, want); err != nil {
		t.Fatal(err)
	}
	if got := read(t, s, key, off, length); !bytes.Equal(got, want) {
		t.Errorf("Open(%d, %d) differs from the generated bytes", off, length)
	}
}

func testConcurrentPuts(t *testing.T, s docstorage.Store) {
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			data := pattern(256<<10+i, byte(i))
			errs[i] = s.Put(ctx(t), fmt.Sprintf("c/%d", i), bytes.NewReader(data), int64(len(data)),
				docstorage.Meta{Name: fmt.Sprintf("tệp %d.bin", i)})
		})
	}
	wg.Wait()
	var keys []string
	for i, err := range errs {
		if err != nil {
			t.Errorf("Put(c/%d) = %v; want nil", i, err)
		}
		keys = append(keys, fmt.Sprintf("c/%d", i))
	}
	wantKeys(t, s, "c/", keys...)
	for i := range n {
		if got, want := read(t, s, fmt.Sprintf("c/%d", i), 0, -1), pattern(256<<10+i, byte(i)); !bytes.Equal(got, want) {
			t.Errorf("Open(c/%d) = %d bytes; want %d bytes of its own content", i, len(got), len(want))
		}
	}
}

// testCreate: Create stores a new object and refuses an existing key
// (Conflict), leaving the object as it was; bad input is Invalid as for Put.
func testCreate(t *testing.T, s docstorage.Store) {
	data := []byte("khóa thứ nhất")
	if err := s.Create(ctx(t), "keys/a", bytes.NewReader(data), int64(len(data)), docstorage.Meta{}); err != nil {
		t.Fatalf("Create(new key) = %v; want nil", err)
	}
	other := []byte("khóa khác, dài hơn")
	err := s.Create(ctx(t), "keys/a", bytes.NewReader(other), int64(len(other)), docstorage.Meta{})
	wantKind(t, "Create(existing key)", err, docstorage.Conflict)
	if got := read(t, s, "keys/a", 0, -1); !bytes.Equal(got, data) {
		t.Errorf("after a refused Create the object is %q; want %q", got, data)
	}
	err = s.Create(ctx(t), "keys/b", bytes.NewReader(data), int64(len(data))+1, docstorage.Meta{})
	wantKind(t, "Create(short reader)", err, docstorage.Invalid)
	if _, err := s.Stat(ctx(t), "keys/b"); docstorage.KindOf(err) != docstorage.NotFound {
		t.Errorf("Stat after a failed Create = %v; want not found", err)
	}
	wantKind(t, "Create(invalid key)", s.Create(ctx(t), "../x", bytes.NewReader(data), int64(len(data)), docstorage.Meta{}), docstorage.Invalid)
	if err := s.Delete(ctx(t), "keys/a"); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx(t), "keys/a", bytes.NewReader(other), int64(len(other)), docstorage.Meta{}); err != nil {
		t.Errorf("Create after Delete = %v; want nil", err)
	}
}

// testConcurrentCreates: of concurrent Creates of one key exactly one wins,
// and the stored object is the winner's.
func testConcurrentCreates(t *testing.T, s docstorage.Store) {
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := bytes.Repeat([]byte{byte('a' + i)}, 64)
			errs[i] = s.Create(ctx(t), "race/key", bytes.NewReader(b), int64(len(b)), docstorage.Meta{})
		}()
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch docstorage.KindOf(err) {
		case "":
			if winner >= 0 {
				t.Fatalf("Creates %d and %d both succeeded", winner, i)
			}
			winner = i
		case docstorage.Conflict:
		default:
			t.Errorf("Create %d = %v; want nil or conflict", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no Create succeeded")
	}
	if got := read(t, s, "race/key", 0, -1); !bytes.Equal(got, bytes.Repeat([]byte{byte('a' + winner)}, 64)) {
		t.Errorf("stored object is not the winner's")
	}
}
