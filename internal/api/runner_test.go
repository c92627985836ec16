package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/protocol"
	"github.com/triaged/triaged/internal/view"
)

type testRunner struct {
	e     *env
	token string
	id    int64
}

func register(t *testing.T, e *env, name string, labels ...string) *testRunner {
	t.Helper()
	var reg protocol.Registered
	body, _ := json.Marshal(protocol.RegisterRequest{Name: name, OS: "linux", Arch: "amd64", Labels: labels, Version: "test"})
	if code := e.do("POST", "/api/v1/runners/register", admin, "application/json", strings.NewReader(string(body)), &reg); code != 201 {
		t.Fatalf("register %s: %d", name, code)
	}
	return &testRunner{e: e, token: reg.Token, id: reg.ID}
}

// leaseJob leases and decodes a job, or returns ok=false on 204.
func (r *testRunner) leaseJob(t *testing.T) (campaign.Job, bool) {
	t.Helper()
	req := strings.NewReader("{}")
	var job campaign.Job
	code := r.e.do("POST", "/api/v1/jobs/lease", r.token, "application/json", req, &job)
	if code == 204 {
		return job, false
	}
	if code != 200 {
		t.Fatalf("lease: %d", code)
	}
	return job, true
}

func (r *testRunner) sendResults(t *testing.T, job campaign.Job, batch string, from, to int, failAt int) int {
	t.Helper()
	var rs []string
	for i := from; i < to; i++ {
		outcome := "pass"
		if i == failAt {
			outcome = "fail"
		}
		rs = append(rs, fmt.Sprintf(`{"test":"scenario/echo-pause","outcome":%q,"iteration":%d,"failure_text":"lost bytes"}`, outcome, i))
	}
	return r.e.do("POST", fmt.Sprintf("/api/v1/jobs/%d/results?batch=%s", job.ID, batch), r.token, "application/json",
		strings.NewReader(`{"results":[`+strings.Join(rs, ",")+`]}`), nil)
}

func (r *testRunner) complete(t *testing.T, job campaign.Job, errText string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"error": errText})
	return r.e.do("POST", fmt.Sprintf("/api/v1/jobs/%d/complete", job.ID), r.token, "application/json", strings.NewReader(string(body)), nil)
}

func createCampaign(t *testing.T, e *env, req campaign.Spec) view.Campaign {
	t.Helper()
	body, _ := json.Marshal(req)
	var c view.Campaign
	if code := e.do("POST", "/api/v1/campaigns", admin, "application/json", strings.NewReader(string(body)), &c); code != 201 {
		t.Fatalf("create campaign: %d", code)
	}
	return c
}

func getCampaign(t *testing.T, e *env, id int64) view.Campaign {
	t.Helper()
	var c view.Campaign
	if code := e.do("GET", fmt.Sprint("/api/v1/campaigns/", id), "", "", nil, &c); code != 200 {
		t.Fatalf("get campaign: %d", code)
	}
	return c
}

func TestCampaignRunsToCompletion(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	r := register(t, e, "lin-1", "py3.13")
	c := createCampaign(t, e, campaign.Spec{Kind: "scenario", Scenario: "echo-pause", Proactor: "legacy", Labels: []string{"linux"}, Iterations: 60})
	if c.State != "queued" || c.Runs != 0 {
		t.Fatalf("new campaign: %+v", c)
	}
	var jobs int
	for {
		job, ok := r.leaseJob(t)
		if !ok {
			break
		}
		jobs++
		if job.Campaign.Proactor != "legacy" || job.Iterations == 0 {
			t.Fatalf("job lacks its campaign: %+v", job)
		}
		if code := r.sendResults(t, job, "b1", job.FirstIteration, job.FirstIteration+job.Iterations, 30); code != 200 {
			t.Fatalf("results: %d", code)
		}
		// A retried upload of the same batch is stored once.
		if code := r.sendResults(t, job, "b1", job.FirstIteration, job.FirstIteration+job.Iterations, 30); code != 200 {
			t.Fatalf("retried results: %d", code)
		}
		if code := r.complete(t, job, ""); code != 200 {
			t.Fatalf("complete: %d", code)
		}
	}
	got := getCampaign(t, e, c.ID)
	if got.State != "done" || got.Runs != 60 || got.Failures != 1 || jobs < 2 {
		t.Errorf("finished campaign: state %s runs %d failures %d over %d jobs; want done 60 1 over several", got.State, got.Runs, got.Failures, jobs)
	}
	if got.Low <= 0 || got.High <= got.ReproRate || len(got.Runners) != 1 || got.Runners[0].Runs != 60 {
		t.Errorf("rates and runners: %+v", got)
	}
}

