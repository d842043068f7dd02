// Package sqlitefile reads SQLite database files and write-ahead logs byte by
// byte, as an attacker with a copy of them would: b-tree pages with their
// cells, cell offsets, freeblocks and unallocated space, the freelist, and
// every frame of a WAL (valid, stale or beyond the last commit). It is
// written from the SQLite file-format document
// (https://www.sqlite.org/fileformat2.html) and uses no SQLite code, so
// that a test can see what the files keep whatever SQLite's API shows.
//
// It is a reader for tests (the secrecy tests of package e2e): it trusts
// nothing it reads, never panics on a corrupt or torn file, and reports
// what it cannot parse instead.
package sqlitefile

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// magic starts every database file (§1.3 "The Database Header").
const magic = "SQLite format 3\x00"

// Header is the part of the 100-byte database header this package uses.
type Header struct {
	PageSize      int    // bytes per page (offset 16; 1 means 65536)
	Reserved      int    // bytes reserved at the end of each page (offset 20)
	PageCount     int    // the in-header database size, in pages (offset 28)
	FirstTrunk    uint32 // first freelist trunk page (offset 32), 0 if none
	FreelistCount int    // total freelist pages (offset 36)
	ChangeCounter uint32 // file change counter (offset 24)
}

// Usable is the usable size of a page: its size minus the reserved bytes.
func (h Header) Usable() int { return h.PageSize - h.Reserved }

// ParseHeader reads the database header at the start of b.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < 100 || string(b[:16]) != magic {
		return Header{}, errors.New("sqlitefile: not an SQLite database file")
	}
	h := Header{PageSize: int(binary.BigEndian.Uint16(b[16:]))}
	if h.PageSize == 1 {
		h.PageSize = 65536
	}
	if h.PageSize < 512 || h.PageSize&(h.PageSize-1) != 0 {
		return Header{}, fmt.Errorf("sqlitefile: bad page size %d", h.PageSize)
	}
	h.Reserved = int(b[20])
	h.ChangeCounter = binary.BigEndian.Uint32(b[24:])
	h.PageCount = int(binary.BigEndian.Uint32(b[28:]))
	h.FirstTrunk = binary.BigEndian.Uint32(b[32:])
	h.FreelistCount = int(binary.BigEndian.Uint32(b[36:]))
	return h, nil
}

// Page kinds: the first byte of a b-tree page header (§1.6 "B-tree Pages").
const (
	IndexInterior = 0x02
	TableInterior = 0x05
	IndexLeaf     = 0x0a
	TableLeaf     = 0x0d
)

// Region is a byte range [Start, End) of a page, offsets from the page's
// first byte.
type Region struct{ Start, End int }

// Len returns the region's length.
func (r Region) Len() int { return r.End - r.Start }

// Cell is one cell of a b-tree page.
type Cell struct {
	Index       int    // position in the cell pointer array (key order)
	Offset      int    // byte offset of the cell in the page
	Size        int    // bytes the cell occupies in the page
	LeftChild   uint32 // interior pages: the child page left of this key
	Rowid       int64  // table b-trees: the integer key
	PayloadSize int    // total payload, including what overflows
	Local       []byte // the payload bytes stored in the page
	Overflow    uint32 // first overflow page, 0 if none
}

// Page is a parsed b-tree page.
type Page struct {
	Kind  byte
	Cells []Cell
	// RightChild is an interior page's right-most pointer.
	RightChild uint32
	// Unallocated is the gap between the cell pointer array and the cell
	// content area.
	Unallocated Region
	// Freeblocks are the chain of free blocks in the cell content area
	// (each starts with a 4-byte header: next offset, size).
	Freeblocks []Region
	// Fragments are the bytes of the cell content area that belong to no
	// cell and no freeblock (fragments of fewer than 4 bytes, or bytes
	// the header's count does not explain).
	Fragments []Region
	// FragmentedBytes is the header's count of fragmented free bytes.
	FragmentedBytes int
}

// Interior reports whether the page is an interior page.
func (p *Page) Interior() bool { return p.Kind == IndexInterior || p.Kind == TableInterior }

