package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/protocol"
)

func (e *env) json(t *testing.T, method, path, token string, body any, out any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	return e.do(method, path, token, "application/json", strings.NewReader(string(b)), out)
}

func TestRepos(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	r := register(t, e, "r1")
	good := map[string]any{"repo": "o/app", "clone_url": "https://github.com/o/app.git", "build": []string{"make"}, "test_command": []string{"./run", "{test}"}}
	for _, tc := range []struct {
		name  string
		token string
		body  map[string]any
		want  int
	}{
		{"register", admin, good, 201},
		{"update", admin, map[string]any{"repo": "o/app", "clone_url": "git@github.com:o/app.git"}, 200},
		{"a runner may not", r.token, good, 403},
		{"an option as the URL", admin, map[string]any{"repo": "o/x", "clone_url": "--upload-pack=touch /tmp/x"}, 400},
		{"ssh to an option", admin, map[string]any{"repo": "o/x", "clone_url": "ssh://-oProxyCommand=x/o/r"}, 400},
		{"credentials", admin, map[string]any{"repo": "o/x", "clone_url": "https://u:secret@github.com/o/x"}, 400},
		{"build as a string", admin, map[string]any{"repo": "o/x", "clone_url": "https://h/o/x", "build": "make && rm -rf /"}, 400},
		{"unknown placeholder", admin, map[string]any{"repo": "o/x", "clone_url": "https://h/o/x", "test_command": []string{"x", "{tset}"}}, 400},
	} {
		var got struct{ Error, Detail string }
		if code := e.json(t, "POST", "/api/v1/repos", tc.token, tc.body, &got); code != tc.want {
			t.Errorf("%s: %d %+v, want %d", tc.name, code, got, tc.want)
		}
	}
	var list struct {
		Repos []struct {
			Repo     string
			CloneURL string `json:"clone_url"`
			Build    []string
		}
	}
	e.json(t, "GET", "/api/v1/repos", admin, nil, &list)
	if len(list.Repos) != 1 || list.Repos[0].CloneURL != "git@github.com:o/app.git" || len(list.Repos[0].Build) != 0 {
		t.Errorf("repos: %+v", list.Repos)
	}
}

// TestLeaseCarriesTheCheckout: a job of a campaign naming a revision of a
// registered repository comes with the checkout; the runner's report of
// another commit is refused; one of an unregistered repository is marked
// as not checked out.
func TestLeaseCarriesTheCheckout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	e.json(t, "POST", "/api/v1/repos", admin, map[string]any{"repo": "o/app", "clone_url": "https://github.com/o/app.git",
		"build": []string{"make"}, "build_timeout": "5m"}, nil)
	r := register(t, e, "r1", "co")
	const sha = "abc1234def5678abc1234def5678abc1234def56"
	c := createCampaign(t, e, campaign.Spec{Kind: campaign.KindExec, Command: []string{"./t"}, Iterations: 2, Labels: []string{"co"},
		Repo: "o/app", Revision: sha[:9], Test: "pkg.TestX"})
	job, ok := r.leaseJob(t)
	if !ok || job.Checkout == nil {
		t.Fatalf("lease: %+v", job)
	}
	if co := job.Checkout; co.Repo != "o/app" || co.CloneURL != "https://github.com/o/app.git" || co.Revision != sha[:9] ||
		strings.Join(co.Build, " ") != "make" || co.BuildTimeoutSeconds != 300 || job.Campaign.Test != "pkg.TestX" {
		t.Errorf("checkout: %+v, test %q", co, job.Campaign.Test)
	}
	report := func(commit string) int {
		return e.json(t, "POST", fmt.Sprintf("/api/v1/jobs/%d/checkout", job.ID), r.token, protocol.CheckoutReport{Commit: commit}, nil)
	}
	for commit, want := range map[string]int{
		"abc1234": 400, // abbreviated
		"ABC1234DEF5678ABC1234DEF5678ABC1234DEF56": 400, // git prints lower case
		"fff1234def5678abc1234def5678abc1234def56": 409, // another commit
		sha: 204,
	} {
		if code := report(commit); code != want {
			t.Errorf("report %s: %d, want %d", commit, code, want)
		}
	}
	if got := getCampaign(t, e, c.ID); got.TestedRevision != sha || !got.CheckedOut() {
		t.Errorf("campaign after the report: tested %q, checked out %v", got.TestedRevision, got.CheckedOut())
	}
	r.complete(t, job, "")

	c2 := createCampaign(t, e, campaign.Spec{Kind: campaign.KindExec, Command: []string{"./t"}, Iterations: 1, Labels: []string{"co"},
		Repo: "o/unregistered", Revision: sha})
	job, _ = r.leaseJob(t)
	if job.Checkout != nil {
		t.Errorf("a job of an unregistered repo came with a checkout: %+v", job.Checkout)
	}
	if code := r.sendResults(t, job, "b1", 0, 1, -1); code != 200 {
		t.Fatalf("results: %d", code)
	}
	if got := getCampaign(t, e, c2.ID); got.CheckedOut() || got.UntestedJobs != 1 {
		t.Errorf("unregistered repo's campaign: untested %d, checked out %v", got.UntestedJobs, got.CheckedOut())
	}
	// Another runner's job is not this runner's to report on.
	other := register(t, e, "r2", "co")
	if code := e.json(t, "POST", fmt.Sprintf("/api/v1/jobs/%d/checkout", job.ID), other.token, protocol.CheckoutReport{Commit: sha}, nil); code != 409 {
		t.Errorf("report by another runner: %d, want 409", code)
	}
}

