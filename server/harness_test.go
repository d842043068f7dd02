package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/server"
	"github.com/phonghop/phonghop/server/auth"
	"github.com/phonghop/phonghop/server/ballotseal"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/sqlite"
)

const adminUser, adminPassword = "thuky", "mat-khau-thu-nghiem"

// testServer is a real server on loopback over a real SQLite file.
type testServer struct {
	*httptest.Server
	srv *server.Server
	db  *sqlite.DB
}

func newTestServer(t testing.TB, mut ...func(*server.Config)) *testServer {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "phonghop.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := auth.EnsureAdmin(ctx, db, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	keys, err := docstorage.NewFS(filepath.Join(t.TempDir(), "ballot-keys"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.Config{Logger: testLogger(), BallotKeys: ballotseal.NewVault(keys)}
	for _, m := range mut {
		m(&cfg)
	}
	srv := server.New(cfg, db)
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	ts := &testServer{Server: hs, srv: srv, db: db}
	t.Cleanup(func() {
		hs.Close()
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Close(cctx); err != nil {
			t.Errorf("server Close: %v", err)
		}
		db.Close()
	})
	return ts
}

// user is an HTTP client with its own cookie jar (one person or tablet).
type user struct {
	t      *testing.T
	base   string
	hc     *http.Client
	header http.Header // sent with every request (X-Forwarded-For in the proxy tests)
}

func (ts *testServer) newUser(t *testing.T) *user {
	jar, _ := cookiejar.New(nil)
	return &user{t: t, base: ts.URL, hc: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

func (ts *testServer) secretary(t *testing.T) *user {
	u := ts.newUser(t)
	if code, body := u.do("POST", "/api/login", map[string]string{"username": adminUser, "password": adminPassword}); code != 200 {
		t.Fatalf("login = %d %s; want 200", code, body)
	}
	return u
}

// do sends a JSON request (body may be nil, a string sent raw, or a value
// encoded as JSON) and returns the status and body.
func (u *user) do(method, path string, body any) (int, []byte) {
	u.t.Helper()
	var r io.Reader
	ct := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
		ct = "text/csv"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			u.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, u.base+path, r)
	if err != nil {
		u.t.Fatal(err)
	}
	if r != nil {
		req.Header.Set("Content-Type", ct)
	}
	for k, v := range u.header {
		req.Header[k] = v
	}
	resp, err := u.hc.Do(req)
	if err != nil {
		u.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// must sends a request and fails the test unless the status is want; it
// decodes the body into out when out is not nil.
func (u *user) must(want int, method, path string, body, out any) {
	u.t.Helper()
	code, b := u.do(method, path, body)
	if code != want {
		u.t.Fatalf("%s %s = %d %s; want %d", method, path, code, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			u.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

// errKind decodes an error body's kind.
func errKind(t *testing.T, body []byte) meeting.Kind {
	t.Helper()
	var e struct {
		Kind      meeting.Kind `json:"kind"`
		Message   string       `json:"message"`
		MessageEN string       `json:"message_en"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %q is not JSON: %v", body, err)
	}
	if e.Message == "" || e.MessageEN == "" {
		t.Errorf("error body %s lacks a Vietnamese or English message", body)
	}
	return e.Kind
}

// setupMeeting creates a meeting with an agenda of three items and the given
// participants (CSV rows "name,role"), returning its ID.
func setupMeeting(t *testing.T, sec *user, people ...string) string {
	t.Helper()
	var created struct{ ID string }
	sec.must(201, "POST", "/api/meetings", meeting.Details{Title: "Hội nghị kiểm điểm năm 2025", Place: "Hội trường A"}, &created)
	for _, title := range []string{"Khai mạc", "Báo cáo kiểm điểm", "Bế mạc"} {
		sec.must(200, "POST", "/api/meetings/"+created.ID+"/agenda", map[string]string{"title": title}, nil)
	}
	if len(people) > 0 {
		csv := "họ và tên,vai trò\n" + strings.Join(people, "\n") + "\n"
		sec.must(200, "POST", "/api/meetings/"+created.ID+"/participants/import", []byte(csv), nil)
	}
	return created.ID
}

// pair issues a pairing code for participant pid and redeems it as a new
// tablet user.
func (ts *testServer) pair(t *testing.T, sec *user, meetingID, pid string) *user {
	t.Helper()
	var codes struct {
		Codes []struct{ Participant, Code string } `json:"codes"`
	}
	sec.must(200, "POST", "/api/meetings/"+meetingID+"/pairing-codes", map[string]any{"participants": []string{pid}, "qr": false}, &codes)
	tab := ts.newUser(t)
	tab.must(200, "POST", "/api/pair", map[string]string{"code": codes.Codes[0].Code}, nil)
	return tab
}

// testLogger discards the server's logs unless PHONGHOP_TEST_LOG is set
// (then they go to stderr, for debugging a failing test).
func testLogger() *slog.Logger {
	if os.Getenv("PHONGHOP_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
