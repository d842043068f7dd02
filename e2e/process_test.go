// Package e2e holds end-to-end tests: the real phonghop binary, started as a
// process on loopback, driven by the Go SDK as secretaries and tablets.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

const adminUser, adminPassword = "thuky", "mat-khau-e2e"

// binary is the phonghop binary built once for the package's tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "phonghop-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "phonghop")
	build := exec.Command("go", "build", "-o", binary, "github.com/phonghop/phonghop/cmd/phonghop")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build phonghop:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a running phonghop server process.
type proc struct {
	t    testing.TB
	cmd  *exec.Cmd
	URL  string
	addr string
	data string
	out  *strings.Builder
	exit chan error
}

var listenLine = regexp.MustCompile(`listening on (\S+)\)`)

// startServer starts phonghop on addr (use "127.0.0.1:0" for a free port)
// over data dir, and waits until /readyz answers.
func startServer(t testing.TB, addr, data string, extraEnv ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary, "-addr", addr, "-data", data, "-log-level", "warn")
	cmd.Env = append(os.Environ(), append([]string{"PHONGHOP_ADMIN_USER=" + adminUser, "PHONGHOP_ADMIN_PASSWORD=" + adminPassword}, extraEnv...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, data: data, out: &strings.Builder{}, exit: make(chan error, 1)}
	cmd.Stderr = &prefixWriter{t: t}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listenLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	go func() { p.exit <- cmd.Wait() }()
	t.Cleanup(func() { p.kill() })
	select {
	case p.addr = <-found:
	case err := <-p.exit:
		t.Fatalf("phonghop exited before listening: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("phonghop did not start listening within 30 s")
	}
	p.URL = "http://" + p.addr
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(p.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz not ready after 10 s: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill sends SIGKILL (no chance to flush anything) and waits for the exit.
func (p *proc) kill() {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-p.exit:
	case <-time.After(10 * time.Second):
		p.t.Error("phonghop did not die after SIGKILL")
	}
}

// stop sends SIGTERM and waits for a graceful exit, returning its error.
func (p *proc) stop(ctx context.Context) error {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.exit:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// prefixWriter logs a child's stderr through the test.
type prefixWriter struct{ t testing.TB }

func (w *prefixWriter) Write(b []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		w.t.Log("phonghop: " + line)
	}
	return len(b), nil
}

var _ io.Writer = (*prefixWriter)(nil)
