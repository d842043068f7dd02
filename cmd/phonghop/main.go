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
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dustin/go-humanize"

	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/server"
	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/archiver"
	"github.com/phonghop/phonghop/server/auth"
	"github.com/phonghop/phonghop/server/httpapi"
	"github.com/phonghop/phonghop/server/watermark"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "phonghop:", err)
		os.Exit(1)
	}
}

// config is everything read from flags and the environment.
type config struct {
	addr, data, publicURL, adminUser, adminPassword, logLevel, logFormat string
	origins                                                              []string
	cookieSecure                                                         bool
	demo                                                                 int
	shutdownTimeout                                                      time.Duration

	// Documents: an S3 bucket when s3.Endpoint is set, else <data>/documents.
	s3        docstorage.S3Config
	maxUpload int64

	// Archives: the bucket <s3 bucket>-archive (object lock) when S3 is
	// configured, else the local folder <data>/archives.
	archiveBucket string
	archivePolicy archive.Policy

	// databaseURL selects PostgreSQL (many nodes); empty: SQLite in data.
	databaseURL string
	pairingMax  time.Duration // longest life of a pairing code
	// maxSockets caps one session's live WebSockets; opening one more
	// closes its oldest with 4009 (docs/security.md).
	maxSockets int
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

func parseConfig(fs *flag.FlagSet, args []string, getenv func(string) string) (config, error) {
	var c config
	var origins string
	fs.StringVar(&c.addr, "addr", env(getenv, "PHONGHOP_ADDR", ":8080"), "listen address (PHONGHOP_ADDR)")
	fs.StringVar(&c.data, "data", env(getenv, "PHONGHOP_DATA", "./data"), "data directory (PHONGHOP_DATA)")
	fs.StringVar(&c.publicURL, "public-url", getenv("PHONGHOP_PUBLIC_URL"), "URL tablets use to reach the server, for pairing links (PHONGHOP_PUBLIC_URL)")
	fs.StringVar(&origins, "allowed-origins", getenv("PHONGHOP_ALLOWED_ORIGINS"), "comma-separated extra origins allowed to open WebSockets (PHONGHOP_ALLOWED_ORIGINS)")
	fs.StringVar(&c.adminUser, "admin-user", env(getenv, "PHONGHOP_ADMIN_USER", "thuky"), "secretary account created on first run (PHONGHOP_ADMIN_USER)")
	c.adminPassword = getenv("PHONGHOP_ADMIN_PASSWORD") // not a flag: flags show in ps
	secure, _ := strconv.ParseBool(getenv("PHONGHOP_COOKIE_SECURE"))
	fs.BoolVar(&c.cookieSecure, "cookie-secure", secure, "mark session cookies Secure; set behind HTTPS (PHONGHOP_COOKIE_SECURE)")
	demo, _ := strconv.Atoi(getenv("PHONGHOP_DEMO"))
	fs.IntVar(&c.demo, "demo", demo, "load a demo meeting with this many fictional delegates, e.g. 30 (PHONGHOP_DEMO)")
	fs.StringVar(&c.logLevel, "log-level", env(getenv, "PHONGHOP_LOG_LEVEL", "info"), "debug, info, warn or error (PHONGHOP_LOG_LEVEL)")
	fs.StringVar(&c.logFormat, "log-format", env(getenv, "PHONGHOP_LOG_FORMAT", "text"), "text or json (PHONGHOP_LOG_FORMAT)")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 15*time.Second, "how long shutdown waits for requests and connections")
	fs.StringVar(&c.s3.Endpoint, "s3-endpoint", getenv("PHONGHOP_S3_ENDPOINT"), "S3/MinIO endpoint host:port for documents; empty: the local folder <data>/documents (PHONGHOP_S3_ENDPOINT)")
	fs.StringVar(&c.s3.AccessKey, "s3-access-key", getenv("PHONGHOP_S3_ACCESS_KEY"), "S3 access key (PHONGHOP_S3_ACCESS_KEY)")
	c.s3.SecretKey = getenv("PHONGHOP_S3_SECRET_KEY") // not a flag: flags show in ps
	fs.StringVar(&c.s3.Bucket, "s3-bucket", getenv("PHONGHOP_S3_BUCKET"), "S3 bucket for documents, created if missing (PHONGHOP_S3_BUCKET)")
	fs.StringVar(&c.s3.Region, "s3-region", getenv("PHONGHOP_S3_REGION"), "S3 region; empty for MinIO (PHONGHOP_S3_REGION)")
	tls, tlsErr := onOff(getenv("PHONGHOP_S3_TLS"))
	fs.BoolVar(&c.s3.UseTLS, "s3-tls", tls, "talk to S3 over HTTPS (PHONGHOP_S3_TLS: on/off)")
	maxUpload := env(getenv, "PHONGHOP_MAX_UPLOAD", "200MiB")
	fs.StringVar(&maxUpload, "max-upload", maxUpload, "largest document file accepted, e.g. 200MiB or 50MB (PHONGHOP_MAX_UPLOAD)")
	fs.StringVar(&c.archiveBucket, "s3-archive-bucket", getenv("PHONGHOP_S3_ARCHIVE_BUCKET"), "S3 bucket for signed minutes archives, created with object lock; default <s3-bucket>-archive (PHONGHOP_S3_ARCHIVE_BUCKET)")
	retention := env(getenv, "PHONGHOP_ARCHIVE_RETENTION", archive.DefaultRetention)
	fs.StringVar(&retention, "archive-retention", retention, "how long S3 keeps archives locked, e.g. 10y, 3650d (PHONGHOP_ARCHIVE_RETENTION)")
	lockMode := env(getenv, "PHONGHOP_ARCHIVE_LOCK_MODE", "COMPLIANCE")
	fs.StringVar(&lockMode, "archive-lock-mode", lockMode, "S3 object lock mode of archives: COMPLIANCE or GOVERNANCE (PHONGHOP_ARCHIVE_LOCK_MODE)")
	fs.StringVar(&c.databaseURL, "database-url", getenv("PHONGHOP_DATABASE_URL"), "PostgreSQL postgres://user@host:5432/db shared by several nodes; empty: SQLite in the data directory. Give the password in PGPASSWORD or ~/.pgpass, not here: flags show in ps (PHONGHOP_DATABASE_URL)")
	pairingMax := env(getenv, "PHONGHOP_PAIRING_MAX", "7d")
	fs.StringVar(&pairingMax, "pairing-max", pairingMax, "longest life of a pairing code the secretary may set, e.g. 7d or 72h (PHONGHOP_PAIRING_MAX)")
	maxSockets := env(getenv, "PHONGHOP_MAX_SOCKETS_PER_SESSION", strconv.Itoa(httpapi.DefaultMaxSocketsPerSession))
	fs.StringVar(&maxSockets, "max-sockets-per-session", maxSockets, "live WebSockets one session may hold; one more closes its oldest with 4009 (PHONGHOP_MAX_SOCKETS_PER_SESSION)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	ms, err := strconv.Atoi(strings.TrimSpace(maxSockets))
	if err != nil || ms < 1 || ms > 1000 {
		return c, fmt.Errorf("-max-sockets-per-session %q: want a whole number from 1 to 1000", maxSockets)
	}
	c.maxSockets = ms
	pm, err := httpapi.ParsePairingCodeMax(pairingMax)
	if err != nil {
		return c, fmt.Errorf("-pairing-max: %w", err)
	}
	c.pairingMax = pm
	p, err := archive.ParsePolicy(retention, lockMode)
	if err != nil {
		return c, fmt.Errorf("archive: %w", err)
	}
	c.archivePolicy = p
	if c.s3.Endpoint == "" && c.archiveBucket != "" {
		return c, fmt.Errorf("PHONGHOP_S3_ARCHIVE_BUCKET is set but PHONGHOP_S3_ENDPOINT (-s3-endpoint) is not")
	}
	if c.s3.Endpoint != "" && c.archiveBucket == "" {
		c.archiveBucket = c.s3.Bucket + "-archive"
	}
	if c.archiveBucket != "" && c.archiveBucket == c.s3.Bucket {
		return c, fmt.Errorf("the archive bucket must differ from the document bucket %q", c.s3.Bucket)
	}
	if tlsErr != nil {
		return c, fmt.Errorf("PHONGHOP_S3_TLS: %w", tlsErr)
	}
	n, err := humanize.ParseBytes(maxUpload)
	if err != nil || n == 0 || n > 1<<40 {
		return c, fmt.Errorf("-max-upload %q: want a size such as 200MiB", maxUpload)
	}
	c.maxUpload = int64(n)
	if s := c.s3; s.Endpoint != "" && (s.Bucket == "" || s.AccessKey == "" || s.SecretKey == "") {
		return c, fmt.Errorf("PHONGHOP_S3_ENDPOINT is set: PHONGHOP_S3_BUCKET, PHONGHOP_S3_ACCESS_KEY and PHONGHOP_S3_SECRET_KEY are needed too")
	}
	if s := c.s3; s.Endpoint == "" && (s.Bucket != "" || s.AccessKey != "") {
		return c, fmt.Errorf("S3 settings are given but PHONGHOP_S3_ENDPOINT (-s3-endpoint) is not")
	}
	if strings.Contains(c.s3.Endpoint, "://") {
		return c, fmt.Errorf("-s3-endpoint %q: give host:port without a scheme (PHONGHOP_S3_TLS chooses https)", c.s3.Endpoint)
	}
	for _, o := range strings.Split(origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.origins = append(c.origins, o)
		}
	}
	if c.demo < 0 || c.demo > 5000 {
		return c, fmt.Errorf("-demo must be between 0 and 5000")
	}
	if err := checkDatabaseURL(c); err != nil {
		return c, err
	}
	return c, nil
}

