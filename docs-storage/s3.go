package docstorage

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config locates an S3-compatible bucket.
type S3Config struct {
	// Endpoint is host[:port], without scheme, e.g. "127.0.0.1:9000".
	Endpoint string
	// AccessKey is the access key ID.
	AccessKey string
	// SecretKey is the secret access key.
	SecretKey string
	// Bucket is the bucket holding the objects; created if missing.
	Bucket string
	// Region is the bucket's region; may be empty for MinIO.
	Region string
	// UseTLS selects https instead of http.
	UseTLS bool
	// ObjectLocking creates a missing bucket with S3 Object Lock enabled
	// (which also turns versioning on), so that PutRetained can protect
	// objects; an existing bucket must then already have object lock
	// enabled, else NewS3 fails. Object lock can only be enabled when a
	// bucket is created.
	ObjectLocking bool
}

// S3 is a Store backed by a bucket of an S3-compatible server (MinIO,
// AWS S3, ...), through minio-go.
//
// The file name in Meta is kept as the user metadata "x-amz-meta-name",
// URL-path-escaped so that any UTF-8 name travels in an ASCII header.
type S3 struct {
	client  *minio.Client
	core    minio.Core
	bucket  string
	locking bool // the bucket was asked for with object lock
}

var _ Store = (*S3)(nil)

// s3NameMeta is the user-metadata key holding Meta.Name.
const s3NameMeta = "name"

// NewS3 connects to the server described by cfg and creates the bucket if
// it does not exist (tolerating a concurrent creation of the same bucket).
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return nil, newError(Invalid, nil, "S3 endpoint and bucket are required")
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.UseTLS,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, newError(Invalid, err, "S3 client for %q", cfg.Endpoint)
	}
	s := &S3{client: client, core: minio.Core{Client: client}, bucket: cfg.Bucket, locking: cfg.ObjectLocking}
	if err := s.ensureBucket(ctx, cfg.Region); err != nil {
		return nil, err
	}
	if cfg.ObjectLocking {
		enabled, _, _, _, err := client.GetObjectLockConfig(ctx, cfg.Bucket)
		if err != nil || enabled != "Enabled" {
			return nil, newError(Invalid, err, "bucket %q has no object lock (it can only be enabled when a bucket is created)", cfg.Bucket)
		}
	}
	return s, nil
}

// Bucket returns the bucket name.
func (s *S3) Bucket() string { return s.bucket }

func (s *S3) ensureBucket(ctx context.Context, region string) error {
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return newError(Internal, err, "check bucket %q", s.bucket)
	}
	if exists {
		return nil
	}
	err = s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: region, ObjectLocking: s.locking})
	if err == nil {
		return nil
	}
	switch minio.ToErrorResponse(err).Code {
	case minio.BucketAlreadyOwnedByYou:
		return nil // created concurrently by us
	case minio.BucketAlreadyExists:
		// Either a concurrent creation by us or someone else's bucket;
		// only the former is usable.
		if ok, err2 := s.client.BucketExists(ctx, s.bucket); err2 == nil && ok {
			return nil
		}
	}
	return newError(Internal, err, "create bucket %q", s.bucket)
}

// Put implements Store. The upload is streamed (single PUT up to 16 MiB,
// multipart above, where minio-go buffers one 16 MiB part at a time); an
// upload that fails is aborted so that no object appears under key.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, meta Meta) error {
	if err := checkPut(key, r, size); err != nil {
		return err
	}
	meta, err := checkMeta(meta)
	if err != nil {
		return err
	}
	opts := minio.PutObjectOptions{ContentType: meta.ContentType}
	if meta.Name != "" {
		opts.UserMetadata = map[string]string{s3NameMeta: url.PathEscape(meta.Name)}
	}
	// exactReader also hides any io.ReaderAt/Seeker of r, so minio-go reads
	// it sequentially, exactly once.
	er := newExactReader(ctx, r, size)
	var body io.Reader = er
	if size == 0 {
		// An empty body may never be read: check r for surplus bytes here.
		if _, err := er.Read(make([]byte, 1)); err != io.EOF {
			if er.mismatch != nil {
				return er.mismatch
			}
			return newError(Internal, err, "put %q", key)
		}
		body = bytes.NewReader(nil)
	}
	if _, err := s.client.PutObject(ctx, s.bucket, key, body, size, opts); err != nil {
		if er.mismatch != nil {
			return er.mismatch
		}
		return s.mapErr(err, "put %q", key)
	}
	if er.mismatch != nil { // cannot happen: the upload must have failed
		return er.mismatch
	}
	return nil
}

