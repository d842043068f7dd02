package docstorage_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/docs-storage/storagetest"
)

func newFS(t *testing.T) *docstorage.FS {
	t.Helper()
	s, err := docstorage.NewFS(t.TempDir())
	if err != nil {
		t.Fatalf("NewFS = %v; want nil", err)
	}
	return s
}

func TestFSConformance(t *testing.T) {
	storagetest.Test(t, func(t *testing.T) docstorage.Store { return newFS(t) })
}

// TestFSNoLeftovers checks that failed and successful Puts leave no
// temporary files, and that List ignores foreign files in the tree.
func TestFSNoLeftovers(t *testing.T) {
	s := newFS(t)
	ctx := t.Context()
	if err := s.Put(ctx, "a/b", strings.NewReader("hello"), 5, docstorage.Meta{}); err != nil {
		t.Fatalf("Put = %v; want nil", err)
	}
	if err := s.Put(ctx, "a/c", strings.NewReader("hi"), 5, docstorage.Meta{}); docstorage.KindOf(err) != docstorage.Invalid {
		t.Fatalf("short Put = %v; want kind invalid", err)
	}
	entries, err := os.ReadDir(filepath.Join(s.Dir(), "tmp"))
	if err != nil || len(entries) != 0 {
		t.Errorf("tmp dir has %d entries (%v); want 0", len(entries), err)
	}
	// Foreign files and a stray directory are not objects.
	os.WriteFile(filepath.Join(s.Dir(), "objects", "a", "notes.txt"), []byte("x"), 0o600)
	os.WriteFile(filepath.Join(s.Dir(), "objects", "a", "bad key@obj"), []byte("x"), 0o600)
	os.MkdirAll(filepath.Join(s.Dir(), "objects", "a", "d@obj"), 0o750)
	infos, err := s.List(ctx, "")
	if err != nil || len(infos) != 1 || infos[0].Key != "a/b" {
		t.Errorf("List = %+v, %v; want just a/b", infos, err)
	}
}

// TestFSStaleTemps checks that NewFS removes old temporary files only.
func TestFSStaleTemps(t *testing.T) {
	dir := t.TempDir()
	if _, err := docstorage.NewFS(dir); err != nil {
		t.Fatal(err)
	}
	oldTmp := filepath.Join(dir, "tmp", "put-old")
	newTmp := filepath.Join(dir, "tmp", "put-new")
	for _, p := range []string{oldTmp, newTmp} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-2 * time.Hour)
	os.Chtimes(oldTmp, past, past)
	if _, err := docstorage.NewFS(dir); err != nil {
		t.Fatalf("NewFS = %v; want nil", err)
	}
	if _, err := os.Stat(oldTmp); !os.IsNotExist(err) {
		t.Errorf("stale temp file: Stat = %v; want not exist", err)
	}
	if _, err := os.Stat(newTmp); err != nil {
		t.Errorf("fresh temp file: Stat = %v; want it kept", err)
	}
}

// TestFSCorruptObject checks that a damaged object file is an Internal
// error, not garbage data.
func TestFSCorruptObject(t *testing.T) {
	s := newFS(t)
	ctx := t.Context()
	if err := s.Put(ctx, "c", strings.NewReader("0123456789"), 10, docstorage.Meta{}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(s.Dir(), "objects", "c@obj")
	if err := os.Truncate(p, mustSize(t, p)-1); err != nil {
		t.Fatal(err)
	}
	_, err := s.Stat(ctx, "c")
	if got := docstorage.KindOf(err); got != docstorage.Internal {
		t.Errorf("Stat(truncated) kind = %q (%v); want %q", got, err, docstorage.Internal)
	}
}

func mustSize(t *testing.T, p string) int64 {
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// TestFSStreams checks that Put does not hold the object in memory.
func TestFSStreams(t *testing.T) {
	s := newFS(t)
	const size = 20 << 20
	r := io.LimitReader(zeroReader{}, size)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if err := s.Put(t.Context(), "big", r, size, docstorage.Meta{}); err != nil {
		t.Fatalf("Put = %v; want nil", err)
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 8<<20 {
		t.Errorf("Put of %d bytes allocated %d bytes; want < 8 MiB (streaming)", size, got)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestFSContextDuringRead checks that reads stop once the context ends.
func TestFSContextDuringRead(t *testing.T) {
	s := newFS(t)
	if err := s.Put(t.Context(), "k", bytes.NewReader(make([]byte, 100)), 100, docstorage.Meta{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	rc, err := s.Open(ctx, "k", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	cancel()
	if _, err := io.ReadAll(rc); err != context.Canceled {
		t.Errorf("ReadAll after cancel = %v; want %v", err, context.Canceled)
	}
}
