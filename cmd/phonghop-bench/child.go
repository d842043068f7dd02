package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// childServer is a phonghop process started by the bench.
type childServer struct {
	cmd      *exec.Cmd
	dir      string // temporary directory: data (and the built binary)
	url      string
	user     string
	password string
	exit     chan error // receives cmd.Wait's result
}

var listenLine = regexp.MustCompile(`listening on (\S+)\)`)

// startChild starts phonghop on 127.0.0.1 with a free port, a temporary data
// directory and a random secretary password, and waits for /readyz.
func startChild(ctx context.Context, cfg config, p *progress, stderr io.Writer) (_ *childServer, err error) {
	dir, err := os.MkdirTemp("", "phonghop-bench-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	bin, err := serverBinary(ctx, cfg.phonghop, dir, cfg.serverProfile != "", p)
	if err != nil {
		return nil, err
	}
	pw := make([]byte, 16)
	_, _ = rand.Read(pw)
	s := &childServer{dir: dir, user: "thuky", password: hex.EncodeToString(pw), exit: make(chan error, 1)}

	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "data"),
		"-log-level", cfg.serverLogLevel, "-shutdown-timeout", "5s")
	// The child gets only our PHONGHOP_* settings: an inherited
	// PHONGHOP_DEMO or PHONGHOP_PUBLIC_URL would change what is measured.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PHONGHOP_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "PHONGHOP_ADMIN_USER="+s.user, "PHONGHOP_ADMIN_PASSWORD="+s.password)
	if cfg.serverProfile != "" {
		cmd.Env = append(cmd.Env, profileEnv+"="+cfg.serverProfile)
	}
	found := make(chan string, 1)
	var once sync.Once
	cmd.Stdout = &lineWriter{fn: func(line string) { // not forwarded: it is the banner
		if m := listenLine.FindStringSubmatch(line); m != nil {
			once.Do(func() { found <- m[1] })
		}
	}}
	cmd.Stderr = &lineWriter{fn: func(line string) { fmt.Fprintf(stderr, "[phonghop] %s\n", line) }}
	childAttrs(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s.cmd = cmd
	go func() { s.exit <- cmd.Wait() }()
	defer func() {
		if err != nil {
			s.stop(p)
		}
	}()
	select {
	case addr := <-found:
		s.url = "http://" + addr
	case err := <-s.exit:
		s.exit <- err
		return s, fmt.Errorf("phonghop exited before listening: %v", err)
	case <-time.After(30 * time.Second):
		return s, errors.New("phonghop did not print its listening address within 30 s")
	case <-ctx.Done():
		return s, ctx.Err()
	}
	if !strings.HasPrefix(s.url, "http://127.0.0.1:") {
		return s, fmt.Errorf("phonghop listens on %s, not on 127.0.0.1", s.url)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/readyz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if ctx.Err() != nil {
			return s, ctx.Err()
		}
		if time.Now().After(deadline) {
			return s, fmt.Errorf("%s/readyz not ready after 30 s: %v", s.url, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.printf("server: %s (pid %d, data %s)", s.url, cmd.Process.Pid, filepath.Join(dir, "data"))
	return s, nil
}

// stop ends the child (SIGTERM, then SIGKILL after 10 s) and removes its
// directory.
func (s *childServer) stop(p *progress) {
	defer os.RemoveAll(s.dir)
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exit:
		p.printf("server stopped")
		return
	case <-time.After(10 * time.Second):
	}
	_ = s.cmd.Process.Kill()
	select {
	case <-s.exit:
		p.printf("server killed after 10 s")
	case <-time.After(10 * time.Second):
		p.printf("server (pid %d) did not die after SIGKILL", s.cmd.Process.Pid)
	}
}

// serverBinary returns the phonghop binary to run: path if given, else a
// phonghop next to this program's binary, else one built into dir from the
// module root found by `go env GOMOD`. With profiling (-server-profile) and
// no path it is always built, with -tags benchprofile.
func serverBinary(ctx context.Context, path, dir string, profiling bool, p *progress) (string, error) {
	if path != "" {
		if _, err := os.Stat(path); err != nil {
			return "", fmt.Errorf("-phonghop: %w", err)
		}
		return path, nil
	}
	if exe, err := os.Executable(); err == nil && !profiling {
		cand := filepath.Join(filepath.Dir(exe), "phonghop")
		if fi, err := os.Stat(cand); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return cand, nil
		}
	}
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("no phonghop binary next to this one and not inside the module to build one (go env GOMOD: %q, %v): pass -phonghop", gomod, err)
	}
	root := filepath.Dir(gomod)
	if _, err := os.Stat(filepath.Join(root, "cmd", "phonghop")); err != nil {
		return "", fmt.Errorf("module root %s has no cmd/phonghop: pass -phonghop", root)
	}
	bin := filepath.Join(dir, "phonghop")
	p.printf("building phonghop in %s (profiling: %v)", root, profiling)
	args := []string{"build", "-o", bin}
	if profiling {
		args = append(args, "-tags", "benchprofile")
	}
	build := exec.CommandContext(ctx, "go", append(args, "./cmd/phonghop")...)
	build.Dir = root
	var msg bytes.Buffer
	build.Stdout, build.Stderr = &msg, &msg
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/phonghop: %v\n%s", err, msg.String())
	}
	return bin, nil
}

// lineWriter calls fn with each complete line written to it.
type lineWriter struct {
	mu  sync.Mutex
	buf []byte
	fn  func(string)
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.fn(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
	if len(w.buf) > 64<<10 { // a runaway line: pass it on in pieces
		w.fn(string(w.buf))
		w.buf = w.buf[:0]
	}
	return len(b), nil
}
