package pgtest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/phonghop/phonghop/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func count(t *testing.T, url string) (int, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, err
	}
	defer c.Close(ctx)
	var n int
	err = c.QueryRow(ctx, "SELECT count(*) FROM t").Scan(&n)
	return n, err
}

// TestDatabasesAreSeparate: two databases of the shared server do not see
// each other's tables.
func TestDatabasesAreSeparate(t *testing.T) {
	srv := pgtest.Shared(t)
	a, b := srv.NewDatabase(t), srv.NewDatabase(t)
	if a == b {
		t.Fatalf("NewDatabase returned %s twice", a)
	}
	ctx := context.Background()
	c, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "CREATE TABLE t (x int); INSERT INTO t VALUES (1), (2)"); err != nil {
		t.Fatal(err)
	}
	if n, err := count(t, a); err != nil || n != 2 {
		t.Errorf("count in a = %d, %v; want 2", n, err)
	}
	if _, err := count(t, b); err == nil {
		t.Error("database b sees a's table")
	}
}

// TestKillAndRestart: a committed row survives SIGKILL of the server;
// clients fail while it is down and connect again after Restart.
func TestKillAndRestart(t *testing.T) {
	srv := pgtest.Start(t, pgtest.Options{})
	url := srv.NewDatabase(t)
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, "CREATE TABLE t (x int); INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, "SELECT 1"); err == nil {
		t.Error("a query on a connection to a killed server succeeded")
	}
	c.Close(ctx)
	if _, err := count(t, url); err == nil {
		t.Error("connected to a killed server")
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	if n, err := count(t, url); err != nil || n != 1 {
		t.Errorf("after kill and restart: count = %d, %v; want 1", n, err)
	}
	if err := srv.Restart(); err == nil {
		t.Error("Restart of a running server = nil; want an error")
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Stop(); err != nil {
		t.Errorf("second Stop = %v; want nil", err)
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	if n, err := count(t, url); err != nil || n != 1 {
		t.Errorf("after stop and restart: count = %d, %v; want 1", n, err)
	}
	var pe interface{ SQLState() string }
	if _, err := count(t, srv.URL("nope")); !errors.As(err, &pe) || pe.SQLState() != "3D000" {
		t.Errorf("connect to a missing database: %v; want SQLSTATE 3D000", err)
	}
}
