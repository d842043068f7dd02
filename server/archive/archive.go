// Package archive makes, stores and verifies the tamper-evident archive of a
// meeting's minutes: the rendered minutes, the raw event log, the document
// manifest and a manifest of SHA-256 hashes signed with the server's
// Ed25519 key. docs/archive.md describes the format and how to check an
// archive by hand.
//
// The package does not render minutes itself: it takes the rendered files
// as bytes, so that it depends only on the domain (server/meeting) and the
// object store (docs-storage).
package archive

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// Format names the archive format, written in every manifest:
// "phonghop-archive/1" for an archive of exactly ContentFiles,
// FormatCounting when the meeting held secret polls and the archive adds
// their vote-counting records (CountingNames, after ContentFiles).
const Format = "phonghop-archive/1"

// FormatCounting names the archive format with counting records.
const FormatCounting = "phonghop-archive/2"

// FormatPaper names the archive format with counting records of which at
// least one is of a paper poll, followed by its entry log (EntryNames).
const FormatPaper = "phonghop-archive/3"

// The files of an archive.
const (
	FileMinutesJSON = "minutes.json"
	FileMinutesVIH  = "minutes.vi.html"
	FileMinutesENH  = "minutes.en.html"
	FileMinutesVIP  = "minutes.vi.pdf"
	FileMinutesENP  = "minutes.en.pdf"
	FileEvents      = "events.jsonl"
	FileDocuments   = "documents.json"
	FilePublicKey   = "public-key.pem"
	FileManifest    = "manifest.json"
	FileSignature   = "manifest.sig"
)

// ContentFiles are the files listed in the manifest, in manifest order.
var ContentFiles = []string{FileMinutesJSON, FileMinutesVIH, FileMinutesENH, FileMinutesVIP, FileMinutesENP,
	FileEvents, FileDocuments, FilePublicKey}

// AllFiles are every file of an archive: ContentFiles, the manifest and its
// signature.
var AllFiles = append(slices.Clone(ContentFiles), FileManifest, FileSignature)

// countingSuffixes are the files of one counting record, in manifest
// order: "counting-<poll>" followed by each suffix.
var countingSuffixes = []string{".json", ".vi.html", ".en.html", ".vi.pdf", ".en.pdf"}

// CountingNames returns the file names of the counting record of poll
// ("counting-v15.json", "counting-v15.vi.html", …), in manifest order.
func CountingNames(poll string) []string {
	out := make([]string, len(countingSuffixes))
	for i, s := range countingSuffixes {
		out[i] = "counting-" + poll + s
	}
	return out
}

// entrySuffixes are the files of one entry log of a paper poll, in
// manifest order: "entries-<poll>" followed by each suffix.
var entrySuffixes = []string{".json", ".vi.html", ".vi.pdf"}

// EntryNames returns the file names of the entry log (nhật ký nhập phiếu)
// of paper poll poll ("entries-v15.json", …), in manifest order. The
// SHA-256 of the first is the hash printed on the poll's counting record.
func EntryNames(poll string) []string {
	out := make([]string, len(entrySuffixes))
	for i, s := range entrySuffixes {
		out[i] = "entries-" + poll + s
	}
	return out
}

// KnownName reports whether name can be a file of an archive: one of
// AllFiles, a file of a counting record (CountingNames of a poll ID) or of
// an entry log (EntryNames).
func KnownName(name string) bool {
	if slices.Contains(AllFiles, name) {
		return true
	}
	if _, ok := countingPoll(name); ok {
		return true
	}
	_, ok := entriesPoll(name)
	return ok
}

// entriesPoll returns the poll of an entry log file's name and whether name
// is one.
func entriesPoll(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, "entries-")
	if !ok {
		return "", false
	}
	for _, s := range entrySuffixes {
		if poll, ok := strings.CutSuffix(rest, s); ok && validPoll(poll) {
			return poll, true
		}
	}
	return "", false
}

// countingPoll returns the poll of a counting file's name and whether name
// is one.
func countingPoll(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, "counting-")
	if !ok {
		return "", false
	}
	for _, s := range countingSuffixes {
		if poll, ok := strings.CutSuffix(rest, s); ok && validPoll(poll) {
			return poll, true
		}
	}
	return "", false
}

