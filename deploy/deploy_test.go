// Package deploy holds the files docker-compose.yml mounts (the load
// balancer's configuration, MinIO's set-up) and the test that validates the
// compose file with compose-go, the library docker compose itself uses.
package deploy

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// serverShutdown is the server's own graceful shutdown timeout
// (cmd/phonghop -shutdown-timeout default).
const serverShutdown = 15 * time.Second

var digestRef = regexp.MustCompile(`^[a-z0-9./-]+:[A-Za-z0-9._-]+@sha256:[0-9a-f]{64}$`)

func loadCompose(t *testing.T) *types.Project {
	t.Helper()
	env := []string{
		"PHONGHOP_ADMIN_PASSWORD=mat-khau-thu", "POSTGRES_PASSWORD=pg-thu", "MINIO_ROOT_USER=root-thu",
		"MINIO_ROOT_PASSWORD=root-mat-khau", "PHONGHOP_S3_SECRET_KEY=node-mat-khau",
	}
	opts, err := cli.NewProjectOptions([]string{filepath.Join("..", "docker-compose.yml")},
		cli.WithEnv(env), cli.WithWorkingDirectory(".."), cli.WithName("phonghop"), cli.WithConsistency(true))
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	return p
}

// TestComposeValid loads docker-compose.yml as docker compose would and
// checks what the many-node set-up promises: two server nodes on
// PostgreSQL and MinIO behind a load balancer; every image pinned by
// digest; healthchecks; a stop grace period above the server's shutdown
// timeout; the nodes' MinIO credentials not the root ones; the balancer
// trusted and nothing else.
func TestComposeValid(t *testing.T) {
	p := loadCompose(t)
	var nodes []types.ServiceConfig
	for _, s := range p.Services {
		if s.Image != "phonghop:latest" && !digestRef.MatchString(s.Image) {
			t.Errorf("service %s: image %q is not pinned by digest (tag@sha256:…)", s.Name, s.Image)
		}
		if s.Name != "minio-init" && s.HealthCheck == nil {
			t.Errorf("service %s has no healthcheck", s.Name)
		}
		if s.Build != nil {
			nodes = append(nodes, s)
		}
	}
	if len(nodes) != 2 {
		t.Fatalf("%d server nodes; want 2", len(nodes))
	}
	for _, n := range nodes {
		env := func(k string) string {
			if v := n.Environment[k]; v != nil {
				return *v
			}
			return ""
		}
		if n.StopGracePeriod == nil || time.Duration(*n.StopGracePeriod) <= serverShutdown {
			t.Errorf("%s: stop_grace_period %v; want more than the server's %v shutdown", n.Name, n.StopGracePeriod, serverShutdown)
		}
		if !strings.HasPrefix(env("PHONGHOP_DATABASE_URL"), "postgres://") {
			t.Errorf("%s: PHONGHOP_DATABASE_URL = %q; want PostgreSQL", n.Name, env("PHONGHOP_DATABASE_URL"))
		}
		if env("PHONGHOP_S3_ENDPOINT") == "" {
			t.Errorf("%s: no S3 endpoint: many nodes need object storage", n.Name)
		}
		if env("PHONGHOP_S3_ACCESS_KEY") == "root-thu" || env("PHONGHOP_S3_SECRET_KEY") == "root-mat-khau" {
			t.Errorf("%s uses MinIO's root credentials", n.Name)
		}
		if env("PHONGHOP_TRUSTED_PROXIES") == "" {
			t.Errorf("%s trusts no proxy: behind the balancer every client would be one address", n.Name)
		}
		if len(n.Ports) > 0 {
			t.Errorf("%s publishes ports: only the balancer should", n.Name)
		}
	}
	lb, err := p.GetService("lb")
	if err != nil {
		t.Fatal(err)
	}
	var lbIP string
	for _, net := range lb.Networks {
		if net != nil {
			lbIP = net.Ipv4Address
		}
	}
	if lbIP == "" || nodes[0].Environment["PHONGHOP_TRUSTED_PROXIES"] == nil || *nodes[0].Environment["PHONGHOP_TRUSTED_PROXIES"] != lbIP {
		t.Errorf("the nodes should trust exactly the balancer's address %q", lbIP)
	}
}

// TestBalancerConfig: the balancer carries WebSockets, needs no sticky
// sessions, and sets X-Forwarded-For itself (a client's own is dropped).
func TestBalancerConfig(t *testing.T) {
	b, err := os.ReadFile("nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string // without comments
	for _, l := range strings.Split(string(b), "\n") {
		l, _, _ = strings.Cut(l, "#")
		lines = append(lines, l)
	}
	conf := strings.Join(lines, "\n")
	for _, want := range []string{"proxy_set_header Upgrade $http_upgrade", "proxy_set_header Connection $connection_upgrade",
		"proxy_set_header X-Forwarded-For $remote_addr", "server phonghop-a:8080", "server phonghop-b:8080"} {
		if !strings.Contains(conf, want) {
			t.Errorf("nginx.conf lacks %q", want)
		}
	}
	for _, sticky := range []string{"ip_hash", "sticky", "hash $", "$proxy_add_x_forwarded_for"} {
		if strings.Contains(conf, sticky) {
			t.Errorf("nginx.conf has %q", sticky)
		}
	}
}

// TestDockerfileNonRoot: the image runs as its non-root user over a /data
// that user owns, with base images pinned by digest.
func TestDockerfileNonRoot(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	for _, want := range []string{"USER 65532:65532", "--chown=65532:65532", " /data"} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	for _, line := range strings.Split(df, "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "FROM" && !digestRef.MatchString(f[1]) {
			t.Errorf("Dockerfile base %q is not pinned by digest", f[1])
		}
	}
}
