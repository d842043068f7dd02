package e2e

// The attacker of TestSecretBallotsOnDisk: what it collects from raw copies
// of a store's files, how it tries to link ballots to voters, and the
// statistics that decide whether it did better than chance.
//
// A store is read by a storeReader (secrecy_sqlite_test.go reads SQLite's
// database file and WAL; a PostgreSQL reader goes beside it, see
// secrecy_postgres_test.go). What does not depend on the store — the
// server's log, the archives, the key files of the documents store — is
// read here.

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/phonghop/phonghop/server/ballotseal"
	"github.com/phonghop/phonghop/server/meeting"
)

// diskCopy is a raw copy of everything the server keeps, taken at one
// moment: every file under its data directory (and, for another store, its
// database's own files and tools' output), and its log output so far.
type diskCopy struct {
	name  string
	files map[string][]byte // path relative to the copied root → bytes
	log   []byte
}

// appearance is one place where a row (a voter's "has voted" row or a
// ballot row) was seen: one cell of one page image.
type appearance struct {
	file    string // "db" (the database file) or "wal"
	frame   int    // WAL frame index, -1 for the database file
	txn     int    // WAL transaction that wrote the image (0 for the file)
	page    uint32
	offset  int   // byte offset of the cell in its page
	cell    int   // index in the page's cell pointer array (key order)
	current bool  // the image a reader sees now
	pos     int64 // byte position in its file
}

// row is one voter row or one ballot row, with every place it was seen.
type row struct {
	key  string // voter: participant ID; ballot: hex of the box's row ID
	data []byte // ballot: the stored bytes (plain JSON or sealed)
	apps []appearance
}

// remnant is a byte pattern of a poll found outside the live rows: a ballot
// (plain or sealed) or a voter row left in free space, an old page image,
// a freelist page, the WAL or a log.
type remnant struct {
	what  string // "ballot" or "voter"
	value string // the ballot's canonical content or sealed hex; the voter
	where string // "db:free", "db:old", "wal", "log", "archive", ...
	pos   int64
}

// evidence is what an attacker extracted from one copy about one poll.
type evidence struct {
	voters  map[string]*row // by participant
	ballots map[string]*row // by row ID
	// live is how many ballot rows the current state holds (one per
	// ballot is the only copy allowed after the close).
	live int
	// voterOrders are orders of voters found in the copy besides rows:
	// events, archives, the log, idempotency keys.
	voterOrders map[string][]string
	// voterKeys are the idempotency keys stored with the voters.
	voterKeys map[string]string
	remnants  []remnant
	// keys are the sealing keys found in the copy, by poll.
	keys map[string]*ballotseal.Key
	// notes are what the reader could not parse (reported, not hidden).
	notes []string
	// names are ballots found with their voter's name (an open poll's, as
	// the rules require), by source: source → voter → content.
	names map[string]map[string]string
}

// named records that source shows voter with ballot content.
func (ev *evidence) named(source, voter, content string) {
	if ev.names[source] == nil {
		ev.names[source] = map[string]string{}
	}
	ev.names[source][voter] = content
}

func newEvidence() *evidence {
	return &evidence{voters: map[string]*row{}, ballots: map[string]*row{}, voterOrders: map[string][]string{},
		voterKeys: map[string]string{}, keys: map[string]*ballotseal.Key{}, names: map[string]map[string]string{}}
}

// see records an appearance of row key in m.
func see(m map[string]*row, key string, data []byte, a appearance) {
	r := m[key]
	if r == nil {
		r = &row{key: key, data: append([]byte(nil), data...)}
		m[key] = r
	}
	r.apps = append(r.apps, a)
}

// storeReader reads one store's raw copy.
type storeReader interface {
	// name is the store ("sqlite", "postgres").
	name() string
	// owns reports whether read reads the copied file at path itself (the
	// generic readers leave it alone).
	owns(path string) bool
	// read extracts what c holds about poll p of meeting m: every row of
	// the ballot box in every page image, remnants of its ballots and
	// voters outside live rows, and the orders of voters in the event log.
	// known lists byte patterns to search for (ballots and sealed ballots
	// seen before).
	// polls are every poll ID of the meeting (so that a row of poll v12 is
	// not taken for one of v1).
	read(t *testing.T, c *diskCopy, m, p string, known *knowledge, polls []string) *evidence
}

