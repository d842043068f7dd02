package meeting

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Documents (tài liệu): files attached to the whole meeting or to one agenda
// item, kept in numbered versions, each document with an access level.
//
// The bytes live in object storage under their SHA-256; the domain keeps
// only what describes them (File). The server checks and stores an upload
// first, then gives document.add or document.add_version as the system
// (RoleSystem, with the uploader's ID as the actor ID), so no client can
// make a document point at bytes it did not upload.
//
// Who sees a document is its audience (Document.Audience): staff always; a
// published document also its readers, by access level — everyone
// (public), delegates, or the named participants only (mật). A draft or a
// withdrawn document is for the staff only. Every event about a document
// goes to its audience, so a tablet's replica holds exactly the documents
// it may see:
//
//   - document.added, document.version_added: to the current audience;
//   - document.updated carries the whole document (with its versions), so a
//     viewer who gains access by it (a publication, a wider access level, a
//     new named reader) learns the whole document at once;
//   - document.revoked follows a document.updated that may have narrowed
//     the audience. It goes to the old audience and names the revision
//     (Document.Rev) of that document.updated: a replica whose copy is of
//     another revision did not receive the update, so it lost access, and
//     Apply removes the document from it. Everywhere else (the server, the
//     viewers who kept access) the copy has that revision and stays.
//
// Downloads are recorded by document.downloaded (staff only), a batch of
// downloads per event; they do not change the state.

// Access is the access level of a document.
type Access string

// The access levels.
const (
	AccessPublic    Access = "public"    // công khai: everyone, the hall screen and observers too
	AccessDelegates Access = "delegates" // đại biểu: staff and delegates
	AccessNamed     Access = "named"     // mật: staff and the named readers only
)

func (a Access) valid() bool {
	return a == AccessPublic || a == AccessDelegates || a == AccessNamed
}

// DocumentStatus is the life-cycle stage of a document.
type DocumentStatus string

// The document statuses.
const (
	DocumentDraft     DocumentStatus = "draft"     // being prepared: staff only
	DocumentPublished DocumentStatus = "published" // phát hành: its readers see it
	DocumentWithdrawn DocumentStatus = "withdrawn" // thu hồi: staff only, kept for the record
)

// Limits of documents.
const (
	MaxDocuments = 1000 // documents in a meeting
	MaxVersions  = 100  // versions of a document
	MaxNote      = 500  // runes in a version note
	MaxFileName  = 255  // runes in a file name
	MaxDownloads = 1000 // downloads recorded by one command
)

// DocumentTypes are the media types a document version may have, by the
// usual file extension. The server decides the type from the content, never
// from the name.
var DocumentTypes = map[string]string{
	"application/pdf": ".pdf",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   ".docx",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         ".xlsx",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
	"image/jpeg": ".jpg",
	"image/png":  ".png",
}

// File describes stored bytes: what the server measured of an upload.
type File struct {
	SHA256      string `json:"sha256"`       // lower-case hex of the content's SHA-256
	Size        int64  `json:"size"`         // bytes
	ContentType string `json:"content_type"` // one of DocumentTypes
	Name        string `json:"name"`         // the original file name, sanitised
}

// DocumentVersion is one version of a document, numbered from 1.
type DocumentVersion struct {
	Number int `json:"number"`
	File
	Note string    `json:"note,omitempty"` // what changed
	At   time.Time `json:"at"`
	By   string    `json:"by"` // actor ID of the uploader
}

// DocumentSpec is what the secretariat says of a document.
type DocumentSpec struct {
	Title   string   `json:"title"`
	Item    string   `json:"item,omitempty"`    // agenda item; "" for the whole meeting
	Access  Access   `json:"access"`            // default: delegates
	Readers []string `json:"readers,omitempty"` // participant IDs; named access only
}

func (d DocumentSpec) equal(o DocumentSpec) bool {
	return d.Title == o.Title && d.Item == o.Item && d.Access == o.Access && slices.Equal(d.Readers, o.Readers)
}

// Document is a document of the meeting. ID is "d<seq>" of the event that
// added it. Rev is the sequence number of the last event that set its
// description, status or readers (document.added or document.updated).
type Document struct {
	ID string `json:"id"`
	DocumentSpec
	Status    DocumentStatus    `json:"status"`
	Rev       int64             `json:"rev"`
	CreatedAt time.Time         `json:"created_at"`
	Versions  []DocumentVersion `json:"versions"`
}

