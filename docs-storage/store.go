// Package docstorage stores meeting documents as immutable objects addressed
// by key, with two interchangeable backends: a local directory ([FS], the
// embedded default) and any S3-compatible server such as MinIO ([S3]).
//
// Both backends obey the same contract, checked by the conformance suite in
// the storagetest sub-package:
//
//   - Keys are validated by [ValidKey]; an invalid key yields an error of
//     kind [Invalid] and the backend is not touched.
//   - Put is all-or-nothing: the object becomes visible under its key only
//     once exactly size bytes were read from r. A reader that yields fewer or
//     more bytes makes Put fail with kind [Invalid] and leaves whatever was
//     stored under the key before (usually nothing) unchanged.
//   - Ranges follow Go slice semantics on the object's bytes: Open(key, off,
//     n) returns b[off:min(off+n, size)] (n < 0 means to the end). An offset
//     beyond the size, or a negative one, is [Invalid]; off == size yields an
//     empty reader. A length reaching past the end is clamped, not an error.
//   - Meta.ContentType defaults to "application/octet-stream" when empty and
//     must be printable ASCII; a non-empty Meta.Name is passed through
//     [SanitizeName] on Put (an empty one stays empty).
//   - List returns objects sorted by key (byte order); a prefix is a plain
//     string prefix of keys ("a/b" matches "a/b/c" and "a/bc").
//   - A key must not also be a "directory" of another key (both "a/b" and
//     "a/b/c"): S3 allows it but MinIO then hides "a/b/c" from listings, so
//     the behaviour is undefined. Content keys ([ContentKey]) never clash.
package docstorage

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Store keeps immutable objects addressed by key.
//
// Implementations are safe for concurrent use.
type Store interface {
	// Put stores size bytes read from r under key. size must be exact; if
	// r yields fewer/more bytes Put fails and nothing is stored (no partial
	// object visible under key).
	Put(ctx context.Context, key string, r io.Reader, size int64, meta Meta) error
	// Open returns a reader for bytes [offset, offset+length) of the
	// object; length<0 means to the end. Returns an error of kind NotFound
	// if missing; Invalid for a bad range. The context also governs the
	// reads from the returned reader; the caller must close it.
	Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error)
	// Create stores an object like Put, but only if no object exists under
	// key: kind Conflict otherwise, and the existing object is unchanged.
	// Of concurrent Creates of one key exactly one succeeds.
	Create(ctx context.Context, key string, r io.Reader, size int64, meta Meta) error
	// Stat describes the object under key; kind NotFound if missing.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes the object under key; deleting a missing key is not
	// an error.
	Delete(ctx context.Context, key string) error
	// List describes every object whose key starts with prefix, sorted by
	// key.
	List(ctx context.Context, prefix string) ([]Info, error)
}

// Meta is the metadata stored with an object.
type Meta struct {
	// ContentType is the MIME type; "application/octet-stream" if empty.
	ContentType string `json:"content_type"`
	// Name is the original file name, sanitised with SanitizeName.
	Name string `json:"name"`
}

// Info describes a stored object.
type Info struct {
	// Key is the object's key.
	Key string
	// Size is the object's length in bytes.
	Size int64
	// Meta is the metadata given to Put (normalised).
	Meta Meta
	// Modified is when the object was last written. S3 reports it with a
	// precision of one second.
	Modified time.Time
}

// DefaultContentType is stored when Put is given an empty Meta.ContentType.
const DefaultContentType = "application/octet-stream"

// MaxKeyLen is the longest valid key, in bytes.
const MaxKeyLen = 512

// MaxSegmentLen is the longest valid key segment, in bytes. Local file
// systems limit a file name to 255 bytes, and FS appends a suffix.
const MaxSegmentLen = 128

// MaxNameLen is the longest name SanitizeName returns, in bytes.
const MaxNameLen = 200

// DefaultName is what SanitizeName returns when nothing usable is left.
const DefaultName = "tai-lieu"

// Kind classifies errors returned by a Store.
type Kind string

// Error kinds.
const (
	// NotFound means no object is stored under the key.
	NotFound Kind = "not_found"
	// Invalid means the caller's input was rejected: a bad key, range,
	// prefix or size (including a reader whose length differs from size).
	Invalid Kind = "invalid"
	// Conflict means the object exists and the operation refuses to
	// replace it (Create, PutRetained).
	Conflict Kind = "conflict"
	// Internal means the backend failed (I/O error, server error, ...).
	Internal Kind = "internal"
)