// knowledge is what the attacker has learnt from every copy so far.
type knowledge struct {
	keys   map[string]*ballotseal.Key   // poll → sealing key (kept once seen)
	sealed map[string]map[string][]byte // poll → hex → its sealed ballots seen in any copy
	// bare are, per poll, the ballots distinctive enough to search for
	// as bare bytes anywhere (those cast once: an election's; a yes/no
	// ballot is found only with its row's prefix, meeting and poll).
	bare map[string]map[string]bool
}

func newKnowledge() *knowledge {
	return &knowledge{keys: map[string]*ballotseal.Key{}, sealed: map[string]map[string][]byte{}, bare: map[string]map[string]bool{}}
}

// learn adds what ev shows to k.
func (k *knowledge) learn(poll string, ev *evidence) {
	for p, key := range ev.keys {
		k.keys[p] = key
	}
	counts := map[string]int{}
	if k.sealed[poll] == nil {
		k.sealed[poll] = map[string][]byte{}
	}
	for _, b := range ev.ballots {
		if ballotseal.Sealed(b.data) {
			k.sealed[poll][hex.EncodeToString(b.data)] = b.data
		} else if c, ok := canonical(b.data); ok {
			counts[c]++
		}
	}
	if k.bare[poll] == nil {
		k.bare[poll] = map[string]bool{}
	}
	for c, n := range counts {
		if n == 1 {
			k.bare[poll][c] = true
		}
	}
}

// open returns the canonical plain ballot of stored bytes: plain JSON as
// is, a sealed ballot opened with key (nil: cannot).
func open(meetingID, poll string, data []byte, key *ballotseal.Key) (string, bool) {
	if !ballotseal.Sealed(data) {
		return canonical(data)
	}
	if key == nil {
		return "", false
	}
	plain, err := key.Open(meetingID, poll, data)
	if err != nil {
		return "", false
	}
	return canonical(plain)
}

// canonical re-encodes a ballot the way the server encodes one it receives
// (so padding, spaces and field order do not matter).
func canonical(data []byte) (string, bool) {
	var b meeting.Ballot
	if err := json.Unmarshal(data, &b); err != nil {
		return "", false
	}
	out, _ := json.Marshal(b)
	return string(out), true
}

// ---- keys, logs and archives: the same for every store ----

// readKeys finds the sealing keys in the copy: a key file of the documents
// store is named after its meeting and poll and ends with the 32 key bytes.
func readKeys(c *diskCopy, meetingID string, ev *evidence) {
	for path, b := range c.files {
		if !strings.Contains(path, "ballot-keys") || !strings.Contains(path, meetingID) || len(b) < 32 {
			continue
		}
		poll := strings.TrimSuffix(path[strings.LastIndex(path, "/")+1:], "@obj")
		var k ballotseal.Key
		copy(k[:], b[len(b)-32:])
		ev.keys[poll] = &k
	}
}

var participantRef = regexp.MustCompile(`"?participant"?[=:]"?(p[0-9]+)\b`)

// readTexts reads the server's log and every archive file for voters (in
// the order they appear) and for ballot bytes.
func readTexts(c *diskCopy, ev *evidence, ballots map[string]bool, sealed map[string][]byte, skip func(string) bool) {
	scan := func(where string, b []byte) {
		var order []string
		for _, m := range participantRef.FindAllSubmatch(b, -1) {
			order = append(order, string(m[1]))
		}
		if len(order) > 0 {
			ev.voterOrders[where] = dedupe(order)
		}
		for content := range ballots {
			for _, i := range indexAll(b, []byte(content)) {
				ev.remnants = append(ev.remnants, remnant{what: "ballot", value: content, where: where, pos: int64(i)})
			}
		}
		for h, s := range sealed {
			for _, i := range indexAll(b, s[:min(len(s), 29)]) {
				ev.remnants = append(ev.remnants, remnant{what: "ballot", value: h, where: where, pos: int64(i)})
			}
		}
	}
	scan("log", c.log)
	// Every other file but the store's own (its reader reads those): the
	// -shm, the documents store, temporary files, keys.
	for path, b := range c.files {
		if !strings.Contains(path, "archives/") && !skip(path) {
			scan("file "+path, b)
		}
	}
	var names []string
	for path := range c.files {
		if strings.Contains(path, "archives/") {
			names = append(names, path)
		}
	}
	sort.Strings(names)
	var all []byte
	for _, n := range names {
		all = append(all, c.files[n]...)
	}
	if len(all) > 0 {
		scan("archive", all)
	}
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0:0]
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// indexAll returns every offset of sub in b.
func indexAll(b, sub []byte) []int {
	var out []int
	if len(sub) == 0 {
		return nil
	}
	for i := 0; ; {
		j := bytes.Index(b[i:], sub)
		if j < 0 {
			return out
		}
		out = append(out, i+j)
		i += j + 1
	}
}

