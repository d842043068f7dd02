package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phonghop/phonghop/docs-storage/miniotest"
	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/archive/archivetest"
)

func runVerify(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"verify"}, args...), func(k string) string { return env[k] }, &out, &errb)
	return out.String() + errb.String(), err
}

func TestVerifyCommand(t *testing.T) {
	in, err := archivetest.Input("m-cli", archivetest.Spec{Delegates: 20, Items: 3, Polls: 2})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := archive.NewKey()
	a, err := archive.Build(in, key)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "a")
	if err := a.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	var zb bytes.Buffer
	a.WriteZip(&zb)
	zipPath := filepath.Join(t.TempDir(), "bien-ban.zip")
	os.WriteFile(zipPath, zb.Bytes(), 0o644)

	for _, args := range [][]string{{dir}, {zipPath}, {dir, "-key", key.Fingerprint()}, {"-key", archive.Short(key.Fingerprint()), zipPath}} {
		out, err := runVerify(t, nil, args...)
		if err != nil || !strings.HasPrefix(out, "Hợp lệ / valid") || !strings.Contains(out, "m-cli") {
			t.Errorf("verify %v = %v\n%s; want valid", args, err, out)
		}
		if trusted := len(args) > 1; trusted != strings.Contains(out, "khóa tin cậy") {
			t.Errorf("verify %v: trusted line missing or wrong:\n%s", args, out)
		}
	}

	// A wrong trusted key.
	other, _ := archive.NewKey()
	out, err := runVerify(t, nil, dir, "-key", other.Fingerprint())
	if err == nil || !strings.Contains(out, "KHÔNG HỢP LỆ / INVALID") || !strings.Contains(out, "public-key.pem: ") {
		t.Errorf("verify with another key = %v\n%s", err, out)
	}

	// One byte changed in the PDF: one line naming it.
	bad := filepath.Join(t.TempDir(), "bad")
	a.WriteDir(bad)
	p := filepath.Join(bad, archive.FileMinutesVIP)
	os.Chmod(p, 0o644)
	b, _ := os.ReadFile(p)
	b[len(b)/2] ^= 1
	os.WriteFile(p, b, 0o644)
	out, err = runVerify(t, nil, bad)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if err == nil || len(lines) != 2 || !strings.HasPrefix(strings.TrimSpace(lines[1]), "minutes.vi.pdf: Mã băm SHA-256 không khớp") || !strings.Contains(lines[1], " / SHA-256 differs") {
		t.Errorf("verify tampered = %v\n%s", err, out)
	}

	// A truncated zip.
	trunc := filepath.Join(t.TempDir(), "cut.zip")
	os.WriteFile(trunc, zb.Bytes()[:zb.Len()-10], 0o644)
	if out, err := runVerify(t, nil, trunc); err == nil || !strings.Contains(out, "KHÔNG HỢP LỆ") {
		t.Errorf("verify truncated zip = %v\n%s", err, out)
	}

	// Usage errors.
	for _, args := range [][]string{{}, {dir, zipPath}, {filepath.Join(dir, "none")}, {dir, "-key", "xyz"}, {"s3://b/p"}} {
		if out, err := runVerify(t, nil, args...); err == nil {
			t.Errorf("verify %v = nil error\n%s", args, out)
		}
	}
}

func TestVerifyCommandS3(t *testing.T) {
	srv := miniotest.Start(t)
	ctx := context.Background()
	in, err := archivetest.Input("m-s3", archivetest.Spec{Delegates: 10, Items: 2, Polls: 1})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := archive.NewKey()
	bucket := miniotest.RandomBucket("cli")
	p, _ := archive.ParsePolicy("1d", "GOVERNANCE")
	st, err := archive.OpenS3(ctx, srv.Config(bucket), p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Write(ctx, in, key); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PHONGHOP_S3_ENDPOINT": srv.Endpoint, "PHONGHOP_S3_ACCESS_KEY": srv.AccessKey, "PHONGHOP_S3_SECRET_KEY": srv.SecretKey}
	out, err := runVerify(t, env, "s3://"+bucket+"/"+archive.Prefix("m-s3", 1), "-key", key.Fingerprint())
	if err != nil || !strings.HasPrefix(out, "Hợp lệ / valid") {
		t.Errorf("verify s3 = %v\n%s", err, out)
	}
	out, err = runVerify(t, env, "s3://"+bucket+"/archives/m-s3/2")
	if err == nil || !strings.Contains(out, "manifest.json: Thiếu tệp") {
		t.Errorf("verify missing s3 archive = %v\n%s", err, out)
	}
	if out, err := runVerify(t, env, "s3://no-such-bucket-xyz/archives/m/1"); err == nil {
		t.Errorf("verify s3 unknown bucket = nil\n%s", out)
	}
}
