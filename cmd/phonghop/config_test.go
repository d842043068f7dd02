package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// readNames returns the PHONGHOP_* variables parseConfig reads.
func readNames(t testing.TB) []string {
	t.Helper()
	seen := map[string]bool{}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if _, err := parseConfig(fs, nil, func(k string) string { seen[k] = true; return "" }); err != nil {
		t.Fatal(err)
	}
	var names []string
	for k := range seen {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func TestParseDocumentConfig(t *testing.T) {
	parse := func(args []string, env map[string]string) (config, error) {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		return parseConfig(fs, args, func(k string) string { return env[k] })
	}
	c, err := parse(nil, nil)
	if err != nil || c.s3.Endpoint != "" || c.maxUpload != 200<<20 {
		t.Fatalf("defaults = %+v, %v; want no S3 and 200 MiB", c, err)
	}
	env := map[string]string{"PHONGHOP_S3_ENDPOINT": "minio:9000", "PHONGHOP_S3_ACCESS_KEY": "ak", "PHONGHOP_S3_SECRET_KEY": "sk",
		"PHONGHOP_S3_BUCKET": "phonghop", "PHONGHOP_S3_TLS": "on", "PHONGHOP_MAX_UPLOAD": "50MB"}
	c, err = parse(nil, env)
	if err != nil || c.s3.Endpoint != "minio:9000" || c.s3.AccessKey != "ak" || c.s3.SecretKey != "sk" || c.s3.Bucket != "phonghop" || !c.s3.UseTLS || c.maxUpload != 50_000_000 {
		t.Errorf("from env = %+v, %v", c.s3, err)
	}
	// Flags override the environment (the secret key has no flag).
	c, err = parse([]string{"-s3-endpoint", "10.0.0.5:9000", "-s3-bucket", "hop", "-s3-tls=false", "-max-upload", "1GiB", "-s3-access-key", "k2"}, env)
	if err != nil || c.s3.Endpoint != "10.0.0.5:9000" || c.s3.Bucket != "hop" || c.s3.UseTLS || c.maxUpload != 1<<30 || c.s3.AccessKey != "k2" || c.s3.SecretKey != "sk" {
		t.Errorf("flags = %+v %d, %v", c.s3, c.maxUpload, err)
	}
	for _, bad := range []map[string]string{
		{"PHONGHOP_S3_ENDPOINT": "minio:9000"}, // no bucket, no keys
		{"PHONGHOP_S3_BUCKET": "x"},            // no endpoint
		{"PHONGHOP_S3_ENDPOINT": "http://minio:9000", "PHONGHOP_S3_BUCKET": "b", "PHONGHOP_S3_ACCESS_KEY": "a", "PHONGHOP_S3_SECRET_KEY": "s"}, // scheme
		{"PHONGHOP_S3_TLS": "có"},
		{"PHONGHOP_MAX_UPLOAD": "nhiều"},
		{"PHONGHOP_MAX_UPLOAD": "0"},
	} {
		if _, err := parse(nil, bad); err == nil {
			t.Errorf("parseConfig(env %v) = nil error; want one", bad)
		}
	}
	for _, name := range []string{"PHONGHOP_S3_ENDPOINT", "PHONGHOP_S3_ACCESS_KEY", "PHONGHOP_S3_SECRET_KEY", "PHONGHOP_S3_BUCKET", "PHONGHOP_S3_TLS", "PHONGHOP_MAX_UPLOAD"} {
		if !slices.Contains(readNames(t), name) {
			t.Errorf("parseConfig does not read %s", name)
		}
	}
}

// TestDockerComposeMatchesConfig parses docker-compose.yml (plain YAML;
// deploy/ validates it with compose-go) and checks that each server node's
// environment uses only names the server reads, points the documents at the
// MinIO service and the store at the PostgreSQL service, parses as a whole
// configuration, and that the README's configuration table lists every name
// the server reads.
func TestDockerComposeMatchesConfig(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Build       any               `yaml:"build"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	minio, ok := compose.Services["minio"]
	if !ok {
		t.Fatal("no minio service")
	}
	if _, ok := compose.Services["postgres"]; !ok {
		t.Fatal("no postgres service")
	}
	read := readNames(t)
	nodes := 0
	for name, srv := range compose.Services {
		if srv.Build == nil {
			continue
		}
		nodes++
		for k := range srv.Environment {
			if strings.HasPrefix(k, "PHONGHOP_") && !slices.Contains(read, k) {
				t.Errorf("%s sets %s, which the server does not read", name, k)
			}
		}
		env := srv.Environment
		host, port, _ := strings.Cut(env["PHONGHOP_S3_ENDPOINT"], ":")
		if host != "minio" || port != "9000" || slices.Contains(minio.Command, "--address") {
			t.Errorf("%s: PHONGHOP_S3_ENDPOINT = %q; want minio:9000, the MinIO service's API", name, env["PHONGHOP_S3_ENDPOINT"])
		}
		if !strings.Contains(env["PHONGHOP_DATABASE_URL"], "@postgres:5432/") {
			t.Errorf("%s: PHONGHOP_DATABASE_URL = %q; want the postgres service", name, env["PHONGHOP_DATABASE_URL"])
		}
		if tls, err := onOff(env["PHONGHOP_S3_TLS"]); err != nil || tls {
			t.Errorf("%s: PHONGHOP_S3_TLS = %q; want off (plain HTTP inside the compose network)", name, env["PHONGHOP_S3_TLS"])
		}
		// The whole configuration parses from the compose file's values
		// (${VAR:-default} and ${VAR:?msg} resolved to examples).
		resolve := regexp.MustCompile(`\$\{([A-Z0-9_]+)(:-([^}]*)|:\?[^}]*)?\}`)
		values := map[string]string{}
		for k, v := range env {
			values[k] = resolve.ReplaceAllStringFunc(v, func(m string) string {
				sm := resolve.FindStringSubmatch(m)
				if strings.HasPrefix(sm[2], ":-") {
					return sm[3] // the default, maybe empty
				}
				return "example-" + strings.ToLower(sm[1])
			})
		}
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		c, err := parseConfig(fs, nil, func(k string) string { return values[k] })
		if err != nil || c.s3.Endpoint != "minio:9000" || c.s3.Bucket == "" || c.data != "/data" || c.databaseURL == "" {
			t.Errorf("%s: the compose environment parses to %+v, %v", name, c, err)
		}
	}
	if nodes != 2 {
		t.Errorf("%d server nodes in docker-compose.yml; want 2", nodes)
	}

	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range read {
		if !strings.Contains(string(readme), "`"+name+"`") {
			t.Errorf("README.md's configuration table lacks %s", name)
		}
	}
}

// TestLocalDocumentStore: without S3 settings documents go to
// <data>/documents, uploads in progress to <data>/tmp (emptied at start).
func TestLocalDocumentStore(t *testing.T) {
	data := t.TempDir()
	stale := filepath.Join(data, "tmp", "upload-stale")
	if err := os.MkdirAll(filepath.Dir(stale), 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(stale, []byte("left by a crash"), 0o600)
	_, out, stop := startRun(t, []string{"-addr", "127.0.0.1:0", "-data", data, "-max-upload", "64MiB"}, map[string]string{})
	defer stop()
	want := "Tài liệu / documents: " + filepath.Join(data, "documents") + " (tối đa / at most 64 MiB a file)"
	if !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
	for _, dir := range []string{"documents/objects", "tmp"} {
		if st, err := os.Stat(filepath.Join(data, dir)); err != nil || !st.IsDir() {
			t.Errorf("%s: %v; want a directory", dir, err)
		}
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a stale upload survived the start: %v", err)
	}
}