func TestBisectionNeedsARegisteredRepo(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	body := map[string]any{"repo": "o/app", "good": "abc1234", "bad": "def5678", "test": "pkg.TestX"}
	var got struct{ Detail string }
	if code := e.json(t, "POST", "/api/v1/bisections", admin, body, &got); code != 409 || !strings.Contains(got.Detail, "not registered") {
		t.Errorf("unregistered: %d %q", code, got.Detail)
	}
	e.json(t, "POST", "/api/v1/repos", admin, map[string]any{"repo": "o/app", "clone_url": "https://github.com/o/app.git"}, nil)
	for _, tc := range []struct {
		name string
		body map[string]any
		want string
	}{
		{"same commit", map[string]any{"repo": "o/app", "good": "abc1234", "bad": "abc1234", "test": "pkg.TestX"}, "same commit"},
		{"option as a revision", map[string]any{"repo": "o/app", "good": "--all", "bad": "def5678", "test": "pkg.TestX"}, "revision"},
		{"a test no language runs", map[string]any{"repo": "o/app", "good": "abc1234", "bad": "def5678", "test": "math adds"}, "command"},
	} {
		if code := e.json(t, "POST", "/api/v1/bisections", admin, tc.body, &got); code != 400 || !strings.Contains(got.Detail, tc.want) {
			t.Errorf("%s: %d %q, want 400 about %s", tc.name, code, got.Detail, tc.want)
		}
	}
	var b struct {
		ID      int64
		State   string
		Command []string
		Steps   []struct {
			Role, Revision string
			Campaign       int64 `json:"campaign_id"`
		}
	}
	if code := e.json(t, "POST", "/api/v1/bisections", admin, body, &b); code != 201 || b.ID == 0 || b.State != "running" {
		t.Fatalf("create: %d %+v", code, b)
	}
	// The repository's command for a Go test, and the bad end started at
	// once.
	if strings.Join(b.Command, " ") != "go test -v -count=1 -run ^TestX$ pkg" || len(b.Steps) != 1 || b.Steps[0].Role != "bad-end" || b.Steps[0].Revision != "def5678" {
		t.Errorf("bisection: %+v", b)
	}
	if c := getCampaign(t, e, b.Steps[0].Campaign); c.Revision != "def5678" || c.Test != "pkg.TestX" || c.Stop != campaign.StopCount {
		t.Errorf("bad end campaign: %+v", c.Campaign)
	}
}
