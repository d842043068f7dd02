package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	docstorage "github.com/phonghop/phonghop/docs-storage"
)

// S3Reader reads an existing bucket without creating or changing anything
// (unlike docstorage.NewS3, which creates a missing bucket): for verifying
// archives from the command line.
func S3Reader(ctx context.Context, cfg docstorage.S3Config) (ObjectReader, error) {
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return nil, errors.New("S3 endpoint and bucket are required")
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.UseTLS, Region: cfg.Region})
	if err != nil {
		return nil, err
	}
	ok, err := c.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("bucket %q: %w", cfg.Bucket, err)
	}
	if !ok {
		return nil, fmt.Errorf("bucket %q does not exist", cfg.Bucket)
	}
	return &s3Reader{c: c, bucket: cfg.Bucket}, nil
}

type s3Reader struct {
	c      *minio.Client
	bucket string
}

func (s *s3Reader) List(ctx context.Context, prefix string) ([]docstorage.Info, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var out []docstorage.Info
	for oi := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if oi.Err != nil {
			return nil, oi.Err
		}
		out = append(out, docstorage.Info{Key: oi.Key, Size: oi.Size, Modified: oi.LastModified})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func (s *s3Reader) Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if offset != 0 || length >= 0 {
		return nil, errors.New("s3Reader: ranges are not supported")
	}
	return s.c.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
}
