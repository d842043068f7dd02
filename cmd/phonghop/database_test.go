package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/phonghop/phonghop/docs-storage/miniotest"
	"github.com/phonghop/phonghop/internal/pgtest"
	"github.com/phonghop/phonghop/server/postgres"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// s3Env is a complete S3 configuration (never contacted by the failing
// starts below: the database is opened first).
func s3Env(env map[string]string) map[string]string {
	out := map[string]string{"PHONGHOP_S3_ENDPOINT": "127.0.0.1:1", "PHONGHOP_S3_ACCESS_KEY": "ak", "PHONGHOP_S3_SECRET_KEY": "sk", "PHONGHOP_S3_BUCKET": "tai-lieu"}
	for k, v := range env {
		out[k] = v
	}
	return out
}

// TestDatabaseURLRefused: a bad setting fails at start-up with a message
// naming it, and nothing is written (no data directory, no table).
func TestDatabaseURLRefused(t *testing.T) {
	srv := pgtest.Shared(t)
	newer := srv.NewDatabase(t)
	db, err := postgres.Open(context.Background(), newer)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, newer)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "INSERT INTO schema_migrations VALUES ('9999_future.sql', 'x', 0)"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		want []string // in the error
	}{
		{"local documents", map[string]string{"PHONGHOP_DATABASE_URL": srv.URL("x")}, []string{"PHONGHOP_DATABASE_URL", "S3", "PHONGHOP_S3_ENDPOINT"}},
		{"not postgres", s3Env(map[string]string{"PHONGHOP_DATABASE_URL": "mysql://u@h/db"}), []string{"PHONGHOP_DATABASE_URL", "postgres://"}},
		{"malformed", s3Env(map[string]string{"PHONGHOP_DATABASE_URL": "postgres://u:mat-khau@h:cong/db"}), []string{"PHONGHOP_DATABASE_URL", "invalid database URL"}},
		{"unreachable", s3Env(map[string]string{"PHONGHOP_DATABASE_URL": "postgres://u:mat-khau@127.0.0.1:1/db"}), []string{"PHONGHOP_DATABASE_URL", "cannot reach", "127.0.0.1:1"}},
		{"no such database", s3Env(map[string]string{"PHONGHOP_DATABASE_URL": srv.URL("khong_co")}), []string{"PHONGHOP_DATABASE_URL", "khong_co"}},
		{"newer schema", s3Env(map[string]string{"PHONGHOP_DATABASE_URL": newer}), []string{"PHONGHOP_DATABASE_URL", "newer version", "9999_future.sql"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			tt.env["PHONGHOP_DATA"] = data
			var stdout bytes.Buffer
			err := run(context.Background(), []string{"-addr", "127.0.0.1:0"}, func(k string) string { return tt.env[k] }, &stdout, &bytes.Buffer{})
			if err == nil {
				t.Fatal("run = nil; want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "mat-khau") {
				t.Errorf("the error shows the password: %v", err)
			}
			if _, err := os.Stat(data); !os.IsNotExist(err) {
				t.Errorf("the data directory was created (%v)", err)
			}
		})
	}
	var n int
	if err := c.QueryRow(ctx, "SELECT count(*) FROM accounts").Scan(&n); err != nil || n != 0 {
		t.Errorf("accounts in the newer database = %d, %v; want 0 (nothing written)", n, err)
	}
}

// TestServeOnPostgres starts the server on PostgreSQL and MinIO: the
// secretary account is created in PostgreSQL, the server answers, and
// verify-log reads the log from the database.
func TestServeOnPostgres(t *testing.T) {
	url := pgtest.Shared(t).NewDatabase(t)
	minio := miniotest.Start(t)
	env := map[string]string{
		"PHONGHOP_DATABASE_URL":   url,
		"PHONGHOP_S3_ENDPOINT":    minio.Endpoint,
		"PHONGHOP_S3_ACCESS_KEY":  minio.AccessKey,
		"PHONGHOP_S3_SECRET_KEY":  minio.SecretKey,
		"PHONGHOP_S3_BUCKET":      miniotest.RandomBucket("docs"),
		"PHONGHOP_ADMIN_PASSWORD": "mật khẩu đủ dài 123",
		"PHONGHOP_DATA":           filepath.Join(t.TempDir(), "data"),
		"PHONGHOP_DEMO":           "5",
	}
	addr, out, stop := startRun(t, []string{"-addr", "127.0.0.1:0"}, env)
	if !strings.Contains(out.String(), "PostgreSQL postgres://postgres@127.0.0.1") {
		t.Errorf("start-up output does not name the database:\n%s", out)
	}
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz = %v, %v", resp, err)
	}
	resp.Body.Close()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var accounts, events int
	if err := c.QueryRow(ctx, "SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM events)").Scan(&accounts, &events); err != nil {
		t.Fatal(err)
	}
	if accounts != 1 || events == 0 {
		t.Errorf("PostgreSQL holds %d accounts and %d events; want the secretary and the demo meeting's log", accounts, events)
	}
	var verify bytes.Buffer
	if err := run(ctx, []string{"verify-log"}, func(k string) string { return env[k] }, &verify, &bytes.Buffer{}); err != nil || !strings.Contains(verify.String(), " ok (") {
		t.Errorf("verify-log on PostgreSQL = %v:\n%s", err, verify.String())
	}
}