func TestLeaseRespectsLabelsAndRaces(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	win := register(t, e, "win-1", "windows")
	createCampaign(t, e, campaign.Spec{Kind: "scenario", Scenario: "starttls-server", Labels: []string{"windows"}, Iterations: 25})
	lin := register(t, e, "lin-1")
	if _, ok := lin.leaseJob(t); ok {
		t.Errorf("a runner without the label leased a windows job")
	}
	// Many concurrent leases of the single job: exactly one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 10 {
		wg.Go(func() {
			code := e.do("POST", "/api/v1/jobs/lease", win.token, "application/json", strings.NewReader("{}"), nil)
			if code == 200 {
				mu.Lock()
				won++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if won != 1 {
		t.Errorf("%d leases of one job succeeded, want 1", won)
	}
}

func TestExpiredLeaseIsRequeuedWithoutDuplicates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, ingest.Limits{})
	a, b := register(t, e, "a"), register(t, e, "b")
	c := createCampaign(t, e, campaign.Spec{Kind: "scenario", Scenario: "echo-pause", Iterations: 20})
	job, _ := a.leaseJob(t)
	// Runner a stores half its iterations, then dies (kill -9): no heartbeat.
	a.sendResults(t, job, "x", 0, 10, -1)
	e.store.Pool().Exec(ctx, `UPDATE jobs SET lease_expires_at = now() - interval '1 second'`)
	if n, _, err := e.store.RequeueExpired(ctx, 3); err != nil || n != 1 {
		t.Fatalf("requeue: %d %v", n, err)
	}
	again, ok := b.leaseJob(t)
	if !ok || again.ID != job.ID || len(again.Done) != 10 || again.Attempt != 2 {
		t.Fatalf("re-lease: ok=%v %+v", ok, again)
	}
	// The dead runner comes back and reports for a job it no longer holds.
	if code := a.sendResults(t, job, "y", 10, 20, -1); code != 409 {
		t.Errorf("upload for a lost lease: got %d, want 409", code)
	}
	if code := a.complete(t, job, ""); code != 409 {
		t.Errorf("complete of a lost lease: got %d, want 409", code)
	}
	// b re-runs everything, as a naive runner would: stored once each.
	b.sendResults(t, again, "z", 0, 20, -1)
	b.complete(t, again, "")
	got := getCampaign(t, e, c.ID)
	if got.Runs != 20 || got.State != "done" {
		t.Errorf("campaign: runs %d state %s, want 20 done", got.Runs, got.State)
	}
	if n := e.count(`SELECT count(*) FROM results`); n != 20 {
		t.Errorf("results: %d, want 20", n)
	}
}

func TestStopRulesAndCancel(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	r := register(t, e, "r")
	c := createCampaign(t, e, campaign.Spec{Kind: "scenario", Scenario: "echo-pause", Proactor: "legacy", Iterations: 100, Stop: "first-failure"})
	job, _ := r.leaseJob(t)
	r.sendResults(t, job, "1", job.FirstIteration, job.FirstIteration+5, job.FirstIteration+3)
	if got := getCampaign(t, e, c.ID); got.State != "done" || !strings.Contains(got.Reason, "first failure") {
		t.Errorf("first-failure campaign: %s %q", got.State, got.Reason)
	}
	var hb protocol.HeartbeatAnswer
	e.do("POST", "/api/v1/runners/heartbeat", r.token, "application/json", strings.NewReader("{}"), &hb)
	if len(hb.StopJobs) != 1 || hb.StopJobs[0] != job.ID {
		t.Errorf("heartbeat after the stop: %+v, want job %d to stop", hb, job.ID)
	}
	if _, ok := r.leaseJob(t); ok {
		t.Errorf("leased a job of a finished campaign")
	}

	c2 := createCampaign(t, e, campaign.Spec{Kind: "exec", Command: []string{"go", "test", "./..."}, Iterations: 10})
	if code := e.do("POST", fmt.Sprintf("/api/v1/campaigns/%d/cancel", c2.ID), admin, "", nil, nil); code != 200 {
		t.Errorf("cancel: %d", code)
	}
	if code := e.do("POST", fmt.Sprintf("/api/v1/campaigns/%d/cancel", c2.ID), admin, "", nil, nil); code != 409 {
		t.Errorf("second cancel: got %d, want 409", code)
	}
}

func TestRunnerProtocolRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	r := register(t, e, "r")
	other := register(t, e, "other")
	createCampaign(t, e, campaign.Spec{Kind: "scenario", Scenario: "echo-pause", Iterations: 5})
	job, _ := r.leaseJob(t)

	var upload struct{ Token string }
	e.do("POST", "/api/v1/tokens", admin, "application/json", strings.NewReader(`{"name":"ci","kind":"upload"}`), &upload)

	tests := []struct {
		name, method, path, token, body string
		want                            int
	}{
		{"register without token", "POST", "/api/v1/runners/register", "", `{"name":"x","os":"linux","arch":"amd64"}`, 401},
		{"register with an upload token", "POST", "/api/v1/runners/register", upload.Token, `{"name":"x","os":"linux","arch":"amd64"}`, 403},
		{"register a taken name", "POST", "/api/v1/runners/register", admin, `{"name":"r","os":"linux","arch":"amd64"}`, 409},
		{"register a bad name", "POST", "/api/v1/runners/register", admin, `{"name":"../x","os":"linux","arch":"amd64"}`, 400},
		{"register unknown field", "POST", "/api/v1/runners/register", admin, `{"name":"y","os":"linux","arch":"amd64","root":true}`, 400},
		{"lease with an admin token", "POST", "/api/v1/jobs/lease", admin, `{}`, 403},
		{"lease with a wrong token", "POST", "/api/v1/jobs/lease", "tri_wrong", `{}`, 401},
		{"results for another runner's job", "POST", fmt.Sprintf("/api/v1/jobs/%d/results?batch=1", job.ID), other.token, `{"results":[]}`, 409},
		{"complete another runner's job", "POST", fmt.Sprintf("/api/v1/jobs/%d/complete", job.ID), other.token, `{}`, 409},
		{"results without a batch id", "POST", fmt.Sprintf("/api/v1/jobs/%d/results", job.ID), r.token, `{"results":[]}`, 400},
		{"results outside the job", "POST", fmt.Sprintf("/api/v1/jobs/%d/results?batch=2", job.ID), r.token, `{"results":[{"test":"t","outcome":"pass","iteration":99}]}`, 400},
		{"results for no such job", "POST", "/api/v1/jobs/999999/results?batch=3", r.token, `{"results":[]}`, 404},
		{"campaign with a bad scenario", "POST", "/api/v1/campaigns", admin, `{"kind":"scenario","scenario":"nope","iterations":1}`, 400},
		{"campaign with zero iterations", "POST", "/api/v1/campaigns", admin, `{"kind":"scenario","scenario":"echo-pause","iterations":0}`, 400},
		{"campaign with absurd packets", "POST", "/api/v1/campaigns", admin, `{"kind":"scenario","scenario":"echo-pause","iterations":1,"params":{"packets":100000000}}`, 400},
		{"exec campaign without a command", "POST", "/api/v1/campaigns", admin, `{"kind":"exec","iterations":1}`, 400},
		{"each-runner campaign with no runner", "POST", "/api/v1/campaigns", admin, `{"kind":"exec","command":["true"],"iterations":1,"labels":["sparc"],"each_runner":true}`, 409},
		{"campaign by an upload token", "POST", "/api/v1/campaigns", upload.Token, `{"kind":"exec","command":["true"],"iterations":1}`, 403},
	}
	for _, tt := range tests {
		if code := e.do(tt.method, tt.path, tt.token, "application/json", strings.NewReader(tt.body), nil); code != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, code, tt.want)
		}
	}
	if n := e.count(`SELECT count(*) FROM results`); n != 0 {
		t.Errorf("refused requests stored %d results", n)
	}

	// A disabled runner is refused, and its job goes back to the queue.
	if code := e.do("POST", fmt.Sprintf("/api/v1/runners/%d/disable", r.id), admin, "", nil, nil); code != 200 {
		t.Fatalf("disable: %d", code)
	}
	if code := e.do("POST", "/api/v1/jobs/lease", r.token, "application/json", strings.NewReader("{}"), nil); code != 403 {
		t.Errorf("lease by a disabled runner: got %d, want 403", code)
	}
	if again, ok := other.leaseJob(t); !ok || again.ID != job.ID {
		t.Errorf("the disabled runner's job was not requeued")
	}
}

// TestEachRunnerCampaign gives every matching runner the whole iteration
// count, with iteration numbers of its own, so both hosts' runs are stored.
func TestEachRunnerCampaign(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	a, b := register(t, e, "a", "x"), register(t, e, "b", "x")
	register(t, e, "other")
	c := createCampaign(t, e, campaign.Spec{Kind: "scenario", Scenario: "echo-pause", Labels: []string{"x"}, Iterations: 10, EachRunner: true})
	for _, r := range []*testRunner{a, b} {
		job, ok := r.leaseJob(t)
		if !ok {
			t.Fatalf("runner %d got no job", r.id)
		}
		if code := r.sendResults(t, job, "1", job.FirstIteration, job.FirstIteration+job.Iterations, job.FirstIteration); code != 200 {
			t.Fatalf("results: %d", code)
		}
		r.complete(t, job, "")
	}
	got := getCampaign(t, e, c.ID)
	if got.State != "done" || got.Planned != 20 || got.Runs != 20 || got.Failures != 2 || len(got.Runners) != 2 {
		t.Errorf("each-runner campaign: state %s, %d runs, %d failures over %d runners; want done, 20, 2, 2", got.State, got.Runs, got.Failures, len(got.Runners))
	}
}
