//go:build unix

package localpg

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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

// TestRefusesDataDirOthersCanChange starts clusters in directories that
// another local user could write to, and so swap the cluster for one of
// their own: each is refused with an error naming the directory and how to
// fix it, before anything is written there.
func TestRefusesDataDirOthersCanChange(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		setup func(t *testing.T, dir string) (bad string)
		want  string
	}{
		{"world-writable data directory", func(t *testing.T, dir string) string {
			mkdir(t, dir, 0o777)
			return dir
		}, "chmod go-w"},
		{"group-writable data directory", func(t *testing.T, dir string) string {
			mkdir(t, dir, 0o770)
			return dir
		}, "chmod go-w"},
		{"world-writable cluster directory", func(t *testing.T, dir string) string {
			mkdir(t, dir, 0o711)
			mkdir(t, filepath.Join(dir, "postgres"), 0o777)
			if owner, _ := clusterOwner(""); owner != nil {
				owner.chown(filepath.Join(dir, "postgres"))
			}
			return filepath.Join(dir, "postgres")
		}, "chmod go-w"},
		{"world-writable parent", func(t *testing.T, dir string) string {
			os.Chmod(filepath.Dir(dir), 0o777)
			return filepath.Dir(dir)
		}, "writable by"},
		{"parent owned by another user", func(t *testing.T, dir string) string {
			if err := os.Chown(filepath.Dir(dir), nobody, nobody); err != nil {
				t.Skipf("cannot hand a directory to another user without root: %v", err)
			}
			return filepath.Dir(dir)
		}, "belongs to uid 65534"},
		{"data directory owned by another user", func(t *testing.T, dir string) string {
			mkdir(t, dir, 0o700)
			if err := os.Chown(dir, nobody, nobody); err != nil {
				t.Skipf("cannot hand a directory to another user without root: %v", err)
			}
			return dir
		}, "belongs to uid 65534"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := clusterDir(t)
			bad := tt.setup(t, dir)
			c, err := Start(context.Background(), Options{Dir: dir, Fast: true, Log: slog.New(slog.DiscardHandler)})
			if err == nil {
				c.Stop()
			}
			if err == nil || !strings.Contains(err.Error(), bad+" ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error naming %s that says %q", err, bad, tt.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "postgres", "data")); !os.IsNotExist(err) {
				t.Errorf("a cluster was initialised in the refused directory (stat: %v)", err)
			}
		})
	}
}

// nobody is the conventional unprivileged user, not the cluster's.
const nobody = 65534

// TestAcceptsPrivateDataDir: a directory under a sticky, world-writable
// parent (/tmp), and, as root, a cluster directory that belongs to the
// cluster's user with mode 0700, are the ordinary cases and pass.
func TestAcceptsPrivateDataDir(t *testing.T) {
	t.Parallel()
	owner, err := clusterOwner("")
	if err != nil {
		t.Fatal(err)
	}
	sticky := filepath.Join(t.TempDir(), "shared")
	mkdir(t, sticky, 0o777|os.ModeSticky)
	for _, dir := range []string{filepath.Join(sticky, "data"), clusterDir(t)} {
		root, err := prepareDirs(dir, owner)
		if err != nil {
			t.Fatalf("prepareDirs(%s): %v", dir, err)
		}
		fi, _ := os.Stat(root)
		if uid := fi.Sys().(*syscall.Stat_t).Uid; owner != nil && uid != owner.uid || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: uid %d, mode %04o; want the cluster's user and 0700", root, uid, fi.Mode().Perm())
		}
		if _, err := prepareDirs(dir, owner); err != nil { // again, as at a restart
			t.Errorf("prepareDirs(%s) a second time: %v", dir, err)
		}
	}
}

func mkdir(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	if err := os.Mkdir(dir, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil { // past the umask
		t.Fatal(err)
	}
}