// validPoll reports whether s is a poll ID as the domain makes them
// ("v" and a sequence number), the only names a counting file may carry.
func validPoll(s string) bool {
	if len(s) < 2 || len(s) > 20 || s[0] != 'v' {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// contentType returns the MIME type of an archive file.
func contentType(name string) string {
	if t, ok := contentTypes[name]; ok {
		return t
	}
	switch {
	case strings.HasSuffix(name, ".json"):
		return "application/json"
	case strings.HasSuffix(name, ".html"):
		return "text/html; charset=utf-8"
	case strings.HasSuffix(name, ".pdf"):
		return "application/pdf"
	}
	return "application/octet-stream"
}

// contentTypes are the MIME types the files are stored with.
var contentTypes = map[string]string{
	FileMinutesJSON: "application/json", FileMinutesVIH: "text/html; charset=utf-8", FileMinutesENH: "text/html; charset=utf-8",
	FileMinutesVIP: "application/pdf", FileMinutesENP: "application/pdf", FileEvents: "application/x-ndjson",
	FileDocuments: "application/json", FilePublicKey: "application/x-pem-file", FileManifest: "application/json",
	FileSignature: "application/octet-stream",
}

// Manifest is the content of manifest.json. Its exact bytes are signed.
type Manifest struct {
	Format   string       `json:"format"`
	Meeting  MeetingInfo  `json:"meeting"`
	Revision int          `json:"revision"`
	Log      LogHead      `json:"log"`
	Created  time.Time    `json:"created_at"`
	Key      string       `json:"key_fingerprint"` // Fingerprint of the signing key
	Files    []FileDigest `json:"files"`
}

// MeetingInfo identifies the meeting in a manifest.
type MeetingInfo struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Epoch    string    `json:"epoch,omitempty"`
	StartsAt time.Time `json:"starts_at,omitzero"`
}

// LogHead is the last event of the archived log.
type LogHead struct {
	Seq  int64  `json:"head_seq"`
	Hash string `json:"head_hash"`
}

// FileDigest describes one archived file.
type FileDigest struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Minutes are the rendered minutes, and the counting record of each
// secret poll (in the order of the polls).
type Minutes struct {
	JSON           []byte
	HTMLVI, HTMLEN []byte
	PDFVI, PDFEN   []byte
	Counting       []Counting
}

// Counting is the rendered vote-counting record of one poll, and for a
// paper poll its entry log (Entries* set, nil otherwise).
type Counting struct {
	Poll           string // the poll's ID, "v15"
	JSON           []byte
	HTMLVI, HTMLEN []byte
	PDFVI, PDFEN   []byte

	EntriesJSON, EntriesHTML, EntriesPDF []byte
}

// Paper reports whether c has an entry log.
func (c Counting) Paper() bool { return c.EntriesJSON != nil }

// files returns the files of c, by name.
func (c Counting) files() map[string][]byte {
	n := CountingNames(c.Poll)
	out := map[string][]byte{n[0]: c.JSON, n[1]: c.HTMLVI, n[2]: c.HTMLEN, n[3]: c.PDFVI, n[4]: c.PDFEN}
	if c.Paper() {
		e := EntryNames(c.Poll)
		out[e[0]], out[e[1]], out[e[2]] = c.EntriesJSON, c.EntriesHTML, c.EntriesPDF
	}
	return out
}

// Document is one line of documents.json: a version of a meeting document.
type Document struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Name    string `json:"name"`
	Version int    `json:"version"`
	SHA256  string `json:"sha256"`
	Size    int64  `json:"size"`
	Access  string `json:"access"`
	Status  string `json:"status"`
}

// DocumentsOf lists every version of every document of s.
func DocumentsOf(s *meeting.State) []Document {
	out := []Document{}
	for _, d := range s.Documents {
		for _, v := range d.Versions {
			out = append(out, Document{ID: d.ID, Title: d.Title, Name: v.Name, Version: v.Number, SHA256: v.SHA256,
				Size: v.Size, Access: string(d.Access), Status: string(d.Status)})
		}
	}
	return out
}

// Input is what an archive is made of.
type Input struct {
	Meeting   MeetingInfo
	Revision  int
	Minutes   Minutes
	Events    []meeting.Event // the whole log, from seq 1
	Documents []Document
	Created   time.Time
}

// Archive is a built, signed archive held in memory.
type Archive struct {
	Manifest Manifest
	files    map[string][]byte
	names    []string // every file, in manifest order, then the manifest and its signature
}

// Prefix returns the object-store prefix of an archive,
// "archives/<meeting>/<revision>/".
func Prefix(meetingID string, revision int) string {
	return fmt.Sprintf("archives/%s/%d/", meetingID, revision)
}

