package archive

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"strings"

	"github.com/phonghop/phonghop/server/meeting"
)

// Problem is one thing wrong with an archive.
type Problem struct {
	// File is the archive file the problem is about.
	File string `json:"file"`
	// Code classifies the problem (stable, machine-readable).
	Code string `json:"code"`
	// Message says what is wrong, in Vietnamese.
	Message string `json:"message"`
	// MessageEN says what is wrong, in English.
	MessageEN string `json:"message_en"`
}

// String returns "file: Vietnamese / English".
func (p Problem) String() string { return p.File + ": " + p.Message + " / " + p.MessageEN }

// Problem codes.
const (
	CodeUnreadable   = "unreadable"    // the file cannot be read
	CodeMissing      = "missing"       // a file listed by the format is absent
	CodeExtra        = "extra"         // a file the format does not know
	CodeBadManifest  = "bad_manifest"  // manifest.json is not a valid manifest
	CodeBadKey       = "bad_key"       // public-key.pem is not an Ed25519 public key
	CodeKeyMismatch  = "key_mismatch"  // the key is not the one the manifest names
	CodeUntrusted    = "untrusted_key" // the key is not the expected one
	CodeBadSignature = "bad_signature" // the signature does not verify
	CodeHash         = "hash_mismatch" // a file's SHA-256 differs from the manifest
	CodeSize         = "size_mismatch" // a file's size differs from the manifest
	CodeChain        = "chain"         // events.jsonl is not a valid hash chain
	CodeHead         = "head_mismatch" // the log's end differs from the manifest
	CodeEntryLog     = "entry_log"     // a counting record's entry-log hash differs from its entry log
)

// Options tune Verify.
type Options struct {
	// Trusted, if set, is the key the archive must be signed with. Without
	// it, Verify checks the signature only against the key inside the
	// archive: that proves the files are unchanged since signing (integrity)
	// but not who signed (origin) — anyone can re-sign an altered archive
	// with a key of their own.
	Trusted *Trust
}

// Report is the result of Verify.
type Report struct {
	// Manifest is the decoded manifest.json (nil if it could not be read).
	Manifest *Manifest `json:"manifest,omitempty"`
	// KeyFingerprint is the fingerprint of public-key.pem ("" if unusable).
	KeyFingerprint string `json:"key_fingerprint,omitempty"`
	// Trusted reports whether the key was checked against Options.Trusted.
	Trusted bool `json:"trusted"`
	// Events is how many events events.jsonl holds.
	Events int `json:"events"`
	// Problems lists everything wrong; empty if the archive is valid.
	Problems []Problem `json:"problems"`
}

// OK reports whether the archive is valid.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) add(file, code, vi, en string, args ...any) {
	r.Problems = append(r.Problems, Problem{File: file, Code: code, Message: fmt.Sprintf(vi, args...), MessageEN: fmt.Sprintf(en, args...)})
}

// maxChainProblems caps how many bad lines of events.jsonl are listed.
const maxChainProblems = 20

// Bounds of what Verify holds in memory. The content files are hashed as
// they stream by and the event log is checked line by line, so verifying
// a large or hostile archive (a zip bomb) costs time, not memory.
const (
	// maxSmallFile bounds manifest.json, public-key.pem and manifest.sig,
	// which are read whole (they are a few kilobytes).
	maxSmallFile = 4 << 20
	// maxEventLine bounds one line of events.jsonl (an event importing
	// 10,000 participants is a few megabytes).
	maxEventLine = 64 << 20
)

// fileDigest is what Verify measured of a file it read to the end.
type fileDigest struct {
	size   int64
	sha256 string
}

// hashingReader hashes and counts what is read through it and remembers
// the last byte.
type hashingReader struct {
	r    io.Reader
	h    hash.Hash
	n    int64
	last byte
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if n > 0 {
		h.h.Write(p[:n])
		h.n += int64(n)
		h.last = p[n-1]
	}
	return n, err
}

func (h *hashingReader) digest() fileDigest {
	return fileDigest{size: h.n, sha256: hex.EncodeToString(h.h.Sum(nil))}
}