func (d Document) clone() Document {
	d.Readers = slices.Clone(d.Readers)
	d.Versions = slices.Clone(d.Versions)
	return d
}

// Clone returns a deep copy of d.
func (d Document) Clone() Document { return d.clone() }

// Latest returns the newest version of d.
func (d *Document) Latest() DocumentVersion {
	if len(d.Versions) == 0 {
		return DocumentVersion{}
	}
	return d.Versions[len(d.Versions)-1]
}

// Version returns version n of d and whether it exists.
func (d *Document) Version(n int) (DocumentVersion, bool) {
	if n < 1 || n > len(d.Versions) {
		return DocumentVersion{}, false
	}
	return d.Versions[n-1], true
}

// delegatesAudience is the audience of documents for delegates.
var delegatesAudience = Audience{Roles: []Role{RoleSecretary, RoleChair, RoleDelegate}}

// Audience returns who may see d (and download it): the staff only while
// it is a draft or withdrawn; once published, everyone (public), staff and
// delegates (delegates), or staff and the named readers (named).
func (d *Document) Audience() Audience {
	if d.Status != DocumentPublished {
		return staffAudience
	}
	switch d.Access {
	case AccessPublic:
		return Audience{}
	case AccessDelegates:
		return delegatesAudience
	}
	return Audience{Roles: staffAudience.Roles, Participants: slices.Clone(d.Readers)}
}

// CanRead reports whether viewer v may see and download d.
func (d *Document) CanRead(v Viewer) bool { return d.Audience().Includes(v) }

// Confidential reports whether d is for named readers only (mật).
func (d *Document) Confidential() bool { return d.Access == AccessNamed }

// CanManageDocuments reports whether role r may upload documents and
// versions, change, publish and withdraw documents: the secretariat.
func CanManageDocuments(r Role) bool { return r.Staff() }

// documentSeq is the sequence number in a document ID ("d12" → 12), or 0.
func documentSeq(id string) int64 {
	n, err := strconv.ParseInt(strings.TrimPrefix(id, "d"), 10, 64)
	if err != nil || !strings.HasPrefix(id, "d") {
		return 0
	}
	return n
}

func documentID(seq int64) string { return fmt.Sprintf("d%d", seq) }

// DocumentIndex returns the index of document id, or -1.
func (s *State) DocumentIndex(id string) int {
	for i := range s.Documents {
		if s.Documents[i].ID == id {
			return i
		}
	}
	return -1
}

// Document returns document id and whether it exists.
func (s *State) Document(id string) (Document, bool) {
	if i := s.DocumentIndex(id); i >= 0 {
		return s.Documents[i], true
	}
	return Document{}, false
}

func (s *State) document(id string) (int, error) {
	i := s.DocumentIndex(id)
	if i < 0 {
		return -1, Errorf(KindNotFound, "Không tìm thấy tài liệu %q.", "document %q not found", id)
	}
	return i, nil
}

// ---- validation ----

