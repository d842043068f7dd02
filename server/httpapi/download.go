package httpapi

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/server/docfile"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/room"
	"github.com/phonghop/phonghop/server/watermark"
)

// A download is authorised on every request: a session, the caller's role
// in this meeting (a device only in its own), the document's audience
// (status and access level, see meeting.Document.Audience) and the meeting
// not closed. Then it is recorded in the meeting's log (downloadLog), and
// only then are bytes sent, streamed from the store with Range support
// (http.ServeContent over objectReader). A confidential PDF is sent as a
// copy stamped with the reader's name and the time, made on first download
// and kept in the store under a key derived from the meeting, the reader,
// their name and the version's content (so a renamed reader gets a new
// copy); confidential files are sent with Cache-Control: no-store.

// ict is Indochina Time (UTC+7, no daylight saving), the time zone of the
// people reading the watermarks.
var ict = time.FixedZone("ICT", 7*3600)

// handleDownload sends a version of a document (the latest one without a
// version in the path).
func (s *API) handleDownload(c echo.Context) error {
	err := s.download(c)
	outcome := "ok"
	if err != nil {
		outcome = string(meeting.KindOf(err))
	} else {
		s.metrics.docBytes.WithLabelValues("download").Add(float64(c.Response().Size))
	}
	s.metrics.documents.WithLabelValues("download", outcome).Inc()
	return err
}

func (s *API) download(c echo.Context) error {
	if s.docs.store == nil {
		return errNoStore
	}
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	d, _, err := readableDocument(c.Request().Context(), r, a, c.Param("doc"))
	if err != nil {
		return err
	}
	v, err := version(d, c.Param("version"))
	if err != nil {
		return err
	}
	// After the close documents are still read, until the meeting is
	// archived: then tablets are refused in meetingFor (pairing_policy.go).
	sum, err := hex.DecodeString(v.SHA256)
	if err != nil || len(sum) != 32 {
		return meeting.Internal(fmt.Errorf("document %s version %d: bad digest %q", d.ID, v.Number, v.SHA256))
	}
	ctx := c.Request().Context()
	key, size, etag := docstorage.ContentKey(sum), v.Size, v.SHA256
	stamp := d.Confidential() && v.ContentType == docfile.PDF
	if stamp {
		if key, size, err = s.docs.stamped(ctx, r, a, d, v); err != nil {
			s.log.Error("watermark failed", "meeting", r.ID(), "document", d.ID, "version", v.Number, "err", err)
			s.metrics.documents.WithLabelValues("watermark", string(meeting.KindInternal)).Inc()
			return meeting.Internal(err)
		}
		etag = key[strings.LastIndexByte(key, '/')+1:]
	}
	dl := meeting.Download{Document: d.ID, Version: v.Number, By: a.ID, Participant: a.Participant, Watermarked: stamp}
	if err := s.docs.log.record(ctx, r, dl); err != nil {
		if ctx.Err() == nil {
			s.log.Error("record download", "meeting", r.ID(), "document", d.ID, "err", err)
		}
		return err
	}
	return s.docs.serve(c, key, size, v.Name, v.ContentType, etag, d.Confidential())
}

// serve streams object key (size bytes) with Range support.
func (docs *documents) serve(c echo.Context, key string, size int64, name, contentType, etag string, confidential bool) error {
	h := c.Response().Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name}))
	h.Set("X-Content-Type-Options", "nosniff")
	// Only allow-listed types are stored (no HTML, no SVG); this keeps
	// other sites from framing a document. (A "sandbox" policy would stop
	// browsers' built-in PDF viewers.)
	h.Set("Content-Security-Policy", "frame-ancestors 'self'")
	h.Set("ETag", `"`+etag+`"`)
	if confidential {
		h.Set("Cache-Control", "no-store")
	} else {
		// Each use is authorised and recorded: no shared cache, and the
		// tablet's own cache must revalidate.
		h.Set("Cache-Control", "private, no-cache")
	}
	rs := &objectReader{ctx: c.Request().Context(), store: docs.store, key: key, size: size}
	defer rs.Close()
	http.ServeContent(c.Response(), c.Request(), "", time.Time{}, rs)
	return nil
}

// objectReader is an io.ReadSeeker over a stored object: Seek only moves
// the offset; Read opens the object at the offset (to the end) on first use
// after a seek and reads it sequentially, so http.ServeContent's "seek to
// the start of the range, copy its length" costs one ranged Open.
type objectReader struct {
	ctx   context.Context
	store docstorage.Store
	key   string
	size  int64
	off   int64
	rc    io.ReadCloser // open at off; nil after a seek
}

