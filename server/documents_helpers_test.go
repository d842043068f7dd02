package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"testing"

	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/server"
	"github.com/phonghop/phonghop/server/meeting"
)

// docServer is a test server with a local document store.
type docServer struct {
	*testServer
	store docstorage.Store
	work  string // the server's WorkDir
}

func newDocServer(t testing.TB, mut ...func(*server.Config)) *docServer {
	t.Helper()
	store, err := docstorage.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	ts := newTestServer(t, append([]func(*server.Config){func(c *server.Config) {
		c.Documents, c.WorkDir = store, work
	}}, mut...)...)
	return &docServer{testServer: ts, store: store, work: work}
}

// objects lists the keys in the store.
func (ds *docServer) objects(t testing.TB) []string {
	t.Helper()
	infos, err := ds.store.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{}
	for _, i := range infos {
		keys = append(keys, i.Key)
	}
	return keys
}

// workFiles lists what is left in the server's WorkDir.
func (ds *docServer) workFiles(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(ds.work)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// field is a multipart form field.
type field struct{ name, value string }

// multipartBody builds a form with the fields and, if name is not "-", a
// file part called name.
func multipartBody(t *testing.T, fields []field, name string, content []byte) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range fields {
		w.WriteField(f.name, f.value)
	}
	if name != "-" {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename="`+name+`"`)
		h.Set("Content-Type", "application/octet-stream")
		p, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		p.Write(content)
	}
	w.Close()
	return &b, w.FormDataContentType()
}

// upload posts a multipart upload to path and returns the status and body.
func (u *user) upload(path string, fields []field, name string, content []byte) (int, []byte) {
	u.t.Helper()
	body, ct := multipartBody(u.t, fields, name, content)
	req, err := http.NewRequest("POST", u.base+path, body)
	if err != nil {
		u.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	return u.send(req)
}

// send sends req and returns the status and body.
func (u *user) send(req *http.Request) (int, []byte) {
	u.t.Helper()
	resp, err := u.hc.Do(req)
	if err != nil {
		u.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// get sends a GET with optional headers and returns the response (body read).
func (u *user) get(path string, header ...string) (*http.Response, []byte) {
	u.t.Helper()
	req, err := http.NewRequest("GET", u.base+path, nil)
	if err != nil {
		u.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := u.hc.Do(req)
	if err != nil {
		u.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// uploaded decodes an upload answer.
type uploadedDoc struct {
	Document meeting.Document `json:"document"`
	Version  int              `json:"version"`
	Seq      int64            `json:"seq"`
}

// mustUpload uploads and fails unless the answer is 201.
func (u *user) mustUpload(path string, fields []field, name string, content []byte) uploadedDoc {
	u.t.Helper()
	code, b := u.upload(path, fields, name, content)
	if code != http.StatusCreated {
		u.t.Fatalf("upload %s to %s = %d %s; want 201", name, path, code, b)
	}
	var out uploadedDoc
	if err := json.Unmarshal(b, &out); err != nil {
		u.t.Fatal(err)
	}
	return out
}

// participantID returns the ID of the participant called name.
func participantID(t *testing.T, sec *user, meetingID, name string) string {
	t.Helper()
	var st meeting.State
	sec.must(200, "GET", "/api/meetings/"+meetingID, nil, &st)
	for _, p := range st.Participants {
		if p.Name == name {
			return p.ID
		}
	}
	t.Fatalf("no participant %q", name)
	return ""
}
