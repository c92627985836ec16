package runner_test

import (
	"context"
	"encoding/json"
	"errors"
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

// TestAgentRegistersAgainOnAFreshDatabase points a runner whose state
// directory was used with one database at a server on a fresh one, as when
// the database is reset, restored or swapped: it registers again with its
// registration token, keeps its spool and offers it, and the server, which
// never leased it that job, stores none of it, so the fresh database's
// campaign counts each iteration once.
func TestAgentRegistersAgainOnAFreshDatabase(t *testing.T) {
	t.Parallel()
	state := t.TempDir()
	old := newEnv(t)
	stop := startAgent(t, old, "lin-1", state, admin)
	c := old.createExec(`true`, 3)
	old.waitCampaign(c.ID, 30*time.Second)
	stop()
	oldToken, _ := os.ReadFile(filepath.Join(state, "token"))
	// An iteration of job 1 the old server never got.
	spooled := filepath.Join(state, "spool", "job-1", "iter-000000001.json")
	os.MkdirAll(filepath.Dir(spooled), 0o700)
	os.WriteFile(spooled, []byte(`{"version":1,"results":[{"test":"sh -c true","outcome":"fail","failure_text":"from the old database","iteration":1}]}`), 0o600)

	fresh := newEnv(t)
	c = fresh.createExec(`true`, 5) // its first job is job 1 too
	stop = startAgent(t, fresh, "lin-1", state, admin)
	got := fresh.waitCampaign(c.ID, 30*time.Second)
	stop()
	if got.State != "done" || got.Runs != 5 || got.Failures != 0 {
		t.Errorf("campaign on the fresh database: %+v, want done with 5 runs and no failure from the old spool", got)
	}
	if n := fresh.count(`SELECT count(*) FROM results WHERE campaign_id = $1`, c.ID); n != 5 {
		t.Errorf("stored %d results, want exactly 5", n)
	}
	if n := fresh.count(`SELECT count(*) FROM runners WHERE name = 'lin-1'`); n != 1 {
		t.Errorf("%d runners named lin-1 on the fresh database, want 1", n)
	}
	if newToken, _ := os.ReadFile(filepath.Join(state, "token")); string(newToken) == string(oldToken) {
		t.Errorf("the runner kept the token the fresh database does not know")
	}
	if _, err := os.Stat(spooled); !os.IsNotExist(err) {
		t.Errorf("the old spool file is still there (%v): it was never offered", err)
	}
}

// TestAgentWithoutRegistrationTokenSaysWhy: with no registration token, a
// runner whose token the server does not know stops with one line saying
// what happened and what to do.
func TestAgentWithoutRegistrationTokenSaysWhy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	state := t.TempDir()
	os.WriteFile(filepath.Join(state, "token"), []byte("tri_from-another-database\n"), 0o600)
	a, err := runner.New(runner.Config{Server: e.url, Name: "x", StateDir: state, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	err = a.Run(context.Background())
	if !errors.Is(err, runner.ErrConfig) || !strings.Contains(err.Error(), "does not know this runner's token") ||
		!strings.Contains(err.Error(), "--registration-token") || strings.Contains(err.Error(), "\n") {
		t.Errorf("got %v, want one line saying the server forgot the runner and how to register again", err)
	}
}

// TestAgentUploadsFailingOutput: a campaign's failing test reaches the
// server with its own failure text and, beside it, the tail of what the
// iteration printed, within the server's size limit, so the signature page
// shows a real example.
func TestAgentUploadsFailingOutput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	startAgent(t, e, "lin-1", t.TempDir(), admin)
	// go test's plain output, with 300 KiB of log before the failure.
	script := `printf '=== RUN   TestA\n'; i=0; while [ $i -lt 8000 ]; do echo "    a_test.go:9: log line $i of a chatty test"; i=$((i+1)); done
printf -- '--- FAIL: TestA (0.00s)\n    a_test.go:3: bad answer\nFAIL\nFAIL\tex.com/p\t0.01s\n'; exit 1`
	c := e.createExec(script, 2)
	if got := e.waitCampaign(c.ID, 60*time.Second); got.Failures != 2 {
		t.Fatalf("campaign: %+v, want both iterations failed", got)
	}
	sig := e.count(`SELECT signature_id FROM results WHERE campaign_id = $1 AND outcome = 'fail' LIMIT 1`, c.ID)
	var v struct {
		Title   string
		Example struct{ Test, Text, Output string }
	}
	if code := e.api("GET", fmt.Sprint("/api/v1/signatures/", sig), nil, &v); code != 200 {
		t.Fatalf("GET signature: %d", code)
	}
	if v.Example.Test != "ex.com/p.TestA" || !strings.Contains(v.Example.Text, "a_test.go:3: bad answer") {
		t.Errorf("example: %q %q, want TestA's own failure text", v.Example.Test, v.Example.Text)
	}
	out := v.Example.Output
	if !strings.Contains(out, "log line 7999 of a chatty test") || !strings.HasSuffix(out, "FAIL\tex.com/p\t0.01s\n") {
		t.Errorf("example output does not end with what the iteration printed: …%q", out[max(0, len(out)-200):])
	}
	if len(out) > 64<<10+100 || !strings.Contains(out, "bytes cut]") {
		t.Errorf("example output is %d bytes; want the tail within the 64 KiB limit, marked as cut", len(out))
	}
}