// onOff parses a switch: on/off, true/false, yes/no, 1/0 ("" is off).
func onOff(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "off", "false", "no", "0":
		return false, nil
	case "on", "true", "yes", "1":
		return true, nil
	}
	return false, fmt.Errorf("%q: want on or off", v)
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

func newLogger(c config, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("bad log level %q", c.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	if c.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("phonghop", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c, err := parseConfig(fs, args, getenv)
	if err != nil {
		return err
	}
	log, err := newLogger(c, stderr)
	if err != nil {
		return err
	}
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
		Archives: archives, ArchiveKey: key, RenderMinutes: archiver.RenderMinutes, ManyNodes: manyNodes, PairingCodeMax: c.pairingMax,
		MaxSocketsPerSession: c.maxSockets}, db)
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
	fmt.Fprintf(stdout, "Phòng họp không giấy đang chạy tại %s (listening on %s)\n", base, ln.Addr())
	fmt.Fprintf(stdout, "Dữ liệu: %s\n", c.data)
	fmt.Fprintf(stdout, "Cơ sở dữ liệu / database: %s\n", dbWhere)
	fmt.Fprintf(stdout, "Tài liệu / documents: %s (tối đa / at most %s a file)\n", where, humanize.IBytes(uint64(c.maxUpload)))
	fmt.Fprintf(stdout, "Lưu trữ biên bản / minutes archive: %s\n", archives.Where)
	fmt.Fprintf(stdout, "Khóa ký lưu trữ / archive signing key: %s  (SHA-256 %s)\n", archive.Short(key.Fingerprint()), key.Fingerprint())
	if keyCreated {
		fmt.Fprintf(stdout, "(khóa mới tạo / new key in %s: sao lưu tệp này và công bố dấu vân tay / back it up and publish the fingerprint)\n", keyWhere)
	}
	if !archives.Protected {
		log.Warn("archive: a local folder cannot enforce retention; an administrator of this machine can delete or replace archives (changes are detected by phonghop verify, deletions are not prevented). Use S3 with object lock for protected archives.", "dir", archives.Where)
	}
	switch {
	case generated:
		fmt.Fprintf(stdout, "Tài khoản thư ký / secretary login: %s  mật khẩu / password: %s\n", c.adminUser, pw)
		fmt.Fprintf(stdout, "(mật khẩu cũng được lưu ở %s; đổi bằng PHONGHOP_ADMIN_PASSWORD)\n", pwFile)
	case c.adminPassword != "":
		fmt.Fprintf(stdout, "Tài khoản thư ký / secretary login: %s (mật khẩu từ PHONGHOP_ADMIN_PASSWORD)\n", c.adminUser)
	default:
		fmt.Fprintf(stdout, "Tài khoản thư ký / secretary login: %s (mật khẩu ban đầu trong %s nếu chưa đổi)\n", c.adminUser, pwFile)
	}
	if c.demo > 0 {
		demo, err := srv.LoadDemo(ctx, c.adminUser, c.demo)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		fmt.Fprintf(stdout, "\nCuộc họp mẫu / demo meeting: %s\n  %s\n", demo.ID, demo.Title)
		fmt.Fprintf(stdout, "Mã ghép nối máy tính bảng (hiệu lực đến hết ngày họp) / tablet pairing codes (valid until the end of the meeting's day):\n")
		for _, code := range demo.Codes {
			page := "tablet"
			if code.Role == "hall" {
				page = "hall"
			}
			fmt.Fprintf(stdout, "  %s  %-10s %-28s %s/%s#code=%s\n", code.Code, code.Role, code.Name, base, page, code.Code)
		}
		for _, d := range demo.Documents {
			fmt.Fprintf(stdout, "Tài liệu mẫu / sample document: %s  %s (%s)\n", d.ID, d.Title, d.Access)
		}
		fmt.Fprintf(stdout, "Bàn thư ký / secretary console:  %s/console#m=%s&tab=prepare\n", base, demo.ID)
		if hc := demo.HallCode(); hc != "" {
			fmt.Fprintf(stdout, "Màn hình hội trường / hall screen: %s/hall#code=%s\n", base, hc)
		}
		fmt.Fprintf(stdout, "Máy tính bảng / tablet:            %s/tablet#code=<mã ghép nối / pairing code>\n", base)
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
