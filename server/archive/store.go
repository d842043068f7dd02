package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	docstorage "github.com/phonghop/phonghop/docs-storage"
)

// Policy is how long and how firmly archives are protected in S3.
type Policy struct {
	// Mode is docstorage.Compliance (default) or docstorage.Governance.
	Mode string
	// Years and Days add up to the retention period from the moment
	// each object is written.
	Years, Days int
	// Duration is added too (for tests: hours).
	Duration time.Duration
}

// DefaultRetention is the production default: ten years.
const DefaultRetention = "3650d"

// ParsePolicy reads a retention such as "10y", "3650d", "3650" (days) or a
// Go duration ("36h"), and a lock mode ("COMPLIANCE"/"GOVERNANCE", any
// case; "" is COMPLIANCE).
func ParsePolicy(retention, mode string) (Policy, error) {
	var p Policy
	switch strings.ToUpper(strings.TrimSpace(mode)) {
	case "", docstorage.Compliance:
		p.Mode = docstorage.Compliance
	case docstorage.Governance:
		p.Mode = docstorage.Governance
	default:
		return p, fmt.Errorf("lock mode %q: want COMPLIANCE or GOVERNANCE", mode)
	}
	r := strings.ToLower(strings.TrimSpace(retention))
	if r == "" {
		r = DefaultRetention
	}
	bad := fmt.Errorf("retention %q: want e.g. 10y, 3650d or 72h", retention)
	// Digits with at most one unit letter: years, days, or days when bare.
	digits, unit := r, byte('d')
	if last := r[len(r)-1]; last == 'y' || last == 'd' {
		digits, unit = r[:len(r)-1], last
	}
	if digits != "" && strings.Trim(digits, "0123456789") == "" {
		n, err := strconv.Atoi(digits)
		switch {
		case err != nil || n <= 0 || n > 100*366:
			return p, bad
		case unit == 'y':
			if n > 100 {
				return p, bad
			}
			p.Years = n
		default:
			p.Days = n
		}
		return p, nil
	}
	d, err := time.ParseDuration(r)
	if err != nil || d <= 0 {
		return p, bad
	}
	p.Duration = d
	return p, nil
}

// Until returns when an object written at t stops being protected.
func (p Policy) Until(t time.Time) time.Time {
	return t.AddDate(p.Years, 0, p.Days).Add(p.Duration)
}

// String describes the policy, e.g. "COMPLIANCE 3650d".
func (p Policy) String() string {
	var parts []string
	if p.Years > 0 {
		parts = append(parts, fmt.Sprintf("%dy", p.Years))
	}
	if p.Days > 0 {
		parts = append(parts, fmt.Sprintf("%dd", p.Days))
	}
	if p.Duration > 0 {
		parts = append(parts, p.Duration.String())
	}
	return p.Mode + " " + strings.Join(parts, "+")
}

// Store keeps archives under "archives/<meeting>/<revision>/<file>" and
// never replaces a stored file.
type Store struct {
	r ObjectReader
	// put stores b under key, failing with docstorage kind Conflict if
	// the key exists.
	put func(ctx context.Context, key string, b []byte, contentType string) error
	// Where describes the store for logs.
	Where string
	// Protected reports whether the backend enforces retention (S3 object
	// lock); a local folder does not.
	Protected bool
}

// OpenS3 opens (creating if needed, with object lock enabled) the archive
// bucket cfg.Bucket; every file is written with the retention of p.
func OpenS3(ctx context.Context, cfg docstorage.S3Config, p Policy) (*Store, error) {
	if p.Mode == "" {
		return nil, errors.New("archive: a retention policy is required")
	}
	cfg.ObjectLocking = true
	s3, err := docstorage.NewS3(ctx, cfg)
	if err != nil {
		return nil, err
	}
	put := func(ctx context.Context, key string, b []byte, ct string) error {
		return s3.PutRetained(ctx, key, bytes.NewReader(b), int64(len(b)), docstorage.Meta{ContentType: ct},
			docstorage.Retention{Mode: p.Mode, Until: p.Until(time.Now())})
	}
	scheme := "http"
	if cfg.UseTLS {
		scheme = "https"
	}
	return &Store{r: s3, put: put, Where: fmt.Sprintf("S3 %s://%s/%s (object lock %s)", scheme, cfg.Endpoint, cfg.Bucket, p), Protected: true}, nil
}