// ---- orders ----

// rowOrder is one way to order rows by where they were seen.
type rowOrder struct {
	name string
	key  func(r *row) (k []float64, ok bool)
	// prep, if set, builds key from the whole set of rows first.
	prep func(m map[string]*row) func(r *row) ([]float64, bool)
}

// pageRank orders rows by their rank inside their page image, as a
// fraction: SQLite allocates each new cell below the ones before it, so in
// every page the cells of a poll sit in the order they were written, and
// rows written at about the same time have about the same rank in their
// pages however the keys spread them over pages.
func pageRank(sel func(appearance) bool) func(m map[string]*row) func(r *row) ([]float64, bool) {
	return func(m map[string]*row) func(r *row) ([]float64, bool) {
		type place struct {
			file  string
			frame int
			page  uint32
			txn   int
		}
		groups := map[place][]*row{}
		at := map[*row]appearance{}
		for _, r := range m {
			a, ok := first(r, sel)
			if !ok {
				continue
			}
			at[r] = a
			k := place{a.file, a.frame, a.page, a.txn}
			groups[k] = append(groups[k], r)
		}
		rank := map[*row]float64{}
		for _, g := range groups {
			sort.Slice(g, func(i, j int) bool { return at[g[i]].offset > at[g[j]].offset })
			for i, r := range g {
				rank[r] = (float64(i) + 0.5) / float64(len(g))
			}
		}
		return func(r *row) ([]float64, bool) {
			x, ok := rank[r]
			return []float64{float64(at[r].txn), x}, ok
		}
	}
}

// first returns the row's appearance with the least (txn, frame) among
// those that pass keep.
func first(r *row, keep func(a appearance) bool) (appearance, bool) {
	var best appearance
	found := false
	for _, a := range r.apps {
		if !keep(a) {
			continue
		}
		if !found || a.frame < best.frame {
			best, found = a, true
		}
	}
	return best, found
}

func last(r *row, keep func(a appearance) bool) (appearance, bool) {
	var best appearance
	found := false
	for _, a := range r.apps {
		if keep(a) && (!found || a.frame > best.frame) {
			best, found = a, true
		}
	}
	return best, found
}

var (
	anyApp   = func(a appearance) bool { return true }
	inFile   = func(a appearance) bool { return a.file == "db" || a.file == "heap" }
	inDump   = func(a appearance) bool { return a.file == "dump" }
	inWAL    = func(a appearance) bool { return a.file == "wal" && a.txn > 0 }
	inAnyWAL = func(a appearance) bool { return a.file == "wal" }
	current  = func(a appearance) bool { return a.current }
)

