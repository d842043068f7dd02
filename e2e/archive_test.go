package e2e

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/phonghop/phonghop/docs-storage/miniotest"
	"github.com/phonghop/phonghop/server/meeting"
)

// TestArchiveOnMinIO: the real binary with MinIO archives finalised
// minutes into an object-locked bucket, even when it is killed right after
// the finalisation; the downloaded zip and the bucket verify with
// `phonghop verify` against the fingerprint the server printed.
func TestArchiveOnMinIO(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	mio := miniotest.Start(t)
	cfg := mio.Config(miniotest.RandomBucket("phonghop"))
	env := []string{"PHONGHOP_S3_ENDPOINT=" + cfg.Endpoint, "PHONGHOP_S3_ACCESS_KEY=" + cfg.AccessKey, "PHONGHOP_S3_SECRET_KEY=" + cfg.SecretKey,
		"PHONGHOP_S3_BUCKET=" + cfg.Bucket, "PHONGHOP_ARCHIVE_RETENTION=1d", "PHONGHOP_ARCHIVE_LOCK_MODE=GOVERNANCE"}
	data := t.TempDir()
	srv := startServer(t, "127.0.0.1:0", data, env...)

	sec, hc := newClient(t, srv.URL)
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	id, err := sec.CreateMeeting(ctx, meeting.Details{Title: "Hội nghị Ban Thường vụ Huyện ủy", StartsAt: time.Date(2026, 5, 4, 1, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sec.ImportParticipantsCSV(ctx, id, strings.NewReader("họ và tên,vai trò\nPhan Văn Khải,chủ trì\nVõ Thị Lan,đại biểu\n")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		data any
	}{
		{"agenda.add", map[string]string{"title": "Thông qua chương trình công tác quý III"}},
		{"meeting.open", nil},
		{"meeting.close", nil},
		{"minutes.conclude", map[string]string{"text": "Thống nhất chương trình công tác quý III."}},
		{"minutes.finalize", map[string]string{"number": "07-BB/HU"}},
	} {
		if _, err := sec.Command(ctx, id, c.name, c.data); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
	// Killed at once: the archive may or may not be written; the next
	// start must finish it.
	srv.kill()
	srv = startServer(t, "127.0.0.1:0", data, env...)
	sec, hc = newClient(t, srv.URL)
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	var list struct {
		Archives []struct {
			Revision int    `json:"revision"`
			ZipURL   string `json:"zip_url"`
		} `json:"archives"`
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if err := getJSON(ctx, hc, srv.URL+"/api/archives?q=huyen+uy", &list); err != nil {
			t.Fatal(err)
		}
		if len(list.Archives) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no archive listed after a minute: %+v", list)
		}
	}
	var pk struct{ Fingerprint string }
	if err := getJSON(ctx, http.DefaultClient, srv.URL+"/api/archive/public-key", &pk); err != nil || len(pk.Fingerprint) != 64 {
		t.Fatalf("public key: %+v, %v", pk, err)
	}

	// Download the zip and verify it with the binary.
	resp, err := hc.Get(srv.URL + list.Archives[0].ZipURL)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET zip: %v %v", resp, err)
	}
	zipPath := filepath.Join(t.TempDir(), "bien-ban.zip")
	f, _ := os.Create(zipPath)
	io.Copy(f, resp.Body)
	resp.Body.Close()
	f.Close()
	verify := func(target string, extraEnv ...string) (string, error) {
		cmd := exec.Command(binary, "verify", target, "-key", pk.Fingerprint)
		cmd.Env = append(os.Environ(), extraEnv...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := verify(zipPath); err != nil || !strings.HasPrefix(out, "Hợp lệ / valid") {
		t.Errorf("phonghop verify zip = %v\n%s", err, out)
	}
	archiveBucket := cfg.Bucket + "-archive"
	target := fmt.Sprintf("s3://%s/archives/%s/1", archiveBucket, id)
	if out, err := verify(target, env...); err != nil || !strings.HasPrefix(out, "Hợp lệ / valid") {
		t.Errorf("phonghop verify %s = %v\n%s", target, err, out)
	}

	// The archive bucket is locked: its objects cannot be deleted.
	raw, err := minio.New(mio.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(mio.AccessKey, mio.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	key := fmt.Sprintf("archives/%s/1/manifest.json", id)
	oi, err := raw.StatObject(ctx, archiveBucket, key, minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mode, until, err := raw.GetObjectRetention(ctx, archiveBucket, key, oi.VersionID)
	if err != nil || mode == nil || *mode != minio.Governance || until == nil || until.Before(time.Now().Add(23*time.Hour)) {
		t.Errorf("retention of %s = %v %v, %v; want GOVERNANCE for a day", key, mode, until, err)
	}
	if err := raw.RemoveObject(ctx, archiveBucket, key, minio.RemoveObjectOptions{VersionID: oi.VersionID}); err == nil {
		t.Errorf("deleting the locked manifest = nil; want an error")
	}

	// An altered event in the unzipped archive is named by the binary,
	// exit status 1.
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	tampered := t.TempDir()
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if zf.Name == "events.jsonl" {
			b = []byte(strings.Replace(string(b), "Thống nhất", "Không thống nhất", 1))
		}
		os.WriteFile(filepath.Join(tampered, zf.Name), b, 0o644)
	}
	zr.Close()
	out, err := verify(tampered)
	if err == nil || !strings.Contains(out, "events.jsonl: ") || !strings.Contains(out, "KHÔNG HỢP LỆ / INVALID") {
		t.Errorf("phonghop verify tampered = %v\n%s", err, out)
	}
}
