package archive_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/archive/archivetest"
)

// TestEntryLogsArchived: a paper poll's entry log (docs/paper.md) follows
// its counting record in the manifest (format 3), verifies like every
// other file, and an altered, removed or slipped-in entry log is reported.
func TestEntryLogsArchived(t *testing.T) {
	in, err := archivetest.Input("m-phieu-giay", archivetest.Spec{Delegates: 20, Items: 1, Polls: 0, Secret: 2})
	if err != nil {
		t.Fatal(err)
	}
	c := &in.Minutes.Counting[1]
	c.EntriesJSON, c.EntriesHTML, c.EntriesPDF = []byte(`{"rows":[]}`+"\n"), []byte("<html></html>"), []byte("%PDF-1.7 entry log")
	// The counting record prints the entry log's hash (minutes.PaperSummary).
	c.JSON = []byte(fmt.Sprintf(`{"poll":{"id":%q},"paper":{"log_hash":%q}}`+"\n", c.Poll, sha(c.EntriesJSON)))
	key, _ := archive.NewKey()
	a, err := archive.Build(in, key)
	if err != nil {
		t.Fatal(err)
	}
	if a.Manifest.Format != archive.FormatPaper {
		t.Errorf("format = %q; want %q", a.Manifest.Format, archive.FormatPaper)
	}
	var listed []string
	for _, f := range a.Manifest.Files {
		listed = append(listed, f.Name)
	}
	want := slices.Concat(archive.ContentFiles, archive.CountingNames(in.Minutes.Counting[0].Poll), archive.CountingNames(c.Poll), archive.EntryNames(c.Poll))
	if !slices.Equal(listed, want) {
		t.Fatalf("manifest lists %v; want %v", listed, want)
	}
	dir := writeDir(t, a)
	if r := verify(t, archive.DirSource(dir), archive.Options{}); !r.OK() {
		t.Fatalf("Verify(archive with an entry log) = %v", r.Problems)
	}
	entries := archive.EntryNames(c.Poll)[0]
	for _, tc := range []struct {
		name   string
		tamper func(dir string)
		file   string
		code   string
	}{
		{"the entry log altered", func(dir string) {
			p := filepath.Join(dir, entries)
			os.Chmod(p, 0o644)
			os.WriteFile(p, []byte(`{"rows":[{"seq":1}]}`+"\n"), 0o644)
		}, entries, archive.CodeHash},
		{"the entry log removed", func(dir string) { os.Remove(filepath.Join(dir, entries)) }, entries, archive.CodeMissing},
		{"an entry log slipped in", func(dir string) {
			os.WriteFile(filepath.Join(dir, "entries-v9999.json"), []byte("{}"), 0o644)
		}, "entries-v9999.json", archive.CodeExtra},
	} {
		d := filepath.Join(t.TempDir(), "a")
		if err := a.WriteDir(d); err != nil {
			t.Fatal(err)
		}
		tc.tamper(d)
		found := false
		for _, p := range verify(t, archive.DirSource(d), archive.Options{}).Problems {
			found = found || (p.File == tc.file && p.Code == tc.code)
		}
		if !found {
			t.Errorf("%s: not reported as %s on %s", tc.name, tc.code, tc.file)
		}
	}
	// A counting record that prints another hash than its log's, signed as
	// it is, is reported: the two are made together.
	c.JSON = []byte(fmt.Sprintf(`{"paper":{"log_hash":%q}}`+"\n", sha([]byte("another log"))))
	b, err := archive.Build(in, key)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range verify(t, archive.DirSource(writeDir(t, b)), archive.Options{}).Problems {
		found = found || (p.File == entries && p.Code == archive.CodeEntryLog)
	}
	if !found {
		t.Errorf("a counting record printing another entry-log hash is not reported")
	}
}