// readFile streams the named file of src through use (which must read it
// to the end or fail), and returns its size and hash. Reading more than
// MaxFileSize bytes is an error.
func readFile(ctx context.Context, src Source, name string, use func(r *hashingReader) error) (fileDigest, error) {
	rc, err := src.Open(ctx, name)
	if err != nil {
		return fileDigest{}, err
	}
	defer rc.Close()
	lr := &io.LimitedReader{R: rc, N: MaxFileSize + 1}
	hr := &hashingReader{r: lr, h: sha256.New()}
	if err := use(hr); err != nil {
		return fileDigest{}, err
	}
	// Whatever use left unread still counts (and must be readable: a
	// zip checks its CRC at the end).
	if _, err := io.Copy(io.Discard, hr); err != nil {
		return fileDigest{}, err
	}
	if lr.N <= 0 {
		return fileDigest{}, fmt.Errorf("larger than %d bytes", MaxFileSize)
	}
	return hr.digest(), nil
}

// readSmall reads a small file whole.
func readSmall(ctx context.Context, src Source, name string) ([]byte, fileDigest, error) {
	var b []byte
	d, err := readFile(ctx, src, name, func(r *hashingReader) error {
		var err error
		b, err = io.ReadAll(io.LimitReader(r, maxSmallFile+1))
		if err == nil && len(b) > maxSmallFile {
			err = fmt.Errorf("larger than %d bytes", maxSmallFile)
		}
		return err
	})
	return b, d, err
}

