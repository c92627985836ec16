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

// createToken makes a token through the API and returns its secret.
func createToken(t *testing.T, e *env, body string) (string, int) {
	t.Helper()
	var created struct {
		Token string   `json:"token"`
		Repos []string `json:"repos"`
	}
	code := e.do("POST", "/api/v1/tokens", admin, "application/json", strings.NewReader(body), &created)
	return created.Token, code
}

// TestTokensBoundToRepos: a token for python/cpython cannot upload, or
// cause statuses, for golang/go (issue #14, item 2) — directly, or through
// a runner it registered.
func TestTokensBoundToRepos(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	for _, bad := range []string{
		`{"name":"x","kind":"upload","repos":["../.."]}`,
		`{"name":"x","kind":"upload","repos":["python"]}`,
		`{"name":"x","kind":"upload","repos":["python/cpython/x"]}`,
		`{"name":"x","kind":"admin","repos":["python/cpython"]}`,
	} {
		if _, code := createToken(t, e, bad); code != 400 {
			t.Errorf("%s: got %d, want 400", bad, code)
		}
	}
	cpython, code := createToken(t, e, `{"name":"cpython ci","kind":"upload","repos":["python/cpython","python/cpython"]}`)
	if code != 201 {
		t.Fatalf("create bound token: %d", code)
	}
	var list struct{ Tokens []struct{ Repos []string } }
	e.do("GET", "/api/v1/tokens", admin, "", nil, &list)
	if len(list.Tokens) != 1 || fmt.Sprint(list.Tokens[0].Repos) != "[python/cpython]" {
		t.Errorf("tokens: %+v, want one bound to python/cpython", list.Tokens)
	}
	body := `{"results":[{"test":"t.a","outcome":"fail","failure_text":"boom"}]}`
	up := func(token, repo string) int {
		return e.do("POST", "/api/v1/results?builder=ci&revision=abc1234&repo="+repo, token, "application/json", strings.NewReader(body), nil)
	}
	if code := up(cpython, "python/cpython"); code != 200 {
		t.Errorf("bound token, its repo: %d, want 200", code)
	}
	if code := up(cpython, "golang/go"); code != 403 {
		t.Errorf("bound token, another repo: %d, want 403", code)
	}
	anyRepo, _ := createToken(t, e, `{"name":"any","kind":"upload"}`)
	if code := up(anyRepo, "golang/go"); code != 200 {
		t.Errorf("unbound token: %d, want 200", code)
	}

	// A runner registered with a bound registration token is bound too: it
	// leases no campaign of golang/go, and its results for one are refused.
	reg, code := createToken(t, e, `{"name":"cpython runners","kind":"register","repos":["python/cpython"]}`)
	if code != 201 {
		t.Fatalf("create bound register token: %d", code)
	}
	var runner protocol.Registered
	rb, _ := json.Marshal(protocol.RegisterRequest{Name: "bound-1", OS: "linux", Arch: "amd64", Version: "test"})
	if code := e.do("POST", "/api/v1/runners/register", reg, "application/json", strings.NewReader(string(rb)), &runner); code != 201 {
		t.Fatalf("register: %d", code)
	}
	r := &testRunner{e: e, token: runner.Token, id: runner.ID}
	goCampaign := createCampaign(t, e, campaign.Spec{Kind: campaign.KindScenario, Scenario: "echo-pause", Iterations: 5, Repo: "golang/go", Revision: "abc1234"})
	if job, ok := r.leaseJob(t); ok {
		t.Fatalf("a runner bound to python/cpython leased job %d of campaign %d on %s", job.ID, job.Campaign.ID, job.Campaign.Repo)
	}
	if code := e.do("POST", "/api/v1/results?builder=ci&revision=abc1234&repo=golang/go", r.token, "application/json", strings.NewReader(body), nil); code != 403 {
		t.Errorf("bound runner uploading for golang/go: %d, want 403", code)
	}
	// A job leased to it anyway (before it was bound, or by a bug).
	if _, err := e.store.Pool().Exec(t.Context(), `UPDATE jobs SET state = 'leased', runner_id = $1, attempts = 1,
		lease_expires_at = now() + interval '1 minute' WHERE campaign_id = $2`, r.id, goCampaign.ID); err != nil {
		t.Fatal(err)
	}
	var jobID int64
	e.store.Pool().QueryRow(t.Context(), `SELECT id FROM jobs WHERE campaign_id = $1`, goCampaign.ID).Scan(&jobID)
	if code := r.sendResults(t, campaign.Job{ID: jobID}, "b1", 0, 5, 2); code != 403 {
		t.Errorf("bound runner sending job results for golang/go: %d, want 403", code)
	}
	// Its own repo's campaigns, and campaigns on no repo, it runs.
	py := createCampaign(t, e, campaign.Spec{Kind: campaign.KindScenario, Scenario: "echo-pause", Iterations: 5, Repo: "python/cpython", Revision: "abc1234"})
	job, ok := r.leaseJob(t)
	if !ok || job.CampaignID != py.ID {
		t.Fatalf("bound runner leased %+v, want a job of campaign %d", job, py.ID)
	}
	if code := r.sendResults(t, job, "b1", 0, 5, -1); code != 200 {
		t.Errorf("bound runner, its repo's job: %d, want 200", code)
	}
	none := createCampaign(t, e, campaign.Spec{Kind: campaign.KindScenario, Scenario: "echo-pause", Iterations: 5})
	if job, ok := r.leaseJob(t); !ok || job.CampaignID != none.ID {
		t.Errorf("bound runner leased %+v, want a job of campaign %d, which has no repo", job, none.ID)
	}

	if n := e.count(`SELECT count(*) FROM results WHERE repo = 'golang/go'`); n != 1 {
		t.Errorf("%d results stored for golang/go, want only the unbound token's", n)
	}
	if n := e.count(`SELECT count(*) FROM upload_batches WHERE repo = 'golang/go'`); n != 1 {
		t.Errorf("%d batches for golang/go, want only the unbound token's", n)
	}
}
