// Command phonghop is the paperless meeting-room server (phòng họp không
// giấy). With no arguments it serves; `phonghop verify-log` checks the hash
// chain of every meeting in a data directory; `phonghop verify` checks a
// signed meeting archive offline.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/dustin/go-humanize"

	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/server"
	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/archiver"
	"github.com/phonghop/phonghop/server/auth"
	"github.com/phonghop/phonghop/server/watermark"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if msg := exitMessage(err); msg != "" {
			fmt.Fprintln(os.Stderr, msg)
		}
		os.Exit(1)
	}
}

// run is the whole program: it parses args (flags override PHONGHOP_*
// variables read through getenv), then serves until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "verify-log":
		return verifyLog(ctx, args, getenv, stdout, stderr)
	case "verify":
		return verifyArchive(ctx, args, getenv, stdout, stderr)
	case "healthcheck":
		return healthcheck(ctx, args, stderr)
	case "help":
		fmt.Fprintln(stdout, "usage: phonghop [serve] [flags] | phonghop verify-log [-data DIR] | phonghop verify <folder|file.zip|s3://bucket/prefix> [-key FINGERPRINT|PEM] | phonghop healthcheck [-url URL]")
		return nil
	}
	return fmt.Errorf("unknown command %q (want serve, verify-log, verify or healthcheck)", cmd)
}