// Error is the error type returned by Store implementations.
type Error struct {
	// Kind classifies the error.
	Kind Kind
	// Message is a human-readable description.
	Message string
	// Err is the underlying cause, if any.
	Err error
}

// Error implements the error interface.
func (e *Error) Error() string {
	s := "docstorage: " + string(e.Kind)
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// KindOf reports the kind of err: the Kind of the first *Error in its chain,
// "" for a nil error, and Internal for any other error.
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

func newError(kind Kind, err error, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...), Err: err}
}

// ValidKey reports whether key is a valid object key, returning nil or an
// error of kind Invalid. A valid key is non-empty, at most MaxKeyLen bytes,
// and made of segments separated by "/", each a non-empty run of at most
// MaxSegmentLen bytes of [A-Za-z0-9._-], other than "." and "..". Hence no
// leading, trailing or doubled slash, no backslash and no percent sign.
func ValidKey(key string) error {
	if key == "" {
		return newError(Invalid, nil, "empty key")
	}
	if len(key) > MaxKeyLen {
		return newError(Invalid, nil, "key longer than %d bytes", MaxKeyLen)
	}
	for seg := range strings.SplitSeq(key, "/") {
		if err := validSegment(seg); err != nil {
			return newError(Invalid, nil, "key %q: %s", key, err)
		}
	}
	return nil
}

func validSegment(seg string) error {
	switch seg {
	case "":
		return errors.New("empty segment")
	case ".", "..":
		return fmt.Errorf("segment %q", seg)
	}
	if len(seg) > MaxSegmentLen {
		return fmt.Errorf("segment longer than %d bytes", MaxSegmentLen)
	}
	for i := 0; i < len(seg); i++ {
		if !keyByte(seg[i]) {
			return fmt.Errorf("character %q not allowed", rune(seg[i]))
		}
	}
	return nil
}

func keyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '.' || c == '_' || c == '-'
}

// validPrefix checks a List prefix: empty, or a string that could begin a
// valid key. Every segment before the last "/" must be a valid segment; the
// last (possibly partial) segment may be empty or any run of key bytes.
func validPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if len(prefix) > MaxKeyLen {
		return newError(Invalid, nil, "prefix longer than %d bytes", MaxKeyLen)
	}
	segs := strings.Split(prefix, "/")
	for i, seg := range segs {
		if i == len(segs)-1 {
			for j := 0; j < len(seg); j++ {
				if !keyByte(seg[j]) {
					return newError(Invalid, nil, "prefix %q: character %q not allowed", prefix, rune(seg[j]))
				}
			}
			break
		}
		if err := validSegment(seg); err != nil {
			return newError(Invalid, nil, "prefix %q: %s", prefix, err)
		}
	}
	return nil
}

// ContentKey returns the key for content with the given SHA-256 digest:
// "sha256/ab/cd/abcd…" (lower-case hex, fanned out on the first two bytes).
// It panics if sha256sum is not 32 bytes long.
func ContentKey(sha256sum []byte) string {
	if len(sha256sum) != 32 {
		panic(fmt.Sprintf("docstorage.ContentKey: digest is %d bytes, want 32", len(sha256sum)))
	}
	h := hex.EncodeToString(sha256sum)
	return "sha256/" + h[0:2] + "/" + h[2:4] + "/" + h
}

// SanitizeName makes a user-supplied file name safe to store and to show:
// it keeps only the base name (after the last "/" or "\"), drops invalid
// UTF-8, control and formatting characters (such as bidirectional
// overrides), normalises to Unicode NFC (so Vietnamese names typed on
// different systems compare equal), trims surrounding white space, and caps
// the result at MaxNameLen bytes on a rune boundary, keeping a short
// extension. Letters of any script, including Vietnamese, are kept. If
// nothing usable is left (or the name is "." or ".."), it returns
// DefaultName.
func SanitizeName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r),
			r == '\u2028', r == '\u2029':
			continue
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	name = strings.TrimSpace(norm.NFC.String(b.String()))
	if len(name) > MaxNameLen {
		ext := path.Ext(name)
		if len(ext) > 16 || len(ext) == len(name) {
			ext = ""
		}
		name = strings.TrimSpace(truncate(name[:len(name)-len(ext)], MaxNameLen-len(ext))) + ext
	}
	if name == "" || name == "." || name == ".." {
		return DefaultName
	}
	return name
}