// Lock modes of S3 Object Lock retention.
const (
	// Compliance: nobody, not even the root account, can delete the object
	// version or shorten its retention until it expires.
	Compliance = "COMPLIANCE"
	// Governance: users without the s3:BypassGovernanceRetention
	// permission cannot delete the object version; those with it can, by
	// asking explicitly.
	Governance = "GOVERNANCE"
)

// Create implements Store: the PUT carries If-None-Match: *, so the
// server refuses it when the key exists (412), atomically.
func (s *S3) Create(ctx context.Context, key string, r io.Reader, size int64, meta Meta) error {
	if err := checkPut(key, r, size); err != nil {
		return err
	}
	meta, err := checkMeta(meta)
	if err != nil {
		return err
	}
	opts := minio.PutObjectOptions{ContentType: meta.ContentType}
	opts.SetMatchETagExcept("*")
	if meta.Name != "" {
		opts.UserMetadata = map[string]string{s3NameMeta: url.PathEscape(meta.Name)}
	}
	er := newExactReader(ctx, r, size)
	if _, err := s.client.PutObject(ctx, s.bucket, key, er, size, opts); err != nil {
		if er.mismatch != nil {
			return er.mismatch
		}
		if resp := minio.ToErrorResponse(err); resp.StatusCode == http.StatusPreconditionFailed || resp.Code == "PreconditionFailed" {
			return newError(Conflict, err, "object %q already exists", key)
		}
		return s.mapErr(err, "create %q", key)
	}
	return nil
}

// Retention is the object lock put on an object version by PutRetained.
type Retention struct {
	// Mode is Compliance or Governance.
	Mode string
	// Until is when the protection ends.
	Until time.Time
}

// PutRetained stores an object like Put, but only if no object exists under
// key (kind Conflict otherwise: it never replaces one), and locks the new
// object version with ret. The bucket must have been opened with
// S3Config.ObjectLocking.
func (s *S3) PutRetained(ctx context.Context, key string, r io.Reader, size int64, meta Meta, ret Retention) error {
	if !s.locking {
		return newError(Invalid, nil, "bucket %q was not opened with object locking", s.bucket)
	}
	if ret.Mode != Compliance && ret.Mode != Governance {
		return newError(Invalid, nil, "retention mode %q: want %s or %s", ret.Mode, Compliance, Governance)
	}
	if !ret.Until.After(time.Now()) {
		return newError(Invalid, nil, "retention until %s is not in the future", ret.Until.Format(time.RFC3339))
	}
	if err := checkPut(key, r, size); err != nil {
		return err
	}
	meta, err := checkMeta(meta)
	if err != nil {
		return err
	}
	opts := minio.PutObjectOptions{ContentType: meta.ContentType, SendContentMd5: true,
		Mode: minio.RetentionMode(ret.Mode), RetainUntilDate: ret.Until.UTC()}
	opts.SetMatchETagExcept("*") // If-None-Match: * — refuse to overwrite
	if meta.Name != "" {
		opts.UserMetadata = map[string]string{s3NameMeta: url.PathEscape(meta.Name)}
	}
	// Buffered: an object lock PUT needs a Content-MD5, and archive files
	// are small enough to hold.
	er := newExactReader(ctx, r, size)
	b, err := io.ReadAll(er)
	if err != nil {
		if er.mismatch != nil {
			return er.mismatch
		}
		return newError(Internal, err, "put %q", key)
	}
	if _, err := s.client.PutObject(ctx, s.bucket, key, bytes.NewReader(b), size, opts); err != nil {
		if resp := minio.ToErrorResponse(err); resp.StatusCode == http.StatusPreconditionFailed || resp.Code == "PreconditionFailed" {
			return newError(Conflict, err, "object %q already exists", key)
		}
		return s.mapErr(err, "put %q", key)
	}
	return nil
}

