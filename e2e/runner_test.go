package e2e

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// runnerProc is a `triaged runner` process.
type runnerProc struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan struct{}
}

func startRunner(t *testing.T, server, name string, extra ...string) *runnerProc {
	t.Helper()
	r := &runnerProc{stderr: &lockedBuffer{}, done: make(chan struct{})}
	args := append([]string{"runner", "--server", server, "--name", name, "--state-dir", t.TempDir(),
		"--registration-token", admin, "--poll-interval", "100ms"}, extra...)
	r.cmd = exec.Command(binary, args...)
	r.cmd.Stderr = r.stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.cmd.Wait(); close(r.done) }()
	t.Cleanup(func() { r.cmd.Process.Kill(); <-r.done })
	return r
}

// stop stops the runner the way an operator does, and checks it exits 0.
func (r *runnerProc) stop(t *testing.T) {
	t.Helper()
	r.cmd.Process.Signal(os.Interrupt)
	select {
	case <-r.done:
		if code := r.cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("runner exited %d:\n%s", code, r.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("runner still running 30s after SIGINT:\n%s", r.stderr)
	}
}

func waitCampaignDone(t *testing.T, db string, d time.Duration) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	deadline := time.Now().Add(d)
	for {
		var open int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM campaigns WHERE state IN ('queued', 'running')`).Scan(&open); err == nil && open == 0 {
			return
		}
		if time.Now().After(deadline) {
			rows, _ := conn.Query(ctx, `SELECT id, state, attempts, coalesce(runner_id, 0), last_error FROM jobs ORDER BY id`)
			jobs, _ := pgx.CollectRows(rows, pgx.RowToStructByPos[struct {
				ID, State, Attempts, Runner, LastError any
			}])
			t.Fatalf("campaigns still open after %v; jobs: %+v", d, jobs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
