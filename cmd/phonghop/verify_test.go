package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
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

func TestArchiveConfig(t *testing.T) {
	parse := func(env map[string]string) (config, error) {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		return parseConfig(fs, nil, func(k string) string { return env[k] })
	}
	s3 := map[string]string{"PHONGHOP_S3_ENDPOINT": "minio:9000", "PHONGHOP_S3_BUCKET": "phonghop", "PHONGHOP_S3_ACCESS_KEY": "a", "PHONGHOP_S3_SECRET_KEY": "b"}
	c, err := parse(s3)
	if err != nil || c.archiveBucket != "phonghop-archive" || c.archivePolicy.Mode != "COMPLIANCE" || c.archivePolicy.Days != 3650 {
		t.Errorf("defaults: %q %+v, %v", c.archiveBucket, c.archivePolicy, err)
	}
	s3["PHONGHOP_S3_ARCHIVE_BUCKET"], s3["PHONGHOP_ARCHIVE_RETENTION"], s3["PHONGHOP_ARCHIVE_LOCK_MODE"] = "luu-tru", "10y", "governance"
	c, err = parse(s3)
	if err != nil || c.archiveBucket != "luu-tru" || c.archivePolicy.Mode != "GOVERNANCE" || c.archivePolicy.Years != 10 {
		t.Errorf("set: %q %+v, %v", c.archiveBucket, c.archivePolicy, err)
	}
	for _, env := range []map[string]string{
		{"PHONGHOP_ARCHIVE_RETENTION": "mãi mãi"},
		{"PHONGHOP_ARCHIVE_LOCK_MODE": "LEGAL_HOLD"},
		{"PHONGHOP_S3_ARCHIVE_BUCKET": "x"}, // without S3
		{"PHONGHOP_S3_ENDPOINT": "minio:9000", "PHONGHOP_S3_BUCKET": "p", "PHONGHOP_S3_ACCESS_KEY": "a", "PHONGHOP_S3_SECRET_KEY": "b", "PHONGHOP_S3_ARCHIVE_BUCKET": "p"},
	} {
		if _, err := parse(env); err == nil {
			t.Errorf("parseConfig(%v) = nil error", env)
		}
	}
}

// TestServeArchiveKey: the first start creates the signing key (0600) and
// prints its fingerprint; the next start prints the same one, and the
// public-key route serves it.
func TestServeArchiveKey(t *testing.T) {
	data := t.TempDir()
	var prints []string
	for range 2 {
		addr, out, stop := startRun(t, []string{"-addr", "127.0.0.1:0", "-data", data}, map[string]string{})
		resp, err := http.Get("http://" + addr + "/api/archive/public-key")
		if err != nil {
			t.Fatal(err)
		}
		var pk struct{ Fingerprint string }
		decode(t, resp, &pk)
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`archive signing key: \S+  \(SHA-256 ([0-9a-f]{64})\)`).FindStringSubmatch(out.String())
		if m == nil || m[1] != pk.Fingerprint {
			t.Fatalf("output lacks the key fingerprint %q:\n%s", pk.Fingerprint, out)
		}
		if !strings.Contains(out.String(), "minutes archive: "+filepath.Join(data, "archives")) {
			t.Errorf("output lacks the local archive folder:\n%s", out)
		}
		prints = append(prints, m[1])
	}
	if prints[0] != prints[1] {
		t.Errorf("fingerprints %v differ between starts", prints)
	}
	fi, err := os.Stat(filepath.Join(data, archive.KeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v, %v; want mode 0600", fi, err)
	}
}
