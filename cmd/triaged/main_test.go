package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/proctest"
)

// binary is triaged built once for the tests that need a real process:
// signals, exit codes, kill -9.
var binary string

func TestMain(m *testing.M) {
	bin, remove, err := proctest.Build(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	binary = bin
	code := m.Run()
	pgtest.Stop()
	remove()
	os.Exit(code)
}

// proc is a triaged process under test.
type proc struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	done   chan error
}

func start(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(binary, args...), stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// wait returns the exit code, failing the test if the process outlives d.
func (p *proc) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		p.done <- nil // let the cleanup's receive succeed
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(d):
		t.Fatalf("triaged still running after %v; stderr:\n%s", d, p.stderr)
		return -1
	}
}

func freeAddr(t *testing.T) string { return proctest.FreeAddr(t) }

// dataDir returns a data directory the embedded cluster's user can reach
// when the tests run as root.
func dataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for p := dir; p != "/" && p != os.TempDir(); p = filepath.Dir(p) {
		os.Chmod(p, 0o711)
	}
	return filepath.Join(dir, "state")
}

func waitReady(t *testing.T, p *proc, addr string) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.done:
			p.done <- nil
			t.Fatalf("triaged exited before ready; stderr:\n%s", p.stderr)
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("/readyz not 200 within 90s; stderr:\n%s", p.stderr)
}

// postgresProcesses lists the pids of postgres processes using dir.
func postgresProcesses(t *testing.T, dir string) []string {
	t.Helper()
	entries, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var pids []string
	for _, e := range entries {
		b, err := os.ReadFile(e)
		if err == nil && strings.Contains(string(b), "postgres") && strings.Contains(string(b), dir) {
			pids = append(pids, filepath.Base(filepath.Dir(e)))
		}
	}
	return pids
}

func noOrphans(t *testing.T, dir string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		pids := postgresProcesses(t, dir)
		if len(pids) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("postgres processes left running on %s: %v", dir, pids)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestServeEmbeddedStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	dir, addr := dataDir(t), freeAddr(t)
	p := start(t, nil, "serve", "--addr", addr, "--data-dir", dir)
	waitReady(t, p, addr)
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /: got %d, want 200", resp.StatusCode)
	}
	p.cmd.Process.Signal(os.Interrupt)
	if code := p.wait(t, 60*time.Second); code != 0 {
		t.Errorf("exit code after SIGINT: got %d, want 0; stderr:\n%s", code, p.stderr)
	}
	noOrphans(t, dir)
}

func TestServeRecoversAfterKill9(t *testing.T) {
	t.Parallel()
	dir, addr := dataDir(t), freeAddr(t)
	first := start(t, nil, "serve", "--addr", addr, "--data-dir", dir)
	waitReady(t, first, addr)
	first.cmd.Process.Kill()
	first.wait(t, 10*time.Second)

	second := start(t, nil, "serve", "--addr", addr, "--data-dir", dir)
	waitReady(t, second, addr)
	second.cmd.Process.Signal(os.Interrupt)
	if code := second.wait(t, 60*time.Second); code != 0 {
		t.Errorf("exit code: got %d, want 0; stderr:\n%s", code, second.stderr)
	}
	noOrphans(t, dir)
}

func TestServeSIGTERMDuringStartup(t *testing.T) {
	t.Parallel()
	for _, delay := range []time.Duration{200 * time.Millisecond, 900 * time.Millisecond} {
		t.Run(delay.String(), func(t *testing.T) {
			t.Parallel()
			dir := dataDir(t)
			p := start(t, nil, "serve", "--addr", freeAddr(t), "--data-dir", dir)
			time.Sleep(delay)
			p.cmd.Process.Signal(os.Interrupt)
			p.wait(t, 60*time.Second)
			noOrphans(t, dir)
		})
	}
}

func TestServeUnreachableDatabase(t *testing.T) {
	t.Parallel()
	p := start(t, nil, "serve", "--addr", freeAddr(t), "--database-url", "postgres://nobody@127.0.0.1:1/triaged?connect_timeout=3")
	if code := p.wait(t, 30*time.Second); code != exitUsage {
		t.Errorf("exit code: got %d, want %d", code, exitUsage)
	}
	lines := strings.Split(strings.TrimSpace(p.stderr.String()), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "triaged: ") || !strings.Contains(last, "127.0.0.1:1") {
		t.Errorf("last stderr line %q: want a one-line reason naming the host", last)
	}
	if strings.Contains(p.stderr.String(), "goroutine ") {
		t.Errorf("stderr has a stack trace:\n%s", p.stderr)
	}
}

func TestMigrateTwiceAndConcurrently(t *testing.T) {
	t.Parallel()
	url := pgtest.NewEmptyDatabase(t)
	for i := range 2 {
		p := start(t, nil, "migrate", "--database-url", url)
		if code := p.wait(t, 60*time.Second); code != 0 {
			t.Fatalf("migrate #%d: exit %d; stderr:\n%s", i+1, code, p.stderr)
		}
	}
	// The environment variable stands in for the flag.
	url = pgtest.NewEmptyDatabase(t)
	a := start(t, []string{"TRIAGED_DATABASE_URL=" + url}, "migrate")
	b := start(t, []string{"TRIAGED_DATABASE_URL=" + url}, "migrate")
	for _, p := range []*proc{a, b} {
		if code := p.wait(t, 60*time.Second); code != 0 {
			t.Errorf("concurrent migrate: exit %d; stderr:\n%s", code, p.stderr)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no command", nil, exitUsage},
		{"unknown command", []string{"frobnicate"}, exitUsage},
		{"unknown flag", []string{"serve", "--no-such-flag"}, exitUsage},
		{"bad duration", []string{"serve", "--drain-timeout", "soon"}, exitUsage},
		{"bad log format", []string{"serve", "--log-format", "xml", "--database-url", "postgres://x@127.0.0.1:1/x"}, exitUsage},
		{"short metrics token", []string{"serve", "--metrics-token", "abc", "--database-url", "postgres://x@127.0.0.1:1/x"}, exitUsage},
		{"body timeout too short", []string{"serve", "--body-timeout", "1ms", "--database-url", "postgres://x@127.0.0.1:1/x"}, exitUsage},
		{"upload timeout below body timeout", []string{"serve", "--upload-timeout", "5s", "--database-url", "postgres://x@127.0.0.1:1/x"}, exitUsage},
		{"upload budget below one upload", []string{"serve", "--upload-budget-bytes", "1024", "--database-url", "postgres://x@127.0.0.1:1/x"}, exitUsage},
		{"help", []string{"serve", "--help"}, exitOK},
		{"version", []string{"version"}, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			err := run(context.Background(), tt.args, stdio{out: &out, err: &errb, getenv: func(string) string { return "" }})
			if got := exitCode(err, &errb); got != tt.want {
				t.Errorf("exit code: got %d, want %d (err %v)", got, tt.want, err)
			}
		})
	}
}
