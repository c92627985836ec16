//go:build unix

package localpg

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// stopLeftover deals with a server left running by a triaged that was killed
// without stopping it (on platforms where the parent-death signal does not
// exist, or when it raced). A stale pid file of a process that has gone is
// left for PostgreSQL, which handles it itself.
func stopLeftover(ctx context.Context, dataDir string, log *slog.Logger) error {
	pid, err := postmasterPID(dataDir)
	if err != nil || pid <= 0 || !alive(pid) || !isPostgres(pid) {
		return nil
	}
	log.Warn("stopping embedded postgres left running by an earlier triaged", "pid", pid)
	if err := syscall.Kill(pid, syscall.SIGINT); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("stop leftover postgres (pid %d): %w", pid, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGQUIT)
			return fmt.Errorf("leftover postgres (pid %d) in %s did not stop within 30s; stop it and retry", pid, dataDir)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

func postmasterPID(dataDir string) (int, error) {
	f, err := os.Open(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	if !s.Scan() {
		return 0, errors.New("empty postmaster.pid")
	}
	return strconv.Atoi(strings.TrimSpace(s.Text()))
}

// alive reports whether process pid is running. A zombie is not: it has
// exited and released everything, it only waits to be reaped by a parent
// (or a subreaper) that may never do it.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && i+2 < len(stat) {
			if state := stat[i+2]; state == 'Z' || state == 'X' {
				return false
			}
		}
	}
	return true
}

// isPostgres guards against signalling an unrelated process that reused the
// pid. Without /proc it trusts the pid file.
func isPostgres(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return !dirExists("/proc/self")
	}
	return strings.Contains(string(b), "postgres")
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

func readTail(path string, n int) (string, error) {
	b, err := os.ReadFile(path)
	return tail(b, n), err
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return strings.TrimSpace(string(b))
}
