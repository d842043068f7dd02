package archive_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/docs-storage/miniotest"
	"github.com/phonghop/phonghop/server/archive"
)

// TestS3Retention archives to a real MinIO with object lock, then tries to
// destroy the archive as an attacker holding the root credentials would.
func TestS3Retention(t *testing.T) {
	srv := miniotest.Start(t)
	ctx := context.Background()
	raw, err := minio.New(srv.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(srv.AccessKey, srv.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{docstorage.Compliance, docstorage.Governance} {
		t.Run(mode, func(t *testing.T) {
			in, key := fixture(t)
			p, err := archive.ParsePolicy("1d", mode)
			if err != nil {
				t.Fatal(err)
			}
			bucket := miniotest.RandomBucket("arch")
			st, err := archive.OpenS3(ctx, srv.Config(bucket), p)
			if err != nil {
				t.Fatalf("OpenS3 = %v", err)
			}
			if !st.Protected {
				t.Error("S3 store not Protected")
			}
			if enabled, _, _, _, err := raw.GetObjectLockConfig(ctx, bucket); err != nil || enabled != "Enabled" {
				t.Fatalf("bucket object lock = %q, %v; want Enabled", enabled, err)
			}
			a, err := st.Write(ctx, in, key)
			if err != nil {
				t.Fatalf("Write = %v", err)
			}
			if r := verify(t, st.Source(in.Meeting.ID, 1), archive.Options{}); !r.OK() {
				t.Fatalf("Verify(S3) = %v", r.Problems)
			}
			if a2, err := st.Write(ctx, in, key); err != nil || a2 != nil {
				t.Fatalf("second Write = %v, %v; want nil, nil (idempotent)", a2, err)
			}
			objKey := archive.Prefix(in.Meeting.ID, 1) + archive.FileEvents
			orig := a.File(archive.FileEvents)
			oi, err := raw.StatObject(ctx, bucket, objKey, minio.StatObjectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if oi.VersionID == "" {
				t.Fatal("no version id: bucket not versioned")
			}
			mode2, until, err := raw.GetObjectRetention(ctx, bucket, objKey, oi.VersionID)
			if err != nil || mode2 == nil || string(*mode2) != mode || until == nil {
				t.Fatalf("retention = %v, %v, %v; want %s", mode2, until, err, mode)
			}

			// Deleting the locked version fails, in either mode (GOVERNANCE
			// without the explicit bypass header).
			err = raw.RemoveObject(ctx, bucket, objKey, minio.RemoveObjectOptions{VersionID: oi.VersionID})
			if err == nil {
				t.Errorf("delete of the locked version = nil; want an error")
			}
			// Overwriting through the store is refused.
			if _, err := st.Write(ctx, in, key); err != nil {
				t.Fatal(err)
			}
			s3, err := docstorage.NewS3(ctx, docstorage.S3Config{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, Bucket: bucket, ObjectLocking: true})
			if err != nil {
				t.Fatal(err)
			}
			err = s3.PutRetained(ctx, objKey, strings.NewReader("forged"), 6, docstorage.Meta{}, docstorage.Retention{Mode: mode, Until: p.Until(oi.LastModified.Add(48 * 3600e9))})
			if docstorage.KindOf(err) != docstorage.Conflict {
				t.Errorf("PutRetained over an archived file = %v; want kind conflict", err)
			}
			// A raw overwrite (no If-None-Match) makes a new version, but
			// it cannot replace the locked one: its bytes stay, and Verify
			// flags the forged latest version.
			forged, err := raw.PutObject(ctx, bucket, objKey, strings.NewReader("forged\n"), 7, minio.PutObjectOptions{})
			if err != nil || forged.VersionID == oi.VersionID {
				t.Errorf("raw overwrite = %+v, %v; want a new version (docs/archive.md says so)", forged, err)
			}
			obj, err := raw.GetObject(ctx, bucket, objKey, minio.GetObjectOptions{VersionID: oi.VersionID})
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(obj)
			obj.Close()
			if err != nil || !bytes.Equal(got, orig) {
				t.Errorf("original version after the overwrite: %d bytes, %v; want the original %d bytes", len(got), err, len(orig))
			}
			r := verify(t, st.Source(in.Meeting.ID, 1), archive.Options{})
			if r.OK() || !strings.Contains(r.Problems[0].File, archive.FileEvents) {
				t.Errorf("Verify after a raw overwrite = %v; want problems on events.jsonl", r.Problems)
			}
			// A plain delete only adds a delete marker; the version stays.
			if err := raw.RemoveObject(ctx, bucket, objKey, minio.RemoveObjectOptions{}); err != nil {
				t.Errorf("plain delete = %v; want a delete marker (docs/archive.md says so)", err)
			}
			if _, err := raw.StatObject(ctx, bucket, objKey, minio.StatObjectOptions{VersionID: oi.VersionID}); err != nil {
				t.Errorf("locked version after a plain delete: %v; want it kept", err)
			}
			// Shortening the retention is refused.
			short := until.Add(-12 * 3600e9)
			if err := raw.PutObjectRetention(ctx, bucket, objKey, minio.PutObjectRetentionOptions{VersionID: oi.VersionID,
				Mode: (*minio.RetentionMode)(mode2), RetainUntilDate: &short}); err == nil {
				t.Errorf("shortening the retention = nil; want an error")
			}
			// GOVERNANCE yields to an explicit bypass by a user allowed to
			// (root here); COMPLIANCE yields to nobody.
			err = raw.RemoveObject(ctx, bucket, objKey, minio.RemoveObjectOptions{VersionID: oi.VersionID, GovernanceBypass: true})
			if (err == nil) != (mode == docstorage.Governance) {
				t.Errorf("delete with governance bypass = %v in mode %s", err, mode)
			}
		})
	}

	// An existing bucket without object lock is refused as archive bucket.
	plain := miniotest.RandomBucket("plain")
	if err := raw.MakeBucket(ctx, plain, minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	p, _ := archive.ParsePolicy("1d", "")
	if _, err := archive.OpenS3(ctx, srv.Config(plain), p); err == nil {
		t.Error("OpenS3 on a bucket without object lock = nil error")
	}
}