// Verify checks an archive offline: the signature of manifest.json (against
// public-key.pem and, if given, the trusted key), every file's size and
// SHA-256, that no file is missing or extra, and the hash chain of
// events.jsonl up to the head the manifest names. Problems are returned in
// the report; the error is only for a source that cannot be listed.
//
// Files are streamed: memory stays bounded (maxSmallFile, maxEventLine)
// whatever the archive holds.
func Verify(ctx context.Context, src Source, opts Options) (*Report, error) {
	r := &Report{Problems: []Problem{}}
	names, err := src.Names(ctx)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", src, err)
	}
	present := map[string]bool{}
	for _, n := range names {
		present[n] = true
	}
	// digests holds every file read to the end; small the bytes of the
	// manifest, the key and the signature.
	digests := map[string]fileDigest{}
	small := map[string][]byte{}
	unreadable := func(n string, err error) {
		r.add(n, CodeUnreadable, "Không đọc được tệp: %v.", "cannot read the file: %v", err)
	}
	for _, n := range []string{FileManifest, FilePublicKey, FileSignature} {
		if !present[n] {
			continue
		}
		b, d, err := readSmall(ctx, src, n)
		if err != nil {
			unreadable(n, err)
			continue
		}
		small[n], digests[n] = b, d
	}

	// The files the archive must hold: those its manifest lists (when it
	// can be read and lists a valid set: AllFiles, plus the counting
	// records of a FormatCounting archive), else AllFiles.
	expected := AllFiles
	if b, ok := small[FileManifest]; ok {
		if listed := listedFiles(b); listed != nil {
			expected = append(listed, FileManifest, FileSignature)
		}
	}
	for _, n := range names {
		if !slices.Contains(expected, n) {
			r.add(n, CodeExtra, "Tệp thừa, không thuộc bộ lưu trữ.", "extra file, not part of the archive")
		}
	}
	for _, n := range expected {
		if !present[n] {
			r.add(n, CodeMissing, "Thiếu tệp.", "file is missing")
		}
	}

	// The manifest, decoded before its signature is checked: it names the
	// key and the hash of public-key.pem, which tell which file to blame.
	var m *Manifest
	if b, ok := small[FileManifest]; ok {
		m = decodeManifest(b, r)
		r.Manifest = m
	}

	// The content files, streamed; events.jsonl is checked on the way, and
	// the entry-log hash a paper poll's counting record prints is kept.
	printed := map[string]string{} // poll → the hash on its counting record
	for _, n := range expected {
		if n == FilePublicKey || n == FileManifest || n == FileSignature {
			continue // read above
		}
		if !present[n] {
			continue
		}
		var chain Report
		d, err := readFile(ctx, src, n, func(hr *hashingReader) error {
			if poll, ok := countingPoll(n); ok && m != nil && m.Format == FormatPaper && n == CountingNames(poll)[0] {
				// A paper poll's counting record prints its entry log's
				// hash: kept to compare below (the rest is drained).
				var c struct {
					Paper *struct {
						LogHash string `json:"log_hash"`
					} `json:"paper"`
				}
				if json.NewDecoder(io.LimitReader(hr, maxSmallFile)).Decode(&c) == nil && c.Paper != nil {
					printed[poll] = c.Paper.LogHash
				}
				return nil
			}
			if n != FileEvents {
				return nil
			}
			return verifyEvents(hr, m, &chain)
		})
		if err != nil {
			unreadable(n, err)
			continue
		}
		digests[n] = d
		r.Events += chain.Events
		r.Problems = append(r.Problems, chain.Problems...)
	}
	var pub ed25519.PublicKey
	if b, ok := small[FilePublicKey]; ok {
		var err error
		if pub, err = ParsePublicKey(b); err != nil {
			r.add(FilePublicKey, CodeBadKey, "Khóa công khai không hợp lệ: %v.", "not a valid Ed25519 public key: %v", err)
			pub = nil
		} else {
			r.KeyFingerprint = Fingerprint(pub)
		}
	}
	// keySuspect: public-key.pem differs both from the hash and from the
	// fingerprint the manifest records, so the key file (not the manifest)
	// is the likely culprit of a failing signature.
	keySuspect := false
	if m != nil && pub != nil {
		d := m.file(FilePublicKey)
		hashOK := d != nil && digests[FilePublicKey].sha256 == d.SHA256
		if r.KeyFingerprint != m.Key {
			file := FileManifest
			if !hashOK {
				file, keySuspect = FilePublicKey, true
			}
			r.add(file, CodeKeyMismatch, "Khóa công khai (dấu vân tay %s) không phải khóa ghi trong manifest.json (%s).",
				"the public key (fingerprint %s) is not the one manifest.json names (%s)", Short(r.KeyFingerprint), Short(m.Key))
		}
	}

	// The signature.
	sig, haveSig := small[FileSignature]
	mb, haveManifest := small[FileManifest]
	switch {
	case !haveSig || !haveManifest:
		// reported as missing or unreadable
	case len(sig) != ed25519.SignatureSize:
		r.add(FileSignature, CodeBadSignature, "Chữ ký dài %d byte, phải là %d.", "signature is %d bytes long, want %d", len(sig), ed25519.SignatureSize)
	case pub == nil:
		r.add(FileSignature, CodeBadSignature, "Không kiểm tra được chữ ký: thiếu khóa công khai hợp lệ.", "cannot check the signature: no valid public key")
	case !ed25519.Verify(pub, mb, sig):
		if keySuspect {
			// The key does not match the manifest: the key file is the
			// suspect (or the manifest's record of it, reported above).
			r.add(FilePublicKey, CodeBadSignature, "Chữ ký không khớp với khóa công khai trong bộ lưu trữ.", "the signature does not verify with the archive's public key")
		} else {
			r.add(FileManifest, CodeBadSignature, "Nội dung manifest.json không khớp chữ ký (manifest.json hoặc manifest.sig đã bị sửa).",
				"manifest.json does not match its signature (manifest.json or manifest.sig was altered)")
			r.add(FileSignature, CodeBadSignature, "Chữ ký không hợp lệ cho manifest.json.", "the signature is not valid for manifest.json")
		}
	}
	if opts.Trusted != nil && pub != nil {
		r.Trusted = true
		if !opts.Trusted.Matches(pub) {
			r.add(FilePublicKey, CodeUntrusted, "Bộ lưu trữ được ký bằng khóa khác (dấu vân tay %s), không phải khóa tin cậy %s.",
				"the archive is signed with another key (fingerprint %s), not the trusted key %s", Short(r.KeyFingerprint), Short(opts.Trusted.Fingerprint))
		}
	}

	// Every listed file's size and hash.
	if m != nil {
		for _, d := range m.Files {
			got, ok := digests[d.Name]
			if !ok {
				continue // missing or unreadable, reported above
			}
			if got.size != d.Size {
				r.add(d.Name, CodeSize, "Kích thước %d byte, manifest ghi %d.", "size is %d bytes, the manifest says %d", got.size, d.Size)
			}
			if got.sha256 != d.SHA256 {
				r.add(d.Name, CodeHash, "Mã băm SHA-256 không khớp manifest (tệp đã bị thay đổi).", "SHA-256 differs from the manifest (the file was altered)")
			}
		}
	}

	// Each paper poll's counting record prints the hash of its entry log.
	if m != nil && m.Format == FormatPaper {
		for _, d := range m.Files {
			poll, ok := entriesPoll(d.Name)
			if !ok || d.Name != EntryNames(poll)[0] {
				continue
			}
			log, ok1 := digests[d.Name]
			_, ok2 := digests[CountingNames(poll)[0]]
			if !ok1 || !ok2 {
				continue // missing or unreadable, reported above
			}
			if printed[poll] != log.sha256 {
				r.add(d.Name, CodeEntryLog, "Mã băm của nhật ký nhập phiếu không khớp mã in trên biên bản kiểm phiếu %s.",
					"the entry log's SHA-256 is not the one printed on counting record %s", CountingNames(poll)[0])
			}
		}
	}
	return r, nil
}