func (o *objectReader) Read(p []byte) (int, error) {
	if o.off >= o.size {
		return 0, io.EOF
	}
	if o.rc == nil {
		rc, err := o.store.Open(o.ctx, o.key, o.off, -1)
		if err != nil {
			return 0, err
		}
		o.rc = rc
	}
	n, err := o.rc.Read(p)
	o.off += int64(n)
	if err == io.EOF && o.off < o.size {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (o *objectReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += o.off
	case io.SeekEnd:
		offset += o.size
	}
	if offset < 0 {
		return 0, errors.New("objectReader: negative position")
	}
	if offset != o.off {
		o.Close()
		o.off = offset
	}
	return offset, nil
}

// Close closes the open reader, if any.
func (o *objectReader) Close() error {
	if o.rc == nil {
		return nil
	}
	err := o.rc.Close()
	o.rc = nil
	return err
}

// readerLabel is how a reader is named on a watermark: the participant's
// name (and post), or the secretary account.
func readerLabel(r *room.Room, a meeting.Actor) string {
	if a.Participant != "" {
		if p, ok := r.Participant(a.Participant); ok {
			if p.Position != "" {
				return p.Name + " (" + p.Position + ")"
			}
			return p.Name
		}
	}
	return "tài khoản " + strings.TrimPrefix(a.ID, "account:")
}

// stamped returns the key and size of version v of confidential PDF d
// watermarked for actor a, making and storing it on first use. One
// watermark per key is made at a time (singleflight) and at most
// cap(stampSem) at once.
func (docs *documents) stamped(ctx context.Context, r *room.Room, a meeting.Actor, d meeting.Document, v meeting.DocumentVersion) (string, int64, error) {
	label := readerLabel(r, a)
	key := "watermarks/" + sha256Hex("phonghop watermark v1", r.ID(), a.ID, label, v.SHA256)
	if info, err := docs.store.Stat(ctx, key); err == nil {
		return key, info.Size, nil
	} else if docstorage.KindOf(err) != docstorage.NotFound {
		return "", 0, err
	}
	res, err, _ := docs.stamping.Do(key, func() (any, error) {
		// Not tied to one request: others may wait for the same copy.
		wctx := context.WithoutCancel(ctx)
		select {
		case docs.stampSem <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		defer func() { <-docs.stampSem }()
		if info, err := docs.store.Stat(wctx, key); err == nil {
			return info.Size, nil
		}
		return docs.makeStamped(wctx, key, d, v, label)
	})
	if err != nil {
		return "", 0, err
	}
	return key, res.(int64), nil
}

// makeStamped copies the version to a temporary file, stamps it into
// another and stores that under key.
func (docs *documents) makeStamped(ctx context.Context, key string, d meeting.Document, v meeting.DocumentVersion, label string) (int64, error) {
	sum, _ := hex.DecodeString(v.SHA256)
	src, err := docs.store.Open(ctx, docstorage.ContentKey(sum), 0, -1)
	if err != nil {
		return 0, err
	}
	in, err := os.CreateTemp(docs.workDir, "stamp-in-*")
	if err != nil {
		src.Close()
		return 0, err
	}
	defer func() { in.Close(); os.Remove(in.Name()) }()
	_, err = io.CopyBuffer(in, src, make([]byte, copyBuffer))
	src.Close()
	if err != nil {
		return 0, err
	}
	if _, err := in.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	out, err := os.CreateTemp(docs.workDir, "stamp-out-*")
	if err != nil {
		return 0, err
	}
	defer func() { out.Close(); os.Remove(out.Name()) }()
	at := docs.now().In(ict).Format("02/01/2006 15:04")
	lines := []string{
		"TÀI LIỆU MẬT — " + label,
		fmt.Sprintf("Cấp lúc %s (giờ Việt Nam) · %s bản %d", at, d.ID, v.Number),
	}
	if err := watermark.Stamp(in, out, lines...); err != nil {
		return 0, err
	}
	size, err := out.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	if _, err := out.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	// Created, never replaced: with several nodes, two may stamp the same
	// copy at once (a reader's first requests spread by the load balancer),
	// and their copies differ (the time). One is stored and every node
	// serves that one, so ranges of one ETag always come from one file.
	err = docs.store.Create(ctx, key, out, size, docstorage.Meta{ContentType: docfile.PDF, Name: v.Name})
	if docstorage.KindOf(err) == docstorage.Conflict {
		info, err := docs.store.Stat(ctx, key)
		if err != nil {
			return 0, err
		}
		return info.Size, nil
	}
	if err != nil {
		return 0, err
	}
	docs.metrics.documents.WithLabelValues("watermark", "ok").Inc()
	return size, nil
}