// env returns getenv(name) or def when unset.
func env(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

// openDocuments opens the document store: the S3 bucket when configured,
// else the local folder <data>/documents. It also prepares <data>/tmp (for
// uploads in progress, emptied here: nothing runs yet) and the watermark
// fonts under <data>/pdfcpu. It returns the store and a description.
func openDocuments(ctx context.Context, c config) (docstorage.Store, string, string, error) {
	work := filepath.Join(c.data, "tmp")
	if err := os.RemoveAll(work); err != nil {
		return nil, "", "", fmt.Errorf("clear %s: %w", work, err)
	}
	if err := os.MkdirAll(work, 0o700); err != nil {
		return nil, "", "", err
	}
	if err := watermark.Init(filepath.Join(c.data, "pdfcpu")); err != nil {
		return nil, "", "", fmt.Errorf("watermark fonts: %w", err)
	}
	if c.s3.Endpoint != "" {
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		s3, err := docstorage.NewS3(sctx, c.s3)
		if err != nil {
			return nil, "", "", fmt.Errorf("document store S3 %s bucket %s: %w", c.s3.Endpoint, c.s3.Bucket, err)
		}
		scheme := "http"
		if c.s3.UseTLS {
			scheme = "https"
		}
		return s3, fmt.Sprintf("S3 %s://%s/%s", scheme, c.s3.Endpoint, c.s3.Bucket), work, nil
	}
	dir := filepath.Join(c.data, "documents")
	fs, err := docstorage.NewFS(dir)
	if err != nil {
		return nil, "", "", fmt.Errorf("document store %s: %w", dir, err)
	}
	return fs, dir, work, nil
}

// openArchives opens the archive store: the object-locked S3 bucket when S3
// is configured, else the local folder <data>/archives.
func openArchives(ctx context.Context, c config) (*archive.Store, error) {
	if c.s3.Endpoint != "" {
		cfg := c.s3
		cfg.Bucket = c.archiveBucket
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		st, err := archive.OpenS3(sctx, cfg, c.archivePolicy)
		if err != nil {
			return nil, fmt.Errorf("archive store S3 bucket %s: %w", cfg.Bucket, err)
		}
		return st, nil
	}
	st, err := archive.OpenLocal(c.data)
	if err != nil {
		return nil, fmt.Errorf("archive store %s: %w", c.data, err)
	}
	return st, nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("phonghop", flag.ContinueOnError)
	json := jsonRequested(args, getenv)
	fs.SetOutput(stderr)
	if json {
		fs.SetOutput(io.Discard) // flag errors are logged as JSON below
	}
	c, err := parseConfig(fs, args, getenv)
	if err != nil {
		return startFailed(json, stderr, err)
	}
	log := newLogger(c, stderr)
	if err := serveConfig(ctx, c, log, &banner{json: c.logJSON, w: stdout, log: log}); err != nil {
		return startFailed(c.logJSON, stderr, err)
	}
	return nil
}

// serveConfig serves with configuration c until ctx ends.
func serveConfig(ctx context.Context, c config, log *slog.Logger, b *banner) error {
	db, dbWhere, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := os.MkdirAll(c.data, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}

	pw, generated, err := auth.EnsureAdmin(ctx, db, c.adminUser, c.adminPassword)
	if err != nil {
		return fmt.Errorf("secretary account: %w", err)
	}
	pwFile := filepath.Join(c.data, "initial-admin-password")
	if generated {
		if err := os.WriteFile(pwFile, []byte(pw+"\n"), 0o600); err != nil {
			return err
		}
	}

	store, where, work, err := openDocuments(ctx, c)
	if err != nil {
		return err
	}
	// One node keeps the archive signing key in its data directory; nodes
	// sharing PostgreSQL share it through the documents bucket.
	manyNodes := c.databaseURL != ""
	keyWhere := filepath.Join(c.data, archive.KeyFile)
	var key *archive.Key
	var keyCreated bool
	if manyNodes {
		key, keyCreated, err = archive.LoadOrCreateKeyIn(ctx, store)
		keyWhere = "s3://" + c.s3.Bucket + "/" + archive.ObjectKeyName
	} else {
		key, keyCreated, err = archive.LoadOrCreateKey(c.data)
	}
	if err != nil {
		return fmt.Errorf("archive signing key: %w", err)
	}
	archives, err := openArchives(ctx, c)
	if err != nil {
		return err
	}
	srv := server.New(server.Config{AllowedOrigins: c.origins, PublicURL: c.publicURL, CookieSecure: c.cookieSecure, Logger: log,
		Documents: store, MaxUpload: c.maxUpload, WorkDir: work,
		Archives: archives, ArchiveKey: key, RenderMinutes: archiver.RenderMinutes, ManyNodes: manyNodes,
		TrustedProxies: c.trustedProxies, MaxSocketsPerSession: c.maxSocketsPerSession, PairingCodeMax: c.pairingMax}, db)
	if err := srv.Start(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	base := "http://" + displayAddr(ln.Addr())
	if c.publicURL != "" {
		base = strings.TrimSuffix(c.publicURL, "/")
	}
	b.say(fmt.Sprintf("Phòng họp không giấy đang chạy tại %s (listening on %s)", base, ln.Addr()), "listening", "url", base, "addr", ln.Addr().String())
	b.say("Dữ liệu: "+c.data, "data", "dir", c.data)
	b.say("Cơ sở dữ liệu / database: "+dbWhere, "database", "store", dbWhere)
	b.say(fmt.Sprintf("Tài liệu / documents: %s (tối đa / at most %s a file)", where, humanize.IBytes(uint64(c.maxUpload))), "documents", "store", where, "max_upload", c.maxUpload)
	b.say("Lưu trữ biên bản / minutes archive: "+archives.Where, "minutes archive", "store", archives.Where)
	b.say(fmt.Sprintf("Khóa ký lưu trữ / archive signing key: %s  (SHA-256 %s)", archive.Short(key.Fingerprint()), key.Fingerprint()), "archive signing key", "fingerprint", key.Fingerprint(), "new", keyCreated)
	if keyCreated {
		b.say(fmt.Sprintf("(khóa mới tạo / new key in %s: sao lưu tệp này và công bố dấu vân tay / back it up and publish the fingerprint)", keyWhere),
			"new archive signing key: back it up and publish the fingerprint", "file", keyWhere)
	}
	if !archives.Protected {
		log.Warn("archive: a local folder cannot enforce retention; an administrator of this machine can delete or replace archives (changes are detected by phonghop verify, deletions are not prevented). Use S3 with object lock for protected archives.", "dir", archives.Where)
	}
	b.login(c, pw, generated, pwFile)
	if c.demo > 0 {
		demo, err := srv.LoadDemo(ctx, c.adminUser, c.demo)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		b.demo(demo, base)
	}

	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("serving", "addr", ln.Addr().String(), "data", c.data)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), c.shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	if err := srv.Close(sctx); err != nil {
		log.Warn("websocket shutdown", "err", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// displayAddr turns a listen address into one a person can open.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// healthcheck GETs a readiness URL and fails unless it answers 200: the
// container health check (the image has no curl).
func healthcheck(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("phonghop healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "http://127.0.0.1:8080/readyz", "URL to check")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", *url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", *url, resp.Status)
	}
	return nil
}

// verifyLog checks every meeting's hash chain in a data directory.
func verifyLog(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("phonghop verify-log", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", env(getenv, "PHONGHOP_DATA", "./data"), "data directory")
	dbURL := fs.String("database-url", getenv("PHONGHOP_DATABASE_URL"), "PostgreSQL URL; empty: SQLite in the data directory (PHONGHOP_DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	path := filepath.Join(*data, "phonghop.db")
	if _, err := os.Stat(path); err != nil && *dbURL == "" {
		return fmt.Errorf("no database at %s", path)
	}
	db, _, err := openStore(ctx, config{data: *data, databaseURL: *dbURL})
	if err != nil {
		return err
	}
	defer db.Close()
	ids, err := db.MeetingIDs(ctx)
	if err != nil {
		return err
	}
	bad := 0
	for _, id := range ids {
		if err := db.Verify(ctx, id); err != nil {
			bad++
			fmt.Fprintf(stdout, "%s  HỎNG / BROKEN: %v\n", id, err)
			continue
		}
		seq, _, _, _ := db.Head(ctx, id)
		fmt.Fprintf(stdout, "%s  ok (%d sự kiện / events)\n", id, seq)
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d meetings failed verification", bad, len(ids))
	}
	return nil
}