func digest(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func (m *Manifest) file(name string) *FileDigest {
	for i := range m.Files {
		if m.Files[i].Name == name {
			return &m.Files[i]
		}
	}
	return nil
}

// validListing reports whether listed is ContentFiles followed by one or
// more counting records (CountingNames of distinct polls): the files of a
// FormatCounting archive.
//
// With paper, a counting record may be followed by its poll's entry log
// (EntryNames), and at least one is (FormatPaper).
func validListing(listed []string, paper bool) bool {
	if len(listed) <= len(ContentFiles) || !slices.Equal(listed[:len(ContentFiles)], ContentFiles) {
		return false
	}
	rest := listed[len(ContentFiles):]
	seen := map[string]bool{}
	entries := 0
	for i := 0; i < len(rest); {
		poll, ok := countingPoll(rest[i])
		n := len(countingSuffixes)
		if !ok || seen[poll] || i+n > len(rest) || !slices.Equal(rest[i:i+n], CountingNames(poll)) {
			return false
		}
		seen[poll] = true
		i += n
		if paper && i < len(rest) && rest[i] == EntryNames(poll)[0] {
			m := len(entrySuffixes)
			if i+m > len(rest) || !slices.Equal(rest[i:i+m], EntryNames(poll)) {
				return false
			}
			entries++
			i += m
		}
	}
	return !paper || entries > 0
}

// listedFiles returns the files manifest bytes b list when they form a
// valid set for the manifest's format, else nil.
func listedFiles(b []byte) []string {
	var m Manifest
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	var listed []string
	for _, d := range m.Files {
		listed = append(listed, d.Name)
	}
	switch {
	case m.Format == Format && slices.Equal(listed, ContentFiles), m.Format == FormatCounting && validListing(listed, false),
		m.Format == FormatPaper && validListing(listed, true):
		return listed
	}
	return nil
}

// decodeManifest parses manifest.json strictly and checks that it lists
// exactly ContentFiles (format 1), or ContentFiles and counting records
// (format 2), reporting problems; nil if it is unusable.
func decodeManifest(b []byte, r *Report) *Manifest {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		r.add(FileManifest, CodeBadManifest, "manifest.json không đọc được: %v.", "manifest.json cannot be decoded: %v", err)
		return nil
	}
	if len(bytes.TrimSpace(b[dec.InputOffset():])) != 0 {
		r.add(FileManifest, CodeBadManifest, "manifest.json có phần thừa sau dữ liệu.", "manifest.json has trailing data")
	}
	if m.Format != Format && m.Format != FormatCounting && m.Format != FormatPaper {
		r.add(FileManifest, CodeBadManifest, "Định dạng %q không được hỗ trợ (cần %q, %q hoặc %q).", "unsupported format %q (want %q, %q or %q)", m.Format, Format, FormatCounting, FormatPaper)
	}
	var listed []string
	for _, d := range m.Files {
		listed = append(listed, d.Name)
		if len(d.SHA256) != 64 {
			r.add(FileManifest, CodeBadManifest, "Mã băm của %s không hợp lệ.", "the hash of %s is malformed", d.Name)
		}
	}
	if m.Format == Format && !slices.Equal(listed, ContentFiles) || m.Format == FormatCounting && !validListing(listed, false) ||
		m.Format == FormatPaper && !validListing(listed, true) {
		r.add(FileManifest, CodeBadManifest, "manifest.json liệt kê các tệp %v, cần %v (và biên bản kiểm phiếu nếu định dạng %s).",
			"manifest.json lists files %v, want %v (and counting records in format %s)", listed, ContentFiles, FormatCounting)
	}
	if m.Meeting.ID == "" || m.Revision < 1 {
		r.add(FileManifest, CodeBadManifest, "manifest.json thiếu mã cuộc họp hoặc số phiên bản.", "manifest.json lacks the meeting id or revision")
	}
	return &m
}