// validate checks and normalises a spec on s: the title, the agenda item,
// the access level (default delegates) and the readers (named access: at
// least one, existing participants other than hall screens, duplicates
// dropped; other levels: none).
func (d DocumentSpec) validate(s *State) (DocumentSpec, error) {
	var err error
	if d.Title, err = text("title", "Tên tài liệu", d.Title, MaxTitle, false); err != nil {
		return d, err
	}
	if d.Item != "" {
		if _, err := s.item(d.Item); err != nil {
			return d, err
		}
	}
	if d.Access == "" {
		d.Access = AccessDelegates
	}
	if !d.Access.valid() {
		return d, &Error{Kind: KindInvalid, Message: fmt.Sprintf("Mức truy cập %q không hợp lệ (public, delegates hoặc named).", d.Access),
			MessageEN: fmt.Sprintf("access %q is not valid (public, delegates or named)", d.Access),
			Problems:  []Problem{{Field: "access", Message: "Mức truy cập không hợp lệ.", MessageEN: "invalid access level"}}}
	}
	if d.Access != AccessNamed {
		if len(d.Readers) > 0 {
			return d, &Error{Kind: KindInvalid, Message: "Chỉ tài liệu mật mới có danh sách người được đọc.", MessageEN: "only a named (confidential) document has readers",
				Problems: []Problem{{Field: "readers", Message: "Chỉ tài liệu mật mới có danh sách người được đọc.", MessageEN: "readers are for named access only"}}}
		}
		d.Readers = nil
		return d, nil
	}
	var readers []string
	for _, id := range d.Readers {
		p, ok := s.Participant(id)
		if !ok {
			return d, Errorf(KindNotFound, "Không tìm thấy người tham dự %q.", "participant %q not found", id)
		}
		if p.Role.Device() {
			return d, &Error{Kind: KindInvalid, Message: "Không thể cho màn hình hội trường đọc tài liệu mật.", MessageEN: "a hall screen cannot read a confidential document",
				Problems: []Problem{{Field: "readers", Message: "Màn hình hội trường không được đọc tài liệu mật.", MessageEN: "hall screens cannot be readers"}}}
		}
		if !slices.Contains(readers, id) {
			readers = append(readers, id)
		}
	}
	if len(readers) == 0 {
		return d, &Error{Kind: KindInvalid, Message: "Tài liệu mật phải có ít nhất một người được đọc.", MessageEN: "a named (confidential) document needs at least one reader",
			Problems: []Problem{{Field: "readers", Message: "Cần ít nhất một người được đọc.", MessageEN: "at least one reader is required"}}}
	}
	d.Readers = readers
	return d, nil
}

// validate checks a file description as the server measured it.
func (f File) validate() (File, error) {
	bad := func(field, vi, en string) error {
		return &Error{Kind: KindInvalid, Message: vi, MessageEN: en, Problems: []Problem{{Field: field, Message: vi, MessageEN: en}}}
	}
	if len(f.SHA256) != 64 || strings.Trim(f.SHA256, "0123456789abcdef") != "" {
		return f, bad("file.sha256", "Mã băm SHA-256 của tệp không hợp lệ.", "the file's SHA-256 must be 64 lower-case hex digits")
	}
	if f.Size <= 0 {
		return f, bad("file.size", "Tệp rỗng.", "the file is empty")
	}
	if _, ok := DocumentTypes[f.ContentType]; !ok {
		return f, bad("file.content_type", fmt.Sprintf("Loại tệp %q không được phép.", f.ContentType), fmt.Sprintf("file type %q is not allowed", f.ContentType))
	}
	var err error
	if f.Name, err = text("file.name", "Tên tệp", f.Name, MaxFileName, false); err != nil {
		return f, err
	}
	return f, nil
}

// ---- commands ----

// AddDocument adds a document with its first version. Only the server gives
// it, once the file is stored (see the package comment on documents).
type AddDocument struct {
	DocumentSpec
	Publish bool   `json:"publish,omitempty"` // publish at once; else a draft
	File    File   `json:"file"`
	Note    string `json:"note,omitempty"`
}

// Name implements Command.
func (*AddDocument) Name() string { return "document.add" }

func (c *AddDocument) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	spec, err := c.DocumentSpec.validate(s)
	if err != nil {
		return nil, err
	}
	f, err := c.File.validate()
	if err != nil {
		return nil, err
	}
	note, err := text("note", "Ghi chú", c.Note, MaxNote, true)
	if err != nil {
		return nil, err
	}
	if len(s.Documents) >= MaxDocuments {
		return nil, Errorf(KindConflict, "Cuộc họp đã có đủ %d tài liệu.", "the meeting already has %d documents", MaxDocuments)
	}
	d := Document{ID: documentID(first), DocumentSpec: spec, Status: DocumentDraft, Rev: first, CreatedAt: now,
		Versions: []DocumentVersion{{Number: 1, File: f, Note: note, At: now, By: a.ID}}}
	if c.Publish {
		d.Status = DocumentPublished
	}
	e := newEvent(EventDocumentAdded, d)
	e.Audience = d.Audience()
	return []Event{e}, nil
}

// AddVersion adds a new version of a document, for example while the
// meeting runs. Only the server gives it, once the file is stored.
type AddVersion struct {
	ID   string `json:"id"`
	File File   `json:"file"`
	Note string `json:"note,omitempty"`
}

// Name implements Command.
func (*AddVersion) Name() string { return "document.add_version" }

