package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/server"
	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/archiver"
	"github.com/phonghop/phonghop/server/auth"
	"github.com/phonghop/phonghop/server/ballotseal"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/sqlite"
)

// archTS is a test server that can be stopped before the test ends.
type archTS struct {
	*testServer
	stop func()
}

// archiveServer is a real server over a real SQLite file in dir, archiving
// to a local archive store in dir (or not at all when withArchive is false).
func archiveServer(t *testing.T, dir string, withArchive bool) (*archTS, *archive.Key) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "phonghop.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := auth.EnsureAdmin(ctx, db, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	key, _, err := archive.LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := docstorage.NewFS(filepath.Join(dir, "ballot-keys"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.Config{Logger: testLogger(), BallotKeys: ballotseal.NewVault(keys)}
	if withArchive {
		st, err := archive.OpenLocal(dir)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Archives, cfg.ArchiveKey, cfg.RenderMinutes = st, key, archiver.RenderMinutes
	}
	srv := server.New(cfg, db)
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	ts := &archTS{testServer: &testServer{Server: hs, srv: srv, db: db}}
	closed := false
	stop := func() {
		if closed {
			return
		}
		closed = true
		hs.Close()
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Close(cctx); err != nil {
			t.Errorf("server Close: %v", err)
		}
		db.Close()
	}
	t.Cleanup(stop)
	ts.stop = stop
	return ts, key
}

// finalizedMeeting runs a small meeting to its finalised minutes through
// the REST API and returns its id.
func finalizedMeeting(t *testing.T, sec *user, title string, startsAt time.Time, beforeClose ...func(id string)) string {
	t.Helper()
	var created struct{ ID string }
	sec.must(201, "POST", "/api/meetings", meeting.Details{Title: title, Place: "Hội trường A", StartsAt: startsAt}, &created)
	id := created.ID
	sec.must(200, "POST", "/api/meetings/"+id+"/agenda", map[string]string{"title": "Báo cáo tổng kết"}, nil)
	sec.must(200, "POST", "/api/meetings/"+id+"/participants/import", []byte("họ và tên,vai trò\nTrần Thị Mai,chủ trì\nLê Văn An,đại biểu\n"), nil)
	sec.must(200, "POST", "/api/meetings/"+id+"/open", nil, nil)
	for _, f := range beforeClose {
		f(id)
	}
	sec.must(200, "POST", "/api/meetings/"+id+"/close", nil, nil)
	sec.must(200, "POST", "/api/meetings/"+id+"/commands", map[string]any{"name": "minutes.conclude", "data": map[string]string{"text": "Thống nhất thông qua báo cáo."}}, nil)
	sec.must(200, "POST", "/api/meetings/"+id+"/commands", map[string]any{"name": "minutes.finalize", "data": map[string]string{"number": "01-BB/ĐU"}}, nil)
	return id
}

type archiveList struct {
	Archives []struct {
		archive.Entry
		ZipURL string `json:"zip_url"`
	} `json:"archives"`
}

