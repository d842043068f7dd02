package docstorage_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/docs-storage/miniotest"
	"github.com/phonghop/phonghop/docs-storage/storagetest"
)

func newS3(t *testing.T, cfg docstorage.S3Config) *docstorage.S3 {
	t.Helper()
	s, err := docstorage.NewS3(t.Context(), cfg)
	if err != nil {
		t.Fatalf("NewS3(%s, bucket %q) = %v; want nil", cfg.Endpoint, cfg.Bucket, err)
	}
	return s
}

// rawClient talks to the server directly, bypassing docstorage.
func rawClient(t *testing.T, srv *miniotest.Server) *minio.Client {
	t.Helper()
	c, err := minio.New(srv.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(srv.AccessKey, srv.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestS3Conformance runs the conformance suite against a real MinIO server,
// one fresh bucket per subtest.
func TestS3Conformance(t *testing.T) {
	srv := miniotest.Start(t)
	storagetest.Test(t, func(t *testing.T) docstorage.Store {
		return newS3(t, srv.Config(miniotest.RandomBucket("conf")))
	})
}

func TestS3Bucket(t *testing.T) {
	srv := miniotest.Start(t)
	raw := rawClient(t, srv)
	ctx := t.Context()

	bucket := miniotest.RandomBucket("new")
	if ok, err := raw.BucketExists(ctx, bucket); err != nil || ok {
		t.Fatalf("before NewS3: BucketExists = %v, %v; want false, nil", ok, err)
	}
	s1 := newS3(t, srv.Config(bucket))
	if ok, err := raw.BucketExists(ctx, bucket); err != nil || !ok {
		t.Fatalf("after NewS3: BucketExists = %v, %v; want true, nil", ok, err)
	}
	if err := s1.Put(ctx, "k", strings.NewReader("data"), 4, docstorage.Meta{}); err != nil {
		t.Fatalf("Put = %v; want nil", err)
	}

	// A second store on the existing bucket sees the same objects.
	s2 := newS3(t, srv.Config(bucket))
	if info, err := s2.Stat(ctx, "k"); err != nil || info.Size != 4 {
		t.Errorf("second store: Stat(k) = %+v, %v; want size 4, nil", info, err)
	}

	// Concurrent creation of the same new bucket: all succeed.
	bucket = miniotest.RandomBucket("race")
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { _, errs[i] = docstorage.NewS3(ctx, srv.Config(bucket)) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent NewS3 #%d = %v; want nil", i, err)
		}
	}
}

func TestS3BadConfig(t *testing.T) {
	srv := miniotest.Start(t)
	cfg := srv.Config(miniotest.RandomBucket("bad"))
	cfg.SecretKey = "wrong-secret-key"
	if _, err := docstorage.NewS3(t.Context(), cfg); err == nil {
		t.Errorf("NewS3 with a wrong secret key = nil error; want an error")
	}
	for _, cfg := range []docstorage.S3Config{{Bucket: "b"}, {Endpoint: srv.Endpoint}} {
		_, err := docstorage.NewS3(t.Context(), cfg)
		if got := docstorage.KindOf(err); got != docstorage.Invalid {
			t.Errorf("NewS3(%+v) kind = %q (%v); want %q", cfg, got, err, docstorage.Invalid)
		}
	}
}

// TestS3NoIncompleteUploads checks that failed multipart uploads are
// aborted rather than left to accumulate on the server.
func TestS3NoIncompleteUploads(t *testing.T) {
	srv := miniotest.Start(t)
	bucket := miniotest.RandomBucket("abort")
	s := newS3(t, srv.Config(bucket))
	ctx := t.Context()
	const size = 17 << 20
	err := s.Put(ctx, "big", strings.NewReader(strings.Repeat("x", size-1)), size, docstorage.Meta{})
	if got := docstorage.KindOf(err); got != docstorage.Invalid {
		t.Fatalf("short multipart Put kind = %q (%v); want %q", got, err, docstorage.Invalid)
	}
	raw := rawClient(t, srv)
	var n int
	for u := range raw.ListIncompleteUploads(ctx, bucket, "", true) {
		if u.Err != nil {
			t.Fatalf("ListIncompleteUploads: %v", u.Err)
		}
		n++
	}
	if n != 0 {
		t.Errorf("incomplete uploads after failed Put = %d; want 0", n)
	}
}

// TestS3ForeignObjects checks that objects written by other clients, with
// keys docstorage would not accept or without metadata, do not break List.
func TestS3ForeignObjects(t *testing.T) {
	srv := miniotest.Start(t)
	bucket := miniotest.RandomBucket("foreign")
	s := newS3(t, srv.Config(bucket))
	ctx := context.Background()
	raw := rawClient(t, srv)
	for _, k := range []string{"ok/plain", "bad key/x"} {
		if _, err := raw.PutObject(ctx, bucket, k, strings.NewReader("x"), 1, minio.PutObjectOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	infos, err := s.List(ctx, "")
	if err != nil || len(infos) != 1 || infos[0].Key != "ok/plain" {
		t.Fatalf("List = %+v, %v; want just ok/plain", infos, err)
	}
	if infos[0].Meta.ContentType == "" || infos[0].Meta.Name != "" {
		t.Errorf("List meta of a foreign object = %+v; want a content type and no name", infos[0].Meta)
	}
}

// TestS3PutRetained: object-locked buckets and PutRetained's contract.
func TestS3PutRetained(t *testing.T) {
	srv := miniotest.Start(t)
	raw := rawClient(t, srv)
	ctx := t.Context()
	cfg := srv.Config(miniotest.RandomBucket("lock"))
	cfg.ObjectLocking = true
	s := newS3(t, cfg)
	until := time.Now().Add(24 * time.Hour)
	ret := docstorage.Retention{Mode: docstorage.Governance, Until: until}
	if err := s.PutRetained(ctx, "a/b", strings.NewReader("biên bản"), int64(len("biên bản")), docstorage.Meta{ContentType: "text/plain"}, ret); err != nil {
		t.Fatalf("PutRetained = %v", err)
	}
	oi, err := raw.StatObject(ctx, cfg.Bucket, "a/b", minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mode, got, err := raw.GetObjectRetention(ctx, cfg.Bucket, "a/b", oi.VersionID)
	if err != nil || mode == nil || *mode != minio.Governance || got == nil || got.Unix() != until.Unix() {
		t.Errorf("retention = %v %v, %v; want GOVERNANCE until %v", mode, got, err, until)
	}
	for _, c := range []struct {
		name string
		key  string
		body string
		size int64
		ret  docstorage.Retention
		kind docstorage.Kind
	}{
		{"existing key", "a/b", "x", 1, ret, docstorage.Conflict},
		{"bad mode", "c", "x", 1, docstorage.Retention{Mode: "LEGAL", Until: until}, docstorage.Invalid},
		{"past", "c", "x", 1, docstorage.Retention{Mode: docstorage.Compliance, Until: time.Now().Add(-time.Hour)}, docstorage.Invalid},
		{"short body", "c", "x", 2, ret, docstorage.Invalid},
		{"bad key", "../c", "x", 1, ret, docstorage.Invalid},
	} {
		err := s.PutRetained(ctx, c.key, strings.NewReader(c.body), c.size, docstorage.Meta{}, c.ret)
		if docstorage.KindOf(err) != c.kind {
			t.Errorf("%s: PutRetained = %v; want kind %s", c.name, err, c.kind)
		}
	}
	if _, err := s.Stat(ctx, "c"); docstorage.KindOf(err) != docstorage.NotFound {
		t.Errorf("after failed puts, Stat(c) = %v; want not found", err)
	}
	// A bucket opened without object locking refuses PutRetained, and an
	// existing bucket without lock cannot be opened as a locked one.
	plain := newS3(t, srv.Config(miniotest.RandomBucket("plain")))
	if err := plain.PutRetained(ctx, "k", strings.NewReader("x"), 1, docstorage.Meta{}, ret); docstorage.KindOf(err) != docstorage.Invalid {
		t.Errorf("PutRetained on a plain bucket = %v; want invalid", err)
	}
	pcfg := srv.Config(plain.Bucket())
	pcfg.ObjectLocking = true
	if _, err := docstorage.NewS3(ctx, pcfg); docstorage.KindOf(err) != docstorage.Invalid {
		t.Errorf("NewS3(locking) on a bucket without lock = %v; want invalid", err)
	}
}
