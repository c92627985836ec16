package github_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/api"
	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/github"
	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/store"
)

// TestMain fails the run if a worker, server or connection outlives its
// test: the worker is a goroutine that must stop with its context.
func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

const (
	admin     = "test-admin-token"
	token     = "ghs_test-installation-token"
	publicURL = "https://triaged.example"
	repo      = "owner/app"
)

// cfgT shortens the configure callbacks of newEnv.
type cfgT = github.Config

// env is a triaged server, serving as in production (worker included when
// a token is set), over its own database, posting to its own fake GitHub.
type env struct {
	t      *testing.T
	store  *store.Store
	github *fakeGitHub
	url    string
}

// fastConfig points at the fake with millisecond backoffs, so retries are
// quick without changing what is retried.
func fastConfig(fake *fakeGitHub) github.Config {
	return github.Config{
		Token: token, APIURL: fake.URL, PublicURL: publicURL,
		Poll: 5 * time.Millisecond, RecordPoll: 5 * time.Millisecond, BackoffBase: 5 * time.Millisecond, BackoffMax: 40 * time.Millisecond,
	}
}

func newEnv(t *testing.T, configure func(*github.Config)) *env {
	t.Helper()
	e := &env{t: t, store: pgtest.NewStore(t), github: newFakeGitHub(t)}
	cfg := fastConfig(e.github)
	if configure != nil {
		configure(&cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	srv := app.New(app.Config{Version: "test", AdminToken: admin, Log: log, GitHub: cfg}, e.store)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.url = "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.ServeListener(ctx, ln, 5*time.Second) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return e
}

// do sends a request as admin and decodes a JSON answer into out (if not
// nil).
func (e *env) do(method, path, contentType, body string, out any) int {
	e.t.Helper()
	return e.request(admin, method, path, contentType, body, out)
}

// doAs sends a JSON request with another token.
func (e *env) doAs(bearer, method, path, body string, out any) int {
	e.t.Helper()
	return e.request(bearer, method, path, "application/json", body, out)
}

func (e *env) request(bearer, method, path, contentType, body string, out any) int {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+bearer)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode != http.StatusNoContent {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: %d %s: not JSON: %v", method, path, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

// result is one test result of an upload: "pass" or a failure text.
type result struct{ test, failure string }

func pass(test string) result       { return result{test: test} }
func fail(test, text string) result { return result{test: test, failure: text} }

// upload sends results of a CI run on sha as batch and returns the answer.
func (e *env) upload(sha, batch string, rs ...result) ingest.Answer {
	e.t.Helper()
	var docs []string
	for _, r := range rs {
		outcome := "pass"
		if r.failure != "" {
			outcome = "fail"
		}
		docs = append(docs, fmt.Sprintf(`{"test":%q,"outcome":%q,"failure_text":%q}`, r.test, outcome, r.failure))
	}
	var ans ingest.Answer
	path := fmt.Sprintf("/api/v1/results?repo=%s&revision=%s&builder=ci-windows&os=windows&batch=%s", repo, sha, batch)
	if code := e.do("POST", path, "application/json", `{"results":[`+strings.Join(docs, ",")+`]}`, &ans); code != 200 {
		e.t.Fatalf("upload %s: %d", batch, code)
	}
	e.recorded(sha)
	return ans
}

// folded waits until the server's folder has added what uploads appended
// into the rollups the pages read, as it does shortly after every upload.
func (e *env) folded() {
	e.t.Helper()
	waitFor(e.t, "the rollups folded", func() bool {
		var n int
		e.store.Pool().QueryRow(context.Background(), `SELECT (SELECT count(*) FROM rollup_deltas) + (SELECT count(*) FROM revision_rollup_deltas)`).Scan(&n)
		return n == 0
	})
}

// recorded waits until the server's recorder has recomputed the status of
// sha, as it does shortly after every upload.
func (e *env) recorded(sha string) {
	e.t.Helper()
	waitFor(e.t, "the status of "+sha, func() bool {
		var n int
		e.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM status_dirty WHERE revision = $1`, sha).Scan(&n)
		return n == 0
	})
}

// outbox lists the outbox through the admin API, newest first.
func (e *env) outbox(query string) api.StatusesView {
	e.t.Helper()
	var v api.StatusesView
	if code := e.do("GET", "/api/v1/github/statuses?"+query, "", "", &v); code != 200 {
		e.t.Fatalf("list statuses: %d", code)
	}
	return v
}

// waitFor polls cond until it holds. The limit only turns a hang into a
// failure; no assertion depends on how long anything took.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// acceptedFor returns the accepted calls for one commit.
func acceptedFor(f *fakeGitHub, sha string) []call {
	var out []call
	for _, c := range f.Accepted() {
		if c.SHA == sha {
			out = append(out, c)
		}
	}
	return out
}

// traceback makes a failure text whose signature is the given error.
func traceback(err string) string {
	return "Traceback (most recent call last):\n  File \"test_x.py\", line 10, in test\n    run()\n" + err + "\n"
}

// runWorker runs a status worker over the env's database until the test
// ends or the returned stop is called.
func runWorker(t *testing.T, e *env, cfg github.Config) (stop func()) {
	t.Helper()
	w, err := github.NewWorker(e.store, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return stop
}