// rowOrders are the physical orders the attacker tries: where in the page
// a cell sits (SQLite writes each new cell below the previous ones), in
// which page, in which WAL frame or transaction a row first or last
// appears, and the key order of the cell pointer array.
var rowOrders = []rowOrder{
	{name: "current page, offset", key: func(r *row) ([]float64, bool) {
		a, ok := first(r, current)
		return []float64{float64(a.page), float64(a.offset)}, ok
	}},
	{name: "current offset", key: func(r *row) ([]float64, bool) {
		a, ok := first(r, current)
		return []float64{float64(a.offset)}, ok
	}},
	{name: "current page, cell index", key: func(r *row) ([]float64, bool) {
		a, ok := first(r, current)
		return []float64{float64(a.page), float64(a.cell)}, ok
	}},
	{name: "file page, offset", key: func(r *row) ([]float64, bool) {
		a, ok := first(r, inFile)
		return []float64{float64(a.page), float64(a.offset)}, ok
	}},
	{name: "file offset", key: func(r *row) ([]float64, bool) {
		a, ok := first(r, inFile)
		return []float64{float64(a.offset)}, ok
	}},
	{name: "file position", key: func(r *row) ([]float64, bool) {
		a, ok := first(r, inFile)
		return []float64{float64(a.pos)}, ok
	}},
	{name: "first WAL transaction, offset", key: func(r *row) ([]float64, bool) {
		a, ok := first(r, inWAL)
		return []float64{float64(a.txn), -float64(a.offset)}, ok
	}},
	{name: "first WAL frame, offset", key: func(r *row) ([]float64, bool) {
		a, ok := first(r, inAnyWAL)
		return []float64{float64(a.frame), -float64(a.offset)}, ok
	}},
	{name: "last WAL frame, offset", key: func(r *row) ([]float64, bool) {
		a, ok := last(r, inAnyWAL)
		return []float64{float64(a.frame), -float64(a.offset)}, ok
	}},
	{name: "first seen anywhere", key: func(r *row) ([]float64, bool) {
		a, ok := first(r, anyApp)
		return []float64{float64(a.frame), float64(a.page), -float64(a.offset)}, ok
	}},
	{name: "appearances", key: func(r *row) ([]float64, bool) { // rows written earlier are copied into more page images
		return []float64{-float64(len(r.apps))}, len(r.apps) > 0
	}},
	{name: "dump order", key: func(r *row) ([]float64, bool) {
		a, ok := first(r, inDump)
		return []float64{float64(a.pos)}, ok
	}},
	{name: "current page-local rank", prep: pageRank(current)},
	{name: "file page-local rank", prep: pageRank(inFile)},
	{name: "first WAL transaction, page-local rank", prep: pageRank(inWAL)},
}

// sortRows orders the rows of m that the order places (others are left
// out).
func sortRows(m map[string]*row, o rowOrder) []*row {
	type kr struct {
		k []float64
		r *row
	}
	key := o.key
	if o.prep != nil {
		key = o.prep(m)
	}
	var l []kr
	for _, r := range m {
		if k, ok := key(r); ok {
			l = append(l, kr{k, r})
		}
	}
	sort.Slice(l, func(i, j int) bool {
		if c := slices.Compare(l[i].k, l[j].k); c != 0 {
			return c < 0
		}
		return l[i].r.key < l[j].r.key
	})
	out := make([]*row, len(l))
	for i, x := range l {
		out[i] = x.r
	}
	return out
}

// ---- linking and its statistics ----

// contents is a multiset of ballot contents (the tally the attacker knows
// after the close).
type contents map[string]int

// nullStats returns the mean and standard deviation of the number of
// voters a bijection between voters and a multiset of ballots links
// correctly when it carries no information: ballots assigned to voters by
// a uniformly random permutation. With n ballots of which n_c have content
// c: E = Σ n_c²/n and E[X²] = E + Σ_{c,d} (n_c·n_d − [c=d]·n_c)² / (n(n−1)).
// For n distinct ballots this is the number of fixed points of a random
// permutation: mean 1, standard deviation 1.
func nullStats(cs contents) (mean, sd float64) {
	n := 0
	for _, k := range cs {
		n += k
	}
	if n == 0 {
		return 0, 0
	}
	if n == 1 {
		return 1, 0
	}
	for _, k := range cs {
		mean += float64(k*k) / float64(n)
	}
	second := mean
	for c, a := range cs {
		for d, b := range cs {
			x := float64(a * b)
			if c == d {
				x -= float64(a)
			}
			second += x * x / float64(n*(n-1))
		}
	}
	return mean, math.Sqrt(max(0, second-mean*mean))
}

// chanceBound is the most voters a strategy may link before the test calls
// it better than chance: the null mean plus six standard deviations plus
// three (for small, discrete counts). For n distinct ballots it is 10: the
// chance that a random permutation has 11 or more fixed points is at most
// E[C(X,11)] = 1/11! < 3·10⁻⁸, so the ten thousand strategies tried on a
// run still make a false alarm unlikely (< 3·10⁻⁴).
func chanceBound(mean, sd float64) int { return int(math.Floor(mean + 6*sd + 3)) }

// rhoBound is the largest |Spearman's ρ| between a voter order and the
// order of their ballots allowed: 5.5/√(m−1), five and a half standard
// deviations of ρ under independence (m pairs).
func rhoBound(m int) float64 { return 5.5 / math.Sqrt(float64(m-1)) }

