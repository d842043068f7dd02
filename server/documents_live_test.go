package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server/meeting"
)

// sdkTablet pairs an SDK client for participant pid and connects it live.
func sdkTablet(t *testing.T, ctx context.Context, ds *docServer, sec *client.Client, meetingID, pid string) (*client.Client, *client.Live) {
	t.Helper()
	codes, err := sec.PairingCodes(ctx, meetingID, []string{pid})
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(ds.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Pair(ctx, codes[0].Code); err != nil {
		t.Fatal(err)
	}
	l, err := c.Connect(ctx, meetingID, client.WithBackoff(5*time.Millisecond, 50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return c, l
}

// sameAsServer fails unless the live replica equals the server's view of
// the meeting for the same session.
func sameAsServer(t *testing.T, ctx context.Context, c *client.Client, l *client.Live, meetingID, who string) {
	t.Helper()
	want, err := c.Meeting(ctx, meetingID)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.WaitSeq(ctx, want.Seq); err != nil {
		t.Fatalf("%s: WaitSeq(%d): %v", who, want.Seq, err)
	}
	if diff := cmp.Diff(want, l.State()); diff != "" {
		t.Errorf("%s: replica differs from the server's view (-server +replica):\n%s", who, diff)
	}
}

// TestDocumentVersionReachesLiveTablets: during the meeting the secretary
// uploads a new version through the SDK; the connected tablets that may read
// the document see it in their replicas at once and download it with
// ranges; a tablet that may not read it learns nothing; a tablet whose role
// changes resyncs to its new view.
func TestDocumentVersionReachesLiveTablets(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ds := newDocServer(t)
	sec, err := client.New(ds.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	id, err := sec.CreateMeeting(ctx, meeting.Details{Title: "Hội nghị Ban Chấp hành mở rộng"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sec.Command(ctx, id, "agenda.add", map[string]string{"title": "Báo cáo chính trị"}); err != nil {
		t.Fatal(err)
	}
	parts, err := sec.ImportParticipantsCSV(ctx, id, bytes.NewReader([]byte("họ và tên,vai trò\n"+namedName+",đại biểu\n"+otherName+",đại biểu\n"+guestName+",khách mời\n")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sec.Command(ctx, id, "meeting.open", nil); err != nil {
		t.Fatal(err)
	}
	v1 := testdocs.LargePDF(200<<10, "Bao cao ban 1")
	up, err := sec.Upload(ctx, id, client.NewDocument{Title: "Báo cáo chính trị", Access: meeting.AccessDelegates, Publish: true}, "Báo cáo chính trị.pdf", bytes.NewReader(v1))
	if err != nil {
		t.Fatal(err)
	}
	doc := up.Document.ID

	type tab struct {
		name string
		c    *client.Client
		l    *client.Live
	}
	var tabs []tab
	for _, p := range parts {
		c, l := sdkTablet(t, ctx, ds, sec, id, p.ID)
		tabs = append(tabs, tab{p.Name, c, l})
	}
	reader, guest := tabs[0], tabs[2]

	// Mid-meeting: version 2.
	v2 := testdocs.LargePDF(300<<10, "Bao cao ban 2 sua doi")
	up2, err := sec.UploadVersion(ctx, id, doc, "Báo cáo chính trị (sửa).pdf", bytes.NewReader(v2), "Sửa phần II")
	if err != nil {
		t.Fatal(err)
	}
	if up2.Version != 2 {
		t.Fatalf("UploadVersion = version %d; want 2", up2.Version)
	}
	for _, tb := range tabs {
		if err := tb.l.WaitSeq(ctx, up2.Seq); err != nil {
			t.Fatalf("%s: %v", tb.name, err)
		}
		sameAsServer(t, ctx, tb.c, tb.l, id, tb.name)
	}
	for _, tb := range tabs[:2] {
		d, ok := tb.l.State().Document(doc)
		if !ok || len(d.Versions) != 2 || d.Versions[1].Note != "Sửa phần II" || d.Latest().SHA256 != up2.Document.Latest().SHA256 {
			t.Fatalf("%s's replica: document %+v; want version 2", tb.name, d)
		}
	}
	if _, ok := guest.l.State().Document(doc); ok {
		t.Errorf("the observer's replica holds the delegates' document")
	}

	// The reader downloads version 2 in ranges, as a PDF viewer does.
	var got bytes.Buffer
	const chunk = 64 << 10
	for off := int64(0); off < int64(len(v2)); off += chunk {
		dl, err := reader.c.Download(ctx, id, doc, 2, off, chunk)
		if err != nil {
			t.Fatal(err)
		}
		if dl.Status != http.StatusPartialContent || dl.Total != int64(len(v2)) || dl.ContentType != "application/pdf" || dl.Name != "Báo cáo chính trị (sửa).pdf" {
			t.Errorf("range at %d: %+v", off, dl)
		}
		io.Copy(&got, dl)
		dl.Close()
	}
	if !bytes.Equal(got.Bytes(), v2) {
		t.Errorf("version 2 in ranges: %d bytes; want the %d uploaded", got.Len(), len(v2))
	}
	dl, err := reader.c.Download(ctx, id, doc, 1, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := io.ReadAll(dl)
	dl.Close()
	if !bytes.Equal(old, v1) || dl.ETag != up.Document.Latest().SHA256 {
		t.Errorf("version 1 = %d bytes, ETag %s; want the first upload", len(old), dl.ETag)
	}
	if _, err := guest.c.Download(ctx, id, doc, 2, 0, -1); meeting.KindOf(err) != meeting.KindNotFound {
		t.Errorf("observer downloads the delegates' document: %v; want not found", err)
	}
	list, err := reader.c.Documents(ctx, id)
	if err != nil || len(list) != 1 || list[0].ID != doc {
		t.Errorf("Documents = %+v, %v", list, err)
	}
	if d, err := reader.c.Document(ctx, id, doc); err != nil || len(d.Versions) != 2 {
		t.Errorf("Document = %+v, %v", d, err)
	}

	// Narrowing: the document becomes confidential for the reader only;
	// the other delegate's replica drops it.
	if _, err := sec.Command(ctx, id, "document.update", map[string]any{"id": doc, "title": "Báo cáo chính trị (mật)", "access": "named", "readers": []string{parts[0].ID}}); err != nil {
		t.Fatal(err)
	}
	for _, tb := range tabs {
		sameAsServer(t, ctx, tb.c, tb.l, id, tb.name)
	}
	if _, ok := tabs[1].l.State().Document(doc); ok {
		t.Error("the other delegate still holds the confidential document")
	}

	// A role change: the reader becomes an observer; its tablet reconnects
	// and its replica is the observer's view: still the confidential
	// document (it is a named reader), no longer the delegates' annex.
	annex, err := sec.Upload(ctx, id, client.NewDocument{Access: meeting.AccessDelegates, Publish: true}, "Phụ lục.pdf", bytes.NewReader(testdocs.PDF(1, "Phu luc")))
	if err != nil {
		t.Fatal(err)
	}
	if err := reader.l.WaitSeq(ctx, annex.Seq); err != nil {
		t.Fatal(err)
	}
	if _, ok := reader.l.State().Document(annex.Document.ID); !ok || annex.Document.Title != "Phụ lục" {
		t.Fatalf("the delegate's replica lacks the annex %+v", annex.Document)
	}
	if _, err := sec.Command(ctx, id, "participant.update", map[string]any{"id": parts[0].ID, "name": namedName, "role": "observer"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for reader.l.Viewer().Role != meeting.RoleObserver && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if err := reader.l.WaitSynced(ctx); err != nil {
		t.Fatal(err)
	}
	sameAsServer(t, ctx, reader.c, reader.l, id, "the former reader")
	st := reader.l.State()
	if _, ok := st.Document(annex.Document.ID); ok {
		t.Error("the observer's replica still holds the delegates' annex")
	}
	if _, ok := st.Document(doc); !ok {
		t.Error("the observer's replica lost the confidential document it is a reader of")
	}
}