func (c *AddVersion) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.document(c.ID)
	if err != nil {
		return nil, err
	}
	f, err := c.File.validate()
	if err != nil {
		return nil, err
	}
	note, err := text("note", "Ghi chú", c.Note, MaxNote, true)
	if err != nil {
		return nil, err
	}
	d := &s.Documents[i]
	switch {
	case d.Status == DocumentWithdrawn:
		return nil, Errorf(KindConflict, "Tài liệu đã bị thu hồi; không thể thêm phiên bản.", "the document is withdrawn: no new version")
	case len(d.Versions) >= MaxVersions:
		return nil, Errorf(KindConflict, "Tài liệu đã có đủ %d phiên bản.", "the document already has %d versions", MaxVersions)
	case d.Latest().SHA256 == f.SHA256:
		return nil, Errorf(KindConflict, "Tệp giống hệt phiên bản hiện tại.", "the file is identical to the current version")
	}
	v := DocumentVersion{Number: len(d.Versions) + 1, File: f, Note: note, At: now, By: a.ID}
	e := newEvent(EventDocumentVersionAdded, VersionAdded{ID: d.ID, Version: v})
	e.Audience = d.Audience()
	return []Event{e}, nil
}

// UpdateDocument changes a document's title, agenda item, access level and
// readers (all of them: omitted fields take their defaults).
type UpdateDocument struct {
	ID string `json:"id"`
	DocumentSpec
}

// Name implements Command.
func (*UpdateDocument) Name() string { return "document.update" }

func (c *UpdateDocument) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.document(c.ID)
	if err != nil {
		return nil, err
	}
	spec, err := c.DocumentSpec.validate(s)
	if err != nil {
		return nil, err
	}
	if spec.equal(s.Documents[i].DocumentSpec) {
		return nil, Errorf(KindConflict, "Tài liệu không thay đổi.", "the document is unchanged")
	}
	return s.changeDocument(i, first, func(d *Document) { d.DocumentSpec = spec }), nil
}

// PublishDocument publishes (phát hành) a draft or withdrawn document to its
// readers.
type PublishDocument struct {
	ID string `json:"id"`
}

// Name implements Command.
func (*PublishDocument) Name() string { return "document.publish" }

func (c *PublishDocument) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.document(c.ID)
	if err != nil {
		return nil, err
	}
	if s.Documents[i].Status == DocumentPublished {
		return nil, Errorf(KindConflict, "Tài liệu đã được phát hành.", "the document is already published")
	}
	return s.changeDocument(i, first, func(d *Document) { d.Status = DocumentPublished }), nil
}

// WithdrawDocument withdraws (thu hồi) a document: only the staff see it
// from then on; its versions are kept for the record.
type WithdrawDocument struct {
	ID string `json:"id"`
}

// Name implements Command.
func (*WithdrawDocument) Name() string { return "document.withdraw" }

func (c *WithdrawDocument) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.document(c.ID)
	if err != nil {
		return nil, err
	}
	if s.Documents[i].Status == DocumentWithdrawn {
		return nil, Errorf(KindConflict, "Tài liệu đã bị thu hồi.", "the document is already withdrawn")
	}
	return s.changeDocument(i, first, func(d *Document) { d.Status = DocumentWithdrawn }), nil
}

// changeDocument returns the events that change document i by f: a
// document.updated with the whole new document (revision first) for its new
// audience and, when the old audience may hold viewers the new one lacks, a
// document.revoked for the old audience (see the package comment).
func (s *State) changeDocument(i int, first int64, f func(*Document)) []Event {
	old := s.Documents[i]
	d := old.clone()
	f(&d)
	d.Rev = first
	up := newEvent(EventDocumentUpdated, d)
	up.Audience = d.Audience()
	events := []Event{up}
	if !s.covers(d.Audience(), old.Audience()) {
		rv := newEvent(EventDocumentRevoked, DocumentRevoked{ID: d.ID, Rev: d.Rev})
		rv.Audience = old.Audience()
		events = append(events, rv)
	}
	return s.presentedChange(old, d, events)
}

// covers reports whether every viewer in audience old is in audience nw, as
// far as s tells (a participant listed by ID in old is covered by its role).
func (s *State) covers(nw, old Audience) bool {
	switch {
	case nw.Everyone():
		return true
	case old.Everyone():
		return false
	}
	for _, r := range old.Roles {
		if !slices.Contains(nw.Roles, r) {
			return false
		}
	}
	for _, id := range old.Participants {
		if slices.Contains(nw.Participants, id) {
			continue
		}
		if p, ok := s.Participant(id); !ok || !slices.Contains(nw.Roles, p.Role) {
			return false
		}
	}
	return true
}