// link pairs the voters of voterSeq with the ballots of ballotSeq by rank
// (the i-th voter gets the i-th ballot's content, as the attacker reads it
// with read), keeping to the multiset cs; voters left over get the
// contents left over, in a fixed order. It returns voter → content.
func link(voterSeq []string, ballotSeq []string, cs contents, voters []string) map[string]string {
	left := maps(cs)
	out := map[string]string{}
	j := 0
	for _, v := range voterSeq {
		if _, done := out[v]; done {
			continue
		}
		for j < len(ballotSeq) && left[ballotSeq[j]] == 0 {
			j++
		}
		if j == len(ballotSeq) {
			break
		}
		out[v] = ballotSeq[j]
		left[ballotSeq[j]]--
		j++
	}
	var rest []string
	for c, k := range left {
		for ; k > 0; k-- {
			rest = append(rest, c)
		}
	}
	sort.Strings(rest)
	for _, v := range voters {
		if _, ok := out[v]; !ok && len(rest) > 0 {
			out[v], rest = rest[0], rest[1:]
		}
	}
	return out
}

func maps(cs contents) contents {
	out := contents{}
	for c, k := range cs {
		out[c] = k
	}
	return out
}

// spearman returns Spearman's rank correlation of the pairs (x[i], y[i])
// (ranks without ties).
func spearman(x, y []int) float64 {
	n := len(x)
	if n < 3 {
		return 0
	}
	rank := func(v []int) []float64 {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
		r := make([]float64, n)
		for k, i := range idx {
			r[i] = float64(k)
		}
		return r
	}
	rx, ry := rank(x), rank(y)
	var d2 float64
	for i := range rx {
		d := rx[i] - ry[i]
		d2 += d * d
	}
	nn := float64(n)
	return 1 - 6*d2/(nn*(nn*nn-1))
}

// attempt is one strategy's result.
type attempt struct {
	strategy string
	linked   int     // voters given their own ballot
	bound    int     // the chance bound for it
	rho      float64 // Spearman's ρ (unique ballots only; NaN otherwise)
	rhoPairs int
}

func (a attempt) String() string {
	s := fmt.Sprintf("%-70s linked %3d (chance bound %d)", a.strategy, a.linked, a.bound)
	if !math.IsNaN(a.rho) {
		s += fmt.Sprintf("  ρ %+.3f over %d (bound ±%.3f)", a.rho, a.rhoPairs, rhoBound(max(a.rhoPairs, 2)))
	}
	return s
}

