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

// TestDockerComposeMatchesConfig parses docker-compose.yml (plain YAML with
// go.yaml.in/yaml/v3, already a dependency: compose-go would bring in a
// large tree of modules for what is a check of names) and checks that the
// server's environment uses only names the server reads, wires the
// document store to the MinIO service with MinIO's own credentials, and
// that the README's configuration table lists every name.
func TestDockerComposeMatchesConfig(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			Volumes     []string          `yaml:"volumes"`
			DependsOn   map[string]any    `yaml:"depends_on"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	srv, ok := compose.Services["phonghop"]
	if !ok {
		t.Fatal("no phonghop service")
	}
	minio, ok := compose.Services["minio"]
	if !ok {
		t.Fatal("no minio service")
	}
	read := readNames(t)
	for name := range srv.Environment {
		if strings.HasPrefix(name, "PHONGHOP_") && !slices.Contains(read, name) {
			t.Errorf("docker-compose.yml sets %s, which the server does not read", name)
		}
	}
	env := srv.Environment
	for _, name := range []string{"PHONGHOP_S3_ENDPOINT", "PHONGHOP_S3_ACCESS_KEY", "PHONGHOP_S3_SECRET_KEY", "PHONGHOP_S3_BUCKET", "PHONGHOP_S3_TLS", "PHONGHOP_DATA"} {
		if env[name] == "" {
			t.Errorf("docker-compose.yml: the server's %s is not set", name)
		}
	}
	// The endpoint is the MinIO service on MinIO's API port (its command
	// sets no --address, so 9000).
	host, port, _ := strings.Cut(env["PHONGHOP_S3_ENDPOINT"], ":")
	if _, ok := compose.Services[host]; !ok || host != "minio" || port != "9000" || slices.Contains(minio.Command, "--address") {
		t.Errorf("PHONGHOP_S3_ENDPOINT = %q; want minio:9000, the MinIO service's API", env["PHONGHOP_S3_ENDPOINT"])
	}
	if _, ok := srv.DependsOn["minio"]; !ok {
		t.Error("the server does not depend on minio")
	}
	// The keys are MinIO's root credentials, from the same variables.
	ref := regexp.MustCompile(`^\$\{([A-Z_]+)`)
	for server, own := range map[string]string{"PHONGHOP_S3_ACCESS_KEY": "MINIO_ROOT_USER", "PHONGHOP_S3_SECRET_KEY": "MINIO_ROOT_PASSWORD"} {
		s, m := ref.FindStringSubmatch(env[server]), ref.FindStringSubmatch(minio.Environment[own])
		if s == nil || m == nil || s[1] != m[1] {
			t.Errorf("%s = %q and MinIO's %s = %q; want the same variable", server, env[server], own, minio.Environment[own])
		}
	}
	if tls, err := onOff(env["PHONGHOP_S3_TLS"]); err != nil || tls {
		t.Errorf("PHONGHOP_S3_TLS = %q; want off (plain HTTP inside the compose network)", env["PHONGHOP_S3_TLS"])
	}
	// The whole server configuration parses from the compose file's values
	// (with the ${VAR:-default} and ${VAR:?msg} forms resolved to examples).
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
	if err != nil || c.s3.Endpoint != "minio:9000" || c.s3.Bucket == "" || c.data != "/data" {
		t.Errorf("the compose environment parses to %+v, %v", c, err)
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
