package e2e

// The PostgreSQL side of TestSecretBallotsOnDisk: a real PostgreSQL 15 (a
// process of its own, internal/pgtest) and a real MinIO for the documents,
// the archives and the ballot keys (the server refuses PostgreSQL without
// object storage). What the attacker copies, besides the server's data
// directory and log:
//   - the heap files of the ballot box and of the event log, read page by
//     page (line pointers, tuple headers, live and dead tuples, free space),
//     after a CHECKPOINT (the operator may run one to flush shared buffers);
//   - every WAL segment in pg_wal (recycled ones too), searched byte by byte,
//     with pg_waldump's record list for the transaction of each position;
//   - a pg_dump of the ballot box and the events (rows in heap order);
//   - every object of the bucket (ballot keys, archives).
// PostgreSQL cannot erase its WAL (it may be archived or streamed for
// ever) nor dead tuples on demand, so the test states what the design
// promises instead of "no stale copy": everything kept of an open secret
// poll is sealed, every sealed copy of a poll has one length, no key
// survives the close, and after the close no order found links voters to
// ballots better than chance for anyone who did not copy the poll's key
// while it was open. See docs/ballots.md.

import (
	"bufio"
	"bytes"
	"context"
	endian "encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/docs-storage/miniotest"
	"github.com/phonghop/phonghop/internal/pgtest"
)

// postgresSecrecyStores returns the PostgreSQL store for the secrecy test.
func postgresSecrecyStores() []secrecyStore {
	pr := &postgresReader{}
	return []secrecyStore{{
		reader: pr,
		env: func(t *testing.T) []string {
			pr.pg = pgtest.Start(t, pgtest.Options{Settings: map[string]string{"max_wal_size": "64MB", "min_wal_size": "32MB"}})
			pr.url = pr.pg.NewDatabase(t)
			mio := miniotest.Start(t)
			pr.s3 = mio.Config(miniotest.RandomBucket("phonghop"))
			return []string{"PHONGHOP_DATABASE_URL=" + pr.url,
				"PHONGHOP_S3_ENDPOINT=" + pr.s3.Endpoint, "PHONGHOP_S3_ACCESS_KEY=" + pr.s3.AccessKey, "PHONGHOP_S3_SECRET_KEY=" + pr.s3.SecretKey,
				"PHONGHOP_S3_BUCKET=" + pr.s3.Bucket, "PHONGHOP_ARCHIVE_RETENTION=1d", "PHONGHOP_ARCHIVE_LOCK_MODE=GOVERNANCE"}
		},
		extra:    func(t *testing.T, c *diskCopy) { pr.copy(t, c) },
		archived: func(string) bool { return len(pr.objects(context.Background(), pr.s3.Bucket+"-archive")) > 0 },
	}}
}

// postgresReader copies and reads what PostgreSQL and the bucket keep.
type postgresReader struct {
	pg  *pgtest.Server
	url string
	s3  docstorage.S3Config
}

func (*postgresReader) name() string { return "postgres" }

func (*postgresReader) owns(path string) bool { return strings.HasPrefix(path, "pg/") }

