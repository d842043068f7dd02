package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/server/archive"
)

// verifyArchive checks a meeting archive offline: a folder, a .zip file or
// s3://bucket/prefix (credentials from the PHONGHOP_S3_* variables). It
// prints "Hợp lệ / valid" and a summary, or one line per problem and
// returns an error (exit status 1).
func verifyArchive(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("phonghop verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keyArg := fs.String("key", "", "trusted signing key: fingerprint (≥16 hex digits), PEM text, or a PEM file")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: phonghop verify <folder | file.zip | s3://bucket/prefix> [-key fingerprint-or-pem]")
		fs.PrintDefaults()
	}
	// Flags may come before or after the archive argument.
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("verify: give exactly one archive (got %d)", len(pos))
	}
	var opts archive.Options
	if *keyArg != "" {
		tr, err := archive.ParseTrust(*keyArg)
		if err != nil {
			return err
		}
		opts.Trusted = &tr
	}
	target := pos[0]
	var src archive.Source
	switch {
	case strings.HasPrefix(target, "s3://"):
		bucket, prefix, _ := strings.Cut(strings.TrimPrefix(target, "s3://"), "/")
		tls, err := onOff(getenv("PHONGHOP_S3_TLS"))
		if err != nil {
			return fmt.Errorf("PHONGHOP_S3_TLS: %w", err)
		}
		cfg := docstorage.S3Config{Endpoint: getenv("PHONGHOP_S3_ENDPOINT"), AccessKey: getenv("PHONGHOP_S3_ACCESS_KEY"),
			SecretKey: getenv("PHONGHOP_S3_SECRET_KEY"), Region: getenv("PHONGHOP_S3_REGION"), UseTLS: tls, Bucket: bucket}
		if cfg.Endpoint == "" {
			return fmt.Errorf("verify %s: set PHONGHOP_S3_ENDPOINT (and PHONGHOP_S3_ACCESS_KEY, PHONGHOP_S3_SECRET_KEY)", target)
		}
		if bucket == "" || prefix == "" {
			return fmt.Errorf("verify %s: want s3://bucket/archives/<meeting>/<revision>", target)
		}
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		r, err := archive.S3Reader(sctx, cfg)
		if err != nil {
			return fmt.Errorf("verify %s: %w", target, err)
		}
		src = archive.StoreSource(r, prefix, target)
	default:
		fi, err := os.Stat(target)
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		if fi.IsDir() {
			src = archive.DirSource(target)
		} else {
			zs, c, err := archive.ZipSource(target)
			if err != nil {
				fmt.Fprintf(stdout, "KHÔNG HỢP LỆ / INVALID: %s\n  %s: tệp zip hỏng hoặc không đầy đủ / damaged or truncated zip file: %v\n", target, target, err)
				return fmt.Errorf("%s is not a readable zip file", target)
			}
			defer c.Close()
			src = zs
		}
	}
	rep, err := archive.Verify(ctx, src, opts)
	if err != nil {
		return err
	}
	if !rep.OK() {
		fmt.Fprintf(stdout, "KHÔNG HỢP LỆ / INVALID: %s (%d lỗi / problems)\n", target, len(rep.Problems))
		for _, p := range rep.Problems {
			fmt.Fprintf(stdout, "  %s\n", p)
		}
		return fmt.Errorf("archive %s failed verification (%d problems)", target, len(rep.Problems))
	}
	m := rep.Manifest
	fmt.Fprintf(stdout, "Hợp lệ / valid: %s\n", target)
	fmt.Fprintf(stdout, "  Cuộc họp / meeting: %s — %s\n", m.Meeting.ID, m.Meeting.Title)
	fmt.Fprintf(stdout, "  Phiên bản biên bản / minutes revision: %d, lập lúc / created %s\n", m.Revision, m.Created.Format(time.RFC3339))
	fmt.Fprintf(stdout, "  Nhật ký / event log: %d sự kiện / events, mã băm cuối / head hash %s\n", rep.Events, m.Log.Hash)
	fmt.Fprintf(stdout, "  Tệp / files: %d, mã băm SHA-256 và kích thước đúng / SHA-256 and sizes match\n", len(m.Files)+2) // the manifest lists all but itself and its signature
	fmt.Fprintf(stdout, "  Khóa ký / signing key: %s (%s)\n", archive.Short(rep.KeyFingerprint), rep.KeyFingerprint)
	if rep.Trusted {
		fmt.Fprintln(stdout, "  Chữ ký đúng bằng khóa tin cậy đã cho / signed by the trusted key given")
	} else {
		fmt.Fprintln(stdout, "  Lưu ý: chỉ kiểm tra bằng khóa kèm theo bộ lưu trữ — chứng minh tính toàn vẹn, không chứng minh nguồn gốc; dùng -key với dấu vân tay của máy chủ.")
		fmt.Fprintln(stdout, "  Note: checked only against the key inside the archive — proves integrity, not origin; pass -key with the server's fingerprint.")
	}
	return nil
}