// waitArchives polls GET /api/archives until it lists n archives.
func waitArchives(t *testing.T, sec *user, n int) archiveList {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var l archiveList
		sec.must(200, "GET", "/api/archives", nil, &l)
		if len(l.Archives) == n {
			return l
		}
		if time.Now().After(deadline) {
			t.Fatalf("archives listed: %d; want %d", len(l.Archives), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestArchiveOnFinalize(t *testing.T) {
	dir := t.TempDir()
	ts, key := archiveServer(t, dir, true)
	sec := ts.secretary(t)

	// Public key: no session needed.
	anon := ts.newUser(t)
	code, body := anon.do("GET", "/api/archive/public-key", nil)
	if code != 200 || !strings.Contains(string(body), key.Fingerprint()) {
		t.Fatalf("GET public-key = %d %s", code, body)
	}

	var delegate, chair *user
	id := finalizedMeeting(t, sec, "Hội nghị Ban Chấp hành lần thứ 5", time.Date(2026, 3, 16, 1, 0, 0, 0, time.UTC), func(id string) {
		delegate = ts.pair(t, sec, id, "p4")
		chair = ts.pair(t, sec, id, "p3")
	})
	l := waitArchives(t, sec, 1)
	if a := l.Archives[0]; a.Meeting.ID != id || a.Revision != 1 || a.ZipURL != "/api/archives/"+id+"/1/zip" {
		t.Errorf("archive = %+v", a)
	}
	// A correction makes revision 2.
	sec.must(200, "POST", "/api/meetings/"+id+"/commands", map[string]any{"name": "minutes.correct",
		"data": map[string]string{"text": "Sửa tên đồng chí Lê Văn An.", "reason": "Ghi nhầm họ tên"}}, nil)
	waitArchives(t, sec, 2)
	other := finalizedMeeting(t, sec, "Họp giao ban tháng Tư", time.Date(2026, 4, 20, 1, 0, 0, 0, time.UTC))
	waitArchives(t, sec, 3)

	// Search: case and diacritics insensitive; by date.
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"q=hoi+nghi", []string{id, id}},
		{"q=H%E1%BB%98I+NGH%E1%BB%8A", []string{id, id}},
		{"q=giao+ban", []string{other}},
		{"q=khong+co", nil},
		{"from=2026-04-01", []string{other}},
		{"to=2026-03-16", []string{id, id}},
		{"from=2026-03-17&to=2026-04-19", nil},
		{"", []string{other, id, id}},
	} {
		var l archiveList
		sec.must(200, "GET", "/api/archives?"+c.query, nil, &l)
		var got []string
		for _, a := range l.Archives {
			got = append(got, a.Meeting.ID)
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("GET /api/archives?%s = %v; want %v", c.query, got, c.want)
		}
	}
	for _, q := range []string{"from=hôm-qua", "to=2026-13-01", "from=2026-05-01&to=2026-04-01", "q=" + strings.Repeat("a", 201)} {
		code, body := sec.do("GET", "/api/archives?"+q, nil)
		if code != 400 || errKind(t, body) != meeting.KindInvalid {
			t.Errorf("GET /api/archives?%s = %d %s; want 400 invalid", q, code, body)
		}
	}

	// The zip verifies, against the server's key.
	for rev := 1; rev <= 2; rev++ {
		code, zb := sec.do("GET", fmt.Sprintf("/api/archives/%s/%d/zip", id, rev), nil)
		if code != 200 {
			t.Fatalf("GET zip = %d %s", code, zb)
		}
		src, err := archive.ZipReaderSource(bytes.NewReader(zb), int64(len(zb)), "zip")
		if err != nil {
			t.Fatal(err)
		}
		tr, _ := archive.ParseTrust(key.Fingerprint())
		r, err := archive.Verify(context.Background(), src, archive.Options{Trusted: &tr})
		if err != nil || !r.OK() {
			t.Fatalf("Verify(zip r%d) = %v, %v", rev, r.Problems, err)
		}
		if r.Manifest.Revision != rev || r.Manifest.Meeting.ID != id {
			t.Errorf("manifest = %+v", r.Manifest)
		}
		// The minutes are the real ones, of this revision.
		mj, _ := src.ReadFile(context.Background(), archive.FileMinutesJSON)
		var rec struct {
			Revision int    `json:"revision"`
			Number   string `json:"number"`
		}
		if err := json.Unmarshal(mj, &rec); err != nil || rec.Revision != rev || rec.Number != "01-BB/ĐU" {
			t.Errorf("minutes.json r%d = %+v, %v", rev, rec, err)
		}
		pdf, _ := src.ReadFile(context.Background(), archive.FileMinutesVIP)
		html, _ := src.ReadFile(context.Background(), archive.FileMinutesVIH)
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !strings.Contains(string(html), "Hội nghị Ban Chấp hành lần thứ 5") {
			t.Errorf("r%d: PDF starts %q; HTML lacks the title", rev, pdf[:min(8, len(pdf))])
		}
		// The archived log ends with the event that made this revision.
		wantType := meeting.EventMinutesFinalized
		if rev == 2 {
			wantType = meeting.EventMinutesCorrected
		}
		events, _ := ts.db.Events(context.Background(), id, r.Manifest.Log.Seq-1, 1)
		if len(events) != 1 || events[0].Type != wantType || events[0].Hash != r.Manifest.Log.Hash {
			t.Errorf("r%d head = %+v; want the %s event", rev, events, wantType)
		}
	}
	for _, c := range []struct {
		path string
		code int
	}{
		{"/api/archives/" + id + "/3/zip", 404},
		{"/api/archives/" + id + "/0/zip", 400},
		{"/api/archives/" + id + "/x/zip", 400},
		{"/api/archives/khong-co/1/zip", 404},
	} {
		if code, body := sec.do("GET", c.path, nil); code != c.code {
			t.Errorf("GET %s = %d %s; want %d", c.path, code, body, c.code)
		}
	}

	// Tablets: a delegate may not; the chair sees its own meeting only.
	if code, _ := delegate.do("GET", "/api/archives", nil); code != 403 {
		t.Errorf("delegate GET /api/archives = %d; want 403", code)
	}
	if code, _ := delegate.do("GET", "/api/archives/"+id+"/1/zip", nil); code != 403 {
		t.Errorf("delegate GET zip = %d; want 403", code)
	}
	var cl archiveList
	chair.must(200, "GET", "/api/archives", nil, &cl)
	if len(cl.Archives) != 2 {
		t.Errorf("chair lists %d archives; want its meeting's 2", len(cl.Archives))
	}
	if code, _ := chair.do("GET", "/api/archives/"+other+"/1/zip", nil); code != 403 {
		t.Errorf("chair GET other meeting's zip = %d; want 403", code)
	}
	if code, _ := anon.do("GET", "/api/archives", nil); code != 401 {
		t.Errorf("anonymous GET /api/archives = %d; want 401", code)
	}
}

// TestArchiveAfterCrash: minutes finalised while the archive could not be
// written (here: archiving off, as after a crash before the write) are
// archived at the next start.
func TestArchiveAfterCrash(t *testing.T) {
	dir := t.TempDir()
	ts, _ := archiveServer(t, dir, false)
	sec := ts.secretary(t)
	id := finalizedMeeting(t, sec, "Hội nghị chuyên đề", time.Time{})
	code, body := sec.do("GET", "/api/archives", nil)
	if code != 404 || errKind(t, body) != meeting.KindNotFound {
		t.Errorf("GET /api/archives without archiving = %d %s; want 404", code, body)
	}
	ts.stop()

	ts2, key := archiveServer(t, dir, true)
	sec2 := ts2.secretary(t)
	l := waitArchives(t, sec2, 1)
	if l.Archives[0].Meeting.ID != id {
		t.Errorf("archived %s; want %s", l.Archives[0].Meeting.ID, id)
	}
	tr, _ := archive.ParseTrust(key.Fingerprint())
	r, err := archive.Verify(context.Background(), archive.DirSource(archive.LocalDir(dir, id, 1)), archive.Options{Trusted: &tr})
	if err != nil || !r.OK() {
		t.Fatalf("Verify = %v, %v", r.Problems, err)
	}
	ts2.stop()
	// A third start finds nothing to do and lists the same archive.
	ts3, _ := archiveServer(t, dir, true)
	waitArchives(t, ts3.secretary(t), 1)
}