// copy adds the database's files, WAL, WAL record list and dump, and the
// bucket's objects, to c.
func (pr *postgresReader) copy(t *testing.T, c *diskCopy) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pr.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, `SELECT relname, pg_relation_filepath(oid) FROM pg_class
WHERE relkind = 'r' AND relname IN ('poll_ballots', 'poll_voters', 'events')`)
	if err != nil {
		t.Fatal(err)
	}
	rels := map[string]string{}
	for rows.Next() {
		var name, path string
		rows.Scan(&name, &path)
		rels[name] = path
	}
	rows.Close()
	for name, path := range rels {
		b, err := os.ReadFile(filepath.Join(pr.pg.DataDir, path))
		if err != nil {
			t.Fatal(err)
		}
		c.files["pg/heap/"+name] = b
	}
	// The commit log: which transactions committed (a tuple inserted by a
	// transaction that aborted is dead whatever its header says).
	xacts, _ := os.ReadDir(filepath.Join(pr.pg.DataDir, "pg_xact"))
	for _, e := range xacts {
		if b, err := os.ReadFile(filepath.Join(pr.pg.DataDir, "pg_xact", e.Name())); err == nil {
			c.files["pg/xact/"+e.Name()] = b
		}
	}
	walDir := filepath.Join(pr.pg.DataDir, "pg_wal")
	ents, err := os.ReadDir(walDir)
	if err != nil {
		t.Fatal(err)
	}
	scratch := t.TempDir()
	var segs []string
	for _, e := range ents {
		if len(e.Name()) != 24 || !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(walDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(scratch, e.Name()), b, 0o600)
		c.files["pg/wal/"+e.Name()] = bytes.TrimRight(b, "\x00") // trailing zeros carry nothing
		segs = append(segs, e.Name())
	}
	sort.Strings(segs)
	bin, _ := pgtest.Binaries()
	var lsn string
	conn.QueryRow(ctx, "SELECT pg_walfile_name(pg_current_wal_lsn())").Scan(&lsn)
	if len(segs) > 0 {
		// From the oldest segment to the current one; the records of
		// recycled segments ahead of it are read raw (see read).
		out, _ := exec.Command(filepath.Join(bin, "pg_waldump"), "-p", scratch, segs[0], lsn).Output()
		c.files["pg/waldump.txt"] = out
	}
	dump, err := exec.Command(filepath.Join(bin, "pg_dump"), "--data-only", "--table=poll_ballots", "--table=poll_voters", "--table=events", pr.url).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	c.files["pg/dump.sql"] = dump
	for _, bucket := range []string{pr.s3.Bucket, pr.s3.Bucket + "-archive"} {
		for key, b := range pr.objects(ctx, bucket) {
			name := "s3/" + key
			if bucket != pr.s3.Bucket {
				name = "s3/archives/" + key
			}
			c.files[name] = b
		}
	}
}