// truncate cuts s to at most n bytes without splitting a rune.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// MaxContentTypeLen is the longest accepted Meta.ContentType, in bytes.
const MaxContentTypeLen = 255

// checkMeta validates and normalises metadata for Put: an empty content
// type becomes DefaultContentType, a non-empty name is sanitised. The
// content type must be printable ASCII (it travels in an HTTP header) of at
// most MaxContentTypeLen bytes, else the error is of kind Invalid.
func checkMeta(m Meta) (Meta, error) {
	if m.ContentType == "" {
		m.ContentType = DefaultContentType
	}
	if len(m.ContentType) > MaxContentTypeLen {
		return Meta{}, newError(Invalid, nil, "content type longer than %d bytes", MaxContentTypeLen)
	}
	for i := 0; i < len(m.ContentType); i++ {
		if c := m.ContentType[i]; c < 0x20 || c > 0x7e {
			return Meta{}, newError(Invalid, nil, "content type %q: not printable ASCII", m.ContentType)
		}
	}
	if m.Name != "" {
		m.Name = SanitizeName(m.Name)
	}
	return m, nil
}

// checkPut validates the arguments shared by every backend's Put.
func checkPut(key string, r io.Reader, size int64) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if size < 0 {
		return newError(Invalid, nil, "negative size %d", size)
	}
	if r == nil {
		return newError(Invalid, nil, "nil reader")
	}
	return nil
}

// checkRange validates offset and length before the object size is known.
func checkRange(offset, length int64) error {
	if offset < 0 {
		return newError(Invalid, nil, "negative offset %d", offset)
	}
	return nil
}

// clampRange resolves [offset, offset+length) against size, returning the
// number of bytes to read, or an Invalid error if offset > size.
func clampRange(offset, length, size int64) (int64, error) {
	if offset > size {
		return 0, newError(Invalid, nil, "offset %d beyond size %d", offset, size)
	}
	n := size - offset
	if length >= 0 && length < n {
		n = length
	}
	return n, nil
}

// exactReader passes through exactly size bytes of r and fails if r holds
// fewer or more. The surplus check happens eagerly on the Read that
// delivers the last byte, so that a consumer that stops reading after size
// bytes (as S3 uploaders do) still sees the failure before it commits.
type exactReader struct {
	r        io.Reader
	ctx      context.Context
	left     int64
	probed   bool  // the surplus check found r at EOF
	mismatch error // set once a size mismatch has been detected
}

func newExactReader(ctx context.Context, r io.Reader, size int64) *exactReader {
	return &exactReader{r: r, ctx: ctx, left: size}
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.mismatch != nil {
		return 0, e.mismatch
	}
	if err := e.ctx.Err(); err != nil {
		return 0, err
	}
	n := 0
	if e.left > 0 {
		if int64(len(p)) > e.left {
			p = p[:e.left]
		}
		var err error
		n, err = e.r.Read(p)
		e.left -= int64(n)
		switch {
		case err != nil && err != io.EOF:
			return n, err
		case err == io.EOF && e.left > 0:
			e.mismatch = newError(Invalid, io.ErrUnexpectedEOF, "reader ended %d bytes short of the given size", e.left)
			return n, e.mismatch
		case e.left > 0:
			return n, nil
		}
	}
	if !e.probed {
		// All size bytes are read: probe for surplus bytes now, while the
		// consumer still wants data.
		if err := e.probe(); err != nil {
			return n, err
		}
	}
	if n > 0 {
		return n, nil
	}
	return 0, io.EOF
}

func (e *exactReader) probe() error {
	var one [1]byte
	for range 100 {
		m, err := e.r.Read(one[:])
		if m > 0 {
			e.mismatch = newError(Invalid, nil, "reader holds more bytes than the given size")
			return e.mismatch
		}
		if err == io.EOF {
			e.probed = true
			return nil
		}
		if err != nil {
			return err
		}
	}
	return io.ErrNoProgress
}

// ctxReader fails reads once its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
	c   io.Closer
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func (c *ctxReader) Close() error { return c.c.Close() }
