package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/proctest"
	"github.com/triaged/triaged/internal/store"
)

// TestRunnerKilledMidJob kills a runner process with SIGKILL in the middle
// of a job. Its lease expires, the job goes to a second runner, and the
// campaign ends with exactly the requested iterations stored: no
// duplicates, no gaps. The killed runner's spool is uploaded or dropped on
// its next start, never counted twice.
func TestRunnerKilledMidJob(t *testing.T) {
	t.Parallel()
	const admin = "kill-admin"
	ctx := context.Background()
	st := pgtest.NewStore(t)
	srv := httptest.NewServer(app.New(app.Config{Version: "test", AdminToken: admin, Log: slog.New(slog.DiscardHandler)}, st).Handler())
	defer srv.Close()

	var c struct{ ID int64 }
	body := `{"kind":"exec","command":["sh","-c","sleep 0.05; [ $((TRIAGED_ITERATION % 7)) -ne 3 ]"],"iterations":60,"parallel":2}`
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/campaigns", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&c)
	resp.Body.Close()

	runnerArgs := func(name, dir string) []string {
		return []string{"runner", "--server", srv.URL, "--name", name, "--state-dir", dir, "--registration-token", admin, "--poll-interval", "100ms"}
	}
	stateA := t.TempDir()
	a := start(t, nil, runnerArgs("a", stateA)...)
	waitFor(t, 30*time.Second, "runner a to store some iterations", func() bool { return count(t, st, c.ID) >= 5 })
	a.cmd.Process.Kill()
	a.wait(t, 10*time.Second)
	spooled, _ := filepath.Glob(filepath.Join(stateA, "spool", "*", "*.json"))
	t.Logf("runner a killed after %d stored iterations, %d spooled", count(t, st, c.ID), len(spooled))

	// The lease would expire after a minute of silence; expire it now.
	st.Pool().Exec(ctx, `UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE state = 'leased'`)
	if _, _, err := st.RequeueExpired(ctx, 3); err != nil {
		t.Fatal(err)
	}
	b := start(t, nil, runnerArgs("b", t.TempDir())...)
	// Runner a comes back too, with whatever it had spooled.
	a2 := start(t, nil, runnerArgs("a", stateA)...)
	waitFor(t, 90*time.Second, "the campaign to finish", func() bool {
		var state string
		st.Pool().QueryRow(ctx, `SELECT state FROM campaigns WHERE id = $1`, c.ID).Scan(&state)
		return state == "done"
	})
	for _, p := range []*proc{b, a2} {
		p.cmd.Process.Signal(os.Interrupt)
		p.wait(t, 30*time.Second)
	}
	var rows, distinct, runs, failures int
	st.Pool().QueryRow(ctx, `SELECT count(*), count(DISTINCT iteration) FROM results WHERE campaign_id = $1`, c.ID).Scan(&rows, &distinct)
	st.Pool().QueryRow(ctx, `SELECT runs, failures FROM campaigns WHERE id = $1`, c.ID).Scan(&runs, &failures)
	if rows != 60 || distinct != 60 || runs != 60 {
		t.Errorf("stored %d results over %d iterations, campaign counts %d runs; want exactly 60 of each", rows, distinct, runs)
	}
	if wantFailures := 9; failures != wantFailures { // iterations ≡ 3 (mod 7) in [0, 60)
		t.Errorf("failures: got %d, want %d", failures, wantFailures)
	}
}

func count(t *testing.T, st *store.Store, campaign int64) int {
	t.Helper()
	var n int
	st.Pool().QueryRow(context.Background(), `SELECT count(DISTINCT iteration) FROM results WHERE campaign_id = $1`, campaign).Scan(&n)
	return n
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	proctest.WaitFor(t, d, what, ok)
}