// objects returns every object of bucket on the test's MinIO.
func (pr *postgresReader) objects(ctx context.Context, bucket string) map[string][]byte {
	cfg := pr.s3
	cfg.Bucket = bucket
	s3, err := docstorage.NewS3(ctx, cfg)
	if err != nil {
		return nil
	}
	infos, err := s3.List(ctx, "")
	if err != nil {
		return nil
	}
	out := map[string][]byte{}
	for _, in := range infos {
		rc, err := s3.Open(ctx, in.Key, 0, -1)
		if err != nil {
			continue // deleted meanwhile
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		out[in.Key] = b
	}
	return out
}

// heapTuple is one tuple of a heap page.
type heapTuple struct {
	block, item, offset int
	live                bool
	attrs               [][]byte // nil for NULL
}

// xactStatus returns a transaction's status in the commit log pg_xact (two
// bits per transaction: 0 in progress, 1 committed, 2 aborted).
func xactStatus(files map[string][]byte, xid uint32) int {
	const perSegment = 8192 * 4 * 32 // bytes per page × transactions per byte × pages
	b := files[fmt.Sprintf("pg/xact/%04X", xid/perSegment)]
	i := int(xid%perSegment) / 4
	if i >= len(b) {
		return 0
	}
	return int(b[i]>>((xid%4)*2)) & 3
}

// heapTuples parses a heap relation file (8 KB pages: line pointers, tuple
// headers with xmin and xmax, null bitmaps, varlena attributes) and returns
// every tuple a line pointer points to, live or dead; committed tells
// whether a transaction committed.
func heapTuples(file []byte, committed func(xid uint32) bool) []heapTuple {
	const page = 8192
	var out []heapTuple
	for blk := 0; (blk+1)*page <= len(file); blk++ {
		p := file[blk*page : (blk+1)*page]
		lower, upper := int(endian.LittleEndian.Uint16(p[12:])), int(endian.LittleEndian.Uint16(p[14:]))
		if lower < 24 || lower > page || upper > page {
			continue
		}
		for i, off := 0, 24; off+4 <= lower; i, off = i+1, off+4 {
			v := endian.LittleEndian.Uint32(p[off:])
			lpOff, lpFlags, lpLen := int(v&0x7fff), (v>>15)&3, int(v>>17)
			if lpFlags != 1 || lpLen < 23 || lpOff+lpLen > page {
				continue // unused, redirect or dead without storage
			}
			t := p[lpOff : lpOff+lpLen]
			xmin, xmax := endian.LittleEndian.Uint32(t[0:]), endian.LittleEndian.Uint32(t[4:])
			infomask2, infomask := endian.LittleEndian.Uint16(t[18:]), endian.LittleEndian.Uint16(t[20:])
			hoff := int(t[22])
			natts := int(infomask2 & 0x07ff)
			// Live: inserted by a committed transaction, and not deleted by
			// one (no xmax, a lock only, or a deleter that aborted).
			live := (xmin == 2 || committed(xmin)) && (xmax == 0 || infomask&0x0080 != 0 || !committed(xmax))
			if hoff > len(t) {
				continue
			}
			present := func(a int) bool {
				if infomask&0x0001 == 0 { // no nulls
					return true
				}
				return t[23+a/8]&(1<<(a%8)) != 0
			}
			ht := heapTuple{block: blk, item: i + 1, offset: lpOff, live: live}
			cur := hoff
			for a := 0; a < natts && cur < len(t); a++ {
				if !present(a) {
					ht.attrs = append(ht.attrs, nil)
					continue
				}
				if t[cur] != 0 && t[cur]&1 == 1 && t[cur] != 1 { // a 1-byte varlena header
					n := int(t[cur] >> 1)
					if cur+n > len(t) {
						break
					}
					ht.attrs = append(ht.attrs, t[cur+1:cur+n])
					cur += n
					continue
				}
				cur = (cur + 3) &^ 3 // a 4-byte header is int-aligned
				if cur+4 > len(t) {
					break
				}
				n := int(endian.LittleEndian.Uint32(t[cur:]) >> 2)
				if n < 4 || cur+n > len(t) {
					break // compressed or odd: not the columns read here
				}
				ht.attrs = append(ht.attrs, t[cur+4:cur+n])
				cur += n
			}
			out = append(out, ht)
		}
	}
	return out
}

var (
	walRecord  = regexp.MustCompile(`tx:\s+(\d+), lsn: ([0-9A-F]+)/([0-9A-F]+)`)
	copyHeader = regexp.MustCompile(`^COPY public\.(\w+) \(([^)]*)\) FROM stdin;$`)
)

// read extracts what the copy keeps of poll p of meeting m.
func (pr *postgresReader) read(t *testing.T, c *diskCopy, m, p string, known *knowledge, polls []string) *evidence {
	ev := newEvidence()
	// The heap.
	for _, rel := range []string{"poll_voters", "poll_ballots"} {
		committed := func(xid uint32) bool { return xactStatus(c.files, xid) == 1 }
		for _, tu := range heapTuples(c.files["pg/heap/"+rel], committed) {
			if len(tu.attrs) < 4 || string(tu.attrs[0]) != m || string(tu.attrs[1]) != p {
				continue
			}
			a := appearance{file: "heap", frame: -1, page: uint32(tu.block), offset: tu.offset, cell: tu.item, current: tu.live, pos: int64(tu.block)*8192 + int64(tu.offset)}
			if rel == "poll_voters" {
				see(ev.voters, string(tu.attrs[2]), nil, a)
				ev.voterKeys[string(tu.attrs[2])] = string(tu.attrs[3])
				continue
			}
			if len(tu.attrs) == 5 && tu.attrs[4] != nil {
				see(ev.ballots, hex.EncodeToString(tu.attrs[2]), tu.attrs[4], a)
				if tu.attrs[3] != nil {
					if cont, ok := canonical(tu.attrs[4]); ok {
						ev.named("ballot box", string(tu.attrs[3]), cont)
					}
				}
			}
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
	// The WAL: every segment's bytes, positions turned into LSNs, each
	// position's transaction from pg_waldump's records.
	type rec struct {
		lsn uint64
		xid int
	}
	var recs []rec
	for _, mm := range walRecord.FindAllSubmatch(c.files["pg/waldump.txt"], -1) {
		xid, _ := strconv.Atoi(string(mm[1]))
		hi, _ := strconv.ParseUint(string(mm[2]), 16, 64)
		lo, _ := strconv.ParseUint(string(mm[3]), 16, 64)
		recs = append(recs, rec{hi<<32 | lo, xid})
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].lsn < recs[j].lsn })
	xidAt := func(lsn uint64) int {
		i := sort.Search(len(recs), func(i int) bool { return recs[i].lsn > lsn })
		if i == 0 {
			return 0
		}
		return recs[i-1].xid
	}
	prefix := []byte(m)
	var heapRows []*row
	inHeap := map[string]bool{}
	for _, r := range ev.ballots {
		heapRows = append(heapRows, r)
		inHeap[string(r.data)] = true
	}
	var segs []string
	for name := range c.files {
		if strings.HasPrefix(name, "pg/wal/") {
			segs = append(segs, name)
		}
	}
	sort.Strings(segs)
	for _, name := range segs {
		b := c.files[name]
		seg := strings.TrimPrefix(name, "pg/wal/")
		logNo, _ := strconv.ParseUint(seg[8:16], 16, 64)
		segNo, _ := strconv.ParseUint(seg[16:24], 16, 64)
		base := logNo<<32 | segNo*16<<20
		walApp := func(i int) appearance {
			lsn := base + uint64(i)
			return appearance{file: "wal", frame: int(lsn / 8192), txn: xidAt(lsn), page: uint32(lsn / 8192), offset: int(lsn % 8192), pos: int64(lsn)}
		}
		// Voter rows: meeting, poll, participant, key as 1-byte varlenas.
		for _, i := range indexAll(b, prefix) {
			rest := b[i+len(prefix):]
			if len(rest) < 2+len(p) || int(rest[0]) != (len(p)+1)<<1|1 || string(rest[1:1+len(p)]) != p {
				continue
			}
			rest = rest[1+len(p):]
			if len(rest) < 3 || rest[0]&1 != 1 || rest[1] != 'p' {
				continue
			}
			n := int(rest[0]>>1) - 1
			if n < 2 || n > len(rest)-1 {
				continue
			}
			v := string(rest[1 : 1+n])
			if strings.Trim(v[1:], "0123456789") != "" {
				continue
			}
			see(ev.voters, v, nil, walApp(i))
		}
		// Ballots: each row of the heap by its random ID (unique), every
		// sealed ballot of the poll seen in an earlier copy by its bytes,
		// and the distinctive plain ones.
		for _, r := range heapRows {
			id, _ := hex.DecodeString(r.key)
			for _, i := range indexAll(b, id) {
				r.apps = append(r.apps, walApp(i))
			}
		}
		for h, s := range known.sealed[p] {
			if inHeap[string(s)] {
				continue // found by its row's ID
			}
			for _, i := range indexAll(b, s[:min(len(s), 29)]) {
				see(ev.ballots, "sealed:"+h[:16], s, walApp(i))
			}
		}
		for cont := range known.bare[p] {
			for _, i := range indexAll(b, []byte(cont)) {
				ev.remnants = append(ev.remnants, remnant{what: "ballot", value: cont, where: "wal", pos: int64(base) + int64(i)})
			}
		}
	}
	// The dump: rows in heap order, and the events.
	readDump(c.files["pg/dump.sql"], m, p, ev)
	return ev
}

// readDump reads pg_dump's COPY blocks: the ballot box's rows (in heap
// order, as dump order) and the poll.voted events.
func readDump(dump []byte, m, p string, ev *evidence) {
	sc := bufio.NewScanner(bytes.NewReader(dump))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	table, cols, i := "", []string(nil), 0
	var order []string
	unhex := func(s string) []byte {
		b, _ := hex.DecodeString(strings.TrimPrefix(s, `\\x`))
		return b
	}
	for sc.Scan() {
		line := sc.Text()
		if mm := copyHeader.FindStringSubmatch(line); mm != nil {
			table, cols, i = mm[1], strings.Split(mm[2], ", "), 0
			continue
		}
		if line == `\.` {
			table = ""
			continue
		}
		if table == "" {
			continue
		}
		f := strings.Split(line, "\t")
		col := func(name string) string {
			for k, c := range cols {
				if c == name && k < len(f) {
					return f[k]
				}
			}
			return ""
		}
		i++
		if col("meeting_id") != m {
			continue
		}
		a := appearance{file: "dump", frame: -1, current: true, pos: int64(i)}
		switch table {
		case "poll_voters":
			if col("poll") == p {
				see(ev.voters, col("participant"), nil, a)
			}
		case "poll_ballots":
			if col("poll") == p {
				see(ev.ballots, hex.EncodeToString(unhex(col("id"))), unhex(col("ballot")), a)
			}
		case "events":
			if col("type") != "poll.voted" {
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
			if json.Unmarshal(unhex(col("data")), &v) != nil || v.Poll != p {
				continue
			}
			for _, x := range v.Voters {
				order = append(order, x.Participant)
				if x.Choice != "" || x.Spoiled {
					b, _ := json.Marshal(map[string]any{"choice": x.Choice, "spoiled": x.Spoiled})
					if cont, ok := canonical(b); ok {
						ev.named("event log", x.Participant, cont)
					}
				}
			}
		}
	}
	if len(order) > 0 {
		ev.voterOrders["event log (poll.voted, from the dump)"] = order
	}
}
