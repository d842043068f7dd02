package docstorage_test

import (
	"context"
	"strings"
	"sync"
	"testing"

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
