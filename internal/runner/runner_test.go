package runner_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/runner"
	"github.com/triaged/triaged/internal/store"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	if code == 0 {
		if err := goleak.Find(goleak.IgnoreTopFunction("github.com/jackc/pgx/v5/pgxpool.(*Pool).backgroundHealthCheck"),
			goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"), goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

const admin = "runner-test-admin"

type env struct {
	t     *testing.T
	store *store.Store
	url   string
	// down makes the server answer 503 to every request while set, as a
	// server or database outage would.
	down atomic.Bool
	hits atomic.Int64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, store: pgtest.NewStore(t)}
	srv := app.New(app.Config{Version: "test", AdminToken: admin, Log: slog.New(slog.DiscardHandler)}, e.store)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.hits.Add(1)
		if e.down.Load() {
			w.Header().Set("Retry-After", "0")
			http.Error(w, `{"error":"Service Unavailable"}`, http.StatusServiceUnavailable)
			return
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	e.url = ts.URL
	return e
}

func (e *env) api(method, path string, body any, out any) int {
	e.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, e.url+path, strings.NewReader(string(b)))
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		json.Unmarshal(data, out)
	}
	return resp.StatusCode
}

type campaign struct {
	ID       int64  `json:"id"`
	State    string `json:"state"`
	Reason   string `json:"reason"`
	Runs     int    `json:"runs"`
	Failures int    `json:"failures"`
}

func (e *env) createExec(script string, iterations int) campaign {
	e.t.Helper()
	var c campaign
	if code := e.api("POST", "/api/v1/campaigns", map[string]any{"kind": "exec", "command": []string{"sh", "-c", script}, "iterations": iterations, "parallel": 2}, &c); code != 201 {
		e.t.Fatalf("create campaign: %d", code)
	}
	return c
}

func (e *env) waitCampaign(id int64, d time.Duration) campaign {
	e.t.Helper()
	deadline := time.Now().Add(d)
	for {
		var c campaign
		e.api("GET", fmt.Sprint("/api/v1/campaigns/", id), nil, &c)
		if c.State == "done" || c.State == "failed" || c.State == "cancelled" {
			return c
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("campaign %d still %s after %v (%d runs)", id, c.State, d, c.Runs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (e *env) count(q string, args ...any) int {
	var n int
	if err := e.store.Pool().QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// startAgent runs an agent until the test ends.
func startAgent(t *testing.T, e *env, name, stateDir, regToken string) (stop func() error) {
	t.Helper()
	a, err := runner.New(runner.Config{Server: e.url, Name: name, StateDir: stateDir, RegistrationToken: regToken,
		PollInterval: 50 * time.Millisecond, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	var once atomic.Bool
	stop = func() error {
		if !once.CompareAndSwap(false, true) {
			return nil
		}
		cancel()
		return <-done
	}
	t.Cleanup(func() { stop() })
	return stop
}

func TestAgentRunsCampaignAndReusesItsToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	state := t.TempDir()
	stop := startAgent(t, e, "lin-1", state, admin)
	c := e.createExec(`[ $((TRIAGED_ITERATION % 4)) -ne 3 ]`, 40)
	got := e.waitCampaign(c.ID, 60*time.Second)
	if got.State != "done" || got.Runs != 40 || got.Failures != 10 {
		t.Errorf("campaign: %+v, want done with 10/40 failed", got)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(state, "token"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v, want mode 0600", fi, err)
	}
	// A second start needs no registration token and is the same runner.
	stop = startAgent(t, e, "lin-1", state, "")
	c2 := e.createExec(`true`, 5)
	if got := e.waitCampaign(c2.ID, 30*time.Second); got.Runs != 5 {
		t.Errorf("second campaign: %+v", got)
	}
	stop()
	if n := e.count(`SELECT count(*) FROM runners`); n != 1 {
		t.Errorf("%d runners registered, want 1", n)
	}
}

func TestAgentRidesOutServerOutage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	startAgent(t, e, "r", t.TempDir(), admin)
	// Each iteration takes a moment, so the outage falls mid-campaign.
	c := e.createExec(`sleep 0.05`, 60)
	deadline := time.Now().Add(30 * time.Second)
	for e.count(`SELECT runs FROM campaigns WHERE id = $1`, c.ID) < 10 {
		if time.Now().After(deadline) {
			t.Fatal("campaign did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.down.Store(true)
	time.Sleep(1500 * time.Millisecond)
	e.down.Store(false)
	got := e.waitCampaign(c.ID, 60*time.Second)
	if got.State != "done" || got.Runs != 60 {
		t.Errorf("after the outage: %+v, want done with 60 runs", got)
	}
	if n := e.count(`SELECT count(*) FROM results WHERE campaign_id = $1`, c.ID); n != 60 {
		t.Errorf("stored %d results, want exactly 60", n)
	}
}

func TestAgentNeedsRegistration(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, err := runner.New(runner.Config{Server: e.url, Name: "x", StateDir: t.TempDir(), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "registration-token") {
		t.Errorf("got %v, want an error asking for a registration token", err)
	}
	a, _ = runner.New(runner.Config{Server: e.url, Name: "x", StateDir: t.TempDir(), RegistrationToken: "tri_wrong", Log: slog.New(slog.DiscardHandler)})
	if err := a.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("got %v, want the server's refusal", err)
	}
}

func TestAgentStateDirUnusable(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := runner.New(runner.Config{Server: "http://127.0.0.1:1", Name: "x", StateDir: file}); err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("got %v, want an error naming the state directory", err)
	}
}

// TestAgentStopsWhenSpoolFails makes the spool unwritable (a file where the
// job's spool directory goes, as a full or broken disk would fail the
// write): the agent stops with a clear error instead of running iterations
// whose results it could lose, and hands the job back.
func TestAgentStopsWhenSpoolFails(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	state := t.TempDir()
	c := e.createExec(`true`, 10)
	var jobID int64
	e.store.Pool().QueryRow(context.Background(), `SELECT min(id) FROM jobs WHERE campaign_id = $1`, c.ID).Scan(&jobID)
	os.MkdirAll(filepath.Join(state, "spool"), 0o700)
	os.WriteFile(filepath.Join(state, "spool", fmt.Sprintf("job-%d", jobID)), []byte("not a directory"), 0o600)

	a, err := runner.New(runner.Config{Server: e.url, Name: "full-disk", StateDir: state, RegistrationToken: admin,
		PollInterval: 50 * time.Millisecond, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = a.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "cannot spool results") {
		t.Fatalf("got %v, want the agent to stop because it cannot spool", err)
	}
	var state2 string
	var runner *int64
	e.store.Pool().QueryRow(context.Background(), `SELECT state, runner_id FROM jobs WHERE id = $1`, jobID).Scan(&state2, &runner)
	if state2 != "queued" || runner != nil {
		t.Errorf("job after the agent stopped: state %s runner %v, want it back in the queue", state2, runner)
	}
}
