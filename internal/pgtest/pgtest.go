// Package pgtest runs a real, throw-away PostgreSQL 15 server for tests, as
// a process (no container).
//
// The binaries (initdb, postgres) are found in $PHONGHOP_PG_BIN, else in
// /usr/lib/postgresql/15/bin (Debian's postgresql-15 package, which
// scripts/test.sh installs). Without them a test is skipped, unless the
// environment has CI=true (or PHONGHOP_PG_BIN is set), in which case it
// fails: CI must run the PostgreSQL tests.
//
// initdb refuses to run as root, so when the tests run as root (CI does)
// both initdb and postgres run as the "postgres" system user, in a
// temporary directory made for and owned by it. The server listens on
// 127.0.0.1 on a free port, with its Unix socket in that directory, and
// trusts every local connection (a test server only).
//
// Typical use: one server per test binary, one database per test:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
//	func TestX(t *testing.T) {
//		url := pgtest.Shared(t).NewDatabase(t)
//		...
//	}
//
// A test that stops, kills or restarts the server (to test what clients do
// when the database goes away) starts its own with Start.
package pgtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvBin names the environment variable that may hold the directory of
// PostgreSQL's server binaries (initdb, postgres).
const EnvBin = "PHONGHOP_PG_BIN"

// DefaultBin is where Debian's postgresql-15 package installs them.
const DefaultBin = "/usr/lib/postgresql/15/bin"

// StartTimeout bounds how long starting (or restarting) the server waits
// for it to accept connections.
const StartTimeout = 60 * time.Second

// Options change how a server is started.
type Options struct {
	// NoFsync turns fsync off: faster, but a machine crash loses commits.
	// A process crash (Kill) still loses nothing that was committed, since
	// the operating system keeps what was written. Benchmarks of
	// durability must leave it false.
	NoFsync bool
	// Settings are extra postgresql.conf settings (name → value).
	Settings map[string]string
}

// Server is a running (or stopped) PostgreSQL server.
type Server struct {
	// Dir is the server's directory (owned by the server's user): the
	// data directory DataDir, the Unix socket and the log file.
	Dir, DataDir string
	// Port is the TCP port on 127.0.0.1; it stays the same across restarts.
	Port int

	bin  string
	cred *syscall.Credential
	opts Options

	// mu guards cmd and exited.
	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has exited
}

// Binaries returns the directory of PostgreSQL's server binaries, or an
// error saying where they were looked for.
func Binaries() (string, error) {
	dir := os.Getenv(EnvBin)
	if dir == "" {
		dir = DefaultBin
	}
	for _, b := range []string{"initdb", "postgres"} {
		if _, err := os.Stat(filepath.Join(dir, b)); err != nil {
			return "", fmt.Errorf("no PostgreSQL server binaries in %s ($%s): %w", dir, EnvBin, err)
		}
	}
	return dir, nil
}

// skipOrFail skips t without PostgreSQL, or fails it under CI=true or when
// PHONGHOP_PG_BIN is set.
func skipOrFail(t testing.TB, err error) {
	t.Helper()
	msg := fmt.Sprintf("pgtest: %v; install postgresql-15 (scripts/test.sh does) or set $%s", err, EnvBin)
	if os.Getenv("CI") == "true" || os.Getenv(EnvBin) != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Start starts a server of its own for the duration of t (stopped and
// removed when t ends), skipping or failing t as the package doc says when
// PostgreSQL is missing.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	bin, err := Binaries()
	if err != nil {
		skipOrFail(t, err)
	}
	s, err := start(bin, opts)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() { s.remove() })
	return s
}

// shared is the server Shared returns, started once per test binary.
var shared struct {
	mu  sync.Mutex
	srv *Server
	err error
}

// Shared returns the server shared by the tests of this binary, starting
// it at the first call. Main stops it when the tests end. Tests must not
// stop or restart it (use Start for that), and should each use their own
// database (NewDatabase).
func Shared(t testing.TB) *Server {
	t.Helper()
	bin, err := Binaries()
	if err != nil {
		skipOrFail(t, err)
	}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.srv == nil && shared.err == nil {
		shared.srv, shared.err = start(bin, Options{})
	}
	if shared.err != nil {
		t.Fatalf("pgtest: %v", shared.err)
	}
	return shared.srv
}

// Main runs the tests and then stops the shared server (if one was
// started) and removes its directory; it exits with the tests' code. Call
// it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	shared.mu.Lock()
	if shared.srv != nil {
		shared.srv.remove()
	}
	shared.mu.Unlock()
	os.Exit(code)
}

// start makes a directory, runs initdb and starts the server.
func start(bin string, opts Options) (*Server, error) {
	s := &Server{bin: bin, opts: opts}
	dir, err := os.MkdirTemp("", "phonghop-pg-")
	if err != nil {
		return nil, err
	}
	s.Dir, s.DataDir = dir, filepath.Join(dir, "data")
	if os.Geteuid() == 0 {
		// initdb refuses root: run as the postgres system user, in a
		// directory it owns (os.TempDir is world-searchable).
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root and no postgres user to run PostgreSQL as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	var out bytes.Buffer
	initdb := s.command(filepath.Join(bin, "initdb"), "-D", s.DataDir, "-U", "postgres",
		"--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions")
	initdb.Stdout, initdb.Stderr = &out, &out
	if err := initdb.Run(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out.String())
	}
	var lastErr error
	for range 3 { // a free port can be taken between probing and binding
		if s.Port, err = freePort(); err != nil {
			return nil, err
		}
		if lastErr = s.Restart(); lastErr == nil {
			return s, nil
		}
	}
	s.remove()
	return nil, lastErr
}

