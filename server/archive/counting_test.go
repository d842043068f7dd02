package archive_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/archive/archivetest"
)

// countingFixture is an archive of a meeting with two secret polls: its
// minutes and the two vote-counting records.
func countingFixture(t *testing.T) (*archive.Archive, *archive.Key) {
	t.Helper()
	in, err := archivetest.Input("m-kiem-phieu", archivetest.Spec{Delegates: 30, Items: 2, Polls: 1, Secret: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Minutes.Counting) != 2 {
		t.Fatalf("fixture has %d counting records; want 2", len(in.Minutes.Counting))
	}
	key, err := archive.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.Build(in, key)
	if err != nil {
		t.Fatalf("Build = %v", err)
	}
	return a, key
}

// TestCountingRecordsArchived: the counting records of the secret polls are
// in the signed archive (format 2), listed in the manifest after the
// minutes, and Verify checks them like every other file: altered, missing,
// or slipped in unlisted, each is reported.
func TestCountingRecordsArchived(t *testing.T) {
	a, _ := countingFixture(t)
	if a.Manifest.Format != archive.FormatCounting {
		t.Errorf("format = %q; want %q", a.Manifest.Format, archive.FormatCounting)
	}
	var listed []string
	for _, f := range a.Manifest.Files {
		listed = append(listed, f.Name)
	}
	polls := []string{}
	for _, n := range listed[len(archive.ContentFiles):] {
		if filepath.Ext(n) == ".json" {
			polls = append(polls, n)
		}
	}
	if !slices.Equal(listed[:len(archive.ContentFiles)], archive.ContentFiles) || len(listed) != len(archive.ContentFiles)+10 || len(polls) != 2 {
		t.Fatalf("manifest files = %v; want the content files then 2 counting records of 5 files", listed)
	}
	for _, n := range listed[len(archive.ContentFiles):] {
		if len(a.File(n)) == 0 || !archive.KnownName(n) {
			t.Errorf("counting file %s: %d bytes, known %v", n, len(a.File(n)), archive.KnownName(n))
		}
	}
	if pdf := a.File(listed[len(archive.ContentFiles)+3]); !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(a.File(listed[len(archive.ContentFiles)]), []byte(`"count_seq"`)) {
		t.Errorf("the counting record's PDF or JSON is not one")
	}

	dir := writeDir(t, a)
	if r := verify(t, archive.DirSource(dir), archive.Options{}); !r.OK() {
		t.Fatalf("Verify(fresh archive with counting records) = %v; want no problem", r.Problems)
	}
	// The zip holds the same files and verifies.
	var zb bytes.Buffer
	if err := a.WriteZip(&zb); err != nil {
		t.Fatal(err)
	}
	zs, err := archive.ZipReaderSource(bytes.NewReader(zb.Bytes()), int64(zb.Len()), "zip")
	if err != nil {
		t.Fatal(err)
	}
	if r := verify(t, zs, archive.Options{}); !r.OK() {
		t.Fatalf("Verify(zip) = %v", r.Problems)
	}

	pdf := listed[len(archive.ContentFiles)+3]
	for _, tc := range []struct {
		name   string
		tamper func(dir string)
		file   string
		code   string
	}{
		{"a counting PDF altered", func(dir string) {
			p := filepath.Join(dir, pdf)
			b, _ := os.ReadFile(p)
			b[len(b)/2] ^= 1
			os.Chmod(p, 0o644)
			os.WriteFile(p, b, 0o644)
		}, pdf, archive.CodeHash},
		{"a counting record removed", func(dir string) { os.Remove(filepath.Join(dir, pdf)) }, pdf, archive.CodeMissing},
		{"a counting record slipped in", func(dir string) {
			os.WriteFile(filepath.Join(dir, "counting-v9999.json"), []byte("{}"), 0o644)
		}, "counting-v9999.json", archive.CodeExtra},
	} {
		d := filepath.Join(t.TempDir(), "a")
		if err := a.WriteDir(d); err != nil {
			t.Fatal(err)
		}
		tc.tamper(d)
		r := verify(t, archive.DirSource(d), archive.Options{})
		found := false
		for _, p := range r.Problems {
			if p.File == tc.file && p.Code == tc.code {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: problems = %v; want %s on %s", tc.name, r.Problems, tc.code, tc.file)
		}
	}
}

// TestCountingStore: the store writes and zips an archive with counting
// records (the names come from its manifest), and a stored manifest naming
// a file outside the format is refused when zipping.
func TestCountingStore(t *testing.T) {
	in, err := archivetest.Input("m-kiem-phieu", archivetest.Spec{Delegates: 12, Items: 1, Polls: 0, Secret: 1})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := archive.NewKey()
	st, err := archive.OpenLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := st.Write(ctx, in, key); err != nil {
		t.Fatal(err)
	}
	if r := verify(t, st.Source(in.Meeting.ID, in.Revision), archive.Options{}); !r.OK() {
		t.Fatalf("Verify(stored) = %v", r.Problems)
	}
	var zb bytes.Buffer
	if err := st.WriteZip(ctx, &zb, in.Meeting.ID, in.Revision, in.Created); err != nil {
		t.Fatal(err)
	}
	zs, err := archive.ZipReaderSource(bytes.NewReader(zb.Bytes()), int64(zb.Len()), "zip")
	if err != nil {
		t.Fatal(err)
	}
	names, _ := zs.Names(ctx)
	if len(names) != len(archive.AllFiles)+5 {
		t.Errorf("zip holds %d files; want %d", len(names), len(archive.AllFiles)+5)
	}
	for _, bad := range []string{"../../etc/passwd", "counting-x1.json", "counting-v1.exe", "minutes.txt"} {
		if archive.KnownName(bad) {
			t.Errorf("KnownName(%q) = true", bad)
		}
	}
}