// Open implements Store. The returned reader streams the HTTP response.
func (s *S3) Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if err := ValidKey(key); err != nil {
		return nil, err
	}
	if err := checkRange(offset, length); err != nil {
		return nil, err
	}
	if length == 0 {
		// HTTP cannot express an empty range: check existence and offset.
		info, err := s.Stat(ctx, key)
		if err != nil {
			return nil, err
		}
		if _, err := clampRange(offset, length, info.Size); err != nil {
			return nil, err
		}
		return io.NopCloser(strings.NewReader("")), nil
	}
	var opts minio.GetObjectOptions
	switch {
	case offset == 0 && length < 0:
		// whole object: no Range header
	case length < 0:
		opts.SetRange(offset, 0) // bytes=offset-
	default:
		opts.SetRange(offset, offset+length-1) // the server clamps the end
	}
	body, _, _, err := s.core.GetObject(ctx, s.bucket, key, opts)
	if err != nil {
		if minio.ToErrorResponse(err).Code == minio.InvalidRange {
			// offset >= size: an empty reader if offset == size (Go slice
			// semantics, as FS), Invalid beyond.
			info, serr := s.Stat(ctx, key)
			if serr != nil {
				return nil, serr
			}
			if _, cerr := clampRange(offset, length, info.Size); cerr != nil {
				return nil, cerr
			}
			return io.NopCloser(strings.NewReader("")), nil
		}
		return nil, s.mapErr(err, "open %q", key)
	}
	return body, nil
}

// Stat implements Store.
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidKey(key); err != nil {
		return Info{}, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, s.mapErr(err, "stat %q", key)
	}
	return s.info(oi), nil
}

// Delete implements Store.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	if err != nil && KindOf(s.mapErr(err, "")) != NotFound {
		return s.mapErr(err, "delete %q", key)
	}
	return nil
}

// List implements Store. It asks for metadata in the listing (a MinIO
// extension); servers that do not return it cost one StatObject per object.
func (s *S3) List(ctx context.Context, prefix string) ([]Info, error) {
	if err := validPrefix(prefix); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing goroutine on early return
	out := []Info{}
	for oi := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{
		Prefix:       prefix,
		Recursive:    true,
		WithMetadata: true,
	}) {
		if oi.Err != nil {
			return nil, s.mapErr(oi.Err, "list %q", prefix)
		}
		if ValidKey(oi.Key) != nil {
			continue // not written through this package
		}
		info, ok := s.listInfo(oi)
		if !ok {
			var err error
			info, err = s.Stat(ctx, oi.Key)
			if KindOf(err) == NotFound {
				continue // deleted meanwhile
			}
			if err != nil {
				return nil, err
			}
		}
		out = append(out, info)
	}
	if err := ctx.Err(); err != nil {
		return nil, newError(Internal, err, "list %q", prefix)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// info converts the result of StatObject.
func (s *S3) info(oi minio.ObjectInfo) Info {
	name, _ := metaValue(oi.UserMetadata, s3NameMeta)
	return Info{
		Key:      oi.Key,
		Size:     oi.Size,
		Meta:     Meta{ContentType: oi.ContentType, Name: decodeName(name)},
		Modified: oi.LastModified,
	}
}

// listInfo converts a listing entry, reporting false if the listing carries
// no metadata for it.
func (s *S3) listInfo(oi minio.ObjectInfo) (Info, bool) {
	ct := oi.ContentType
	if ct == "" {
		ct, _ = metaValue(oi.UserMetadata, "content-type")
	}
	if ct == "" {
		return Info{}, false
	}
	name, ok := metaValue(oi.UserMetadataStripped, s3NameMeta)
	if !ok {
		name, _ = metaValue(oi.UserMetadata, s3NameMeta)
	}
	return Info{
		Key:      oi.Key,
		Size:     oi.Size,
		Meta:     Meta{ContentType: ct, Name: decodeName(name)},
		Modified: oi.LastModified,
	}, true
}

// metaValue looks up a user-metadata entry case-insensitively, with or
// without the "x-amz-meta-" prefix.
func metaValue(m map[string]string, key string) (string, bool) {
	for k, v := range m {
		k = strings.ToLower(k)
		k = strings.TrimPrefix(k, "x-amz-meta-")
		if k == key {
			return v, true
		}
	}
	return "", false
}

func decodeName(v string) string {
	if name, err := url.PathUnescape(v); err == nil {
		return name
	}
	return v
}

// mapErr converts a minio-go error to an *Error of the matching kind.
func (s *S3) mapErr(err error, format string, args ...any) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	resp := minio.ToErrorResponse(err)
	switch {
	case resp.Code == minio.NoSuchKey || resp.Code == "NotFound" ||
		resp.Code == "" && resp.StatusCode == http.StatusNotFound:
		return newError(NotFound, err, format, args...)
	case resp.Code == minio.InvalidRange:
		return newError(Invalid, err, format, args...)
	}
	return newError(Internal, err, format, args...)
}
