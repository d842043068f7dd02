package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/dustin/go-humanize"
	"github.com/labstack/echo/v4"

	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/server/docfile"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/room"
)

// Uploads are multipart/form-data requests read part by part with
// mime/multipart's streaming Reader (never ParseMultipartForm or FormFile,
// which buffer or spool the whole form): the file part is copied, in 64 KiB
// chunks, to a temporary file in WorkDir while it is hashed and counted;
// the short fields are read with a limit. Then the file is checked by
// content, the command is tried on a copy of the state (so that bad input
// stores nothing), the file is stored under its content key and the
// command committed. If the commit fails the object is deleted again, unless
// it was there before. The temporary file is always removed.

// Limits of the form fields that accompany a file.
const (
	maxFieldBytes = 64 << 10 // one field
	maxFields     = 64       // fields (readers may repeat)
	formOverhead  = 1 << 20  // allowance for the fields and multipart framing
	copyBuffer    = 64 << 10 // bytes copied at a time
)

// uploadFields are the form fields of each upload, besides "file".
var uploadFields = map[bool][]string{
	false: {"title", "item", "access", "readers", "publish", "note"}, // a new document
	true:  {"note"},                                                  // a new version
}

// spooled is an uploaded file held in a temporary file while it is checked.
type spooled struct {
	f    *os.File
	name string // the file name the client gave
	size int64
	sum  []byte // SHA-256
}

func (u *spooled) remove() {
	if u != nil && u.f != nil {
		u.f.Close()
		os.Remove(u.f.Name())
	}
}

// errUploadTooLarge is returned by spool and readUpload for an upload over
// the limit; upload answers it with 413 and tooLargeError.
var errUploadTooLarge = errors.New("upload too large")

// tooLargeError is the error of an upload over the limit.
func (d *documents) tooLargeError() *meeting.Error {
	limit := humanize.IBytes(uint64(d.maxUpload))
	return &meeting.Error{Kind: meeting.KindInvalid,
		Message:   fmt.Sprintf("Tệp quá lớn: tối đa %s.", limit),
		MessageEN: fmt.Sprintf("the file is too large: at most %s", limit),
		Problems:  []meeting.Problem{{Field: "file", Message: fmt.Sprintf("Tệp quá lớn (tối đa %s).", limit), MessageEN: fmt.Sprintf("too large (at most %s)", limit)}}}
}

// tooLarge writes the 413 answer of an oversized upload.
func (s *API) tooLarge(c echo.Context) error {
	return c.JSON(http.StatusRequestEntityTooLarge, toAPIError(s.docs.tooLargeError()))
}

// spool copies r (at most maxUpload bytes) to a temporary file in WorkDir,
// hashing it on the way.
func (d *documents) spool(r io.Reader, name string) (*spooled, error) {
	f, err := os.CreateTemp(d.workDir, "upload-*")
	if err != nil {
		return nil, meeting.Internal(err)
	}
	u := &spooled{f: f, name: name}
	h := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(f, h), io.LimitReader(r, d.maxUpload+1), make([]byte, copyBuffer))
	if err != nil {
		u.remove()
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errUploadTooLarge
		}
		return nil, invalid("Tải lên bị gián đoạn hoặc dữ liệu không hợp lệ.", "the upload was interrupted or is malformed")
	}
	if n > d.maxUpload {
		u.remove()
		return nil, errUploadTooLarge
	}
	u.size, u.sum = n, h.Sum(nil)
	return u, nil
}

// uploadForm is a parsed upload request.
type uploadForm struct {
	file   *spooled
	fields map[string][]string
}