// Download is one recorded download: who (actor ID and, for a tablet, the
// participant) fetched which version of which document. The time is the
// event's.
type Download struct {
	Document    string `json:"document"`
	Version     int    `json:"version"`
	By          string `json:"by"`
	Participant string `json:"participant,omitempty"`
	Watermarked bool   `json:"watermarked,omitempty"` // a copy stamped with the reader's name was sent
}

// RecordDownloads records downloads in the log, a batch at a time. Only the
// server gives it, before the first byte of each download is sent.
type RecordDownloads struct {
	Downloads []Download `json:"downloads"`
}

// Name implements Command.
func (*RecordDownloads) Name() string { return "document.record_downloads" }

func (c *RecordDownloads) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if len(c.Downloads) == 0 || len(c.Downloads) > MaxDownloads {
		return nil, Errorf(KindInvalid, "Cần từ 1 đến %d lượt tải.", "between 1 and %d downloads are needed", MaxDownloads)
	}
	for _, dl := range c.Downloads {
		i, err := s.document(dl.Document)
		if err != nil {
			return nil, err
		}
		if _, ok := s.Documents[i].Version(dl.Version); !ok {
			return nil, Errorf(KindNotFound, "Tài liệu %s không có phiên bản %d.", "document %s has no version %d", dl.Document, dl.Version)
		}
		if dl.By == "" {
			return nil, Errorf(KindInvalid, "Thiếu người tải.", "a download needs its actor")
		}
	}
	e := newEvent(EventDocumentDownloaded, Downloads{Downloads: c.Downloads})
	e.Audience = staffAudience
	return []Event{e}, nil
}

// ---- events ----

// VersionAdded is the payload of document.version_added.
type VersionAdded struct {
	ID      string          `json:"id"`
	Version DocumentVersion `json:"version"`
}

// DocumentRevoked is the payload of document.revoked: replicas whose copy of
// document ID is not of revision Rev drop it.
type DocumentRevoked struct {
	ID  string `json:"id"`
	Rev int64  `json:"rev"`
}

// Downloads is the payload of document.downloaded.
type Downloads struct {
	Downloads []Download `json:"downloads"`
}

// applyDocument folds the document events; ok is false for other events.
func (s *State) applyDocument(e Event) (ok bool, err error) {
	switch e.Type {
	case EventDocumentAdded, EventDocumentUpdated:
		var d Document
		if err := decode(e, &d); err != nil {
			return true, err
		}
		if d.Versions == nil {
			d.Versions = []DocumentVersion{}
		}
		s.putDocument(d)
	case EventDocumentVersionAdded:
		var p VersionAdded
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.DocumentIndex(p.ID); i >= 0 {
			s.Documents[i].Versions = append(s.Documents[i].Versions, p.Version)
		}
	case EventDocumentRevoked:
		var p DocumentRevoked
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.DocumentIndex(p.ID); i >= 0 && s.Documents[i].Rev != p.Rev {
			s.Documents = slices.Delete(s.Documents, i, i+1)
		}
	case EventDocumentDownloaded:
		var p Downloads
		if err := decode(e, &p); err != nil {
			return true, err
		}
	default:
		return false, nil
	}
	return true, nil
}

// putDocument replaces document d or inserts it in the order of creation
// (the order of its ID's sequence number), so a replica that learns of a
// document late lists it where the server does.
func (s *State) putDocument(d Document) {
	if i := s.DocumentIndex(d.ID); i >= 0 {
		s.Documents[i] = d
		return
	}
	seq := documentSeq(d.ID)
	i, _ := slices.BinarySearchFunc(s.Documents, seq, func(x Document, seq int64) int {
		switch xs := documentSeq(x.ID); {
		case xs < seq:
			return -1
		case xs > seq:
			return 1
		}
		return 0
	})
	s.Documents = slices.Insert(s.Documents, i, d)
}

// detachDocuments attaches the documents of a removed agenda item to the
// whole meeting.
func (s *State) detachDocuments(item string) {
	for i := range s.Documents {
		if s.Documents[i].Item == item {
			s.Documents[i].Item = ""
		}
	}
}