// Index reports whether the page belongs to an index b-tree (which is also
// how a WITHOUT ROWID table is stored).
func (p *Page) Index() bool { return p.Kind == IndexInterior || p.Kind == IndexLeaf }

// Free returns every region of the page that holds no live cell: the
// unallocated gap, the freeblocks and the fragments.
func (p *Page) Free() []Region {
	out := []Region{p.Unallocated}
	out = append(out, p.Freeblocks...)
	return append(out, p.Fragments...)
}

// ParsePage parses data, one page of a database whose usable page size is
// usable, as a b-tree page. first says whether it is page 1 (whose b-tree
// header follows the 100-byte database header). It returns an error for a
// page that is not a b-tree page (a freelist, overflow or zeroed page, or
// garbage).
func ParsePage(data []byte, first bool, usable int) (*Page, error) {
	if usable <= 0 || usable > len(data) {
		return nil, errors.New("sqlitefile: bad usable size")
	}
	data = data[:usable]
	h := 0
	if first {
		h = 100
	}
	if len(data) < h+8 {
		return nil, errors.New("sqlitefile: page too short")
	}
	p := &Page{Kind: data[h]}
	switch p.Kind {
	case IndexInterior, TableInterior, IndexLeaf, TableLeaf:
	default:
		return nil, fmt.Errorf("sqlitefile: not a b-tree page (type %#x)", p.Kind)
	}
	firstFree := int(binary.BigEndian.Uint16(data[h+1:]))
	n := int(binary.BigEndian.Uint16(data[h+3:]))
	content := int(binary.BigEndian.Uint16(data[h+5:]))
	if content == 0 {
		content = 65536
	}
	p.FragmentedBytes = int(data[h+7])
	hdr := 8
	if p.Interior() {
		hdr = 12
		if len(data) < h+12 {
			return nil, errors.New("sqlitefile: page too short")
		}
		p.RightChild = binary.BigEndian.Uint32(data[h+8:])
	}
	ptrs := h + hdr
	if ptrs+2*n > len(data) || content > len(data) || content < ptrs+2*n {
		return nil, fmt.Errorf("sqlitefile: bad page header (%d cells, content at %d)", n, content)
	}
	p.Unallocated = Region{ptrs + 2*n, content}

	used := make([]bool, len(data)) // bytes of the content area explained so far
	for i := 0; i < n; i++ {
		off := int(binary.BigEndian.Uint16(data[ptrs+2*i:]))
		c, err := parseCell(data, p.Kind, off, usable)
		if err != nil {
			return nil, fmt.Errorf("sqlitefile: cell %d: %w", i, err)
		}
		c.Index = i
		p.Cells = append(p.Cells, c)
		for j := off; j < off+c.Size && j < len(data); j++ {
			used[j] = true
		}
	}
	for fb, seen := firstFree, 0; fb != 0 && seen < len(data)/4; seen++ {
		if fb < content || fb+4 > len(data) {
			return nil, fmt.Errorf("sqlitefile: freeblock at %d outside the content area", fb)
		}
		size := int(binary.BigEndian.Uint16(data[fb+2:]))
		if size < 4 || fb+size > len(data) {
			return nil, fmt.Errorf("sqlitefile: freeblock at %d has size %d", fb, size)
		}
		p.Freeblocks = append(p.Freeblocks, Region{fb, fb + size})
		for j := fb; j < fb+size; j++ {
			used[j] = true
		}
		fb = int(binary.BigEndian.Uint16(data[fb:]))
	}
	for j := content; j < len(data); {
		if used[j] {
			j++
			continue
		}
		k := j
		for k < len(data) && !used[k] {
			k++
		}
		p.Fragments = append(p.Fragments, Region{j, k})
		j = k
	}
	return p, nil
}