// attack tries every pairing of a voter order with a ballot order and
// returns each strategy's result. readBallot is the attacker's reading of a
// ballot row (plain, opened with a key it found, or guessed from its
// length); truthOf is the test's own: which ballot each voter cast (never
// used to choose a pairing, only to score it); rowTruth tells the scorer
// which content a row holds, for Spearman's ρ between the places of
// voters and of their own ballots (nil: no ρ, when places are allowed to
// match, as in a copy taken while the poll is open).
func attack(ev *evidence, voters []string, truth map[string]string, readBallot func(*row) (string, bool), rowTruth func(*row) (string, bool)) []attempt {
	cs := contents{}
	for _, v := range voters {
		cs[truth[v]]++
	}
	unique := len(cs) == len(voters)
	mean, sd := nullStats(cs)
	bound := chanceBound(mean, sd)
	readBallot, rowTruth = memo(readBallot), memo(rowTruth)

	// Voter orders: every physical order of voter rows, then every
	// logical order found (events, archives, log, keys), then the IDs.
	type seq struct {
		name   string
		voters []string
	}
	var vseqs []seq
	for _, o := range rowOrders {
		var s []string
		for _, r := range sortRows(ev.voters, o) {
			s = append(s, r.key)
		}
		if len(s) > 0 {
			vseqs = append(vseqs, seq{"voter rows by " + o.name, s})
		}
	}
	for name, s := range ev.voterOrders {
		vseqs = append(vseqs, seq{"voters in " + name, s})
	}
	if len(ev.voterKeys) > 0 {
		s := slices.Collect(keysOf(ev.voterKeys))
		sort.Slice(s, func(i, j int) bool { return ev.voterKeys[s[i]] < ev.voterKeys[s[j]] })
		vseqs = append(vseqs, seq{"voters by idempotency key", s})
	}
	ids := slices.Clone(voters)
	sort.Slice(ids, func(i, j int) bool { return participantNumber(ids[i]) < participantNumber(ids[j]) })
	vseqs = append(vseqs, seq{"voters by ID", ids})

	// Ballot orders: every physical order of ballot rows, as the attacker
	// reads their contents; remnants in the order found; and by content.
	type bseq struct {
		name     string
		contents []string
		rows     []*row
	}
	var bseqs []bseq
	for _, o := range rowOrders {
		var cts []string
		var rows []*row
		for _, r := range sortRows(ev.ballots, o) {
			c, ok := readBallot(r)
			if !ok {
				continue
			}
			cts = append(cts, c)
			rows = append(rows, r)
		}
		if len(cts) > 0 {
			bseqs = append(bseqs, bseq{"ballot rows by " + o.name, cts, rows})
		}
	}
	byPlace := map[string][]remnant{}
	for _, r := range ev.remnants {
		if r.what == "ballot" {
			byPlace[r.where] = append(byPlace[r.where], r)
		}
	}
	for where, rs := range byPlace {
		sort.Slice(rs, func(i, j int) bool { return rs[i].pos < rs[j].pos })
		var cts []string
		for _, r := range rs {
			if c, ok := cs[r.value]; ok && c > 0 {
				cts = append(cts, r.value)
			}
		}
		if len(cts) > 0 {
			bseqs = append(bseqs, bseq{"ballot remnants in " + where, cts, nil})
		}
	}
	all := slices.Collect(keysOf(cs))
	sort.Strings(all)
	bseqs = append(bseqs, bseq{"ballots by content", all, nil})

	var out []attempt
	for _, vs := range vseqs {
		for _, bs := range bseqs {
			for _, rev := range []bool{false, true} {
				b := bs.contents
				rows := bs.rows
				name := vs.name + " ↔ " + bs.name
				if rev {
					b = slices.Clone(b)
					slices.Reverse(b)
					rows = slices.Clone(rows)
					slices.Reverse(rows)
					name += " (reversed)"
				}
				got := link(vs.voters, b, cs, voters)
				a := attempt{strategy: name, bound: bound, rho: math.NaN()}
				for _, v := range voters {
					if got[v] == truth[v] {
						a.linked++
					}
				}
				if unique && rows != nil && rowTruth != nil {
					// ρ between a voter's place in the voter order and
					// the place of the row that truly holds their ballot.
					at := map[string]int{}
					for i, r := range rows {
						if c, ok := rowTruth(r); ok {
							at[c] = i
						}
					}
					var x, y []int
					for i, v := range dedupe(vs.voters) {
						if j, ok := at[truth[v]]; ok {
							x, y = append(x, i), append(y, j)
						}
					}
					if len(x) >= 20 {
						a.rho, a.rhoPairs = spearman(x, y), len(x)
					}
				}
				out = append(out, a)
			}
		}
	}
	return out
}

// memo returns f remembering its answer for each row (opening and decoding
// a ballot once, not once per strategy).
func memo(f func(*row) (string, bool)) func(*row) (string, bool) {
	if f == nil {
		return nil
	}
	type answer struct {
		s  string
		ok bool
	}
	seen := map[*row]answer{}
	return func(r *row) (string, bool) {
		if a, ok := seen[r]; ok {
			return a.s, a.ok
		}
		s, ok := f(r)
		seen[r] = answer{s, ok}
		return s, ok
	}
}

