package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/phonghop/phonghop/server/postgres"
)

// TestClusterBadDatabaseAtStart runs the binary, as an operator would,
// with a PHONGHOP_DATABASE_URL that cannot work: a port where nothing
// answers (a firewall that drops packets), a server that is not
// PostgreSQL, a role that does not exist, and a database written by a
// newer version. Each start fails within its bound, exit status 1, with a
// message naming the setting and saying what is wrong, without the
// password; and nothing is written anywhere: no data directory, no
// bucket, no row. (cmd/phonghop's own tests check more URLs through run:
// a wrong scheme, a malformed URL, a refused port, a missing database,
// local documents.)
func TestClusterBadDatabaseAtStart(t *testing.T) {
	b := startBacking(t)
	ctx := context.Background()
	newer := b.pg.NewDatabase(t)
	db, err := postgres.Open(ctx, newer)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := execOn(ctx, newer, "INSERT INTO schema_migrations VALUES ('9999_tuong_lai.sql', 'x', 0)"); err != nil {
		t.Fatal(err)
	}
	var migrations int
	if err := queryOn(ctx, newer, "SELECT count(*) FROM schema_migrations", &migrations); err != nil {
		t.Fatal(err)
	}
	// A port that accepts connections and never answers.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	const pw = "mat-khau-bi-mat-42"
	withPassword := func(u string) string { return strings.Replace(u, "postgres@", "postgres:"+pw+"@", 1) }
	tests := []struct {
		name   string
		url    string
		within time.Duration
		want   []string // in stderr
	}{
		{"nothing answers", fmt.Sprintf("postgres://postgres:%s@%s/phonghop?connect_timeout=2", pw, silent.Addr()), 15 * time.Second,
			[]string{"PHONGHOP_DATABASE_URL", "cannot reach", silent.Addr().String()}},
		{"not PostgreSQL", fmt.Sprintf("postgres://postgres:%s@%s/phonghop?connect_timeout=5", pw, b.mio.Endpoint), 15 * time.Second,
			[]string{"PHONGHOP_DATABASE_URL", "cannot reach", b.mio.Endpoint}},
		{"unknown role", strings.Replace(b.pg.URL("postgres"), "postgres@", "khong_co_ai:"+pw+"@", 1), 15 * time.Second,
			[]string{"PHONGHOP_DATABASE_URL", "khong_co_ai"}},
		{"newer schema", withPassword(newer), 15 * time.Second,
			[]string{"PHONGHOP_DATABASE_URL", "newer version", "9999_tuong_lai.sql"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			bucket := "khong-duoc-tao-" + strings.ReplaceAll(strings.ReplaceAll(tt.name, " ", "-"), "PostgreSQL", "pg")
			bucket = strings.ToLower(bucket)
			cmd := exec.Command(binary, "-addr", "127.0.0.1:0", "-data", data)
			cmd.Env = append(os.Environ(), "PHONGHOP_ADMIN_PASSWORD="+adminPassword, "PHONGHOP_DATABASE_URL="+tt.url,
				"PHONGHOP_S3_ENDPOINT="+b.mio.Endpoint, "PHONGHOP_S3_ACCESS_KEY="+b.mio.AccessKey,
				"PHONGHOP_S3_SECRET_KEY="+b.mio.SecretKey, "PHONGHOP_S3_BUCKET="+bucket)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			start := time.Now()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var err error
			select {
			case err = <-done:
			case <-time.After(tt.within + 30*time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("phonghop still running %v after start; want it to give up within %v", time.Since(start), tt.within)
			}
			took := time.Since(start)
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Errorf("exit = %v; want status 1\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
			}
			if took > tt.within {
				t.Errorf("gave up after %v; want within %v", took, tt.within)
			}
			msg := stderr.String()
			t.Logf("stderr: %s", msg)
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("stderr does not mention %q:\n%s", w, msg)
				}
			}
			if strings.Contains(msg+stdout.String(), pw) {
				t.Errorf("the output shows the password:\n%s%s", stdout.String(), msg)
			}
			if _, err := os.Stat(data); !os.IsNotExist(err) {
				t.Errorf("the data directory was created (%v)", err)
			}
			mc, err := minio.New(b.mio.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(b.mio.AccessKey, b.mio.SecretKey, "")})
			if err != nil {
				t.Fatal(err)
			}
			for _, bk := range []string{bucket, bucket + "-archive"} {
				if ok, err := mc.BucketExists(ctx, bk); err != nil || ok {
					t.Errorf("bucket %s exists = %v, %v; want nothing created", bk, ok, err)
				}
			}
		})
	}
	// The newer database is as it was: no account, no other migration.
	var accounts, after int
	if err := queryOn(ctx, newer, "SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM schema_migrations)", &accounts, &after); err != nil {
		t.Fatal(err)
	}
	if accounts != 0 || after != migrations {
		t.Errorf("the newer database has %d accounts and %d migrations; want 0 and the %d it had", accounts, after, migrations)
	}
	// Nobody made the unknown role.
	var roles int
	if err := queryOn(ctx, b.pg.URL("postgres"), "SELECT count(*) FROM pg_roles WHERE rolname = 'khong_co_ai'", &roles); err != nil || roles != 0 {
		t.Errorf("role khong_co_ai: %d, %v; want none", roles, err)
	}
}

// execOn runs sql on the database at url.
func execOn(ctx context.Context, url, sql string) error {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, sql)
	return err
}

// queryOn scans one row of sql on the database at url.
func queryOn(ctx context.Context, url, sql string, dest ...any) error {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	return c.QueryRow(ctx, sql).Scan(dest...)
}