// parseCell parses the cell at off (§1.6, the cell formats table).
func parseCell(data []byte, kind byte, off, usable int) (Cell, error) {
	c := Cell{Offset: off}
	if off < 0 || off >= len(data) {
		return c, fmt.Errorf("offset %d outside the page", off)
	}
	i := off
	if kind == IndexInterior || kind == TableInterior {
		if i+4 > len(data) {
			return c, errors.New("truncated child pointer")
		}
		c.LeftChild = binary.BigEndian.Uint32(data[i:])
		i += 4
	}
	if kind == TableInterior {
		v, n := Varint(data[i:])
		if n == 0 {
			return c, errors.New("truncated rowid")
		}
		c.Rowid = int64(v)
		c.Size = i + n - off
		return c, nil
	}
	ps, n := Varint(data[i:])
	if n == 0 || ps > uint64(len(data))*1<<20 {
		return c, errors.New("bad payload size")
	}
	i += n
	c.PayloadSize = int(ps)
	if kind == TableLeaf {
		v, n := Varint(data[i:])
		if n == 0 {
			return c, errors.New("truncated rowid")
		}
		c.Rowid = int64(v)
		i += n
	}
	local := localPayload(kind, c.PayloadSize, usable)
	if i+local > len(data) {
		return c, errors.New("payload runs past the page")
	}
	c.Local = data[i : i+local]
	i += local
	if local < c.PayloadSize {
		if i+4 > len(data) {
			return c, errors.New("truncated overflow pointer")
		}
		c.Overflow = binary.BigEndian.Uint32(data[i:])
		i += 4
	}
	c.Size = i - off
	return c, nil
}

// localPayload returns how many bytes of a payload of size p are stored in
// the page (§1.6: X, M and K).
func localPayload(kind byte, p, u int) int {
	x := u - 35
	if kind != TableLeaf {
		x = (u-12)*64/255 - 23
	}
	if p <= x {
		return p
	}
	m := (u-12)*32/255 - 23
	k := m + (p-m)%(u-4)
	if k <= x {
		return k
	}
	return m
}