// verifyEvents checks the hash chain of events.jsonl: every line an event
// of the manifest's meeting, seq gapless from 1, each prev the previous
// hash, each hash recomputed with meeting.ComputeHash (the function the
// event log uses), and the last event the manifest's head.
//
// It reads hr to its end (or returns the read error, for the caller to
// report the file unreadable).
func verifyEvents(hr *hashingReader, m *Manifest, r *Report) error {
	sc := bufio.NewScanner(hr)
	sc.Buffer(make([]byte, 0, 64<<10), maxEventLine)
	var seq int64
	prev := ""
	bad := 0
	fail := func(vi, en string, args ...any) {
		bad++
		if bad <= maxChainProblems {
			r.add(FileEvents, CodeChain, vi, en, args...)
		}
	}
	line := 0
	var last *meeting.Event
	for sc.Scan() {
		line++
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		var e meeting.Event
		if err := dec.Decode(&e); err != nil {
			fail("Dòng %d không phải một sự kiện JSON: %v.", "line %d is not a JSON event: %v", line, err)
			seq++ // assume the line held the next event
			prev = ""
			continue
		}
		if len(bytes.TrimSpace(sc.Bytes()[dec.InputOffset():])) != 0 {
			fail("Dòng %d có phần thừa.", "line %d has trailing data", line)
		}
		r.Events++
		switch {
		case m != nil && e.Meeting != m.Meeting.ID:
			fail("Dòng %d: sự kiện của cuộc họp %q, không phải %q.", "line %d: event of meeting %q, not %q", line, e.Meeting, m.Meeting.ID)
		case e.Seq != seq+1:
			fail("Dòng %d: số thứ tự %d, mong đợi %d (chuỗi bị đứt).", "line %d: seq %d, want %d (gap in the chain)", line, e.Seq, seq+1)
		case e.Prev != prev && prev != "":
			fail("Dòng %d: sự kiện %d không nối với sự kiện trước.", "line %d: event %d does not link to its predecessor", line, e.Seq)
		case e.Seq == 1 && e.Prev != "":
			fail("Dòng %d: sự kiện đầu tiên không được có prev.", "line %d: the first event must have no prev", line)
		}
		if got := meeting.ComputeHash(e); got != e.Hash {
			fail("Dòng %d: sự kiện %d đã bị thay đổi (sai mã băm).", "line %d: event %d was altered (hash mismatch)", line, e.Seq)
		}
		seq, prev = e.Seq, e.Hash
		last = &e
	}
	if err := sc.Err(); err != nil {
		if !errors.Is(err, bufio.ErrTooLong) {
			return err
		}
		fail("Dòng %d dài quá %d byte.", "line %d is longer than %d bytes", line+1, maxEventLine)
	}
	if hr.n > 0 && hr.last != '\n' {
		fail("Dòng cuối không kết thúc bằng xuống dòng.", "the last line does not end with a newline")
	}
	if line == 0 {
		fail("Không có sự kiện nào.", "no events")
	}
	if bad > maxChainProblems {
		r.add(FileEvents, CodeChain, "… và %d lỗi khác.", "… and %d more problems", bad-maxChainProblems)
	}
	if m != nil && last != nil {
		if rev, ok := revisionOf(*last); !ok || rev != m.Revision {
			r.add(FileEvents, CodeHead, "Nhật ký không kết thúc bằng sự kiện tạo phiên bản %d của biên bản.",
				"the log does not end with the event that made revision %d of the minutes", m.Revision)
		}
	}
	if m != nil && (seq != m.Log.Seq || prev != m.Log.Hash) {
		r.add(FileEvents, CodeHead, "Sự kiện cuối là số %d (%s), manifest ghi số %d (%s).", "the last event is %d (%s), the manifest says %d (%s)",
			seq, shortHash(prev), m.Log.Seq, shortHash(m.Log.Hash))
	}
	return nil
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	if h == "" {
		return "∅"
	}
	return strings.TrimSpace(h)
}