// Build makes and signs the archive of in. The events must form a valid
// chain from seq 1 (a broken log is never archived) and end with the
// minutes.finalized or minutes.corrected event that made in.Revision.
func Build(in Input, key *Key) (*Archive, error) {
	if in.Meeting.ID == "" || in.Revision < 1 {
		return nil, errors.New("archive: meeting id and a revision ≥ 1 are required")
	}
	if len(in.Events) == 0 {
		return nil, errors.New("archive: no events")
	}
	if i, err := meeting.VerifyChain(0, "", in.Events); err != nil {
		return nil, fmt.Errorf("archive: event log of %s at index %d: %w", in.Meeting.ID, i, err)
	}
	if rev, ok := revisionOf(in.Events[len(in.Events)-1]); !ok || rev != in.Revision {
		return nil, fmt.Errorf("archive: the log of %s does not end with the event that made revision %d of the minutes", in.Meeting.ID, in.Revision)
	}
	events, err := EncodeEvents(in.Events)
	if err != nil {
		return nil, err
	}
	docs := in.Documents
	if docs == nil {
		docs = []Document{}
	}
	docJSON, err := json.MarshalIndent(docs, "", "  ")
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{
		FileMinutesJSON: in.Minutes.JSON, FileMinutesVIH: in.Minutes.HTMLVI, FileMinutesENH: in.Minutes.HTMLEN,
		FileMinutesVIP: in.Minutes.PDFVI, FileMinutesENP: in.Minutes.PDFEN,
		FileEvents: events, FileDocuments: append(docJSON, '\n'), FilePublicKey: key.PublicPEM(),
	}
	names := slices.Clone(ContentFiles)
	format := Format
	for _, c := range in.Minutes.Counting {
		if !validPoll(c.Poll) {
			return nil, fmt.Errorf("archive: counting record of poll %q: not a poll ID", c.Poll)
		}
		for name, b := range c.files() {
			if _, dup := files[name]; dup {
				return nil, fmt.Errorf("archive: counting record of poll %s twice", c.Poll)
			}
			files[name] = b
		}
		names = append(names, CountingNames(c.Poll)...)
		if c.Paper() {
			names = append(names, EntryNames(c.Poll)...)
		}
		if format != FormatPaper {
			format = FormatCounting
		}
		if c.Paper() {
			format = FormatPaper
		}
	}
	for name, b := range files {
		if len(b) == 0 {
			return nil, fmt.Errorf("archive: %s is empty", name)
		}
	}
	last := in.Events[len(in.Events)-1]
	created := in.Created
	if created.IsZero() {
		created = time.Now()
	}
	m := Manifest{Format: format, Meeting: in.Meeting, Revision: in.Revision, Log: LogHead{Seq: last.Seq, Hash: last.Hash},
		Created: created.UTC().Truncate(time.Millisecond), Key: key.Fingerprint()}
	for _, name := range names {
		sum := sha256.Sum256(files[name])
		m.Files = append(m.Files, FileDigest{Name: name, Size: int64(len(files[name])), SHA256: hex.EncodeToString(sum[:])})
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	mb = append(mb, '\n')
	files[FileManifest] = mb
	files[FileSignature] = key.Sign(mb)
	return &Archive{Manifest: m, files: files, names: append(names, FileManifest, FileSignature)}, nil
}

// revisionOf returns the minutes revision made by e, if e is a
// minutes.finalized or minutes.corrected event.
func revisionOf(e meeting.Event) (int, bool) {
	if e.Type != meeting.EventMinutesFinalized && e.Type != meeting.EventMinutesCorrected {
		return 0, false
	}
	var p struct {
		Revision int `json:"revision"`
	}
	if json.Unmarshal(e.Data, &p) != nil || p.Revision < 1 {
		return 0, false
	}
	return p.Revision, true
}

// EncodeEvents writes events as JSON Lines, one event per line with every
// stored field (seq, at, actor, type, data, audience, prev, hash). It checks
// that each line decodes to an event with the same hash, so that the file
// verifies on its own.
func EncodeEvents(events []meeting.Event) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep Data byte for byte
	for _, e := range events {
		start := buf.Len()
		if err := enc.Encode(e); err != nil {
			return nil, fmt.Errorf("archive: encode event %d: %w", e.Seq, err)
		}
		var back meeting.Event
		if err := json.Unmarshal(buf.Bytes()[start:], &back); err != nil || meeting.ComputeHash(back) != e.Hash {
			return nil, fmt.Errorf("archive: event %d does not survive JSON encoding unchanged", e.Seq)
		}
	}
	return buf.Bytes(), nil
}

// Names returns the names of the archive's files: those of the manifest in
// its order (AllFiles order for an archive without counting records), then
// the manifest and its signature.
func (a *Archive) Names() []string { return slices.Clone(a.names) }

// File returns the bytes of the named file (nil if there is none).
func (a *Archive) File(name string) []byte { return a.files[name] }

// Size returns the total size of the files.
func (a *Archive) Size() int64 {
	var n int64
	for _, b := range a.files {
		n += int64(len(b))
	}
	return n
}

// WriteZip writes the archive as a zip file with the files at its root.
func (a *Archive) WriteZip(w io.Writer) error {
	zw := zip.NewWriter(w)
	for _, name := range a.names {
		if err := addZip(zw, name, a.Manifest.Created, bytes.NewReader(a.files[name])); err != nil {
			return err
		}
	}
	return zw.Close()
}

func addZip(zw *zip.Writer, name string, mod time.Time, r io.Reader) error {
	method := zip.Deflate
	if filepath.Ext(name) == ".pdf" || name == FileSignature {
		method = zip.Store // already compressed or random
	}
	f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: mod})
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	return err
}

// WriteDir writes the archive's files into dir (created if needed), each
// read-only. It refuses to replace an existing file.
func (a *Archive) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, name := range a.names {
		if err := writeNew(filepath.Join(dir, name), a.files[name]); err != nil {
			return err
		}
	}
	return nil
}
