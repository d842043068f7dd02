package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// badSettings are, for every setting, values that cannot be used. Each
// must stop start-up with an error naming the setting and the value.
var badSettings = map[string][]string{
	"PHONGHOP_ADDR":                    {"localhost", "8080", "::1"},
	"PHONGHOP_DATA":                    {"   "},
	"PHONGHOP_PUBLIC_URL":              {"hop.example.vn", "ftp://hop.example.vn", "https://", "https://hop.example.vn/?a=1"},
	"PHONGHOP_ALLOWED_ORIGINS":         {"hop.example.vn", "https://hop.example.vn/path", "https://a.vn, javascript:alert(1)"},
	"PHONGHOP_TRUSTED_PROXIES":         {"10.0.0.0/33", "proxy.local", "10.0.0.1, 300.1.1.1", "fe80::1%eth0"},
	"PHONGHOP_ADMIN_USER":              {"thu ky", strings.Repeat("a", 65)},
	"PHONGHOP_ADMIN_PASSWORD":          {"ngan", "1234567"},
	"PHONGHOP_COOKIE_SECURE":           {"maybe", "có", "2", "onn"},
	"PHONGHOP_MAX_SOCKETS_PER_SESSION": {"0", "-1", "nhiều", "1001", "8.5"},
	"PHONGHOP_DEMO":                    {"ba mươi", "-1", "5001", "30 "},
	"PHONGHOP_LOG_LEVEL":               {"ồn", "verbose", "info+2"},
	"PHONGHOP_LOG_FORMAT":              {"xml", "jsonl"},
	"PHONGHOP_SHUTDOWN_TIMEOUT":        {"15", "-1s", "0s", "2h"},
	"PHONGHOP_S3_ENDPOINT":             {"http://minio:9000", "minio"},
	"PHONGHOP_S3_BUCKET":               {"Tài_Liệu", "ab", "UPPER", "192.168.1.1"},
	"PHONGHOP_S3_TLS":                  {"có", "https"},
	"PHONGHOP_MAX_UPLOAD":              {"nhiều", "0", "1.5B", "2TiB", "1,000MB", "-5MB", "5MB garbage"},
	"PHONGHOP_S3_ARCHIVE_BUCKET":       {"Lưu_Trữ", "a"},
	"PHONGHOP_ARCHIVE_RETENTION":       {"mãi mãi", "10dy", "0d", "101y", "-5h"},
	"PHONGHOP_ARCHIVE_LOCK_MODE":       {"STRICT", "legal-hold"},
	"PHONGHOP_DATABASE_URL":            {"mysql://u@h/db", "phonghop.db"},
	"PHONGHOP_PAIRING_MAX":             {"một tuần", "30m", "400d", "7", "-1h"},
}

// freeSettings are free text: any non-empty value can be used.
var freeSettings = map[string]string{
	"PHONGHOP_S3_ACCESS_KEY": "an access key is whatever the S3 service issued",
	"PHONGHOP_S3_SECRET_KEY": "a secret key is whatever the S3 service issued",
	"PHONGHOP_S3_REGION":     "region names are the S3 service's own",
}

// flagOf returns the flag of a setting ("" for secrets).
func flagOf(t *testing.T, env string) string {
	t.Helper()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	parseConfig(fs, nil, func(string) string { return "" })
	name := ""
	fs.VisitAll(func(f *flag.Flag) {
		if strings.HasSuffix(f.Usage, "("+env+")") {
			name = f.Name
		}
	})
	return name
}

// TestEverySettingRefusesBadValues starts the program (run, as main does)
// with each bad value of each setting, from the environment and from the
// flag: it must stop before serving with an error naming the setting and
// quoting the value. Every setting the program reads is covered.
func TestEverySettingRefusesBadValues(t *testing.T) {
	for _, name := range readNames(t) {
		if _, ok := badSettings[name]; !ok && freeSettings[name] == "" {
			t.Errorf("setting %s has no bad values in badSettings (or a reason in freeSettings)", name)
		}
	}
	// A cancelled context: a value wrongly accepted makes run start and
	// stop at once, returning nil, which fails the test below.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, values := range badSettings {
		fl := flagOf(t, name)
		for _, v := range values {
			env := map[string]string{"PHONGHOP_DATA": t.TempDir(), "PHONGHOP_ADDR": "127.0.0.1:0", name: v}
			var out, errb bytes.Buffer
			err := run(ctx, nil, func(k string) string { return env[k] }, &out, &errb)
			if err == nil || !strings.Contains(err.Error(), name+"=") || !strings.Contains(err.Error(), v) {
				t.Errorf("run with %s=%q = %v; want an error naming %s and the value", name, v, err, name)
			}
			if out.Len() > 0 {
				t.Errorf("run with %s=%q printed %q before failing", name, v, out.String())
			}
			if fl == "" {
				continue
			}
			env = map[string]string{"PHONGHOP_DATA": t.TempDir(), "PHONGHOP_ADDR": "127.0.0.1:0"}
			err = run(ctx, []string{"-" + fl + "=" + v}, func(k string) string { return env[k] }, &out, &errb)
			if err == nil || !strings.Contains(err.Error(), "-"+fl+"=") {
				t.Errorf("run -%s=%q = %v; want an error naming -%s", fl, v, err, fl)
			}
		}
	}
}

