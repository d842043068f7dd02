package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/internal/settings"
	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/httpapi"
)

// config is everything read from flags and the environment.
type config struct {
	addr, data, publicURL, adminUser, adminPassword string
	logLevel                                        slog.Level
	logJSON                                         bool
	origins                                         []string
	cookieSecure                                    bool
	demo                                            int
	shutdownTimeout                                 time.Duration

	// Client IPs: proxies whose X-Forwarded-For is believed (none by
	// default); live sockets one session may hold.
	trustedProxies       []netip.Prefix
	maxSocketsPerSession int

	// Documents: an S3 bucket when s3.Endpoint is set, else <data>/documents.
	s3        docstorage.S3Config
	maxUpload int64

	// Archives: the bucket <s3 bucket>-archive (object lock) when S3 is
	// configured, else the local folder <data>/archives.
	archiveBucket string
	archivePolicy archive.Policy

	// databaseURL selects PostgreSQL (many nodes); empty: SQLite in data.
	databaseURL string
	// pairingMax is the longest life of a pairing code.
	pairingMax time.Duration
}

// A setting is one value of the configuration: read from its PHONGHOP_*
// variable, overridden by its flag, else its default, then parsed. Every
// setting is parsed the same way (parseConfig), so that a value that
// cannot be parsed stops start-up with an error naming where it came from
// ("PHONGHOP_COOKIE_SECURE=maybe: …" or "-demo=x: …"). To add a setting,
// add a line to the table of parseConfig: its variable, its flag ("" for
// secrets, which must not show in ps), its default and its parser.
type setting struct {
	env, flag, def, usage string
	// parse stores the value; it returns an error saying what is wrong
	// with it (the caller names the setting).
	parse func(v string) error
	// isBool makes the flag a switch ("-cookie-secure" alone means on).
	isBool bool
	// value is the value used, set while parsing; given reports whether
	// it came from the flag or the environment (not the default).
	value string
	given bool
	from  string
}

// flagValue is a setting's flag: it records the text given.
type flagValue struct{ s *setting }

func (f flagValue) String() string {
	if f.s == nil {
		return ""
	}
	return f.s.value
}
func (f flagValue) Set(v string) error {
	f.s.value, f.s.given, f.s.from = v, true, "-"+f.s.flag
	return nil
}
func (f flagValue) IsBoolFlag() bool { return f.s != nil && f.s.isBool }

