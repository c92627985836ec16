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
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/winetest"
)

// TestWindowsRunnerUnderWine runs the Windows build of `triaged runner`
// under Wine against a Linux server on loopback: it registers, leases the
// jobs of a campaign that only Windows runners may take, runs the start_tls
// scenario on the iocp backend (real overlapped I/O), and the campaign
// completes with every iteration stored.
func TestWindowsRunnerUnderWine(t *testing.T) {
	t.Parallel()
	env, wine := winetest.Env(t)
	exe := filepath.Join(t.TempDir(), "triaged.exe")
	build := exec.Command("go", "build", "-o", exe, ".")
	build.Env = append(env, "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build triaged.exe: %v\n%s", err, out)
	}

	const admin = "wine-admin"
	st := pgtest.NewStore(t)
	srv := httptest.NewServer(app.New(app.Config{Version: "test", AdminToken: admin, Log: slog.New(slog.DiscardHandler)}, st).Handler())
	defer srv.Close()
	api := func(method, path, body string, out any) int {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+admin)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if out != nil {
			json.Unmarshal(b, out)
		}
		return resp.StatusCode
	}

	var logs bytes.Buffer
	state := winetest.WindowsPath(t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runner := exec.CommandContext(ctx, wine, exe, "runner", "--server", srv.URL, "--name", "win-1",
		"--labels", "iocp", "--state-dir", state, "--registration-token", admin, "--poll-interval", "200ms")
	runner.Env = env
	runner.Stdout, runner.Stderr = &logs, &logs
	if err := runner.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); runner.Wait() }()

	type campaign struct {
		ID       int64  `json:"id"`
		State    string `json:"state"`
		Reason   string `json:"reason"`
		Runs     int    `json:"runs"`
		Failures int    `json:"failures"`
		Runners  []struct {
			OS   string `json:"os"`
			Runs int    `json:"runs"`
		} `json:"runners"`
	}
	wait := func(id int64) campaign {
		deadline := time.Now().Add(3 * time.Minute)
		for {
			var c campaign
			api("GET", fmt.Sprint("/api/v1/campaigns/", id), "", &c)
			if c.State == "done" || c.State == "failed" {
				return c
			}
			if time.Now().After(deadline) {
				t.Fatalf("campaign %d still %s after 3 minutes (%d runs); runner log:\n%s", id, c.State, c.Runs, logs.String())
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	create := func(body string) campaign {
		var c campaign
		if code := api("POST", "/api/v1/campaigns", body, &c); code != 201 {
			t.Fatalf("create campaign: %d", code)
		}
		return c
	}

	fixed := wait(create(`{"kind":"scenario","scenario":"starttls-server","proactor":"fixed","backend":"iocp","labels":["windows"],"iterations":10}`).ID)
	if fixed.State != "done" || fixed.Runs != 10 || fixed.Failures != 0 {
		t.Errorf("fixed start_tls on iocp: %+v; runner log:\n%s", fixed, logs.String())
	}
	if len(fixed.Runners) != 1 || fixed.Runners[0].OS != "windows" || fixed.Runners[0].Runs != 10 {
		t.Errorf("runs per runner: %+v, want 10 on the windows runner", fixed.Runners)
	}
	legacy := wait(create(`{"kind":"scenario","scenario":"echo-pause","proactor":"legacy","backend":"iocp","labels":["windows"],
		"iterations":5,"params":{"packets":200,"packet_size":16384,"pause_every":"5ms"}}`).ID)
	if legacy.State != "done" || legacy.Runs != 5 || legacy.Failures == 0 {
		t.Errorf("legacy echo-pause on iocp: %+v, want losses; runner log:\n%s", legacy, logs.String())
	}
	var n int
	st.Pool().QueryRow(context.Background(), `SELECT count(*) FROM results WHERE campaign_id IN ($1, $2) AND runner_os = 'windows'`, fixed.ID, legacy.ID).Scan(&n)
	if n != 15 {
		t.Errorf("stored %d results from the windows runner, want 15", n)
	}
}
