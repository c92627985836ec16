package e2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/gittest"
	"github.com/triaged/triaged/internal/pgtest"
)

// flakyHistory makes a linear history of 8 commits. Commit k writes
// version=k, a build script and test.sh; from commit 5 on, test.sh fails
// 4 runs in 10 (decided by TRIAGED_SEED, which goes up by one a run, so
// no 7 runs in a row pass and a bisection cannot be unlucky). The build
// of commit brokenBuild (0: none) fails. test.sh refuses to run unbuilt,
// and logs what it ran at to the file named by its second argument.
func flakyHistory(t *testing.T, brokenBuild int) (*gittest.Repo, []string) {
	t.Helper()
	repo := gittest.New(t)
	var shas []string
	for k := 1; k <= 8; k++ {
		build := "#!/bin/sh\necho \"building $TRIAGED_REVISION\"\ncat version > built\n"
		if k == brokenBuild {
			build = "#!/bin/sh\necho 'app.c:12: error: expected ; before }' >&2\nexit 2\n"
		}
		test := `#!/bin/sh
[ -f built ] || { echo "not built"; exit 3; }
[ -n "$2" ] && echo "$1|$TRIAGED_TEST|$TRIAGED_REPO|$TRIAGED_REVISION|$(cat version)|$(git rev-parse HEAD)|$PWD" >> "$2"
if [ "$(cat version)" -ge 5 ] && [ $(( TRIAGED_SEED * 7919 % 10 )) -lt 4 ]; then
	echo "FAIL: lost a byte (commit $(cat version))"
	exit 1
fi
echo ok
`
		shas = append(shas, repo.Commit(fmt.Sprintf("commit %d", k), map[string]string{
			"version": fmt.Sprint(k), "build.sh": build, "test.sh": test,
		}))
	}
	return repo, shas
}

// apiClient talks to a server with the admin token.
type apiClient struct {
	t    *testing.T
	base string
}

func (a apiClient) do(method, path string, body any, out any) int {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, a.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			a.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, data)
		}
	}
	return resp.StatusCode
}

type bisectionJSON struct {
	ID       int64   `json:"id"`
	State    string  `json:"state"`
	Reason   string  `json:"reason"`
	FirstBad *string `json:"first_bad"`
	Steps    []struct {
		Role     string `json:"role"`
		Revision string `json:"revision"`
		Runs     int    `json:"runs"`
		Failures int    `json:"failures"`
		Verdict  string `json:"verdict"`
		Why      string `json:"why"`
		Campaign int64  `json:"campaign_id"`
		Tested   string `json:"tested_revision"`
	} `json:"steps"`
	Answer *struct {
		FirstBad struct {
			Revision       string
			Runs, Failures int
		} `json:"first_bad"`
		Parent struct {
			Revision       string
			Runs, Failures int
		} `json:"parent"`
	} `json:"answer"`
}