func keysOf[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func participantNumber(p string) int {
	n := 0
	fmt.Sscanf(strings.TrimPrefix(p, "p"), "%d", &n)
	return n
}

// batchAttack is the attacker of a copy taken while the poll is open, with
// the poll's key (it sits on the same disk): for each WAL transaction it
// pairs the voters first written in it with the ballots first written in
// it, by every order of cells inside the transaction. It returns the best
// strategy's links and the chance bound of an attacker who knows each
// voter's transaction and nothing finer: the sum over transactions of the
// null statistics of a random pairing inside each. Rows only in the
// database file (checkpointed, their transaction no longer known) are left
// out and counted.
func batchAttack(ev *evidence, truth map[string]string, readBallot func(*row) (string, bool), fileHidesTxn bool) (best attempt, batches, sizeMax, outside int) {
	type batch struct {
		voters []*row
		rows   []*row
	}
	byTxn := map[int]*batch{}
	get := func(t int) *batch {
		if byTxn[t] == nil {
			byTxn[t] = &batch{}
		}
		return byTxn[t]
	}
	// A row also in the database file may have been checkpointed from an
	// earlier transaction (SQLite): its first WAL transaction is then not
	// its own, so it is left out. (PostgreSQL's WAL keeps every insert.)
	inBatch := func(r *row) (appearance, bool) {
		a, ok := first(r, inWAL)
		return a, ok && !(fileHidesTxn && hasFile(r))
	}
	for _, r := range ev.voters {
		if a, ok := inBatch(r); ok {
			get(a.txn).voters = append(get(a.txn).voters, r)
		} else {
			outside++
		}
	}
	for _, r := range ev.ballots {
		if a, ok := inBatch(r); ok {
			get(a.txn).rows = append(get(a.txn).rows, r)
		}
	}
	var mean, variance float64
	orders := []rowOrder{
		{name: "offset, descending", key: func(r *row) ([]float64, bool) { a, ok := first(r, inWAL); return []float64{-float64(a.offset)}, ok }},
		{name: "offset, ascending", key: func(r *row) ([]float64, bool) { a, ok := first(r, inWAL); return []float64{float64(a.offset)}, ok }},
		{name: "page, offset", key: func(r *row) ([]float64, bool) {
			a, ok := first(r, inWAL)
			return []float64{float64(a.page), -float64(a.offset)}, ok
		}},
		{name: "cell index", key: func(r *row) ([]float64, bool) { a, ok := first(r, inWAL); return []float64{float64(a.cell)}, ok }},
		{name: "page-local rank", prep: pageRank(inWAL)},
	}
	scores := make([]int, len(orders)*len(orders))
	for _, b := range byTxn {
		if len(b.voters) == 0 {
			continue
		}
		batches++
		sizeMax = max(sizeMax, len(b.voters))
		cs := contents{}
		var vs []string
		for _, v := range b.voters {
			cs[truth[v.key]]++
			vs = append(vs, v.key)
		}
		m, s := nullStats(cs)
		mean += m
		variance += s * s
		vm := map[string]*row{}
		for _, v := range b.voters {
			vm[v.key] = v
		}
		bm := map[string]*row{}
		for _, r := range b.rows {
			bm[r.key] = r
		}
		for i, vo := range orders {
			var vseq []string
			for _, r := range sortRows(vm, vo) {
				vseq = append(vseq, r.key)
			}
			for j, bo := range orders {
				var bseq []string
				for _, r := range sortRows(bm, bo) {
					if c, ok := readBallot(r); ok {
						bseq = append(bseq, c)
					}
				}
				got := link(vseq, bseq, cs, vs)
				for _, v := range vs {
					if got[v] == truth[v] {
						scores[i*len(orders)+j]++
					}
				}
			}
		}
	}
	best = attempt{bound: chanceBound(mean, math.Sqrt(variance)), rho: math.NaN()}
	for i, s := range scores {
		if s >= best.linked {
			best.linked = s
			best.strategy = fmt.Sprintf("inside each WAL transaction: voters by %s ↔ ballots by %s", orders[i/len(orders)].name, orders[i%len(orders)].name)
		}
	}
	return best, batches, sizeMax, outside
}

func hasFile(r *row) bool {
	_, ok := first(r, inFile)
	return ok
}

// lengthReader is the attacker without the key: it cannot open a sealed
// ballot, but it knows the tally (published at the close) and can sort the
// sealed ballots by length and give the shortest ciphertext the shortest
// ballot, and so on. When every sealed ballot of a poll has the same
// length this is a pairing by chance.
func lengthReader(ev *evidence, tally []string) func(*row) (string, bool) {
	rows := slices.Collect(func(yield func(*row) bool) {
		for _, r := range ev.ballots {
			if !yield(r) {
				return
			}
		}
	})
	sort.Slice(rows, func(i, j int) bool {
		if len(rows[i].data) != len(rows[j].data) {
			return len(rows[i].data) < len(rows[j].data)
		}
		return rows[i].key < rows[j].key
	})
	byLen := slices.Clone(tally)
	// Shuffle before the stable sort by length, so that equal lengths get
	// contents in an order unrelated to anything (the attacker's guess).
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(byLen), func(i, j int) { byLen[i], byLen[j] = byLen[j], byLen[i] })
	sort.SliceStable(byLen, func(i, j int) bool { return len(byLen[i]) < len(byLen[j]) })
	guess := map[string]string{}
	for i, r := range rows {
		if i < len(byLen) {
			guess[r.key] = byLen[i]
		}
	}
	return func(r *row) (string, bool) {
		if !ballotseal.Sealed(r.data) {
			return canonical(r.data)
		}
		g, ok := guess[r.key]
		return g, ok
	}
}
