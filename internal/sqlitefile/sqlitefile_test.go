package sqlitefile_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/phonghop/phonghop/internal/sqlitefile"
)

// build makes a real database with SQLite (the modernc driver the server
// uses): a WITHOUT ROWID table like the ballot box's and a rowid table with
// rows big enough to overflow, then deletes some rows. It returns the
// database and copies of its file and WAL taken while it is open.
func build(t *testing.T, secureDelete bool) (*sql.DB, []byte, []byte, map[string]string, []string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.db")
	sd := 0
	if secureDelete {
		sd = 1
	}
	db, err := sql.Open("sqlite", fmt.Sprintf("%s?_pragma=journal_mode(WAL)&_pragma=secure_delete(%d)&_pragma=wal_autocheckpoint(0)", path, sd))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec("CREATE TABLE box (meeting TEXT NOT NULL, poll TEXT NOT NULL, id BLOB NOT NULL, who TEXT, ballot BLOB NOT NULL, PRIMARY KEY (meeting, poll, id)) STRICT, WITHOUT ROWID")
	exec("CREATE TABLE log (seq INTEGER PRIMARY KEY, data TEXT NOT NULL)")
	rows := map[string]string{} // id (hex) → ballot
	var deleted []string
	for i := 0; i < 400; i++ {
		id := fmt.Sprintf("%016x", uint64(i)*0x9e3779b97f4a7c15)
		ballot := fmt.Sprintf(`{"kept":["c%d","c%d"],"n":%d}`, i%7, i%11, i)
		exec("INSERT INTO box VALUES ('m1', 'v2', ?, NULL, ?)", []byte(id), []byte(ballot))
		rows[id] = ballot
		exec("INSERT INTO log (data) VALUES (?)", strings.Repeat(fmt.Sprintf("event %d;", i), 1+(i%5)*300))
	}
	for i := 0; i < 400; i += 3 {
		id := fmt.Sprintf("%016x", uint64(i)*0x9e3779b97f4a7c15)
		exec("DELETE FROM box WHERE id = ?", []byte(id))
		deleted = append(deleted, rows[id])
		delete(rows, id)
	}
	exec("DELETE FROM log WHERE seq % 4 = 0")
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wal, err := os.ReadFile(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	return db, file, wal, rows, deleted
}

// TestReadsWhatSQLiteWrote: the live cells this reader finds are exactly the
// rows SQLite returns, its freelist is SQLite's, and its WAL transactions are
// the commits made.
func TestReadsWhatSQLiteWrote(t *testing.T) {
	db, file, wal, rows, _ := build(t, false)
	d, err := sqlitefile.Open(file, wal)
	if err != nil {
		t.Fatal(err)
	}
	roots, err := d.Schema()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, n := range d.Tree(roots["box"]) {
		p, err := sqlitefile.ParsePage(d.Page(n), n == 1, d.Usable())
		if err != nil {
			t.Fatalf("page %d: %v", n, err)
		}
		// An index b-tree (a WITHOUT ROWID table) keeps entries in its
		// interior cells too.
		for _, c := range p.Cells {
			vals, err := sqlitefile.Record(c.Local)
			if err != nil || len(vals) != 5 {
				t.Fatalf("page %d cell %d: %v (%d values)", n, c.Index, err, len(vals))
			}
			got[string(vals[2].Bytes)] = string(vals[4].Bytes)
		}
	}
	if len(got) != len(rows) {
		t.Errorf("parsed %d rows of box; SQLite holds %d", len(got), len(rows))
	}
	for id, b := range rows {
		if got[id] != b {
			t.Errorf("row %s = %q; want %q", id, got[id], b)
		}
	}
	// The rowid table, with overflow pages.
	var want []string
	r, err := db.Query("SELECT data FROM log ORDER BY seq")
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var s string
		r.Scan(&s)
		want = append(want, s)
	}
	r.Close()
	var logRows []string
	for _, n := range d.Tree(roots["log"]) {
		p, err := sqlitefile.ParsePage(d.Page(n), n == 1, d.Usable())
		if err != nil || p.Interior() {
			continue
		}
		for _, c := range p.Cells {
			payload, err := sqlitefile.Payload(c, d.Usable(), d.Page)
			if err != nil {
				t.Fatal(err)
			}
			vals, err := sqlitefile.Record(payload)
			if err != nil {
				t.Fatal(err)
			}
			logRows = append(logRows, string(vals[1].Bytes))
		}
	}
	if !slices.Equal(logRows, want) {
		t.Errorf("parsed %d log rows; SQLite returns %d (or they differ)", len(logRows), len(want))
	}
	var free int
	db.QueryRow("PRAGMA freelist_count").Scan(&free)
	if n := len(d.Trunks) + len(d.Leaves); n != free || d.Header.FreelistCount != free {
		t.Errorf("freelist: %d pages (header %d); SQLite says %d", n, d.Header.FreelistCount, free)
	}
	// 2 CREATEs, 800 INSERTs, 134 + 1 DELETEs: one transaction each.
	txns := 0
	for _, f := range d.WAL.Frames {
		if !f.Valid || !f.Committed {
			t.Fatalf("frame %d: valid %v committed %v; every frame of a clean WAL is both", f.Index, f.Valid, f.Committed)
		}
		txns = max(txns, f.Txn)
	}
	if txns != 2+800+134+1 {
		t.Errorf("%d transactions in the WAL; want %d", txns, 2+800+134+1)
	}
}

// TestFindsDeletedCells: without secure_delete the deleted rows stay in the
// files, where the reader finds them (in free space of current pages or in
// older page images); with it, the current pages keep none of them.
func TestFindsDeletedCells(t *testing.T) {
	for _, secure := range []bool{false, true} {
		t.Run(fmt.Sprintf("secure_delete=%v", secure), func(t *testing.T) {
			_, file, wal, _, deleted := build(t, secure)
			d, err := sqlitefile.Open(file, wal)
			if err != nil {
				t.Fatal(err)
			}
			inFree, inOld := 0, 0
			for _, b := range deleted {
				for _, v := range d.Versions {
					if !v.Current {
						if bytes.Contains(v.Data, []byte(b)) {
							inOld++
						}
						continue
					}
					p, err := sqlitefile.ParsePage(v.Data, v.Page == 1, d.Usable())
					if err != nil {
						continue
					}
					for _, r := range p.Free() {
						if bytes.Contains(v.Data[r.Start:r.End], []byte(b)) {
							inFree++
						}
					}
				}
			}
			t.Logf("%d deleted rows: %d copies in free space of current pages, %d in older page images", len(deleted), inFree, inOld)
			if secure && inFree != 0 {
				t.Errorf("secure_delete: %d deleted rows found in free space of current pages; want 0", inFree)
			}
			if !secure && inFree == 0 {
				t.Error("without secure_delete no deleted row was found in free space: the reader misses free space")
			}
			if inOld == 0 {
				t.Error("no deleted row in older page images (the WAL keeps them): the reader misses old frames")
			}
		})
	}
}

func TestVarint(t *testing.T) {
	for _, c := range []struct {
		in   []byte
		want uint64
		n    int
	}{
		{[]byte{0x05}, 5, 1},
		{[]byte{0x81, 0x00}, 128, 2},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, ^uint64(0), 9},
		{[]byte{0x81}, 0, 0},
	} {
		if v, n := sqlitefile.Varint(c.in); v != c.want || n != c.n {
			t.Errorf("Varint(%x) = %d, %d; want %d, %d", c.in, v, n, c.want, c.n)
		}
	}
}
