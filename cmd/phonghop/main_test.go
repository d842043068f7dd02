package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startRun runs run() with env in the background and returns the address it
// listens on, the output, and a stop function returning run's error.
func startRun(t *testing.T, args []string, env map[string]string) (string, *syncBuffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	errc := make(chan error, 1)
	getenv := func(k string) string { return env[k] }
	go func() { errc <- run(ctx, args, getenv, out, &syncBuffer{}) }()
	re := regexp.MustCompile(`listening on (\S+)\)`)
	deadline := time.Now().Add(20 * time.Second)
	var addr string
	for addr == "" {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			addr = m[1]
			break
		}
		select {
		case err := <-errc:
			t.Fatalf("run returned early: %v\n%s", err, out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no listening line after 20 s:\n%s", out)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("/healthz never answered")
		}
		time.Sleep(10 * time.Millisecond)
	}
	var once sync.Once
	var runErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-errc:
			case <-time.After(20 * time.Second):
				t.Fatal("run did not return 20 s after cancel")
			}
		})
		return runErr
	}
	t.Cleanup(func() { stop() })
	return addr, out, stop
}

func TestFirstRunCreatesDataAndPrintsLogin(t *testing.T) {
	data := filepath.Join(t.TempDir(), "moi")
	_, out, stop := startRun(t, []string{"-addr", "127.0.0.1:0", "-data", data, "-demo", "30"}, map[string]string{})
	if err := stop(); err != nil {
		t.Fatalf("run = %v", err)
	}
	s := out.String()
	for _, want := range []string{"Tài khoản thư ký / secretary login: thuky  mật khẩu / password: ", "Cuộc họp mẫu / demo meeting:", "Hội nghị kiểm điểm, đánh giá, xếp loại"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	codes := regexp.MustCompile(`(?m)^  [A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}  delegate`).FindAllString(s, -1)
	if len(codes) != 30 {
		t.Errorf("printed %d delegate pairing codes; want 30", len(codes))
	}
	// The addresses of the three apps: the console on the demo meeting, the
	// hall screen with its own pairing code, the tablet's pairing URL.
	base := `http://127\.0\.0\.1:[0-9]+`
	for _, re := range []string{
		`(?m)^Bàn thư ký / secretary console: +` + base + `/console#m=[a-z0-9]+&tab=prepare$`,
		`(?m)^Màn hình hội trường / hall screen: ` + base + `/hall#code=[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$`,
		`(?m)^  [A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}  hall .*` + base + `/hall#code=[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$`,
		`(?m)^Máy tính bảng / tablet: +` + base + `/tablet#code=<mã ghép nối / pairing code>$`,
		`(?m)^Tài liệu mẫu / sample document: d[0-9]+  Báo cáo kiểm điểm tập thể Ban Thường vụ năm 2025 \(delegates\)$`,
		`(?m)^Tài liệu mẫu / sample document: d[0-9]+  Hướng dẫn đánh giá, xếp loại chất lượng năm 2025 \(tài liệu mật\) \(named\)$`,
	} {
		if !regexp.MustCompile(re).MatchString(s) {
			t.Errorf("output does not match %s:\n%s", re, s)
		}
	}
	pw, err := os.ReadFile(filepath.Join(data, "initial-admin-password"))
	if err != nil || !strings.Contains(s, strings.TrimSpace(string(pw))) {
		t.Errorf("initial password file = %q, %v; want the printed password", pw, err)
	}
	if _, err := os.Stat(filepath.Join(data, "phonghop.db")); err != nil {
		t.Errorf("no database in the data directory: %v", err)
	}
}

func TestEnvConfiguresAndShutdownClosesSockets(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"PHONGHOP_ADDR": "127.0.0.1:0", "PHONGHOP_DATA": data, "PHONGHOP_ADMIN_USER": "vanphong", "PHONGHOP_ADMIN_PASSWORD": "bi-mat-123"}
	addr, out, stop := startRun(t, nil, env)
	if !strings.Contains(out.String(), "vanphong (mật khẩu từ PHONGHOP_ADMIN_PASSWORD)") {
		t.Errorf("output does not name the configured account:\n%s", out)
	}
	if err := run(context.Background(), []string{"healthcheck", "-url", "http://" + addr + "/readyz"}, func(string) string { return "" }, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Errorf("healthcheck against a running server = %v", err)
	}
	// Log in and open a socket to a new meeting.
	jar := newJar()
	hc := &http.Client{Jar: jar}
	resp, err := hc.Post("http://"+addr+"/api/login", "application/json", strings.NewReader(`{"username":"vanphong","password":"bi-mat-123"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("login = %v %v", resp, err)
	}
	resp, err = hc.Post("http://"+addr+"/api/meetings", "application/json", strings.NewReader(`{"title":"Họp giao ban"}`))
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("create = %v %v", resp, err)
	}
	var created struct{ ID string }
	decode(t, resp, &created)
	h := http.Header{"Cookie": {jar.cookie}}
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws?meeting="+created.ID, h)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan int, 1)
	go func() {
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				if ce, ok := err.(*websocket.CloseError); ok {
					got <- ce.Code
				} else {
					got <- -1
				}
				return
			}
		}
	}()
	if err := stop(); err != nil {
		t.Fatalf("run = %v", err)
	}
	select {
	case code := <-got:
		if code != websocket.CloseGoingAway {
			t.Errorf("socket closed with %d on shutdown; want 1001 going away", code)
		}
	case <-time.After(5 * time.Second):
		t.Error("socket not closed by shutdown")
	}
	if err := run(context.Background(), []string{"healthcheck", "-url", "http://" + addr + "/readyz"}, func(string) string { return "" }, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
		t.Error("healthcheck passed against a stopped server")
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Error("still listening after run returned")
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-demo", "-1"}, {"-khong-co"}, {"lam-gi"}, {"-log-level", "ồn"}} {
		err := run(context.Background(), args, func(string) string { return "" }, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil {
			t.Errorf("run(%q) = nil; want an error", args)
		}
	}
}