func (f *uploadForm) get(name string) string {
	if v := f.fields[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// readUpload reads a multipart upload: the fields allowed for it and
// exactly one file part named "file".
func (s *API) readUpload(c echo.Context, version bool) (*uploadForm, error) {
	return s.readUploadFields(c, uploadFields[version])
}

// readUploadFields reads a multipart upload: the fields named in fields and
// exactly one file part named "file".
func (s *API) readUploadFields(c echo.Context, fields []string) (*uploadForm, error) {
	req := c.Request()
	limit := s.docs.maxUpload + formOverhead
	if req.ContentLength > limit {
		return nil, errUploadTooLarge
	}
	req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
	mt, params, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, invalid("Cần gửi tệp dưới dạng multipart/form-data (trường \"file\").", "send the file as multipart/form-data (field \"file\")")
	}
	mr, err := req.MultipartReader()
	if err != nil {
		return nil, invalid("Dữ liệu multipart không hợp lệ.", "malformed multipart body")
	}
	form := &uploadForm{fields: map[string][]string{}}
	fail := func(err error) (*uploadForm, error) {
		form.file.remove()
		return nil, err
	}
	nfields := 0
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return fail(errUploadTooLarge)
			}
			return fail(invalid("Dữ liệu multipart không hợp lệ.", "malformed multipart body"))
		}
		name := p.FormName()
		switch {
		case name == "file":
			if form.file != nil {
				return fail(invalid("Chỉ gửi một tệp mỗi lần.", "send one file at a time"))
			}
			if form.file, err = s.docs.spool(p, p.FileName()); err != nil {
				return fail(err)
			}
		case contains(fields, name):
			if nfields++; nfields > maxFields {
				return fail(invalid("Quá nhiều trường dữ liệu.", "too many form fields"))
			}
			b, err := io.ReadAll(io.LimitReader(p, maxFieldBytes+1))
			if err != nil || len(b) > maxFieldBytes {
				return fail(invalid(fmt.Sprintf("Trường %q quá dài hoặc không đọc được.", name), fmt.Sprintf("field %q is too long or unreadable", name)))
			}
			form.fields[name] = append(form.fields[name], string(b))
		default:
			return fail(&meeting.Error{Kind: meeting.KindInvalid, Message: fmt.Sprintf("Trường %q không được hỗ trợ.", name), MessageEN: fmt.Sprintf("unknown form field %q", name),
				Problems: []meeting.Problem{{Field: name, Message: "Trường không được hỗ trợ.", MessageEN: "unknown field"}}})
		}
		p.Close()
	}
	if form.file == nil {
		return nil, &meeting.Error{Kind: meeting.KindInvalid, Message: "Thiếu tệp (trường \"file\").", MessageEN: "no file (field \"file\")",
			Problems: []meeting.Problem{{Field: "file", Message: "Thiếu tệp.", MessageEN: "missing"}}}
	}
	return form, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fileOf checks the spooled file by content and describes it.
func fileOf(u *spooled) (meeting.File, error) {
	mt, err := docfile.Detect(u.f, u.size)
	if err != nil {
		if meeting.KindOf(err) != meeting.KindInvalid {
			return meeting.File{}, meeting.Internal(err)
		}
		return meeting.File{}, err
	}
	name := docstorage.SanitizeName(u.name) // "tai-lieu" when nothing usable is left
	return meeting.File{SHA256: hex.EncodeToString(u.sum), Size: u.size, ContentType: mt, Name: docfile.FileName(name, mt)}, nil
}

type uploadResponse struct {
	Document meeting.Document `json:"document"`
	Version  int              `json:"version"`
	Seq      int64            `json:"seq"`
}

// handleUploadDocument creates a document from an uploaded file.
func (s *API) handleUploadDocument(c echo.Context) error { return s.countUpload(s.upload(c, false)) }

// handleUploadVersion adds a version to a document from an uploaded file.
func (s *API) handleUploadVersion(c echo.Context) error { return s.countUpload(s.upload(c, true)) }

// countUpload counts an upload's outcome (a 413 is answered directly).
func (s *API) countUpload(err error) error {
	outcome := "ok"
	if err != nil {
		outcome = string(meeting.KindOf(err))
	}
	s.metrics.documents.WithLabelValues("upload", outcome).Inc()
	return err
}

func (s *API) upload(c echo.Context, version bool) error {
	if s.docs.store == nil {
		return errNoStore
	}
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	if !meeting.CanManageDocuments(a.Role) {
		return errForbidden
	}
	// Refuse what cannot succeed before reading a large body.
	if _, st := r.Summary(); st == meeting.StatusClosed {
		return meeting.Errorf(meeting.KindConflict, "Cuộc họp đã kết thúc, không thể thay đổi.", "the meeting is closed and cannot change")
	}
	docID := c.Param("doc")
	if version {
		if _, _, err := readableDocument(c.Request().Context(), r, a, docID); err != nil {
			return err
		}
	}
	form, err := s.readUpload(c, version)
	if err != nil {
		if errors.Is(err, errUploadTooLarge) {
			return s.tooLarge(c)
		}
		return err
	}
	defer form.file.remove()
	file, err := fileOf(form.file)
	if err != nil {
		return err
	}

	var cmd meeting.Command
	if version {
		cmd = &meeting.AddVersion{ID: docID, File: file, Note: form.get("note")}
	} else {
		title := form.get("title")
		if strings.TrimSpace(title) == "" {
			title = strings.TrimSuffix(file.Name, path.Ext(file.Name))
		}
		var readers []string
		for _, v := range form.fields["readers"] {
			for id := range strings.SplitSeq(v, ",") {
				if id = strings.TrimSpace(id); id != "" {
					readers = append(readers, id)
				}
			}
		}
		publish := false
		if p := form.get("publish"); p != "" {
			if publish, err = strconv.ParseBool(p); err != nil {
				return &meeting.Error{Kind: meeting.KindInvalid, Message: "Trường publish phải là true hoặc false.", MessageEN: "publish must be true or false",
					Problems: []meeting.Problem{{Field: "publish", Message: "Phải là true hoặc false.", MessageEN: "must be true or false"}}}
			}
		}
		cmd = &meeting.AddDocument{DocumentSpec: meeting.DocumentSpec{Title: title, Item: form.get("item"), Access: meeting.Access(form.get("access")), Readers: readers},
			Publish: publish, File: file, Note: form.get("note")}
	}
	events, err := s.submitUpload(c.Request().Context(), r, a, form.file, file, cmd)
	if err != nil {
		return err
	}
	last := events[len(events)-1]
	if version {
		d, _, _ := r.Document(docID)
		s.log.Info("document version uploaded", "meeting", r.ID(), "seq", last.Seq, "document", docID, "version", d.Latest().Number, "size", file.Size, "type", file.ContentType, "by", a.ID)
		return c.JSON(http.StatusCreated, uploadResponse{Document: d, Version: d.Latest().Number, Seq: last.Seq})
	}
	var d meeting.Document
	_ = json.Unmarshal(last.Data, &d)
	s.log.Info("document uploaded", "meeting", r.ID(), "seq", last.Seq, "document", d.ID, "size", file.Size, "type", file.ContentType, "access", d.Access, "by", a.ID)
	return c.JSON(http.StatusCreated, uploadResponse{Document: d, Version: 1, Seq: last.Seq})
}