// Varint decodes a SQLite varint (1 to 9 bytes, big-endian, seven bits a
// byte but eight in the ninth). It returns 0, 0 if b is too short.
func Varint(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < 9; i++ {
		if i >= len(b) {
			return 0, 0
		}
		if i == 8 {
			return v<<8 | uint64(b[i]), 9
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return v, 9
}

// Value is one column of a record.
type Value struct {
	Type  uint64 // the serial type
	Int   int64  // integers (and the constants 0 and 1)
	Bytes []byte // text and blobs
}

// Null reports whether v is NULL.
func (v Value) Null() bool { return v.Type == 0 }

// Text reports whether v is text.
func (v Value) Text() bool { return v.Type >= 13 && v.Type%2 == 1 }

// Blob reports whether v is a blob.
func (v Value) Blob() bool { return v.Type >= 12 && v.Type%2 == 0 }

// Record decodes a record (§2.1 "Record Format"). payload must be the whole
// payload; a payload cut short decodes the columns that fit and returns an
// error.
func Record(payload []byte) ([]Value, error) {
	hs, n := Varint(payload)
	if n == 0 || hs < uint64(n) || hs > uint64(len(payload)) {
		return nil, errors.New("sqlitefile: bad record header")
	}
	var types []uint64
	for i := n; i < int(hs); {
		t, k := Varint(payload[i:int(hs)])
		if k == 0 {
			return nil, errors.New("sqlitefile: truncated record header")
		}
		types = append(types, t)
		i += k
	}
	body := int(hs)
	out := make([]Value, 0, len(types))
	for _, t := range types {
		size := serialSize(t)
		if size < 0 || body+size > len(payload) {
			return out, errors.New("sqlitefile: record body shorter than its header says")
		}
		v := Value{Type: t}
		b := payload[body : body+size]
		switch {
		case t >= 1 && t <= 6:
			var x int64
			if b[0]&0x80 != 0 {
				x = -1
			}
			for _, c := range b {
				x = x<<8 | int64(c)
			}
			v.Int = x
		case t == 8:
			v.Int = 0
		case t == 9:
			v.Int = 1
		case t >= 12:
			v.Bytes = b
		}
		out = append(out, v)
		body += size
	}
	return out, nil
}

// serialSize returns the body size of a serial type, -1 for a reserved one.
func serialSize(t uint64) int {
	switch {
	case t == 0, t == 8, t == 9:
		return 0
	case t >= 1 && t <= 4:
		return int(t)
	case t == 5:
		return 6
	case t == 6, t == 7:
		return 8
	case t >= 12:
		return int((t - 12) / 2)
	}
	return -1
}

// Payload returns the whole payload of cell c of a page of db: its local
// part followed by its overflow chain, read from pages (page number → page
// bytes; missing pages end the chain early, which returns an error with
// what was read).
func Payload(c Cell, usable int, pages func(uint32) []byte) ([]byte, error) {
	out := append([]byte(nil), c.Local...)
	next := c.Overflow
	for seen := 0; len(out) < c.PayloadSize; seen++ {
		pg := pages(next)
		if next == 0 || pg == nil || len(pg) < usable || seen > 1<<20 {
			return out, fmt.Errorf("sqlitefile: overflow page %d missing", next)
		}
		take := min(usable-4, c.PayloadSize-len(out))
		out = append(out, pg[4:4+take]...)
		next = binary.BigEndian.Uint32(pg)
	}
	return out, nil
}

// Freelist returns the trunk and leaf pages of the freelist whose first
// trunk is first (§1.5 "The Freelist"), reading pages through pages. It
// stops at a page it cannot read or at a loop.
func Freelist(first uint32, pages func(uint32) []byte) (trunks, leaves []uint32) {
	seen := map[uint32]bool{}
	for t := first; t != 0 && !seen[t]; {
		seen[t] = true
		pg := pages(t)
		if len(pg) < 8 {
			break
		}
		trunks = append(trunks, t)
		n := int(binary.BigEndian.Uint32(pg[4:]))
		for i := 0; i < n && 8+4*i+4 <= len(pg); i++ {
			leaves = append(leaves, binary.BigEndian.Uint32(pg[8+4*i:]))
		}
		t = binary.BigEndian.Uint32(pg)
	}
	return trunks, leaves
}

// ---- the write-ahead log (§4 "The Write-Ahead Log") ----

// WAL magic numbers: the low bit says the checksums' byte order.
const (
	walMagicLE = 0x377f0682
	walMagicBE = 0x377f0683
)

// WALHeaderSize and FrameHeaderSize are the sizes of the WAL header and of
// each frame's header.
const (
	WALHeaderSize   = 32
	FrameHeaderSize = 24
)

// Frame is one frame of a WAL: a page image and its header.
type Frame struct {
	Index  int    // 0-based position in the file
	Offset int64  // byte offset of the frame header in the file
	Page   uint32 // the database page it holds
	// Commit is, for a commit frame, the database size in pages after the
	// commit; 0 for other frames.
	Commit       uint32
	Salt1, Salt2 uint32
	// Valid says that the frame belongs to the log's current generation
	// (its salts match the header) and its checksum chain is intact.
	Valid bool
	// Committed says that the frame is valid and followed (or is itself)
	// a valid commit frame: a reader applies it.
	Committed bool
	// Txn numbers the transactions of the current generation: frames of
	// the first commit have 1, and so on; 0 for frames that are not
	// committed.
	Txn  int
	Data []byte
}

// WAL is a parsed write-ahead log.
type WAL struct {
	PageSize         int
	Checkpoint       uint32 // checkpoint sequence number
	Salt1, Salt2     uint32
	BigEndianSums    bool
	Frames           []Frame // every whole frame in the file, valid or not
	TrailingBytes    int     // bytes after the last whole frame
	LastCommitFrame  int     // index of the last valid commit frame, -1 if none
	HeaderChecksumOK bool
}

// ParseWAL parses a WAL file. An empty file (a truncated WAL) has no frames
// and no error.
func ParseWAL(b []byte) (*WAL, error) {
	w := &WAL{LastCommitFrame: -1}
	if len(b) == 0 {
		return w, nil
	}
	if len(b) < WALHeaderSize {
		return w, errors.New("sqlitefile: WAL shorter than its header")
	}
	switch binary.BigEndian.Uint32(b) {
	case walMagicLE:
	case walMagicBE:
		w.BigEndianSums = true
	default:
		return w, errors.New("sqlitefile: not a WAL file")
	}
	w.PageSize = int(binary.BigEndian.Uint32(b[8:]))
	if w.PageSize < 512 || w.PageSize > 65536 || w.PageSize&(w.PageSize-1) != 0 {
		return w, fmt.Errorf("sqlitefile: WAL page size %d", w.PageSize)
	}
	w.Checkpoint = binary.BigEndian.Uint32(b[12:])
	w.Salt1 = binary.BigEndian.Uint32(b[16:])
	w.Salt2 = binary.BigEndian.Uint32(b[20:])
	s0, s1 := walChecksum(w.BigEndianSums, b[:24], 0, 0)
	w.HeaderChecksumOK = s0 == binary.BigEndian.Uint32(b[24:]) && s1 == binary.BigEndian.Uint32(b[28:])
	chain := w.HeaderChecksumOK
	frameSize := FrameHeaderSize + w.PageSize
	txn, pendingFrom := 1, 0
	for off, i := int64(WALHeaderSize), 0; off+int64(frameSize) <= int64(len(b)); off, i = off+int64(frameSize), i+1 {
		fh := b[off : off+FrameHeaderSize]
		f := Frame{Index: i, Offset: off,
			Page: binary.BigEndian.Uint32(fh), Commit: binary.BigEndian.Uint32(fh[4:]),
			Salt1: binary.BigEndian.Uint32(fh[8:]), Salt2: binary.BigEndian.Uint32(fh[12:]),
			Data: b[off+FrameHeaderSize : off+int64(frameSize)]}
		if chain && f.Salt1 == w.Salt1 && f.Salt2 == w.Salt2 {
			s0, s1 = walChecksum(w.BigEndianSums, fh[:8], s0, s1)
			s0, s1 = walChecksum(w.BigEndianSums, f.Data, s0, s1)
			f.Valid = s0 == binary.BigEndian.Uint32(fh[16:]) && s1 == binary.BigEndian.Uint32(fh[20:])
		}
		chain = chain && f.Valid
		w.Frames = append(w.Frames, f)
		if f.Valid && f.Commit != 0 {
			for j := pendingFrom; j <= i; j++ {
				w.Frames[j].Committed = true
				w.Frames[j].Txn = txn
			}
			txn++
			pendingFrom = i + 1
			w.LastCommitFrame = i
		}
	}
	w.TrailingBytes = (len(b) - WALHeaderSize) % frameSize
	return w, nil
}

// walChecksum extends the checksum (s0, s1) over data (§4.2).
func walChecksum(bigEndian bool, data []byte, s0, s1 uint32) (uint32, uint32) {
	order := binary.ByteOrder(binary.LittleEndian)
	if bigEndian {
		order = binary.BigEndian
	}
	for i := 0; i+8 <= len(data); i += 8 {
		s0 += order.Uint32(data[i:]) + s1
		s1 += order.Uint32(data[i+4:]) + s0
	}
	return s0, s1
}

// ---- a whole database: the file with its WAL applied ----

// Version is one image of one database page: from the database file, or
// from a frame of the WAL.
type Version struct {
	Page  uint32
	Frame int // index of the WAL frame, -1 for the database file
	// Current says that this image is the one a reader sees now (the last
	// committed frame for the page, else the file's page), and the page is
	// in use (inside the database and not on the freelist).
	Current bool
	// OnFreelist says that the current image of this page is on the
	// freelist (its bytes are free space).
	OnFreelist bool
	Data       []byte
}

// Database is a database file and its WAL as a reader would see them, with
// every older page image kept.
type Database struct {
	Header   Header // as of the current state
	WAL      *WAL   // nil without a WAL
	Versions []Version
	// Trunks and Leaves are the current freelist's pages.
	Trunks, Leaves []uint32
	current        map[uint32][]byte
	file           []byte
}

// Open reads a database file and its WAL (nil or empty if none).
func Open(file, wal []byte) (*Database, error) {
	h, err := ParseHeader(file)
	if err != nil && len(file) > 0 {
		return nil, err
	}
	d := &Database{Header: h, file: file, current: map[uint32][]byte{}}
	if len(wal) > 0 {
		if d.WAL, err = ParseWAL(wal); err != nil {
			return nil, err
		}
		if h.PageSize == 0 {
			h.PageSize = d.WAL.PageSize
			d.Header.PageSize = h.PageSize
		} else if d.WAL.PageSize != h.PageSize {
			return nil, fmt.Errorf("sqlitefile: WAL page size %d, database %d", d.WAL.PageSize, h.PageSize)
		}
	}
	if h.PageSize == 0 {
		return nil, errors.New("sqlitefile: neither a database nor a WAL")
	}
	pages := len(file) / h.PageSize
	for i := 0; i < pages; i++ {
		data := file[i*h.PageSize : (i+1)*h.PageSize]
		d.Versions = append(d.Versions, Version{Page: uint32(i + 1), Frame: -1, Data: data})
		d.current[uint32(i+1)] = data
	}
	size := h.PageCount
	if d.WAL != nil {
		last := map[uint32]int{}
		for _, f := range d.WAL.Frames {
			d.Versions = append(d.Versions, Version{Page: f.Page, Frame: f.Index, Data: f.Data})
			if f.Committed {
				d.current[f.Page] = f.Data
				last[f.Page] = len(d.Versions) - 1
				if f.Commit != 0 {
					size = int(f.Commit)
				}
			}
		}
		if p1, ok := d.current[1]; ok {
			if hh, err := ParseHeader(p1); err == nil {
				d.Header = hh
			}
		}
	}
	d.Header.PageCount = size
	d.Trunks, d.Leaves = Freelist(d.Header.FirstTrunk, d.Page)
	free := map[uint32]bool{}
	for _, p := range append(append([]uint32(nil), d.Trunks...), d.Leaves...) {
		free[p] = true
	}
	for i := range d.Versions {
		v := &d.Versions[i]
		cur, ok := d.current[v.Page]
		if !ok || int(v.Page) > size || len(cur) == 0 || &cur[0] != &v.Data[0] {
			continue
		}
		if free[v.Page] {
			v.OnFreelist = true
		} else {
			v.Current = true
		}
	}
	return d, nil
}

// Page returns the current image of page n, nil if there is none.
func (d *Database) Page(n uint32) []byte { return d.current[n] }

// Usable returns the usable page size.
func (d *Database) Usable() int { return d.Header.Usable() }

// Schema returns the root page of every table and index by name, read from
// the current sqlite_schema table (page 1).
func (d *Database) Schema() (map[string]uint32, error) {
	out := map[string]uint32{}
	var walk func(n uint32, depth int) error
	walk = func(n uint32, depth int) error {
		pg := d.Page(n)
		if pg == nil || depth > 20 {
			return fmt.Errorf("sqlitefile: schema page %d missing", n)
		}
		p, err := ParsePage(pg, n == 1, d.Usable())
		if err != nil {
			return err
		}
		if p.Kind == TableInterior {
			for _, c := range p.Cells {
				if err := walk(c.LeftChild, depth+1); err != nil {
					return err
				}
			}
			return walk(p.RightChild, depth+1)
		}
		for _, c := range p.Cells {
			payload, err := Payload(c, d.Usable(), d.Page)
			if err != nil {
				return err
			}
			vals, err := Record(payload)
			if err != nil || len(vals) < 4 {
				continue
			}
			out[string(vals[1].Bytes)] = uint32(vals[3].Int)
		}
		return nil
	}
	return out, walk(1, 0)
}

// Tree returns the pages of the b-tree rooted at root, in the current
// state, root first, then depth first in key order.
func (d *Database) Tree(root uint32) []uint32 {
	var out []uint32
	seen := map[uint32]bool{}
	var walk func(n uint32, depth int)
	walk = func(n uint32, depth int) {
		if n == 0 || seen[n] || depth > 40 {
			return
		}
		seen[n] = true
		out = append(out, n)
		p, err := ParsePage(d.Page(n), n == 1, d.Usable())
		if err != nil || !p.Interior() {
			return
		}
		for _, c := range p.Cells {
			walk(c.LeftChild, depth+1)
		}
		walk(p.RightChild, depth+1)
	}
	walk(root, 0)
	return out
}
