package e2e

import (
	"bytes"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/phonghop/phonghop/internal/sqlitefile"
	"github.com/phonghop/phonghop/server/ballotseal"
)

// sqliteReader reads a copy of the SQLite store: phonghop.db and its WAL,
// page by page with package sqlitefile (never through SQLite for the
// physical layer), and the event log through SQLite (the logical layer,
// which is meant to be read).
type sqliteReader struct{}

func (sqliteReader) name() string { return "sqlite" }

func (sqliteReader) owns(path string) bool { return path == "phonghop.db" || path == "phonghop.db-wal" }

func (sqliteReader) read(t *testing.T, c *diskCopy, meetingID, poll string, known *knowledge, polls []string) *evidence {
	ev := newEvidence()
	file, wal := c.files["phonghop.db"], c.files["phonghop.db-wal"]
	d, err := sqlitefile.Open(file, wal)
	if err != nil {
		t.Fatalf("%s: reading the database: %v", c.name, err)
	}
	pageSize := int64(d.Header.PageSize)
	txnOf := map[int]int{}
	if d.WAL != nil {
		for _, f := range d.WAL.Frames {
			txnOf[f.Index] = f.Txn
		}
	}
	prefix := []byte(meetingID + poll)
	// Other polls whose ID starts with this one's: their rows are not ours.
	var longer [][]byte
	for _, p := range polls {
		if p != poll && strings.HasPrefix(p, poll) {
			longer = append(longer, []byte(meetingID+p))
		}
	}
	ballots := known.bare[poll]

	// remnants finds the poll's rows in raw bytes: the body of a ballot
	// or voter record survives in free space with only its first bytes
	// overwritten (a freeblock header), so look for meeting ID + poll ID
	// and read what follows, as the record's body would go on.
	remnants := func(where string, data []byte, base int64) {
		for _, i := range indexAll(data, prefix) {
			rest := data[i+len(prefix):]
			skip := false
			for _, l := range longer {
				if bytes.HasPrefix(data[i:], l) {
					skip = true
				}
			}
			if skip {
				continue
			}
			switch {
			case len(rest) > 29 && ballotseal.Sealed(rest) && nonZero(rest[1:29]) >= 16:
				// A sealed_ballots row (meeting, poll, ballot): a random
				// nonce and ciphertext follow the version byte. (Checked
				// first: byte 16 of a sealed ballot may be anything.)
				ev.remnants = append(ev.remnants, remnant{what: "ballot", value: "sealed:" + hex.EncodeToString(rest[:29]), where: where, pos: base + int64(i)})
			case len(rest) > 0 && rest[0] == '{':
				// A closed poll's row (meeting, poll, ballot).
				if end := jsonEnd(rest); end > 0 {
					if cont, ok := canonical(rest[:end]); ok {
						ev.remnants = append(ev.remnants, remnant{what: "ballot", value: cont, where: where, pos: base + int64(i)})
						continue
					}
				}
				ev.remnants = append(ev.remnants, remnant{what: "ballot", value: "partial:" + hex.EncodeToString(rest[:min(len(rest), 32)]), where: where, pos: base + int64(i)})
			case len(rest) > 16 && rest[16] == '{':
				if end := jsonEnd(rest[16:]); end > 0 {
					if cont, ok := canonical(rest[16 : 16+end]); ok {
						ev.remnants = append(ev.remnants, remnant{what: "ballot", value: cont, where: where, pos: base + int64(i)})
						continue
					}
				}
				ev.remnants = append(ev.remnants, remnant{what: "ballot", value: "partial:" + hex.EncodeToString(rest[16:min(len(rest), 48)]), where: where, pos: base + int64(i)})
			case len(rest) > 16+29 && ballotseal.Sealed(rest[16:]) && nonZero(rest[17:16+29]) >= 16:
				// A sealed ballot: a random nonce and ciphertext follow.
				ev.remnants = append(ev.remnants, remnant{what: "ballot", value: "sealed:" + hex.EncodeToString(rest[16:16+29]), where: where, pos: base + int64(i)})
			case len(rest) > 1 && rest[0] == 'p' && rest[1] >= '0' && rest[1] <= '9':
				// The participant's serial type is two bytes before the
				// body (meeting, poll, participant, key: one byte each).
				v := ""
				if i >= 2 {
					if st := int(data[i-2]); st >= 15 && st%2 == 1 && (st-13)/2 <= len(rest) {
						v = string(rest[:(st-13)/2])
					}
				}
				if v == "" || strings.Trim(v[1:], "0123456789") != "" {
					j := 1
					for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
						j++
					}
					v = string(rest[:j]) + "?"
				}
				ev.remnants = append(ev.remnants, remnant{what: "voter", value: v, where: where, pos: base + int64(i)})
			}
		}
		// Known ballots anywhere in these bytes (also a ballot whose
		// record prefix was overwritten).
		for b := range ballots {
			for _, j := range indexAll(data, []byte(b)) {
				if j >= len(prefix)+16 && bytes.Equal(data[j-16-len(prefix):j-16], prefix) {
					continue // found above with its record prefix
				}
				ev.remnants = append(ev.remnants, remnant{what: "ballot", value: b, where: where + " (bare)", pos: base + int64(j)})
			}
		}
		for h, s := range known.sealed[poll] {
			for _, j := range indexAll(data, s[:min(len(s), 29)]) {
				if j >= len(prefix)+16 && bytes.Equal(data[j-16-len(prefix):j-16], prefix) {
					continue
				}
				ev.remnants = append(ev.remnants, remnant{what: "ballot", value: "sealed:" + h[:58], where: where + " (bare)", pos: base + int64(j)})
			}
		}
	}

	for _, v := range d.Versions {
		file, base := "db", int64(v.Page-1)*pageSize
		if v.Frame >= 0 {
			file, base = "wal", d.WAL.Frames[v.Frame].Offset+sqlitefile.FrameHeaderSize
		}
		if v.OnFreelist {
			remnants(file+":freelist", v.Data, base)
			continue
		}
		p, err := sqlitefile.ParsePage(v.Data, v.Page == 1, d.Usable())
		if err != nil {
			if !isZero(v.Data) {
				remnants(file+":other", v.Data, base)
			}
			continue
		}
		for _, cell := range p.Cells {
			payload, err := sqlitefile.Payload(cell, d.Usable(), d.Page)
			if err != nil && !v.Current {
				payload = cell.Local
			}
			vals, err := sqlitefile.Record(payload)
			if err != nil || len(vals) < 3 || string(vals[0].Bytes) != meetingID || string(vals[1].Bytes) != poll {
				continue
			}
			a := appearance{file: file, frame: v.Frame, txn: txnOf[v.Frame], page: v.Page, offset: cell.Offset, cell: cell.Index, current: v.Current, pos: base + int64(cell.Offset)}
			if v.Frame < 0 {
				a.txn = 0
			}
			switch {
			case len(vals) == 3 && p.Kind == sqlitefile.TableLeaf:
				// sealed_ballots (an open secret poll's) or closed_ballots
				// (a closed one's, opened): rowid tables.
				table := "closed"
				if ballotseal.Sealed(vals[2].Bytes) {
					table = "sealed"
				}
				see(ev.ballots, fmt.Sprintf("%s:%d", table, cell.Rowid), vals[2].Bytes, a)
			case len(vals) == 5 && vals[2].Blob():
				id := hex.EncodeToString(vals[2].Bytes)
				see(ev.ballots, id, vals[4].Bytes, a)
				if vals[3].Text() {
					if c, ok := canonical(vals[4].Bytes); ok {
						ev.named("ballot box", string(vals[3].Bytes), c)
					}
				}
			case len(vals) == 4 && vals[2].Text() && vals[3].Text():
				see(ev.voters, string(vals[2].Bytes), nil, a)
				ev.voterKeys[string(vals[2].Bytes)] = string(vals[3].Bytes)
			}
		}
		where := file + ":free"
		if !v.Current {
			where = file + ":old"
			remnants(where, v.Data, base)
			continue
		}
		for _, r := range p.Free() {
			remnants(where, v.Data[r.Start:r.End], base+int64(r.Start))
		}
	}
	for _, r := range ev.ballots {
		for _, a := range r.apps {
			if a.current {
				ev.live++
				break
			}
		}
	}
	readEvents(t, c, meetingID, poll, ev)
	return ev
}

