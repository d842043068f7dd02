package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/singleflight"

	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/server/docfile"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/room"
)

// Documents: the REST side of meeting documents (the domain side is
// server/meeting/document.go).
//
//	upload.go    streamed multipart uploads: spooled to WorkDir while hashed,
//	             checked by content (package docfile), stored under their
//	             SHA-256 (docstorage.ContentKey), then document.add or
//	             document.add_version
//	download.go  authorised, recorded, ranged downloads; watermarked copies
//	             of confidential PDFs made once per reader and version
//	this file    listing, metadata, versions and the download log

// DefaultMaxUpload is the default largest document file (200 MiB).
const DefaultMaxUpload = 200 << 20

// documents is the server's document machinery.
type documents struct {
	store     docstorage.Store // nil: documents are off
	maxUpload int64
	workDir   string
	now       func() time.Time
	metrics   *metrics

	locks    keyLocks           // per content key: store, commit, clean up
	stamping singleflight.Group // one watermarking per derived key at a time
	stampSem chan struct{}      // bounds concurrent watermarking (CPU, memory)
	log      *downloadLog       // batched download records
	outlines outlines           // the outlines of drafts, by content hash (floor.go)
}

func newDocuments(s *API, cfg Options) *documents {
	d := &documents{store: cfg.Documents, maxUpload: cfg.MaxUpload, workDir: cfg.WorkDir, now: s.now, metrics: s.metrics,
		locks: keyLocks{m: map[string]*keyLock{}}, stampSem: make(chan struct{}, 2)}
	if d.maxUpload <= 0 {
		d.maxUpload = DefaultMaxUpload
	}
	if d.workDir == "" {
		d.workDir = os.TempDir()
	}
	d.log = newDownloadLog(s.now)
	d.outlines.byHash = map[string][]docfile.Heading{}
	return d
}

// errNoStore is the error of document calls on a server without a store.
var errNoStore = &meeting.Error{Kind: meeting.KindConflict, Message: "Máy chủ chưa được cấu hình kho tài liệu.", MessageEN: "this server has no document store configured"}

// errNoDocument is the error for a document that does not exist or that the
// caller may not see: the two are not told apart.
var errNoDocument = &meeting.Error{Kind: meeting.KindNotFound, Message: "Không tìm thấy tài liệu.", MessageEN: "document not found"}

// docIDPattern and versionPattern are what path parameters must look like;
// anything else (encoded slashes, dots, …) is refused before any lookup.
var (
	docIDPattern   = regexp.MustCompile(`^d[1-9][0-9]{0,17}$`)
	versionPattern = regexp.MustCompile(`^[1-9][0-9]{0,5}$`)
)

// readableDocument returns document id of r if a may see it, with the
// meeting's status; errNoDocument otherwise. Before refusing, the room
// catches up with the log: with several nodes, the document may have been
// uploaded or published through another node a moment ago.
func readableDocument(ctx context.Context, r *room.Room, a meeting.Actor, id string) (meeting.Document, meeting.Status, error) {
	if !docIDPattern.MatchString(id) {
		return meeting.Document{}, "", errNoDocument
	}
	d, st, ok := r.Document(id)
	if !ok || !d.CanRead(a.Viewer()) {
		if err := r.CatchUp(ctx, -1); err != nil {
			return meeting.Document{}, "", err
		}
		d, st, ok = r.Document(id)
	}
	if !ok || !d.CanRead(a.Viewer()) {
		return meeting.Document{}, "", errNoDocument
	}
	return d, st, nil
}

// version returns the version named by path parameter p ("" for the latest).
func version(d meeting.Document, p string) (meeting.DocumentVersion, error) {
	if p == "" {
		return d.Latest(), nil
	}
	if !versionPattern.MatchString(p) {
		return meeting.DocumentVersion{}, errNoVersion
	}
	n, _ := strconv.Atoi(p)
	v, ok := d.Version(n)
	if !ok {
		return meeting.DocumentVersion{}, errNoVersion
	}
	return v, nil
}

var errNoVersion = &meeting.Error{Kind: meeting.KindNotFound, Message: "Không tìm thấy phiên bản này của tài liệu.", MessageEN: "no such version of the document"}