// command returns cmd run as the server's user, killed if this process dies.
func (s *Server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	// Pdeathsig is applied after the credentials change (a change of
	// credentials clears it), so it holds for the child as postgres.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred, Pdeathsig: syscall.SIGKILL}
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	return cmd
}

// Restart starts the server again after Stop or Kill (it is an error while
// it runs), on the same port and data directory, and waits until it
// accepts connections. After a Kill, PostgreSQL recovers from its WAL:
// every committed transaction is there.
func (s *Server) Restart() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		select {
		case <-s.exited:
		default:
			return errors.New("pgtest: the server is running")
		}
	}
	fsync := "on"
	if s.opts.NoFsync {
		fsync = "off"
	}
	settings := map[string]string{
		"listen_addresses":        "127.0.0.1",
		"port":                    strconv.Itoa(s.Port),
		"unix_socket_directories": s.Dir,
		"fsync":                   fsync,
		"max_connections":         "300",
		"shared_buffers":          "64MB",
		"log_min_messages":        "warning",
		"log_min_error_statement": "panic",
		"logging_collector":       "off",
		"wal_level":               "replica",
	}
	for k, v := range s.opts.Settings {
		settings[k] = v
	}
	args := []string{"-D", s.DataDir}
	for k, v := range settings {
		args = append(args, "-c", k+"="+v)
	}
	deadline := time.Now().Add(StartTimeout)
	for {
		err := s.launch(args)
		if err == nil {
			return nil
		}
		// After a Kill the old server's backends may still hold its shared
		// memory for a moment ("pre-existing shared memory block is still
		// in use"): try again until they are gone.
		if time.Now().After(deadline) || !strings.Contains(err.Error(), "still in use") {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// launch starts postgres once and waits for it to answer. s.mu is held.
func (s *Server) launch(args []string) error {
	logPath := filepath.Join(s.Dir, "postgres.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logFile.Close() // the child keeps its own descriptor
	start, _ := logFile.Seek(0, 2)
	cmd := s.command(filepath.Join(s.bin, "postgres"), args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	s.cmd, s.exited = cmd, exited
	logTail := func() string {
		b, _ := os.ReadFile(logPath)
		if int64(len(b)) > start {
			b = b[start:]
		}
		return string(bytes.TrimSpace(b))
	}
	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	defer cancel()
	for {
		c, err := pgx.Connect(ctx, s.URL("postgres"))
		if err == nil {
			c.Close(ctx)
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("postgres exited before accepting connections; log:\n%s", logTail())
		case <-ctx.Done():
			s.kill()
			return fmt.Errorf("postgres did not accept connections within %v (%v); log:\n%s", StartTimeout, err, logTail())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// URL returns the URL of database db on this server (as the superuser
// postgres, over TCP).
func (s *Server) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.Port, db)
}

// NewDatabase creates an empty database for t and returns its URL. It is
// dropped when t ends (if the server still runs).
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	name := "t_" + randHex(8)
	if err := s.Exec(context.Background(), "postgres", "CREATE DATABASE "+name+" TEMPLATE template0"); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		// FORCE ends sessions a test left open (PostgreSQL 13+).
		s.Exec(context.Background(), "postgres", "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return s.URL(name)
}

// Exec runs sql (one or more statements, no parameters) in database db as
// the superuser.
func (s *Server) Exec(ctx context.Context, db, sql string) error {
	c, err := pgx.Connect(ctx, s.URL(db))
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, sql, pgx.QueryExecModeSimpleProtocol)
	return err
}

// Stop shuts the server down cleanly ("fast" shutdown: sessions are ended,
// a checkpoint is written) and waits for it to exit. No error if it is not
// running.
func (s *Server) Stop() error {
	return s.signal(syscall.SIGINT, 2*StartTimeout)
}

// Kill kills the server with SIGKILL, as a crash of its machine would: the
// postmaster and every backend (each backend is a session of its own, so
// they are found by parent PID), so no connection is answered after Kill
// returns. Restart then recovers the database from its WAL.
func (s *Server) Kill() error {
	return s.signal(syscall.SIGKILL, StartTimeout)
}

func (s *Server) signal(sig syscall.Signal, wait time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return nil
	}
	select {
	case <-s.exited:
		return nil
	default:
	}
	pid := s.cmd.Process.Pid
	if sig == syscall.SIGKILL {
		// Stop the postmaster (no new backends), kill its children, then it.
		syscall.Kill(pid, syscall.SIGSTOP)
		for _, child := range children(pid) {
			syscall.Kill(child, syscall.SIGKILL)
		}
	}
	if err := syscall.Kill(pid, sig); err != nil {
		return err
	}
	select {
	case <-s.exited:
		return nil
	case <-time.After(wait):
		s.kill()
		return fmt.Errorf("pgtest: postgres did not exit within %v of %v", wait, sig)
	}
}

// kill kills the postmaster and waits for it. s.mu is held.
func (s *Server) kill() {
	if s.cmd != nil {
		s.cmd.Process.Kill()
		<-s.exited
	}
}

// remove stops the server and removes its directory.
func (s *Server) remove() {
	if err := s.Stop(); err != nil {
		s.mu.Lock()
		s.kill()
		s.mu.Unlock()
	}
	os.RemoveAll(s.Dir)
}

// children returns the PIDs of the processes whose parent is pid.
func children(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, child)
		}
	}
	return out
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand since Go 1.24)
	return hex.EncodeToString(b)
}