// TestSwitches: every on/off setting takes the same words in any case,
// from the environment and from the flag (alone it means on).
func TestSwitches(t *testing.T) {
	parse := func(args []string, env map[string]string) (config, error) {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		return parseConfig(fs, args, func(k string) string { return env[k] })
	}
	for _, sw := range []struct {
		env, flag string
		get       func(config) bool
	}{
		{"PHONGHOP_COOKIE_SECURE", "cookie-secure", func(c config) bool { return c.cookieSecure }},
		{"PHONGHOP_S3_TLS", "s3-tls", func(c config) bool { return c.s3.UseTLS }},
	} {
		for word, want := range map[string]bool{"on": true, "ON": true, "Yes": true, "true": true, "TRUE": true, "1": true,
			"off": false, "Off": false, "no": false, "NO": false, "false": false, "0": false} {
			c, err := parse(nil, map[string]string{sw.env: word})
			if err != nil || sw.get(c) != want {
				t.Errorf("%s=%s: %v, %v; want %v", sw.env, word, sw.get(c), err, want)
			}
			c, err = parse([]string{"-" + sw.flag + "=" + word}, map[string]string{sw.env: map[bool]string{true: "off", false: "on"}[want]})
			if err != nil || sw.get(c) != want {
				t.Errorf("-%s=%s over the opposite variable: %v, %v; want %v", sw.flag, word, sw.get(c), err, want)
			}
		}
		c, err := parse([]string{"-" + sw.flag}, nil)
		if err != nil || !sw.get(c) {
			t.Errorf("-%s alone: %v, %v; want on", sw.flag, sw.get(c), err)
		}
	}
}