// OpenLocal opens the archive folder root (created if needed): archives
// are written as plain files, root/archives/<meeting>/<revision>/<file>,
// read-only and never replaced. A local folder cannot enforce retention: an
// administrator of the machine can still delete or change the files (the
// signature then shows the change, not the deletion).
func OpenLocal(root string) (*Store, error) {
	if err := os.MkdirAll(filepath.Join(root, "archives"), 0o755); err != nil {
		return nil, err
	}
	l := &localReader{root: root}
	put := func(ctx context.Context, key string, b []byte, ct string) error {
		if err := docstorage.ValidKey(key); err != nil {
			return err
		}
		p := filepath.Join(root, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return writeNew(p, b)
	}
	return &Store{r: l, put: put, Where: filepath.Join(root, "archives") + " (local folder: no retention lock)", Protected: false}, nil
}

// LocalDir returns the folder holding one archive of a local store rooted
// at root.
func LocalDir(root, meetingID string, revision int) string {
	return filepath.Join(root, "archives", meetingID, strconv.Itoa(revision))
}

// errExists is returned (wrapped in a docstorage error) when a file exists.
var errExists = errors.New("file exists")

// writeNew writes b to path atomically and read-only (0444), refusing to
// replace an existing file: it writes a temporary file, syncs it, then
// hard-links it into place (link fails if the name exists).
func writeNew(path string, b []byte) error {
	var rnd [8]byte
	rand.Read(rnd[:])
	tmp := filepath.Join(filepath.Dir(path), ".tmp-"+hex.EncodeToString(rnd[:]))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return &docstorage.Error{Kind: docstorage.Conflict, Message: path, Err: errExists}
		}
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// localReader reads a local archive folder as an object store.
type localReader struct{ root string }

func (l *localReader) List(ctx context.Context, prefix string) ([]docstorage.Info, error) {
	dir := prefix
	if i := strings.LastIndex(dir, "/"); i >= 0 {
		dir = dir[:i]
	} else {
		dir = ""
	}
	out := []docstorage.Info{}
	base := filepath.Join(l.root, filepath.FromSlash(dir))
	err := filepath.WalkDir(base, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if e.IsDir() || strings.HasPrefix(e.Name(), ".tmp-") {
			return nil
		}
		rel, _ := filepath.Rel(l.root, p)
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		fi, err := e.Info()
		if err != nil {
			return err
		}
		out = append(out, docstorage.Info{Key: key, Size: fi.Size(), Modified: fi.ModTime()})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, err
}

func (l *localReader) Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if err := docstorage.ValidKey(key); err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(l.root, filepath.FromSlash(key)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &docstorage.Error{Kind: docstorage.NotFound, Message: key, Err: err}
	}
	if err != nil {
		return nil, err
	}
	if offset > 0 {
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			f.Close()
			return nil, err
		}
	}
	if length < 0 {
		return f, nil
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(f, length), f}, nil
}

// Source returns the stored archive of a meeting revision, for Verify.
func (s *Store) Source(meetingID string, revision int) Source {
	return StoreSource(s.r, Prefix(meetingID, revision), s.Where+" "+Prefix(meetingID, revision))
}

// Reader returns the store's object reader.
func (s *Store) Reader() ObjectReader { return s.r }

// Complete reports whether the archive of a meeting revision is fully
// written (its signature, written last, exists).
func (s *Store) Complete(ctx context.Context, meetingID string, revision int) (bool, error) {
	infos, err := s.r.List(ctx, Prefix(meetingID, revision)+FileSignature)
	if err != nil {
		return false, err
	}
	return len(infos) > 0, nil
}

// Write builds the archive of in, signs it with key and stores it; the
// manifest and its signature go last, so an archive without manifest.sig
// is incomplete. Write is idempotent: if the archive is complete it does
// nothing and returns (nil, nil); if an earlier attempt stored some files
// before failing (they cannot be replaced), their stored bytes are reused
// — events.jsonl must then equal the log exactly — and only the missing
// files are written.
func (s *Store) Write(ctx context.Context, in Input, key *Key) (*Archive, error) {
	prefix := Prefix(in.Meeting.ID, in.Revision)
	infos, err := s.r.List(ctx, prefix)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, info := range infos {
		have[strings.TrimPrefix(info.Key, prefix)] = true
	}
	if have[FileSignature] {
		return nil, nil
	}
	if have[FileManifest] {
		// The manifest was written but not its signature: the manifest
		// cannot be replaced, so re-sign exactly those bytes.
		mb, err := s.read(ctx, prefix+FileManifest)
		if err != nil {
			return nil, err
		}
		var m Manifest
		if err := json.Unmarshal(mb, &m); err != nil {
			return nil, fmt.Errorf("archive %s: stored manifest: %w", prefix, err)
		}
		if m.Key != key.Fingerprint() {
			return nil, fmt.Errorf("archive %s: stored manifest names key %s, not this server's %s", prefix, Short(m.Key), Short(key.Fingerprint()))
		}
		if err := s.put(ctx, prefix+FileSignature, key.Sign(mb), contentType(FileSignature)); err != nil {
			return nil, err
		}
		return nil, nil
	}
	reuse := func(name string, dst *[]byte) error {
		if !have[name] {
			return nil
		}
		b, err := s.read(ctx, prefix+name)
		if err != nil {
			return err
		}
		*dst = b
		return nil
	}
	rendered := map[string]*[]byte{FileMinutesJSON: &in.Minutes.JSON, FileMinutesVIH: &in.Minutes.HTMLVI,
		FileMinutesENH: &in.Minutes.HTMLEN, FileMinutesVIP: &in.Minutes.PDFVI, FileMinutesENP: &in.Minutes.PDFEN}
	in.Minutes.Counting = slices.Clone(in.Minutes.Counting)
	for i := range in.Minutes.Counting {
		c := &in.Minutes.Counting[i]
		n := CountingNames(c.Poll)
		rendered[n[0]], rendered[n[1]], rendered[n[2]], rendered[n[3]], rendered[n[4]] = &c.JSON, &c.HTMLVI, &c.HTMLEN, &c.PDFVI, &c.PDFEN
		if c.Paper() {
			e := EntryNames(c.Poll)
			rendered[e[0]], rendered[e[1]], rendered[e[2]] = &c.EntriesJSON, &c.EntriesHTML, &c.EntriesPDF
		}
	}
	for name, dst := range rendered {
		if err := reuse(name, dst); err != nil {
			return nil, err
		}
	}
	a, err := Build(in, key)
	if err != nil {
		return nil, err
	}
	for _, name := range []string{FileEvents, FileDocuments, FilePublicKey} {
		if have[name] {
			b, err := s.read(ctx, prefix+name)
			if err != nil {
				return nil, err
			}
			if !bytes.Equal(b, a.File(name)) {
				return nil, fmt.Errorf("archive %s: a different %s is already stored", prefix, name)
			}
		}
	}
	for _, name := range a.Names() {
		if have[name] {
			continue
		}
		if err := s.put(ctx, prefix+name, a.File(name), contentType(name)); err != nil {
			return nil, fmt.Errorf("archive %s%s: %w", prefix, name, err)
		}
	}
	return a, nil
}

