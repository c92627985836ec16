//go:build unix

package localpg

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// clusterDir returns a directory the cluster's user can reach even when the
// tests run as root (t.TempDir is 0700).
func clusterDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for p := dir; p != "/" && p != os.TempDir(); p = filepath.Dir(p) {
		os.Chmod(p, 0o711)
	}
	return filepath.Join(dir, "data")
}

func queryOne(t *testing.T, c *Cluster) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.URL(Database))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT 1`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("SELECT 1: got %d, %v", n, err)
	}
}

func TestStartStopRestart(t *testing.T) {
	t.Parallel()
	dir := clusterDir(t)
	opts := Options{Dir: dir, Fast: true, Log: slog.New(slog.DiscardHandler)}
	for round := range 2 {
		c, err := Start(context.Background(), opts)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		queryOne(t, c)
		if err := c.Stop(); err != nil {
			t.Fatalf("round %d: stop: %v", round, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "postgres", "data", "postmaster.pid")); !os.IsNotExist(err) {
			t.Fatalf("round %d: postmaster.pid still there after Stop (err %v)", round, err)
		}
	}
}

// TestStopsLeftoverServer starts a second cluster on a data directory whose
// server is still running, as after a crash of the triaged that owned it.
func TestStopsLeftoverServer(t *testing.T) {
	t.Parallel()
	opts := Options{Dir: clusterDir(t), Fast: true, Log: slog.New(slog.DiscardHandler)}
	orphan, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Start(context.Background(), opts)
	if err != nil {
		orphan.Stop()
		t.Fatalf("start over a running server: %v", err)
	}
	defer c.Stop()
	select {
	case <-orphan.Exited():
	default:
		t.Fatal("the leftover server is still running")
	}
	queryOne(t, c)
}

func TestNoBinaries(t *testing.T) {
	t.Parallel()
	_, err := Start(context.Background(), Options{Dir: t.TempDir(), BinDir: "/nonexistent/bin"})
	if !errors.Is(err, ErrNoBinaries) {
		t.Fatalf("got %v, want ErrNoBinaries", err)
	}
	if !strings.Contains(err.Error(), "--database-url") {
		t.Errorf("error %q does not say how to use an external server", err)
	}
}

func TestDataDirIsAFile(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	_, err := Start(context.Background(), Options{Dir: file})
	if err == nil || !strings.Contains(err.Error(), file) {
		t.Fatalf("got %v, want an error naming %s", err, file)
	}
}

func TestDataDirUnreachableByClusterUser(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("only root hands the cluster to another user") // not an environment gap: the case cannot arise
	}
	locked := t.TempDir() // 0700, owned by root
	_, err := Start(context.Background(), Options{Dir: filepath.Join(locked, "data")})
	if err == nil || !strings.Contains(err.Error(), "cannot enter") {
		t.Fatalf("got %v, want an error saying the cluster user cannot enter the directory", err)
	}
}