// readEvents reads the meeting's event log from the copy through SQLite (a
// scratch copy of the files: opening it may replay the WAL) for the order in
// which voters were recorded and, for an open poll, their choices.
func readEvents(t *testing.T, c *diskCopy, meetingID, poll string, ev *evidence) {
	dir := t.TempDir()
	for _, n := range []string{"phonghop.db", "phonghop.db-wal"} {
		if b, ok := c.files[n]; ok {
			if err := os.WriteFile(filepath.Join(dir, n), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "phonghop.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT type, data FROM events WHERE meeting_id = ? ORDER BY seq", meetingID)
	if err != nil {
		ev.notes = append(ev.notes, fmt.Sprintf("events unreadable: %v", err))
		return
	}
	defer rows.Close()
	var order []string
	for rows.Next() {
		var typ string
		var data []byte
		if err := rows.Scan(&typ, &data); err != nil {
			t.Fatal(err)
		}
		if typ != "poll.voted" {
			continue
		}
		var v struct {
			Poll   string `json:"poll"`
			Voters []struct {
				Participant string `json:"participant"`
				Choice      string `json:"choice"`
				Spoiled     bool   `json:"spoiled"`
			} `json:"voters"`
		}
		if json.Unmarshal(data, &v) != nil || v.Poll != poll {
			continue
		}
		for _, x := range v.Voters {
			order = append(order, x.Participant)
			if x.Choice != "" || x.Spoiled {
				b, _ := json.Marshal(map[string]any{"choice": x.Choice, "spoiled": x.Spoiled})
				if c, ok := canonical(b); ok {
					ev.named("event log", x.Participant, c)
				}
			}
		}
	}
	if len(order) > 0 {
		ev.voterOrders["event log (poll.voted)"] = order
	}
}

// jsonEnd returns the length of the JSON object at the start of b (by
// counting braces outside strings), 0 if it does not end.
func jsonEnd(b []byte) int {
	depth, inStr, esc := 0, false, false
	for i, c := range b {
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
		if i > 64<<10 {
			return 0
		}
	}
	return 0
}

func nonZero(b []byte) int {
	n := 0
	for _, c := range b {
		if c != 0 {
			n++
		}
	}
	return n
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
