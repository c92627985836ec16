//go:build unix

package localpg

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Port is the port number in the cluster's socket name. The cluster listens
// on no TCP port, so it cannot collide with another server.
const Port = 5432

// Database is the database triaged uses inside the cluster.
const Database = "triaged"

// superuser is the role initdb creates and triaged connects as. Only the
// cluster's owner (and root) can reach the socket, so trust auth is safe.
const superuser = "postgres"

// Options configure a private cluster.
type Options struct {
	Dir    string // where the cluster lives; created if missing
	BinDir string // PostgreSQL server binaries; found automatically if empty
	User   string // system user to run as when triaged runs as root; default "postgres"
	// Fast trades durability for speed (no fsync): for tests only.
	Fast bool
	Log  *slog.Logger
}

// Cluster is a running private PostgreSQL server.
type Cluster struct {
	log     *slog.Logger
	dataDir string
	sockDir string
	tmpSock bool // sockDir is a temporary directory to remove on Stop
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
	logPath string
}

// Start initialises the cluster if needed, recovers from a previous crash,
// starts the server and waits until it accepts connections and the triaged
// database exists. If ctx ends first, the server is stopped again.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	bin, err := FindBinaries(opts.BinDir)
	if err != nil {
		return nil, err
	}
	owner, err := clusterOwner(opts.User)
	if err != nil {
		return nil, err
	}
	root, err := prepareDirs(opts.Dir, owner)
	if err != nil {
		return nil, err
	}
	c := &Cluster{
		log:     opts.Log,
		dataDir: filepath.Join(root, "data"),
		logPath: filepath.Join(root, "postgres.log"),
		exited:  make(chan struct{}),
	}
	if err := c.initdb(ctx, bin, owner); err != nil {
		return nil, err
	}
	if err := stopLeftover(ctx, c.dataDir, opts.Log); err != nil {
		return nil, err
	}
	if c.sockDir, c.tmpSock, err = socketDir(root, owner); err != nil {
		return nil, err
	}
	if err := c.start(bin, owner, opts.Fast); err != nil {
		c.removeSocketDir()
		return nil, err
	}
	if err := c.waitReady(ctx); err != nil {
		c.Stop()
		return nil, err
	}
	opts.Log.Info("embedded postgres ready", "dir", c.dataDir, "socket", c.sockDir, "pid", c.cmd.Process.Pid)
	return c, nil
}

// URL returns a connection URL for database db in the cluster.
func (c *Cluster) URL(db string) string {
	q := url.Values{"host": {c.sockDir}, "port": {fmt.Sprint(Port)}, "sslmode": {"disable"}}
	return (&url.URL{Scheme: "postgres", User: url.User(superuser), Path: "/" + db, RawQuery: q.Encode()}).String()
}

// Exited is closed when the server process ends, whether stopped or crashed.
func (c *Cluster) Exited() <-chan struct{} { return c.exited }

// Stop shuts the server down: a fast shutdown (disconnect clients, checkpoint)
// first, then an immediate one, then a kill if it still has not gone.
func (c *Cluster) Stop() error {
	defer c.removeSocketDir()
	for _, step := range []struct {
		sig  os.Signal
		wait time.Duration
	}{{syscall.SIGINT, 30 * time.Second}, {syscall.SIGQUIT, 5 * time.Second}, {syscall.SIGKILL, 5 * time.Second}} {
		if err := c.cmd.Process.Signal(step.sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("stop embedded postgres: %w", err)
		}
		select {
		case <-c.exited:
			c.log.Info("embedded postgres stopped", "signal", step.sig.String())
			return nil
		case <-time.After(step.wait):
		}
	}
	return fmt.Errorf("stop embedded postgres: pid %d did not exit", c.cmd.Process.Pid)
}

func (c *Cluster) removeSocketDir() {
	if c.tmpSock {
		os.RemoveAll(c.sockDir)
	}
}

func (c *Cluster) initdb(ctx context.Context, bin string, owner *account) error {
	if _, err := os.Stat(filepath.Join(c.dataDir, "PG_VERSION")); err == nil {
		return nil
	}
	// initdb into a side directory and rename it when complete, so a crash
	// half-way never leaves something that looks like a cluster.
	tmp := c.dataDir + ".init"
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("remove incomplete cluster %s: %w", tmp, err)
	}
	c.log.Info("initialising embedded postgres", "dir", c.dataDir)
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "initdb"),
		"-D", tmp, "-U", superuser, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-instructions")
	cmd.SysProcAttr = owner.procAttr()
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb %s: %w\n%s", tmp, err, tail(out, 2000))
	}
	if err := os.Rename(tmp, c.dataDir); err != nil {
		return fmt.Errorf("initdb: %w", err)
	}
	return nil
}

func (c *Cluster) start(bin string, owner *account, fast bool) error {
	logf, err := os.OpenFile(c.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open postgres log: %w", err)
	}
	defer logf.Close() // the child keeps its own descriptor
	args := []string{"-D", c.dataDir, "-k", c.sockDir, "-p", fmt.Sprint(Port),
		"-c", "listen_addresses=", "-c", "unix_socket_permissions=0700", "-c", "max_connections=200"}
	if fast {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	c.cmd = exec.Command(filepath.Join(bin, "postgres"), args...)
	c.cmd.Stdout, c.cmd.Stderr = logf, logf
	c.cmd.Env = append(os.Environ(), "LC_ALL=C")
	c.cmd.SysProcAttr = owner.procAttr()
	// Own process group: a Ctrl-C on the terminal reaches triaged, which then
	// stops the cluster in order, instead of killing both at once.
	c.cmd.SysProcAttr.Setpgid = true
	setParentDeathSignal(c.cmd.SysProcAttr)
	if err := c.cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	go func() {
		c.waitErr = c.cmd.Wait()
		close(c.exited)
	}()
	return nil
}

func (c *Cluster) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		conn, err := pgx.Connect(ctx, c.URL("postgres"))
		if err == nil {
			defer conn.Close(context.Background())
			return ensureDatabase(ctx, conn)
		}
		select {
		case <-c.exited:
			logTail, _ := readTail(c.logPath, 2000)
			return fmt.Errorf("embedded postgres exited during start-up (%v); log %s:\n%s", c.waitErr, c.logPath, logTail)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("embedded postgres did not accept connections within 60s: %w (log: %s)", err, c.logPath)
		}
	}
}

func ensureDatabase(ctx context.Context, conn *pgx.Conn) error {
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, Database).Scan(&exists); err != nil {
		return fmt.Errorf("embedded postgres: %w", err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+Database); err != nil {
		return fmt.Errorf("embedded postgres: create database: %w", err)
	}
	return nil
}