// TestCookieSecureFromOutside logs in to the running program and reads the
// session cookie: Secure by default when the public URL is https, on
// request otherwise, and never when switched off.
func TestCookieSecureFromOutside(t *testing.T) {
	for _, tc := range []struct {
		env    map[string]string
		secure bool
	}{
		{map[string]string{"PHONGHOP_PUBLIC_URL": "https://phonghop.example.vn"}, true},
		{map[string]string{"PHONGHOP_PUBLIC_URL": "http://192.168.1.10:8080"}, false},
		{map[string]string{}, false},
		{map[string]string{"PHONGHOP_COOKIE_SECURE": "ON"}, true},
		{map[string]string{"PHONGHOP_COOKIE_SECURE": "yes", "PHONGHOP_PUBLIC_URL": "http://192.168.1.10:8080"}, true},
		{map[string]string{"PHONGHOP_COOKIE_SECURE": "off", "PHONGHOP_PUBLIC_URL": "https://phonghop.example.vn"}, false},
	} {
		env := map[string]string{"PHONGHOP_DATA": t.TempDir(), "PHONGHOP_ADDR": "127.0.0.1:0", "PHONGHOP_ADMIN_PASSWORD": "mat-khau-cookie"}
		for k, v := range tc.env {
			env[k] = v
		}
		addr, _, stop := startRun(t, nil, env)
		resp, err := http.Post("http://"+addr+"/api/login", "application/json", strings.NewReader(`{"username":"thuky","password":"mat-khau-cookie"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var session *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "phonghop_session" {
				session = c
			}
		}
		if resp.StatusCode != 200 || session == nil || session.Secure != tc.secure {
			t.Errorf("env %v: login = %d, session cookie %+v; want Secure = %v", tc.env, resp.StatusCode, session, tc.secure)
		}
		if err := stop(); err != nil {
			t.Errorf("run = %v", err)
		}
	}
}

// TestNewSettingsReachServerConfig: the trusted proxies and the socket cap
// are parsed into what the server is given.
func TestNewSettingsReachServerConfig(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	env := map[string]string{"PHONGHOP_TRUSTED_PROXIES": " 10.1.2.3/8, 192.168.1.2 ,::ffff:172.16.0.1, 2001:db8::/32 ", "PHONGHOP_MAX_SOCKETS_PER_SESSION": "3"}
	c, err := parseConfig(fs, nil, func(k string) string { return env[k] })
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.2/32"), netip.MustParsePrefix("172.16.0.1/32"), netip.MustParsePrefix("2001:db8::/32")}
	if err != nil || !slices.Equal(c.trustedProxies, want) || c.maxSocketsPerSession != 3 {
		t.Errorf("parseConfig = %v, %d, %v; want %v, 3", c.trustedProxies, c.maxSocketsPerSession, err, want)
	}
	fs = flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c, err = parseConfig(fs, nil, func(string) string { return "" })
	if err != nil || len(c.trustedProxies) != 0 || c.maxSocketsPerSession != 8 {
		t.Errorf("defaults: %v, %d, %v; want no trusted proxy and 8 sockets", c.trustedProxies, c.maxSocketsPerSession, err)
	}
}

// jsonLines fails unless every line of b is a JSON object, and returns them.
func jsonLines(t *testing.T, what string, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Errorf("%s: a line is not JSON (%v): %q", what, err, sc.Text())
			continue
		}
		out = append(out, m)
	}
	return out
}

// TestJSONLogsOnlyJSON runs the program with PHONGHOP_LOG_FORMAT=json and a
// demo meeting: every line on stdout and stderr is JSON, the banner's
// facts are records, and the generated password appears nowhere (a record
// names its file). Start-up errors are JSON too.
func TestJSONLogsOnlyJSON(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"PHONGHOP_DATA": data, "PHONGHOP_ADDR": "127.0.0.1:0", "PHONGHOP_LOG_FORMAT": "json"}
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"-demo", "3"}, func(k string) string { return env[k] }, stdout, stderr)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stderr.String(), `"msg":"serving"`) {
		select {
		case err := <-errc:
			t.Fatalf("run returned early: %v\n%s", err, stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no serving record after 30 s:\n%s", stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("run = %v", err)
	}
	if stdout.String() != "" {
		t.Errorf("stdout in JSON mode = %q; want nothing (records go to stderr)", stdout)
	}
	records := jsonLines(t, "stderr", []byte(stderr.String()))
	pw, err := os.ReadFile(filepath.Join(data, "initial-admin-password"))
	if err != nil || len(bytes.TrimSpace(pw)) < 8 {
		t.Fatalf("password file: %q, %v", pw, err)
	}
	if strings.Contains(stdout.String()+stderr.String(), string(bytes.TrimSpace(pw))) {
		t.Errorf("the generated password was written to the logs")
	}
	msgs := map[string]map[string]any{}
	codes := map[string]int{}
	for _, r := range records {
		msg, _ := r["msg"].(string)
		msgs[msg] = r
		if msg == "demo pairing code" {
			codes[r["role"].(string)]++
		}
	}
	for _, want := range []string{"listening", "documents", "minutes archive", "archive signing key", "demo meeting", "demo console", "serving", "stopped"} {
		if msgs[want] == nil {
			t.Errorf("no %q record in:\n%s", want, stderr)
		}
	}
	if r := msgs["secretary account created; its generated password is in the file"]; r == nil || r["password_file"] != filepath.Join(data, "initial-admin-password") || r["user"] != "thuky" {
		t.Errorf("the record of the secretary account = %v; want the user and the password file", r)
	}
	if codes["delegate"] != 3 || codes["hall"] != 1 {
		t.Errorf("pairing code records by role = %v; want 3 delegates and the hall screen", codes)
	}

	// A start-up error in JSON mode: one JSON record, main prints nothing.
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{nil, map[string]string{"PHONGHOP_LOG_FORMAT": "json", "PHONGHOP_DEMO": "ba"}, "PHONGHOP_DEMO"},
		{[]string{"-log-format", "json", "-khong-co"}, nil, "khong-co"},
		{[]string{"-log-format=json", "-addr", "localhost"}, nil, "-addr"},
	} {
		var out, errb bytes.Buffer
		err := run(context.Background(), tc.args, func(k string) string { return tc.env[k] }, &out, &errb)
		var rep reportedError
		if err == nil || !errors.As(err, &rep) || exitMessage(err) != "" {
			t.Errorf("run(%v, %v) = %v; want an error already logged", tc.args, tc.env, err)
		}
		recs := jsonLines(t, "stderr of a failed start", errb.Bytes())
		if out.Len() != 0 || len(recs) != 1 || recs[0]["level"] != "ERROR" || !strings.Contains(recs[0]["err"].(string), tc.want) {
			t.Errorf("run(%v, %v): stdout %q, stderr %q; want one ERROR record naming %s", tc.args, tc.env, out.String(), errb.String(), tc.want)
		}
	}
}