// handleListDocuments lists the documents the caller may see, optionally
// those of one agenda item (?item=i3; "meeting" for the whole meeting's).
func (s *API) handleListDocuments(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	docs := r.View(a.Viewer()).Documents
	if item := c.QueryParam("item"); item != "" {
		if item == "meeting" {
			item = ""
		}
		out := []meeting.Document{}
		for _, d := range docs {
			if d.Item == item {
				out = append(out, d)
			}
		}
		docs = out
	}
	if docs == nil {
		docs = []meeting.Document{}
	}
	return c.JSON(http.StatusOK, map[string]any{"documents": docs})
}

// handleGetDocument returns one document's description and versions.
func (s *API) handleGetDocument(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	d, _, err := readableDocument(c.Request().Context(), r, a, c.Param("doc"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// handleListVersions returns a document's versions, oldest first.
func (s *API) handleListVersions(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	d, _, err := readableDocument(c.Request().Context(), r, a, c.Param("doc"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"document": d.ID, "versions": d.Versions})
}

// downloadRecord is one line of a document's download log.
type downloadRecord struct {
	meeting.Download
	At  time.Time `json:"at"`
	Seq int64     `json:"seq"`
}

// handleDownloadLog lists who downloaded a document, which version and
// when (staff only), from the meeting's log.
func (s *API) handleDownloadLog(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	if !a.Role.Staff() {
		return errForbidden
	}
	d, _, err := readableDocument(c.Request().Context(), r, a, c.Param("doc"))
	if err != nil {
		return err
	}
	out := []downloadRecord{}
	ctx := c.Request().Context()
	for after := int64(0); ; {
		events, err := s.db.Events(ctx, r.ID(), after, 1000)
		if err != nil {
			return err
		}
		for _, e := range events {
			if e.Type != meeting.EventDocumentDownloaded {
				continue
			}
			var p meeting.Downloads
			if err := json.Unmarshal(e.Data, &p); err != nil {
				return meeting.Internal(err)
			}
			for _, dl := range p.Downloads {
				if dl.Document == d.ID {
					out = append(out, downloadRecord{Download: dl, At: e.At, Seq: e.Seq})
				}
			}
		}
		if len(events) < 1000 {
			break
		}
		after = events[len(events)-1].Seq
	}
	return c.JSON(http.StatusOK, map[string]any{"document": d.ID, "downloads": out})
}

// ---- per-key locks ----

// keyLocks serialises work on one content key: storing an upload,
// committing its command and, if the command fails, deleting the object,
// so that a concurrent upload of the same bytes never loses its object.
type keyLocks struct {
	// mu guards m.
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	mu    sync.Mutex
	users int // holders and waiters; guarded by keyLocks.mu
}

// lock locks key and returns its unlock function.
func (k *keyLocks) lock(key string) func() {
	k.mu.Lock()
	l := k.m[key]
	if l == nil {
		l = &keyLock{}
		k.m[key] = l
	}
	l.users++
	k.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		k.mu.Lock()
		if l.users--; l.users == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
}

// ---- batched download records ----

// recordWindow is how long a recorded download covers further requests of
// the same reader for the same version (a PDF viewer fetches a document in
// many ranges; one record per reading, not per range).
const recordWindow = 30 * time.Minute

// systemActor records downloads.
var systemActor = meeting.Actor{ID: "system", Role: meeting.RoleSystem}

// downloadLog records downloads in the meetings' logs before their bytes
// are sent. Records of one meeting are batched: while one batch is being
// committed (one document.downloaded event, one fsync, one fan-out), later
// downloads queue in the next batch; when the commit is done, one waiter of
// the next batch commits it, and so on. So 500 tablets opening a document
// at once cost a handful of events, not 500, and nobody commits more than
// its own batch.
type downloadLog struct {
	now func() time.Time

	// mu guards everything below and the batches' fields but done.
	mu      sync.Mutex
	queues  map[string]*dlQueue // by meeting; present while a batch is pending
	pending map[dlKey]*dlBatch  // downloads queued or being committed
	seen    map[dlKey]time.Time // last record of a reader's download
}

type dlKey struct {
	meeting, document, by string
	version               int
}

// dlQueue is one meeting's batches waiting to be committed, oldest first;
// running is true while a batch of the meeting is being committed or has
// been given its turn.
type dlQueue struct {
	running bool
	pending []*dlBatch
}

type dlBatch struct {
	items []meeting.Download
	turn  chan struct{} // closed when this batch is next to commit
	led   bool          // one of its waiters took the turn
	done  chan struct{} // closed once committed (or failed)
	err   error         // set before done is closed
}

func newDownloadLog(now func() time.Time) *downloadLog {
	return &downloadLog{now: now, queues: map[string]*dlQueue{}, pending: map[dlKey]*dlBatch{}, seen: map[dlKey]time.Time{}}
}

// record durably records dl in r's log, unless the same reader's download
// of the same version was recorded within recordWindow (or is being
// recorded). It returns once the record is committed, or with the error
// that prevented it. The wait does not end with ctx: a batch's waiters
// commit it, so none may leave (a commit takes milliseconds).
func (l *downloadLog) record(ctx context.Context, r *room.Room, dl meeting.Download) error {
	key := dlKey{meeting: r.ID(), document: dl.Document, by: dl.By, version: dl.Version}
	l.mu.Lock()
	if t, ok := l.seen[key]; ok && l.now().Sub(t) < recordWindow {
		l.mu.Unlock()
		return nil
	}
	if b, ok := l.pending[key]; ok {
		// The same reading is being recorded by another request (a
		// viewer's parallel ranges): wait for that record.
		l.mu.Unlock()
		<-b.done
		return b.err
	}
	q := l.queues[r.ID()]
	if q == nil {
		q = &dlQueue{}
		l.queues[r.ID()] = q
	}
	var b *dlBatch
	if n := len(q.pending); n > 0 && len(q.pending[n-1].items) < meeting.MaxDownloads {
		b = q.pending[n-1]
	} else {
		b = &dlBatch{turn: make(chan struct{}), done: make(chan struct{})}
		q.pending = append(q.pending, b)
	}
	b.items = append(b.items, dl)
	l.pending[key] = b
	if !q.running {
		// Nothing is being committed: b is the only batch; commit it.
		q.running, b.led = true, true
		l.mu.Unlock()
		return l.commit(ctx, r, q, b)
	}
	l.mu.Unlock()
	for {
		select {
		case <-b.done:
			return b.err
		case <-b.turn:
			l.mu.Lock()
			if b.led {
				l.mu.Unlock()
				<-b.done
				return b.err
			}
			b.led = true
			l.mu.Unlock()
			return l.commit(ctx, r, q, b)
		}
	}
}

// commit commits batch b, the oldest of q, then gives the turn to the next
// batch or, if there is none, ends q.
func (l *downloadLog) commit(ctx context.Context, r *room.Room, q *dlQueue, b *dlBatch) error {
	l.mu.Lock()
	q.pending = q.pending[1:] // b: nothing more joins it
	l.mu.Unlock()
	_, err := r.Submit(context.WithoutCancel(ctx), systemActor, &meeting.RecordDownloads{Downloads: b.items})
	l.mu.Lock()
	defer l.mu.Unlock()
	b.err = err
	now := l.now()
	for _, it := range b.items {
		k := dlKey{meeting: r.ID(), document: it.Document, by: it.By, version: it.Version}
		delete(l.pending, k)
		if err == nil {
			l.seen[k] = now
		}
	}
	close(b.done)
	if len(q.pending) > 0 {
		close(q.pending[0].turn)
	} else {
		q.running = false
		delete(l.queues, r.ID())
	}
	l.prune()
	return err
}

// prune forgets records older than the window once there are many. l.mu
// must be held.
func (l *downloadLog) prune() {
	if len(l.seen) < 20000 {
		return
	}
	now := l.now()
	for k, t := range l.seen {
		if now.Sub(t) >= recordWindow {
			delete(l.seen, k)
		}
	}
}

// HasDocuments reports whether documents are on (a store is configured).
func (s *API) HasDocuments() bool { return s.docs.store != nil }