// TestBisection finds the commit that made a test flaky, with real git
// repositories, the real server and real runners: in one repository the
// answer is commit 5; in the other, commit 4 does not build, and the
// bisection says so, as infrastructure, instead of calling it bad (which
// would have named commit 4).
func TestBisection(t *testing.T) {
	t.Parallel()
	start := time.Now()
	srv := startServer(t, pgtest.NewDatabase(t))
	api := apiClient{t: t, base: srv.url("")}
	clean, cleanSHAs := flakyHistory(t, 0)
	broken, brokenSHAs := flakyHistory(t, 4)
	for name, repo := range map[string]*gittest.Repo{"e2e/clean": clean, "e2e/broken": broken} {
		body := map[string]any{"repo": name, "clone_url": repo.URL(), "build": []string{"./build.sh"}, "build_timeout": "1m",
			"test_command": []string{"./test.sh", "{name}"}}
		if code := api.do("POST", "/api/v1/repos", body, nil); code != 201 {
			t.Fatalf("register %s: %d", name, code)
		}
	}
	r1 := startRunner(t, srv.url(""), "bisect-1", "--labels", "bisect")
	r2 := startRunner(t, srv.url(""), "bisect-2", "--labels", "bisect")

	create := func(repo string, shas []string) int64 {
		var b bisectionJSON
		body := map[string]any{"repo": repo, "good": shas[0][:10], "bad": shas[7], "test": "tests.test_tls.test_start_tls",
			"labels": []string{"bisect"}, "max_runs_per_step": 60}
		if code := api.do("POST", "/api/v1/bisections", body, &b); code != 201 || b.ID == 0 {
			t.Fatalf("create bisection of %s: %d %+v", repo, code, b)
		}
		return b.ID
	}
	cleanID, brokenID := create("e2e/clean", cleanSHAs), create("e2e/broken", brokenSHAs)
	wait := func(id int64) bisectionJSON {
		var b bisectionJSON
		waitFor(t, 3*time.Minute, fmt.Sprintf("bisection %d to end", id), func() bool {
			api.do("GET", fmt.Sprint("/api/v1/bisections/", id), nil, &b)
			return b.State != "running"
		})
		return b
	}
	got, gotBroken := wait(cleanID), wait(brokenID)
	elapsed := time.Since(start)
	t.Logf("both bisections took %v", elapsed.Round(time.Millisecond))
	for _, b := range []bisectionJSON{got, gotBroken} {
		t.Logf("bisection %d: %s, %q", b.ID, b.State, b.Reason)
		for _, s := range b.Steps {
			t.Logf("  %-9s %.7s %2d runs %2d failed  %-9s %s", s.Role, s.Revision, s.Runs, s.Failures, s.Verdict, s.Why)
		}
	}
	if t.Failed() || got.State != "done" || gotBroken.State != "failed" {
		t.Logf("runner logs:\n%s\n%s\nserver log:\n%s", r1.stderr, r2.stderr, srv.stderr)
	}

	// The clean history: commit 5, with its figures and its parent's.
	if got.State != "done" || got.FirstBad == nil || *got.FirstBad != cleanSHAs[4] {
		t.Fatalf("clean history: %s %q, first bad %v; want commit 5 %s", got.State, got.Reason, got.FirstBad, cleanSHAs[4])
	}
	if a := got.Answer; a == nil || a.FirstBad.Failures == 0 || a.Parent.Revision != cleanSHAs[3] || a.Parent.Failures != 0 || a.Parent.Runs == 0 {
		t.Errorf("answer: %+v", got.Answer)
	}
	for _, s := range got.Steps {
		// Every step ran in a checkout of its own revision.
		if s.Runs > 0 && !strings.HasPrefix(s.Tested, strings.ToLower(s.Revision)) {
			t.Errorf("step at %.7s tested %s", s.Revision, s.Tested)
		}
	}

	// The broken build: commit 4 is infrastructure, not bad, so the
	// answer cannot be narrowed past it and none is named.
	if gotBroken.FirstBad != nil || !strings.Contains(gotBroken.Reason, brokenSHAs[4][:7]) || !strings.Contains(gotBroken.Reason, brokenSHAs[3][:7]) {
		t.Errorf("broken build: first bad %v, reason %q; want no commit named, commits 4 and 5 as candidates", gotBroken.FirstBad, gotBroken.Reason)
	}
	sawInfra := false
	for _, s := range gotBroken.Steps {
		if s.Revision == brokenSHAs[3] {
			sawInfra = true
			if s.Verdict != "infra" || s.Runs != 0 || !strings.Contains(s.Why, "build failed") {
				t.Errorf("the unbuildable commit's step: %s, %d runs, %q; want infra with the build's failure", s.Verdict, s.Runs, s.Why)
			}
			var c struct{ State, Reason string }
			api.do("GET", fmt.Sprint("/api/v1/campaigns/", s.Campaign), nil, &c)
			if c.State != "failed" || !strings.Contains(c.Reason, "infrastructure, not a test failure") || !strings.Contains(c.Reason, "expected ; before }") {
				t.Errorf("its campaign: %s %q; want failed with the build's output", c.State, c.Reason)
			}
		}
	}
	if !sawInfra {
		t.Errorf("the broken bisection never met commit 4: %+v", gotBroken.Steps)
	}
	// The page says the same.
	resp, err := http.Get(srv.url(fmt.Sprint("/bisections/", cleanID)))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "first bad commit") || !strings.Contains(string(page), cleanSHAs[4][:7]) {
		t.Errorf("bisection page lacks the answer:\n%s", page)
	}
}

