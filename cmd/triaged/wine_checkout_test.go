//go:build !windows

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/winetest"
)

// TestWindowsRunnerChecksOutUnderWine runs the Windows runner under Wine
// through a campaign that names a revision of a registered repository:
// it finds git.exe as --git names it, hands git Windows paths, builds
// with a .bat in the worktree, runs each iteration there with
// TRIAGED_REPO, TRIAGED_REVISION and TRIAGED_TEST, reports the commit and
// removes the worktree. Git for Windows does not run under this Wine, so
// git is testdata/fakegit, which answers the commands package checkout
// runs and refuses outside input before "--"; real git runs in the Linux
// tests (internal/checkout, e2e). A runner without git fails the job as
// infrastructure, saying to install Git for Windows.
func TestWindowsRunnerChecksOutUnderWine(t *testing.T) {
	t.Parallel()
	env, wine := winetest.Env(t)
	dir := t.TempDir()
	exe, fakegit := filepath.Join(dir, "triaged.exe"), filepath.Join(dir, "git", "git.exe")
	for out, pkg := range map[string]string{exe: ".", fakegit: "./testdata/fakegit"} {
		build := exec.Command("go", "build", "-o", out, pkg)
		build.Env = append(env, "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
		if b, err := build.CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", pkg, err, b)
		}
	}
	const admin = "wine-checkout-admin"
	st := pgtest.NewStore(t)
	srv := httptest.NewServer(app.New(app.Config{Version: "test", AdminToken: admin, Log: slog.New(slog.DiscardHandler)}, st).Handler())
	defer srv.Close()
	api := func(method, path string, body any, out any) int {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+admin)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if out != nil {
			json.Unmarshal(data, out)
		}
		return resp.StatusCode
	}
	runner := func(name string, git ...string) *bytes.Buffer {
		var logs bytes.Buffer
		ctx, cancel := context.WithCancel(context.Background())
		args := append([]string{exe, "runner", "--server", srv.URL, "--name", name, "--labels", name, "--state-dir",
			winetest.WindowsPath(filepath.Join(dir, name)), "--registration-token", admin, "--poll-interval", "200ms"}, git...)
		cmd := exec.CommandContext(ctx, wine, args...)
		cmd.Env = append(env, "FAKEGIT_LOG="+winetest.WindowsPath(filepath.Join(dir, "git.log")))
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cancel(); cmd.Wait() })
		return &logs
	}
	const sha = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
	if code := api("POST", "/api/v1/repos", map[string]any{"repo": "o/winapp", "clone_url": "file:///C:/repos/winapp.git",
		"build": []string{`.\build.bat`}}, nil); code != 201 {
		t.Fatalf("register: %d", code)
	}
	type campaign struct {
		ID             int64
		State, Reason  string
		Runs, Failures int
		TestedRevision string `json:"tested_revision"`
	}
	run := func(label string) campaign {
		var c campaign
		runsLog := winetest.WindowsPath(filepath.Join(dir, label+"-runs.log"))
		body := map[string]any{"kind": "exec", "command": []string{`.\test.bat`, runsLog}, "iterations": 3, "labels": []string{label},
			"repo": "o/winapp", "revision": sha[:10], "test": "tests.test_win.test_pipe"}
		if code := api("POST", "/api/v1/campaigns", body, &c); code != 201 {
			t.Fatalf("create campaign: %d", code)
		}
		deadline := time.Now().Add(3 * time.Minute)
		for c.State != "done" && c.State != "failed" {
			if time.Now().After(deadline) {
				t.Fatalf("campaign %d still %s", c.ID, c.State)
			}
			time.Sleep(200 * time.Millisecond)
			api("GET", fmt.Sprint("/api/v1/campaigns/", c.ID), nil, &c)
		}
		return c
	}

	logs := runner("wingit", "--git", winetest.WindowsPath(fakegit))
	c := run("wingit")
	// The job's worktree goes once the runner is done with the job, just
	// after the campaign ends.
	worktrees := filepath.Join(dir, "wingit", "checkout", "w")
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if es, _ := os.ReadDir(worktrees); len(es) == 0 {
			break
		}
	}
	if es, _ := os.ReadDir(worktrees); len(es) != 0 {
		t.Errorf("worktrees left after the job: %v", es)
	}
	gitLog, _ := os.ReadFile(filepath.Join(dir, "git.log"))
	if c.State != "done" || c.Runs != 3 || c.Failures != 0 || c.TestedRevision != sha {
		t.Errorf("campaign: %+v; runner log:\n%s\ngit log:\n%s", c, logs, gitLog)
	}
	runs, _ := os.ReadFile(filepath.Join(dir, "wingit-runs.log"))
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(string(runs), "\r", "")), "\n")
	wt := strings.ToLower(winetest.WindowsPath(filepath.Join(dir, "wingit", "checkout", "w")))
	for _, l := range lines {
		f := strings.Split(strings.TrimSpace(l), "|")
		if len(f) != 4 || f[0] != sha || f[1] != "o/winapp" || f[2] != "tests.test_win.test_pipe" || !strings.HasPrefix(strings.ToLower(f[3]), wt) {
			t.Errorf("an iteration ran as %q; want it at %s in a worktree under %s", l, sha, wt)
		}
	}
	if len(lines) != 3 {
		t.Errorf("%d iterations logged, want 3:\n%s", len(lines), runs)
	}
	// git got Windows paths, after "--".
	for _, want := range []string{`clone --mirror --quiet -- file:///C:/repos/winapp.git ` + winetest.WindowsPath(filepath.Join(dir, "wingit", "checkout", "m")),
		"worktree add --detach --quiet -- " + winetest.WindowsPath(filepath.Join(dir, "wingit", "checkout", "w")), "worktree remove --force -- "} {
		if !strings.Contains(string(gitLog), want) {
			t.Errorf("git was never run as %q:\n%s", want, gitLog)
		}
	}

	// No git at all: the job fails as infrastructure, saying what to do.
	logs = runner("nogit")
	c = run("nogit")
	if c.State != "failed" || c.Runs != 0 || !strings.Contains(c.Reason, "infrastructure") || !strings.Contains(c.Reason, "Git for Windows") {
		t.Errorf("campaign on a runner without git: %+v; runner log:\n%s", c, logs)
	}
}