// submitUpload stores the spooled file u (described by file) under its
// content key and commits cmd, which adds it as a document or a version:
// the path of every upload (the upload routes, the demo's documents). The
// command is given as the system under a's ID, tried first on a copy of the
// state so that invalid input stores nothing; if the commit fails the object
// is deleted again, unless it was there before.
func (s *API) submitUpload(ctx context.Context, r *room.Room, a meeting.Actor, u *spooled, file meeting.File, cmd meeting.Command) ([]meeting.Event, error) {
	actor := meeting.Actor{ID: a.ID, Role: meeting.RoleSystem, Participant: a.Participant}
	if _, err := meeting.Decide(r.State(), actor, cmd, s.now()); err != nil {
		s.metrics.commands.WithLabelValues(string(meeting.KindOf(err))).Inc()
		return nil, err
	}
	key := docstorage.ContentKey(u.sum)
	unlock := s.docs.locks.lock(key)
	defer unlock()
	created, err := s.docs.putIfMissing(ctx, key, u, docstorage.Meta{ContentType: file.ContentType, Name: file.Name})
	if err != nil {
		return nil, err
	}
	events, err := r.Submit(ctx, actor, cmd)
	if err != nil {
		s.metrics.commands.WithLabelValues(string(meeting.KindOf(err))).Inc()
		if created {
			if derr := s.docs.store.Delete(context.WithoutCancel(ctx), key); derr != nil {
				s.log.Error("delete uncommitted upload", "meeting", r.ID(), "key", key, "err", derr)
			}
		}
		return nil, err
	}
	s.metrics.commands.WithLabelValues("ok").Inc()
	s.metrics.docBytes.WithLabelValues("upload").Add(float64(file.Size))
	return events, nil
}

// putIfMissing stores the spooled file under key unless an object is there
// already (the same bytes, uploaded before), reporting whether it stored it.
// The caller holds the key's lock.
func (d *documents) putIfMissing(ctx context.Context, key string, u *spooled, meta docstorage.Meta) (bool, error) {
	_, err := d.store.Stat(ctx, key)
	switch docstorage.KindOf(err) {
	case "":
		return false, nil
	case docstorage.NotFound:
	default:
		return false, meeting.Internal(err)
	}
	if _, err := u.f.Seek(0, io.SeekStart); err != nil {
		return false, meeting.Internal(err)
	}
	if err := d.store.Put(ctx, key, u.f, u.size, meta); err != nil {
		return false, meeting.Internal(err)
	}
	return true, nil
}

// sha256Hex returns the hex SHA-256 of the parts, each length-prefixed.
func sha256Hex(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// AddDocument adds content (a file named name) to meeting r as a new
// document described by spec, through the upload path: spooled, checked by
// content, stored under its content key, then document.add (published when
// publish is set). For the demo loader; nil store: not_found.
func (s *API) AddDocument(ctx context.Context, r *room.Room, a meeting.Actor, name string, content io.Reader, spec meeting.DocumentSpec, publish bool) (meeting.Document, error) {
	if s.docs.store == nil {
		return meeting.Document{}, errNoStore
	}
	u, err := s.docs.spool(content, name)
	if err != nil {
		return meeting.Document{}, err
	}
	defer u.remove()
	file, err := fileOf(u)
	if err != nil {
		return meeting.Document{}, err
	}
	events, err := s.submitUpload(ctx, r, a, u, file, &meeting.AddDocument{DocumentSpec: spec, Publish: publish, File: file})
	if err != nil {
		return meeting.Document{}, err
	}
	var added meeting.Document
	if err := json.Unmarshal(events[0].Data, &added); err != nil {
		return meeting.Document{}, meeting.Internal(err)
	}
	d, _, ok := r.Document(added.ID)
	if !ok {
		return meeting.Document{}, meeting.Internal(fmt.Errorf("document %s not in the meeting after document.add", added.ID))
	}
	return d, nil
}