// TestVerificationTestsThePushedCommit: a push to a registered repository
// starts a verification campaign for its flaky test, and the campaign's
// iterations run in a worktree of the pushed commit, built, with the test
// in TRIAGED_TEST, the repository's own test command, and the commit in
// TRIAGED_REVISION; the campaign and its commit status name the commit
// tested.
func TestVerificationTestsThePushedCommit(t *testing.T) {
	t.Parallel()
	const secret = "e2e-webhook-secret"
	srv := startServer(t, pgtest.NewDatabase(t), "--github-webhook-secret", secret, "--github-verify-repos", "e2e/app",
		"--github-verify-labels", "verify", "--github-verify-iterations", "6")
	api := apiClient{t: t, base: srv.url("")}
	repo, shas := flakyHistory(t, 0)
	log := filepath.Join(t.TempDir(), "runs.log")
	if code := api.do("POST", "/api/v1/repos", map[string]any{"repo": "e2e/app", "clone_url": repo.URL(), "build": []string{"./build.sh"},
		"test_command": []string{"./test.sh", "{name}", log}}, nil); code != 201 {
		t.Fatalf("register: %d", code)
	}
	// The test is flaky on commit 6: it passed and failed there.
	const test = "tests.test_tls.test_start_tls"
	doc := fmt.Sprintf(`{"results":[{"test":%q,"outcome":"pass"},{"test":%q,"outcome":"fail","failure_text":"AssertionError: lost a byte"}]}`, test, test)
	if code := post(context.Background(), http.DefaultClient, srv.url("/api/v1/results?repo=e2e/app&revision="+shas[5]+"&builder=ci&batch=b1"),
		"application/json", doc); code != 200 {
		t.Fatalf("upload: %d", code)
	}
	runner := startRunner(t, srv.url(""), "verify-1", "--labels", "verify")

	// A fix is pushed: commit 3 stands in for it (it passes).
	pushed := shas[2]
	push := fmt.Sprintf(`{"ref":"refs/heads/main","after":%q,"repository":{"full_name":"e2e/app","pushed_at":%d},
		"head_commit":{"id":%q,"message":"fix the lost byte","author":{"name":"A. Developer","username":"dev"}}}`,
		pushed, time.Now().Unix(), pushed)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(push))
	req, _ := http.NewRequest("POST", srv.url("/webhooks/github"), strings.NewReader(push))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", "push")
	req.Header.Set("X-GitHub-Delivery", "e2e-1")
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(answer), "campaign") {
		t.Fatalf("push: %d %s", resp.StatusCode, answer)
	}
	var list struct {
		Campaigns []struct {
			ID                    int64
			State, Revision, Test string
			TestedRevision        string `json:"tested_revision"`
			Runs, Failures        int
			Command               []string
		}
	}
	ended := func() bool {
		api.do("GET", "/api/v1/campaigns", nil, &list)
		return len(list.Campaigns) == 1 && list.Campaigns[0].State != "queued" && list.Campaigns[0].State != "running"
	}
	for deadline := time.Now().Add(3 * time.Minute); !ended(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the verification campaign did not end in 3m: %+v\nrunner:\n%s\nserver:\n%s", list.Campaigns, lastBytes(runner.stderr.String(), 4000), lastBytes(srv.stderr.String(), 8000))
		}
	}
	c := list.Campaigns[0]
	if c.State != "done" || c.Runs != 6 || c.Failures != 0 || c.Revision != pushed || c.TestedRevision != pushed || c.Test != test ||
		strings.Join(c.Command, " ") != "./test.sh test_start_tls "+log {
		t.Errorf("verification campaign: %+v", c)
	}
	resp, err = http.Get(srv.url(fmt.Sprint("/campaigns/", c.ID)))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "Tested at <code") || !strings.Contains(string(page), pushed[:7]) {
		t.Errorf("the campaign page does not say which commit it tested")
	}
	// Every iteration ran at the pushed commit, in a worktree the runner
	// made for it.
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 6 {
		t.Errorf("%d runs logged, want 6:\n%s", len(lines), b)
	}
	for _, l := range lines {
		f := strings.Split(l, "|")
		if len(f) != 7 || f[0] != "test_start_tls" || f[1] != test || f[2] != "e2e/app" || f[3] != pushed || f[4] != "3" || f[5] != pushed ||
			!strings.Contains(filepath.ToSlash(f[6]), "/checkout/w/") {
			t.Errorf("a run of the campaign: %q; want it at %s (version 3) in a worktree", l, pushed)
		}
	}
	// Its commit status claims the commit it tested.
	var statuses struct {
		Statuses []struct{ Context, State, Description string }
	}
	waitFor(t, 30*time.Second, "the campaign's commit status", func() bool {
		api.do("GET", "/api/v1/github/statuses?repo=e2e/app&revision="+pushed, nil, &statuses)
		for _, s := range statuses.Statuses {
			if strings.HasPrefix(s.Context, "triaged/stress") {
				return true
			}
		}
		return false
	})
	for _, s := range statuses.Statuses {
		if strings.HasPrefix(s.Context, "triaged/stress") && !strings.Contains(s.Description, "0/6 failed @ "+pushed[:7]) {
			t.Errorf("campaign status %q: want it to name the commit tested", s.Description)
		}
	}
}
