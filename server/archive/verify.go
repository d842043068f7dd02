package archive

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
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

// Verify checks an archive offline: the signature of manifest.json (against
// public-key.pem and, if given, the trusted key), every file's size and
// SHA-256, that no file is missing or extra, and the hash chain of
// events.jsonl up to the head the manifest names. Problems are returned in
// the report; the error is only for a source that cannot be listed.
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
	// The files the archive must hold: those its manifest lists (when it
	// can be read and lists a valid set: AllFiles, plus the counting
	// records of a FormatCounting archive), else AllFiles.
	expected := AllFiles
	if present[FileManifest] {
		if b, err := src.ReadFile(ctx, FileManifest); err == nil {
			if listed := listedFiles(b); listed != nil {
				expected = append(listed, FileManifest, FileSignature)
			}
		}
	}
	for _, n := range names {
		if !slices.Contains(expected, n) {
			r.add(n, CodeExtra, "Tệp thừa, không thuộc bộ lưu trữ.", "extra file, not part of the archive")
		}
	}
	files := map[string][]byte{}
	for _, n := range expected {
		if !present[n] {
			r.add(n, CodeMissing, "Thiếu tệp.", "file is missing")
			continue
		}
		b, err := src.ReadFile(ctx, n)
		if err != nil {
			r.add(n, CodeUnreadable, "Không đọc được tệp: %v.", "cannot read the file: %v", err)
			continue
		}
		files[n] = b
	}

	// The manifest, decoded before its signature is checked: it names the
	// key and the hash of public-key.pem, which tell which file to blame.
	var m *Manifest
	if b, ok := files[FileManifest]; ok {
		m = decodeManifest(b, r)
		r.Manifest = m
	}
	var pub ed25519.PublicKey
	if b, ok := files[FilePublicKey]; ok {
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
		hashOK := d != nil && digest(files[FilePublicKey]) == d.SHA256
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
	sig, haveSig := files[FileSignature]
	mb, haveManifest := files[FileManifest]
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
			b, ok := files[d.Name]
			if !ok {
				continue // missing or unreadable, reported above
			}
			if int64(len(b)) != d.Size {
				r.add(d.Name, CodeSize, "Kích thước %d byte, manifest ghi %d.", "size is %d bytes, the manifest says %d", len(b), d.Size)
			}
			if got := digest(b); got != d.SHA256 {
				r.add(d.Name, CodeHash, "Mã băm SHA-256 không khớp manifest (tệp đã bị thay đổi).", "SHA-256 differs from the manifest (the file was altered)")
			}
		}
	}

	// The event chain.
	if b, ok := files[FileEvents]; ok {
		verifyEvents(b, m, r)
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
func validListing(listed []string) bool {
	if len(listed) <= len(ContentFiles) || !slices.Equal(listed[:len(ContentFiles)], ContentFiles) {
		return false
	}
	rest := listed[len(ContentFiles):]
	if len(rest)%len(countingSuffixes) != 0 {
		return false
	}
	seen := map[string]bool{}
	for i := 0; i < len(rest); i += len(countingSuffixes) {
		poll, ok := countingPoll(rest[i])
		if !ok || seen[poll] || !slices.Equal(rest[i:i+len(countingSuffixes)], CountingNames(poll)) {
			return false
		}
		seen[poll] = true
	}
	return true
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
	case m.Format == Format && slices.Equal(listed, ContentFiles), m.Format == FormatCounting && validListing(listed):
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
	if m.Format != Format && m.Format != FormatCounting {
		r.add(FileManifest, CodeBadManifest, "Định dạng %q không được hỗ trợ (cần %q hoặc %q).", "unsupported format %q (want %q or %q)", m.Format, Format, FormatCounting)
	}
	var listed []string
	for _, d := range m.Files {
		listed = append(listed, d.Name)
		if len(d.SHA256) != 64 {
			r.add(FileManifest, CodeBadManifest, "Mã băm của %s không hợp lệ.", "the hash of %s is malformed", d.Name)
		}
	}
	if m.Format == Format && !slices.Equal(listed, ContentFiles) || m.Format == FormatCounting && !validListing(listed) {
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
func verifyEvents(b []byte, m *Manifest, r *Report) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), MaxFileSize)
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
		fail("Không đọc hết được: %v.", "cannot read to the end: %v", err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
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
