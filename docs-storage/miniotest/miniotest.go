// Package miniotest starts a real, throw-away MinIO server for tests.
//
// The server binary is found, in order, at $PHONGHOP_MINIO_BIN, as "minio"
// on $PATH, or at $(go env GOBIN)/minio or $(go env GOPATH)/bin/minio,
// where scripts/minio.sh builds it. When no binary is found the test is skipped, unless the
// environment has CI=true, in which case it fails: CI must run the S3 tests.
// A $PHONGHOP_MINIO_BIN that names no file always fails.
//
// Typical use:
//
//	srv := miniotest.Start(t)
//	store, err := docstorage.NewS3(ctx, srv.Config("my-bucket"))
//
// Each Start launches its own process (about a second), listening only on
// 127.0.0.1, with a fresh data directory and random root credentials; it is
// killed, and its data removed, when the test ends. Share one server
// between the subtests of a test and give each its own bucket.
package miniotest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	docstorage "github.com/phonghop/phonghop/docs-storage"
)

// EnvBin names the environment variable that may hold the path of the
// MinIO server binary.
const EnvBin = "PHONGHOP_MINIO_BIN"

// StartTimeout bounds how long Start waits for the server to become ready.
const StartTimeout = 60 * time.Second

// Server is a running MinIO server.
type Server struct {
	// Endpoint is "127.0.0.1:port" (plain HTTP).
	Endpoint string
	// AccessKey is the root user.
	AccessKey string
	// SecretKey is the root password.
	SecretKey string
	// DataDir is the server's data directory.
	DataDir string
}

// Config returns a docstorage configuration for bucket on this server.
func (s *Server) Config(bucket string) docstorage.S3Config {
	return docstorage.S3Config{
		Endpoint:  s.Endpoint,
		AccessKey: s.AccessKey,
		SecretKey: s.SecretKey,
		Bucket:    bucket,
		Region:    "us-east-1",
	}
}

// URL returns the server's base URL, e.g. "http://127.0.0.1:40123".
func (s *Server) URL() string { return "http://" + s.Endpoint }

// Binary returns the path of the MinIO server binary, or an error saying
// where it was looked for.
func Binary() (string, error) {
	if p := os.Getenv(EnvBin); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("$%s=%q: %w", EnvBin, p, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p, nil
	}
	// Where scripts/minio.sh installs it: $(go env GOBIN), else the first
	// element of $(go env GOPATH) + /bin.
	gobin, gopath := os.Getenv("GOBIN"), os.Getenv("GOPATH")
	if out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output(); err == nil {
		if lines := strings.Split(string(out), "\n"); len(lines) >= 2 {
			gobin, gopath = strings.TrimSpace(lines[0]), strings.TrimSpace(lines[1])
		}
	}
	if gopath == "" {
		if home, err := os.UserHomeDir(); err == nil {
			gopath = filepath.Join(home, "go")
		}
	}
	var dirs []string
	if gobin != "" {
		dirs = append(dirs, gobin)
	}
	if gopath != "" {
		dirs = append(dirs, filepath.Join(filepath.SplitList(gopath)[0], "bin"))
	}
	for _, dir := range dirs {
		p := filepath.Join(dir, "minio")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no MinIO server binary: $%s unset, no minio on $PATH, none in %q", EnvBin, dirs)
}

// Start launches a MinIO server for the duration of t, skipping t (or
// failing it when CI=true) if no binary is available. It fails t if the
// server does not become ready within StartTimeout.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		msg := fmt.Sprintf("%v; build it with scripts/minio.sh (or set $%s)", err, EnvBin)
		if os.Getenv("CI") == "true" || os.Getenv(EnvBin) != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	var lastErr error
	for range 3 { // a free port can be taken between probing and binding
		srv, err := start(t, bin)
		if err == nil {
			return srv
		}
		lastErr = err
	}
	t.Fatalf("miniotest: %v", lastErr)
	return nil
}

func start(t testing.TB, bin string) (*Server, error) {
	base := t.TempDir()
	dataDir := filepath.Join(base, "data")
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	srv := &Server{
		Endpoint:  fmt.Sprintf("127.0.0.1:%d", port),
		AccessKey: "root-" + randHex(6),
		SecretKey: randHex(16),
		DataDir:   dataDir,
	}

	logPath := filepath.Join(base, "minio.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child keeps its own descriptor

	cmd := exec.Command(bin, "server",
		"--address", srv.Endpoint,
		"--certs-dir", filepath.Join(base, "certs"),
		"--quiet", "--anonymous",
		dataDir)
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+srv.AccessKey,
		"MINIO_ROOT_PASSWORD="+srv.SecretKey,
		"MINIO_BROWSER=off", // no console, no second port
		"MINIO_UPDATE=off",
		"MINIO_CALLHOME_ENABLE=off",
		"HOME="+base,
	)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	setDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			_ = cmd.Process.Kill()
			<-exited
		})
	}
	// Registered after t.TempDir, so it runs before the directory is removed.
	t.Cleanup(stop)

	logTail := func() string {
		b, _ := os.ReadFile(logPath)
		if len(b) > 4000 {
			b = b[len(b)-4000:]
		}
		return string(bytes.TrimSpace(b))
	}

	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	defer cancel()
	ready := srv.URL() + "/minio/health/ready"
	httpClient := &http.Client{Timeout: 2 * time.Second}
	s3, err := minio.New(srv.Endpoint, &minio.Options{
		Creds: credentials.NewStaticV4(srv.AccessKey, srv.SecretKey, ""),
	})
	if err != nil {
		stop()
		return nil, err
	}
	for {
		if srv.ready(ctx, httpClient, ready, s3) {
			return srv, nil
		}
		select {
		case <-exited:
			return nil, fmt.Errorf("minio exited before becoming ready (%v); log:\n%s", waitErr, logTail())
		case <-ctx.Done():
			stop()
			return nil, fmt.Errorf("minio not ready at %s after %v; log:\n%s", ready, StartTimeout, logTail())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// ready reports whether the server answers S3 requests. MinIO's
// /minio/health/ready answers 200 before the object layer is initialised
// (flagging it only with "X-Minio-Server-Status: offline"), and requests
// made then fail with "Server not initialized yet", so an authenticated
// ListBuckets must succeed too.
func (s *Server) ready(ctx context.Context, hc *http.Client, readyURL string, s3 *minio.Client) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, readyURL, nil)
	if err != nil {
		return false
	}
	resp, err := hc.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Minio-Server-Status") == "offline" {
		return false
	}
	lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err = s3.ListBuckets(lctx)
	return err == nil
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("not a TCP address")
	}
	return addr.Port, nil
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// RandomBucket returns a fresh, valid bucket name starting with prefix
// (lower-case letters, digits and hyphens; keep it short).
func RandomBucket(prefix string) string {
	return prefix + "-" + randHex(6)
}
