package e2e

import (
	"bytes"
	"context"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phonghop/phonghop/client"
	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/docs-storage/miniotest"
	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/watermark"
)

// TestDocumentsOnMinIO runs the real binary with its documents in a real
// MinIO (configured through PHONGHOP_S3_*): uploads land in the bucket under
// their SHA-256, tablets download them in ranges, a confidential PDF comes
// stamped with the reader's name, a new version reaches live tablets, a
// refused file leaves the bucket as it was, and after a SIGKILL and a
// restart everything is still there.
func TestDocumentsOnMinIO(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	minio := miniotest.Start(t)
	cfg := minio.Config(miniotest.RandomBucket("phonghop"))
	env := []string{"PHONGHOP_S3_ENDPOINT=" + cfg.Endpoint, "PHONGHOP_S3_ACCESS_KEY=" + cfg.AccessKey, "PHONGHOP_S3_SECRET_KEY=" + cfg.SecretKey,
		"PHONGHOP_S3_BUCKET=" + cfg.Bucket, "PHONGHOP_S3_TLS=off", "PHONGHOP_MAX_UPLOAD=20MiB"}
	data := t.TempDir()
	srv := startServer(t, "127.0.0.1:0", data, env...)
	bucket, err := docstorage.NewS3(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	keys := func() []string {
		t.Helper()
		infos, err := bucket.List(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, i := range infos {
			out = append(out, i.Key)
		}
		return out
	}

	sec, _ := newClient(t, srv.URL)
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	id, err := sec.CreateMeeting(ctx, meeting.Details{Title: "Hội nghị Thường trực Tỉnh ủy"})
	if err != nil {
		t.Fatal(err)
	}
	const readerName, otherName = "Hoàng Thị Thu Trang", "Đỗ Đức Mạnh"
	parts, err := sec.ImportParticipantsCSV(ctx, id, strings.NewReader("họ và tên,vai trò\n"+readerName+",đại biểu\n"+otherName+",đại biểu\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sec.Command(ctx, id, "meeting.open", nil); err != nil {
		t.Fatal(err)
	}
	codes, err := sec.PairingCodes(ctx, id, []string{parts[0].ID, parts[1].ID})
	if err != nil {
		t.Fatal(err)
	}
	var tabs []*client.Client
	var lives []*client.Live
	for _, code := range codes {
		c, _ := newClient(t, srv.URL)
		if _, err := c.Pair(ctx, code.Code); err != nil {
			t.Fatal(err)
		}
		l, err := c.Connect(ctx, id, client.WithBackoff(20*time.Millisecond, 300*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		tabs, lives = append(tabs, c), append(lives, l)
	}
	reader := tabs[0]

	public := testdocs.LargePDF(3<<20, "Chuong trinh hoi nghi")
	up, err := sec.Upload(ctx, id, client.NewDocument{Title: "Chương trình hội nghị", Access: meeting.AccessPublic, Publish: true}, "Chương trình.pdf", bytes.NewReader(public))
	if err != nil {
		t.Fatal(err)
	}
	secret := testdocs.PDF(3, "Bao cao mat")
	upSecret, err := sec.Upload(ctx, id, client.NewDocument{Title: "Báo cáo nhân sự", Access: meeting.AccessNamed, Readers: []string{parts[0].ID}, Publish: true}, "Nhân sự.pdf", bytes.NewReader(secret))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		docstorage.ContentKey(hexBytes(t, up.Document.Latest().SHA256)),
		docstorage.ContentKey(hexBytes(t, upSecret.Document.Latest().SHA256)),
	}
	for _, k := range want {
		if info, err := bucket.Stat(ctx, k); err != nil || info.Meta.Name == "" {
			t.Errorf("MinIO object %s: %+v, %v; want it stored with its name", k, info, err)
		}
	}

	// Ranged download of the public file from MinIO through the server.
	var got bytes.Buffer
	for off := int64(0); off < int64(len(public)); off += 1 << 20 {
		dl, err := tabs[1].Download(ctx, id, up.Document.ID, 0, off, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(&got, dl)
		dl.Close()
	}
	if !bytes.Equal(got.Bytes(), public) {
		t.Fatalf("ranged download = %d bytes; want the %d uploaded", got.Len(), len(public))
	}
	// The confidential PDF, stamped for its reader, refused to the other.
	stampedFor := func(c *client.Client) []byte {
		t.Helper()
		dl, err := c.Download(ctx, id, upSecret.Document.ID, 0, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer dl.Close()
		b, _ := io.ReadAll(dl)
		if dl.CacheControl != "no-store" {
			t.Errorf("confidential download Cache-Control = %q; want no-store", dl.CacheControl)
		}
		return b
	}
	stamped := stampedFor(reader)
	texts, err := watermark.Text(stamped)
	if err != nil || len(texts) != 3 {
		t.Fatalf("stamped copy: %d pages, %v", len(texts), err)
	}
	for i, text := range texts {
		if !strings.Contains(text, readerName) {
			t.Errorf("page %d of the stamped copy: %q; want %q", i+1, text, readerName)
		}
	}
	if _, err := tabs[1].Download(ctx, id, upSecret.Document.ID, 0, 0, -1); meeting.KindOf(err) != meeting.KindNotFound {
		t.Errorf("the other delegate downloads the confidential PDF: %v; want not found", err)
	}
	var watermarks int
	for _, k := range keys() {
		if strings.HasPrefix(k, "watermarks/") {
			watermarks++
		}
	}
	if watermarks != 1 {
		t.Errorf("%d stamped copies in MinIO; want 1", watermarks)
	}

	// A new version reaches the live tablets.
	v2 := testdocs.LargePDF(1<<20, "Chuong trinh sua doi")
	up2, err := sec.UploadVersion(ctx, id, up.Document.ID, "Chương trình (sửa).pdf", bytes.NewReader(v2), "Đổi giờ khai mạc")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lives {
		if err := l.WaitSeq(ctx, up2.Seq); err != nil {
			t.Fatal(err)
		}
		if d, ok := l.State().Document(up.Document.ID); !ok || len(d.Versions) != 2 {
			t.Errorf("replica's document = %+v; want 2 versions", d)
		}
	}

	// A refused file changes nothing in the bucket.
	before := keys()
	if _, err := sec.Upload(ctx, id, client.NewDocument{Access: meeting.AccessPublic}, "bao-cao.pdf", bytes.NewReader(testdocs.Executable())); meeting.KindOf(err) != meeting.KindInvalid {
		t.Errorf("executable upload: %v; want invalid", err)
	}
	if _, err := sec.Upload(ctx, id, client.NewDocument{Access: meeting.AccessPublic}, "lon.pdf", bytes.NewReader(testdocs.LargePDF(21<<20, "lon"))); meeting.KindOf(err) != meeting.KindInvalid {
		t.Errorf("oversized upload: %v; want invalid", err)
	}
	if after := keys(); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Errorf("bucket after refused uploads = %v; want %v", after, before)
	}
	if entries, _ := os.ReadDir(filepath.Join(data, "tmp")); len(entries) != 0 {
		t.Errorf("<data>/tmp keeps %d files", len(entries))
	}

	// SIGKILL and restart: the documents and the stamped copy are there.
	srv.kill()
	srv = startServer(t, "127.0.0.1:0", data, env...)
	reader2, _ := newClient(t, srv.URL)
	codes, err = func() ([]client.PairingCode, error) {
		sec2, _ := newClient(t, srv.URL)
		if err := sec2.Login(ctx, adminUser, adminPassword); err != nil {
			return nil, err
		}
		return sec2.PairingCodes(ctx, id, []string{parts[0].ID})
	}()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reader2.Pair(ctx, codes[0].Code); err != nil {
		t.Fatal(err)
	}
	if again := stampedFor(reader2); !bytes.Equal(again, stamped) {
		t.Error("after a restart the reader got a new stamped copy; want the kept one")
	}
	dl, err := reader2.Download(ctx, id, up.Document.ID, 1, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(dl)
	dl.Close()
	if !bytes.Equal(b, public) {
		t.Errorf("version 1 after restart = %d bytes; want %d", len(b), len(public))
	}
}

func hexBytes(t *testing.T, h string) []byte {
	t.Helper()
	b, err := hex.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
