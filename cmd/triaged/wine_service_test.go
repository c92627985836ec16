//go:build !windows

package main

import (
	"context"
	"encoding/json"
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

// TestWindowsServiceUnderWine drives `triaged runner service` through Wine's
// service manager (services.exe) as an administrator would on Windows:
// install, start, the runner registers with a Linux server and keeps
// polling it, stop, uninstall, each checked with Wine's sc.exe.
//
// What Wine does differently: it runs services only while some ordinary
// (non-service) Wine process lives in the prefix; a few seconds after the
// last one exits, the wineserver shuts the services down too. Windows keeps
// them running. So the test keeps the prefix's wineserver alive with -p for
// its whole length, and uses a prefix of its own (a copy of the prepared
// one), since an installed service starts with every wineserver that boots
// the prefix.
func TestWindowsServiceUnderWine(t *testing.T) {
	t.Parallel()
	env, wine := winetest.Env(t)
	dir := t.TempDir()
	exe := filepath.Join(dir, "triaged.exe")
	build := exec.Command("go", "build", "-o", exe, ".")
	build.Env = append(env, "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build triaged.exe: %v\n%s", err, out)
	}
	prefix := filepath.Join(dir, "prefix")
	if out, err := exec.Command("cp", "-a", getenv(env, "WINEPREFIX"), prefix).CombinedOutput(); err != nil {
		t.Fatalf("copy the Wine prefix: %v\n%s", err, out)
	}
	env = append(env, "WINEPREFIX="+prefix)
	wineserver := getenv(env, "WINESERVER")
	if out, err := runWine(t, env, wineserver, "-p"); err != nil {
		t.Fatalf("wineserver -p: %v\n%s", err, out)
	}
	t.Cleanup(func() { // stops the services too
		kill := exec.Command(wineserver, "-k")
		kill.Env = env
		kill.Run()
	})

	const admin = "wine-service-admin-token"
	st := pgtest.NewStore(t)
	srv := httptest.NewServer(app.New(app.Config{Version: "test", AdminToken: admin, Log: slog.New(slog.DiscardHandler)}, st).Handler())
	defer srv.Close()
	state := filepath.Join(dir, "state")
	os.Mkdir(state, 0o700)
	runnerLog := func() string { b, _ := os.ReadFile(filepath.Join(state, "runner.log")); return string(b) }

	triaged := func(args ...string) string {
		t.Helper()
		out, err := runWine(t, env, wine, append([]string{exe, "runner", "service"}, args...)...)
		if err != nil {
			t.Fatalf("triaged runner service %s: %v\n%s\nrunner log:\n%s", args[0], err, out, runnerLog())
		}
		return string(out)
	}
	// sc query prints the service's state, e.g. "STATE : 4 RUNNING".
	scState := func() string {
		t.Helper()
		out, err := runWine(t, env, wine, "sc", "query", windowsService)
		for line := range strings.Lines(out) {
			if f := strings.Fields(line); len(f) >= 4 && f[0] == "STATE" {
				return f[3]
			}
		}
		if err != nil {
			return "absent"
		}
		t.Fatalf("sc query %s: no state in\n%s", windowsService, out)
		return ""
	}
	type runner struct {
		Name     string    `json:"name"`
		OS       string    `json:"os"`
		LastSeen time.Time `json:"last_seen"`
	}
	registered := func() (runner, bool) {
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/runners", nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var list struct{ Runners []runner }
		json.NewDecoder(resp.Body).Decode(&list)
		for _, r := range list.Runners {
			if r.Name == "win-service" {
				return r, true
			}
		}
		return runner{}, false
	}
	within := func(d time.Duration, what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(d); !ok(); time.Sleep(250 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within %s; service %s; runner log:\n%s", what, d, scState(), runnerLog())
			}
		}
	}

	triaged("install", "--server", srv.URL, "--name", "win-service", "--labels", "service",
		"--state-dir", winetest.WindowsPath(state), "--registration-token", admin, "--poll-interval", "200ms")
	if got := scState(); got != "STOPPED" {
		t.Fatalf("after install: service %s, want STOPPED", got)
	}
	if _, ok := registered(); ok {
		t.Fatalf("the runner registered before the service was started")
	}

	triaged("start")
	within(time.Minute, "the service's runner registers", func() bool { _, ok := registered(); return ok })
	first, _ := registered()
	if first.OS != "windows" {
		t.Errorf("runner os %q, want windows", first.OS)
	}
	// Well after the start command's own Wine process exited, the service
	// still runs and polls for work.
	time.Sleep(4 * time.Second)
	within(30*time.Second, "the service keeps polling", func() bool { r, _ := registered(); return r.LastSeen.After(first.LastSeen) })
	if got := scState(); got != "RUNNING" {
		t.Errorf("after start: service %s, want RUNNING", got)
	}
	triaged("start") // already running: still what start asks for

	triaged("stop") // returns once the service has stopped
	if got := scState(); got != "STOPPED" {
		t.Errorf("after stop: service %s, want STOPPED", got)
	}
	stopped, _ := registered()
	time.Sleep(2 * time.Second)
	if r, _ := registered(); !r.LastSeen.Equal(stopped.LastSeen) {
		t.Errorf("the runner still polls after stop (last seen %s, then %s)", stopped.LastSeen, r.LastSeen)
	}
	triaged("stop") // not running: nothing to do

	triaged("uninstall")
	if got := scState(); got != "absent" {
		t.Errorf("after uninstall: service %s, want it gone", got)
	}
	if log := runnerLog(); !strings.Contains(log, "registered") {
		t.Errorf("runner log does not record the registration:\n%s", log)
	}
}

// runWine runs a Wine program with env for at most two minutes and returns
// what it printed. The output goes through a file, not a pipe: Wine's
// helper processes (services.exe, explorer.exe…) outlive the command that
// booted them and inherit its output, so reading a pipe to its end would
// wait for them.
func runWine(t *testing.T, env []string, name string, args ...string) (string, error) {
	t.Helper()
	out, err := os.CreateTemp(t.TempDir(), "wine-out-")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, out, out
	err = cmd.Run()
	b, _ := os.ReadFile(out.Name())
	return string(b), err
}

// getenv returns the last value of key in env, as exec does.
func getenv(env []string, key string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key {
			v = val
		}
	}
	return v
}

// windowsService is the service's name (serviceName on Windows).
const windowsService = "triaged-runner"
