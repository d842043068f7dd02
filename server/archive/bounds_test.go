package archive_test

import (
	"archive/zip"
	"bytes"
	"context"
	"runtime"
	"testing"

	"github.com/phonghop/phonghop/server/archive"
)

// TestVerifyZipBombBoundedMemory gives Verify a 140 KB zip whose
// minutes.vi.pdf inflates to 64 MiB of zeros (a zip bomb, as anyone can
// hand to `phonghop verify`): the verdict must name the file, and Verify
// must stream it (hash as it reads) instead of holding it in memory.
func TestVerifyZipBombBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("inflates 64 MiB")
	}
	a, _ := fuzzArchive()
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	zeros := make([]byte, 1<<20)
	for _, n := range archive.AllFiles {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if n != archive.FileMinutesVIP {
			w.Write(a.File(n))
			continue
		}
		for range 64 {
			w.Write(zeros)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	src, err := archive.ZipReaderSource(bytes.NewReader(zb.Bytes()), int64(zb.Len()), "bomb.zip")
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r, err := archive.Verify(context.Background(), src, archive.Options{})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if r.OK() || len(r.Problems) != 2 || r.Problems[0].File != archive.FileMinutesVIP || r.Problems[1].File != archive.FileMinutesVIP {
		t.Errorf("Verify(bomb) problems = %v; want the size and hash of %s", r.Problems, archive.FileMinutesVIP)
	}
	// Hashing 64 MiB as it streams allocates little; reading it whole
	// allocates at least the 64 MiB (about twice, as the buffer grows).
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("Verify allocated %.1f MiB", float64(alloc)/(1<<20))
	if alloc > 32<<20 {
		t.Errorf("Verify allocated %d MiB for a %d KB zip; want it to stream (under 32 MiB)", alloc>>20, zb.Len()>>10)
	}
}