// parseConfig reads the configuration: flags in args override the
// PHONGHOP_* variables read through getenv, which override the defaults.
// Every setting is validated; the first bad one is returned as an error
// naming it.
func parseConfig(fs *flag.FlagSet, args []string, getenv func(string) string) (config, error) {
	var c config
	var cookieSecure *bool
	str := func(p *string) func(string) error { return func(v string) error { *p = v; return nil } }
	settings := []*setting{
		{env: "PHONGHOP_ADDR", flag: "addr", def: ":8080", usage: "listen address, host:port", parse: func(v string) error {
			if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
				return errors.New("want host:port, e.g. :8080 or 127.0.0.1:8080")
			}
			c.addr = v
			return nil
		}},
		{env: "PHONGHOP_DATA", flag: "data", def: "./data", usage: "data directory", parse: func(v string) error {
			if strings.TrimSpace(v) == "" {
				return errors.New("want a directory")
			}
			c.data = v
			return nil
		}},
		{env: "PHONGHOP_PUBLIC_URL", flag: "public-url", usage: "URL tablets use to reach the server, for pairing links (http:// or https://)", parse: func(v string) error {
			if v == "" {
				return nil
			}
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
				return errors.New("want an absolute http:// or https:// URL, e.g. https://phonghop.example.vn")
			}
			c.publicURL = v
			return nil
		}},
		{env: "PHONGHOP_ALLOWED_ORIGINS", flag: "allowed-origins", usage: "comma-separated extra origins allowed to open WebSockets (scheme://host[:port])", parse: func(v string) error {
			origins, err := settings.Origins(v)
			c.origins = origins
			return err
		}},
		{env: "PHONGHOP_TRUSTED_PROXIES", flag: "trusted-proxies", usage: "comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For is believed (default: none)", parse: func(v string) error {
			p, err := settings.Proxies(v)
			c.trustedProxies = p
			return err
		}},
		{env: "PHONGHOP_ADMIN_USER", flag: "admin-user", def: "thuky", usage: "secretary account created on first run", parse: func(v string) error {
			if n := utf8.RuneCountInString(v); n < 1 || n > 64 || strings.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
				return errors.New("want 1 to 64 characters without spaces")
			}
			c.adminUser = v
			return nil
		}},
		// Not a flag: flags show in ps.
		{env: "PHONGHOP_ADMIN_PASSWORD", parse: func(v string) error {
			if v != "" && utf8.RuneCountInString(v) < 8 {
				return errors.New("want at least 8 characters")
			}
			c.adminPassword = v
			return nil
		}},
		{env: "PHONGHOP_COOKIE_SECURE", flag: "cookie-secure", isBool: true, usage: "mark session cookies Secure, on or off (default: on when the public URL is https)", parse: func(v string) error {
			if v == "" {
				return nil
			}
			b, err := settings.OnOff(v)
			cookieSecure = &b
			return err
		}},
		{env: "PHONGHOP_MAX_SOCKETS_PER_SESSION", flag: "max-sockets-per-session", def: "8", usage: "live WebSockets one session may hold (a tablet needs one; reloads overlap briefly)", parse: func(v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1000 {
				return errors.New("want a whole number from 1 to 1000")
			}
			c.maxSocketsPerSession = n
			return nil
		}},
		{env: "PHONGHOP_DATABASE_URL", flag: "database-url", usage: "PostgreSQL postgres://user@host:5432/db shared by several nodes; empty: SQLite in the data directory. Give the password in PGPASSWORD or ~/.pgpass, not in the flag: flags show in ps", parse: func(v string) error {
			if v != "" && !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") {
				return errors.New("want a postgres://user@host:5432/database URL, or nothing for SQLite in the data directory")
			}
			c.databaseURL = v
			return nil
		}},
		{env: "PHONGHOP_PAIRING_MAX", flag: "pairing-max", def: "7d", usage: "longest life of a pairing code the secretary may set, e.g. 7d or 72h", parse: func(v string) error {
			d, err := httpapi.ParsePairingCodeMax(v)
			c.pairingMax = d
			return err
		}},
		{env: "PHONGHOP_DEMO", flag: "demo", def: "0", usage: "load a demo meeting with this many fictional delegates, e.g. 30", parse: func(v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 5000 {
				return errors.New("want a whole number from 0 to 5000")
			}
			c.demo = n
			return nil
		}},
		{env: "PHONGHOP_LOG_LEVEL", flag: "log-level", def: "info", usage: "debug, info, warn or error", parse: func(v string) error {
			switch strings.ToLower(v) {
			case "debug", "info", "warn", "error":
				return c.logLevel.UnmarshalText([]byte(v))
			}
			return errors.New("want debug, info, warn or error")
		}},
		{env: "PHONGHOP_LOG_FORMAT", flag: "log-format", def: "text", usage: "text or json", parse: func(v string) error {
			switch strings.ToLower(v) {
			case "text":
			case "json":
				c.logJSON = true
			default:
				return errors.New("want text or json")
			}
			return nil
		}},
		{env: "PHONGHOP_SHUTDOWN_TIMEOUT", flag: "shutdown-timeout", def: "15s", usage: "how long shutdown waits for requests and connections, e.g. 15s", parse: func(v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 || d > time.Hour {
				return errors.New("want a duration such as 15s or 1m (at most 1h)")
			}
			c.shutdownTimeout = d
			return nil
		}},
		{env: "PHONGHOP_S3_ENDPOINT", flag: "s3-endpoint", usage: "S3/MinIO endpoint host:port for documents; empty: the local folder <data>/documents", parse: func(v string) error {
			if v == "" {
				return nil
			}
			if strings.Contains(v, "://") {
				return errors.New("give host:port without a scheme (PHONGHOP_S3_TLS chooses https)")
			}
			if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
				return errors.New("want host:port, e.g. minio:9000")
			}
			c.s3.Endpoint = v
			return nil
		}},
		{env: "PHONGHOP_S3_ACCESS_KEY", flag: "s3-access-key", usage: "S3 access key", parse: str(&c.s3.AccessKey)},
		// Not a flag: flags show in ps.
		{env: "PHONGHOP_S3_SECRET_KEY", parse: str(&c.s3.SecretKey)},
		{env: "PHONGHOP_S3_BUCKET", flag: "s3-bucket", usage: "S3 bucket for documents, created if missing", parse: func(v string) error {
			c.s3.Bucket = v
			return settings.Bucket(v)
		}},
		{env: "PHONGHOP_S3_REGION", flag: "s3-region", usage: "S3 region; empty for MinIO", parse: str(&c.s3.Region)},
		{env: "PHONGHOP_S3_TLS", flag: "s3-tls", isBool: true, def: "off", usage: "talk to S3 over HTTPS, on or off", parse: func(v string) error {
			var err error
			c.s3.UseTLS, err = settings.OnOff(v)
			return err
		}},
		{env: "PHONGHOP_MAX_UPLOAD", flag: "max-upload", def: "200MiB", usage: "largest document file accepted, e.g. 200MiB or 50MB", parse: func(v string) error {
			n, err := settings.Size(v)
			c.maxUpload = n
			return err
		}},
		{env: "PHONGHOP_S3_ARCHIVE_BUCKET", flag: "s3-archive-bucket", usage: "S3 bucket for signed minutes archives, created with object lock; default <s3-bucket>-archive", parse: func(v string) error {
			c.archiveBucket = v
			return settings.Bucket(v)
		}},
		{env: "PHONGHOP_ARCHIVE_RETENTION", flag: "archive-retention", def: archive.DefaultRetention, usage: "how long S3 keeps archives locked, e.g. 10y, 3650d", parse: func(v string) error {
			p, err := archive.ParsePolicy(v, "")
			c.archivePolicy.Years, c.archivePolicy.Days, c.archivePolicy.Duration = p.Years, p.Days, p.Duration
			return err
		}},
		{env: "PHONGHOP_ARCHIVE_LOCK_MODE", flag: "archive-lock-mode", def: "COMPLIANCE", usage: "S3 object lock mode of archives: COMPLIANCE or GOVERNANCE", parse: func(v string) error {
			p, err := archive.ParsePolicy("1d", v)
			c.archivePolicy.Mode = p.Mode
			return err
		}},
	}

	for _, s := range settings {
		if v := getenv(s.env); v != "" {
			s.value, s.given, s.from = v, true, s.env
		} else {
			s.value, s.from = s.def, "default of "+s.env
		}
		if s.flag != "" {
			help := s.usage + " (" + s.env + ")"
			fs.Var(flagValue{s}, s.flag, help)
		}
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, s := range settings {
		v := s.value
		if err := s.parse(v); err != nil {
			return c, fmt.Errorf("%s=%s: %w", s.from, strconv.Quote(v), err)
		}
	}

	// Rules between settings.
	switch {
	case cookieSecure != nil:
		c.cookieSecure = *cookieSecure
	default:
		c.cookieSecure = strings.HasPrefix(c.publicURL, "https://")
	}
	if c.s3.Endpoint == "" && c.archiveBucket != "" {
		return c, fmt.Errorf("PHONGHOP_S3_ARCHIVE_BUCKET is set but PHONGHOP_S3_ENDPOINT (-s3-endpoint) is not")
	}
	if c.s3.Endpoint != "" && c.archiveBucket == "" {
		c.archiveBucket = c.s3.Bucket + "-archive"
	}
	if c.archiveBucket != "" && c.archiveBucket == c.s3.Bucket {
		return c, fmt.Errorf("the archive bucket must differ from the document bucket %q", c.s3.Bucket)
	}
	if s := c.s3; s.Endpoint != "" && (s.Bucket == "" || s.AccessKey == "" || s.SecretKey == "") {
		return c, fmt.Errorf("PHONGHOP_S3_ENDPOINT is set: PHONGHOP_S3_BUCKET, PHONGHOP_S3_ACCESS_KEY and PHONGHOP_S3_SECRET_KEY are needed too")
	}
	if s := c.s3; s.Endpoint == "" && (s.Bucket != "" || s.AccessKey != "") {
		return c, fmt.Errorf("S3 settings are given but PHONGHOP_S3_ENDPOINT (-s3-endpoint) is not")
	}
	if err := checkDatabaseURL(c); err != nil {
		return c, err
	}
	return c, nil
}

// onOff parses a switch that may be unset ("" is off).
func onOff(v string) (bool, error) { return settings.OptionalOnOff(v) }
