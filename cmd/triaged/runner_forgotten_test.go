package main

import (
	"encoding/json"
	"fmt"
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
)

// TestServeLocalRunnerOutlivesTheDatabase points `serve` at a fresh
// database with a data directory used before, as in issue 18: the local
// runner's stored token is unknown there, so it registers again by itself
// and the README's kind of campaign runs instead of staying queued.
func TestServeLocalRunnerOutlivesTheDatabase(t *testing.T) {
	t.Parallel()
	const admin = "forgotten-admin-token-0123"
	dir := dataDir(t)
	env := []string{"TRIAGED_ADMIN_TOKEN=" + admin}
	runCampaign := func(db string) (*proc, string) {
		addr := freeAddr(t)
		p := start(t, env, "serve", "--addr", addr, "--data-dir", dir, "--database-url", db)
		waitReady(t, p, addr)
		var c struct {
			ID    int64
			State string
			Runs  int
		}
		body := `{"kind":"exec","command":["true"],"labels":["local"],"iterations":3}`
		if code := apiCall(t, addr, admin, "POST", "/api/v1/campaigns", body, &c); code != 201 {
			t.Fatalf("create campaign: %d", code)
		}
		waitFor(t, 60*time.Second, "the local runner to run the campaign", func() bool {
			apiCall(t, addr, admin, "GET", fmt.Sprint("/api/v1/campaigns/", c.ID), "", &c)
			return c.State == "done"
		})
		p.cmd.Process.Signal(os.Interrupt)
		if code := p.wait(t, 60*time.Second); code != 0 {
			t.Fatalf("serve exit %d; stderr:\n%s", code, p.stderr)
		}
		return p, addr
	}
	runCampaign(pgtest.NewDatabase(t))
	p, _ := runCampaign(pgtest.NewDatabase(t)) // fresh: it has never seen the local runner
	if !strings.Contains(p.stderr.String(), "registering again") {
		t.Errorf("the second serve did not say the local runner registered again; stderr:\n%s", p.stderr)
	}
}

// TestRunnerForgottenWithoutRegistrationToken: a runner the server no
// longer knows, started without a registration token, says so in one line
// and exits 2.
func TestRunnerForgottenWithoutRegistrationToken(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(app.New(app.Config{Version: "test", AdminToken: "forgotten-admin", Log: slog.New(slog.DiscardHandler)},
		pgtest.NewStore(t)).Handler())
	defer srv.Close()
	state := t.TempDir()
	os.WriteFile(filepath.Join(state, "token"), []byte("tri_issued-by-another-database\n"), 0o600)
	os.MkdirAll(filepath.Join(state, "spool", "job-7"), 0o700)
	p := start(t, nil, "runner", "--server", srv.URL, "--name", "bb-1", "--state-dir", state)
	if code := p.wait(t, 30*time.Second); code != exitUsage {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitUsage, p.stderr)
	}
	lines := strings.Split(strings.TrimSpace(p.stderr.String()), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "triaged: ") || !strings.Contains(last, "does not know this runner's token") || !strings.Contains(last, "--registration-token") {
		t.Errorf("last stderr line %q; want one line saying the server forgot the runner and how to register again", last)
	}
	if _, err := os.Stat(filepath.Join(state, "spool", "job-7")); err != nil {
		t.Errorf("the spool was not kept: %v", err)
	}
}

// apiCall sends a JSON request with the admin token and decodes the answer.
func apiCall(t *testing.T, addr, token, method, path, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}
