package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/stats"
)

// readmePath is the README, whose commands TestREADMECommands runs.
const readmePath = "../../README.md"

// TestZeroFailureBoundAgrees: n runs without a failure give the same 95%
// upper bound, named the same way, in the CLI's summary and JSON, the
// server's JSON, the campaign page and the README, for the n the README
// shows.
func TestZeroFailureBoundAgrees(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(\d+) runs, 0 failed: 0% \(95% upper bound ([0-9.]+%), exact one-sided\)`).FindSubmatch(readme)
	if m == nil {
		t.Fatal("the README shows no zero-failure bound")
	}
	var n int
	fmt.Sscan(string(m[1]), &n)
	exact, words := stats.ZeroFailureUpper(n), "95% upper bound "+stats.Percent(stats.ZeroFailureUpper(n))+", exact one-sided"
	if string(m[2]) != stats.Percent(exact) {
		t.Errorf("README: %d runs, bound %s; want %s", n, m[2], stats.Percent(exact))
	}

	cli := func(args ...string) string {
		var out, errb bytes.Buffer
		args = append([]string{"stress", "exec", "--iterations", fmt.Sprint(n), "--failures-dir", t.TempDir()}, args...)
		err := run(context.Background(), append(args, "--", "true"), stdio{in: strings.NewReader(""), out: &out, err: &errb, getenv: func(string) string { return "" }})
		if code := exitCode(err, &errb); code != exitOK {
			t.Fatalf("stress exec: exit %d; %s", code, errb.String())
		}
		return out.String()
	}
	if s := cli(); !strings.Contains(s, "0% ("+words+")") {
		t.Errorf("CLI summary lacks %q:\n%s", words, s)
	}
	var cj struct {
		High     float64 `json:"ci95_high"`
		Interval string  `json:"interval"`
	}
	json.Unmarshal([]byte(cli("--json")), &cj)
	if cj.High != exact || cj.Interval != stats.IntervalExactOneSided {
		t.Errorf("CLI JSON: ci95_high %v (%s), want %v (%s)", cj.High, cj.Interval, exact, stats.IntervalExactOneSided)
	}

	const admin = "bounds-admin-token-0123456"
	addr := freeAddr(t)
	p := start(t, []string{"TRIAGED_ADMIN_TOKEN=" + admin}, "serve", "--addr", addr, "--data-dir", dataDir(t), "--database-url", pgtest.NewDatabase(t))
	waitReady(t, p, addr)
	var c struct {
		ID       int64
		State    string
		Runs     int
		High     float64 `json:"ci95_high"`
		Interval string  `json:"interval"`
	}
	body := fmt.Sprintf(`{"kind":"exec","command":["true"],"labels":["local"],"iterations":%d,"parallel":4}`, n)
	if code := apiCall(t, addr, admin, "POST", "/api/v1/campaigns", body, &c); code != 201 {
		t.Fatalf("create campaign: %d", code)
	}
	waitFor(t, 2*time.Minute, "the local runner to run the campaign", func() bool {
		apiCall(t, addr, admin, "GET", fmt.Sprint("/api/v1/campaigns/", c.ID), "", &c)
		return c.State == "done"
	})
	if c.Runs != n || c.High != exact || c.Interval != stats.IntervalExactOneSided {
		t.Errorf("server JSON: %d runs, ci95_high %v (%s); want %d runs, %v (%s)", c.Runs, c.High, c.Interval, n, exact, stats.IntervalExactOneSided)
	}
	resp, err := http.Get(fmt.Sprintf("http://%s/campaigns/%d", addr, c.ID))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), words) {
		t.Errorf("campaign page lacks %q", words)
	}
	p.cmd.Process.Signal(os.Interrupt)
	p.wait(t, 60*time.Second)
}