func (s *Store) read(ctx context.Context, key string) ([]byte, error) {
	rc, err := s.r.Open(ctx, key, 0, -1)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return readLimited(rc)
}

// Entry describes a complete stored archive.
type Entry struct {
	Meeting  MeetingInfo `json:"meeting"`
	Revision int         `json:"revision"`
	Created  time.Time   `json:"created_at"`
	Size     int64       `json:"size"`
	Key      string      `json:"key_fingerprint"`
}

// List describes every complete archive in the store, reading each
// manifest (unverified: use Verify for that), sorted by meeting and
// revision.
func (s *Store) List(ctx context.Context) ([]Entry, error) {
	infos, err := s.r.List(ctx, "archives/")
	if err != nil {
		return nil, err
	}
	signed := map[string]bool{}
	for _, in := range infos {
		if strings.HasSuffix(in.Key, "/"+FileSignature) {
			signed[strings.TrimSuffix(in.Key, FileSignature)] = true
		}
	}
	out := []Entry{}
	for _, in := range infos {
		if !strings.HasSuffix(in.Key, "/"+FileManifest) || !signed[strings.TrimSuffix(in.Key, FileManifest)] {
			continue
		}
		e, err := s.entry(ctx, in.Key)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Meeting.ID != out[j].Meeting.ID {
			return out[i].Meeting.ID < out[j].Meeting.ID
		}
		return out[i].Revision < out[j].Revision
	})
	return out, nil
}

// Entry describes the stored archive of a meeting revision; kind NotFound
// (docstorage) if it is missing or incomplete.
func (s *Store) Entry(ctx context.Context, meetingID string, revision int) (Entry, error) {
	ok, err := s.Complete(ctx, meetingID, revision)
	if err != nil {
		return Entry{}, err
	}
	if !ok {
		return Entry{}, &docstorage.Error{Kind: docstorage.NotFound, Message: Prefix(meetingID, revision)}
	}
	return s.entry(ctx, Prefix(meetingID, revision)+FileManifest)
}

func (s *Store) entry(ctx context.Context, key string) (Entry, error) {
	b, err := s.read(ctx, key)
	if err != nil {
		return Entry{}, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return Entry{}, fmt.Errorf("%s: %w", key, err)
	}
	e := Entry{Meeting: m.Meeting, Revision: m.Revision, Created: m.Created, Key: m.Key, Size: int64(len(b)) + 64}
	for _, f := range m.Files {
		e.Size += f.Size
	}
	return e, nil
}

// WriteZip streams the stored archive of a meeting revision as a zip file,
// one stored file at a time.
func (s *Store) WriteZip(ctx context.Context, w io.Writer, meetingID string, revision int, modified time.Time) error {
	prefix := Prefix(meetingID, revision)
	// The files are those of the stored manifest (AllFiles, and the
	// counting records of an archive that has them).
	mb, err := s.read(ctx, prefix+FileManifest)
	if err != nil {
		return err
	}
	var m Manifest
	if err := json.Unmarshal(mb, &m); err != nil {
		return fmt.Errorf("archive %s: stored manifest: %w", prefix, err)
	}
	names := make([]string, 0, len(m.Files)+2)
	for _, f := range m.Files {
		if !KnownName(f.Name) {
			return fmt.Errorf("archive %s: the stored manifest names an unknown file %q", prefix, f.Name)
		}
		names = append(names, f.Name)
	}
	names = append(names, FileManifest, FileSignature)
	zw := zip.NewWriter(w)
	for _, name := range names {
		rc, err := s.r.Open(ctx, prefix+name, 0, -1)
		if err != nil {
			return err
		}
		err = addZip(zw, name, modified, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return zw.Close()
}
