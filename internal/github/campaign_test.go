package github_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/protocol"
	"github.com/triaged/triaged/internal/view"
)

// runCampaign registers a runner, creates a campaign on sha for the
// echo-pause scenario and runs it to its end, failing the iterations in
// fails. It returns the campaign's id.
func (e *env) runCampaign(sha string, iterations int, fails map[int]bool, beforeEnd func()) int64 {
	e.t.Helper()
	var reg protocol.Registered
	body, _ := json.Marshal(protocol.RegisterRequest{Name: "win-1", OS: "windows", Arch: "amd64", Version: "test"})
	if code := e.do("POST", "/api/v1/runners/register", "application/json", string(body), &reg); code != 201 {
		e.t.Fatalf("register: %d", code)
	}
	req, _ := json.Marshal(campaign.Spec{Kind: "scenario", Scenario: "echo-pause", Iterations: iterations, Repo: repo, Revision: sha})
	var c view.Campaign
	if code := e.do("POST", "/api/v1/campaigns", "application/json", string(req), &c); code != 201 {
		e.t.Fatalf("create campaign: %d", code)
	}
	if beforeEnd != nil {
		beforeEnd()
	}
	for {
		var job campaign.Job
		code := e.doAs(reg.Token, "POST", "/api/v1/jobs/lease", "{}", &job)
		if code == 204 {
			break
		}
		var rs []string
		for i := job.FirstIteration; i < job.FirstIteration+job.Iterations; i++ {
			outcome := "pass"
			if fails[i] {
				outcome = "fail"
			}
			rs = append(rs, fmt.Sprintf(`{"test":"proactor.echo-pause.fixed","outcome":%q,"iteration":%d,"failure_text":"lost 4096 bytes after pause_reading"}`, outcome, i))
		}
		if code := e.doAs(reg.Token, "POST", fmt.Sprintf("/api/v1/jobs/%d/results?batch=r1", job.ID), `{"results":[`+strings.Join(rs, ",")+`]}`, nil); code != 200 {
			e.t.Fatalf("job results: %d", code)
		}
		if code := e.doAs(reg.Token, "POST", fmt.Sprintf("/api/v1/jobs/%d/complete", job.ID), `{"error":""}`, nil); code != 200 {
			e.t.Fatalf("complete job: %d", code)
		}
	}
	return c.ID
}

// TestCampaignEndPostsStressStatus stresses a test that failed 10 times in
// 40 runs on the parent commit: 60 clean runs make the drop significant,
// 5 clean runs do not, and the status says so either way.
func TestCampaignEndPostsStressStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		iterations int
		fails      map[int]bool
		wantState  string
		wantDesc   string
	}{
		{"fixed", 60, nil, "success", "0/60 failed (was 25%) — fixed with 95% confidence"},
		{"too few runs", 5, nil, "success", "0/5 failed (was 25%) — too few runs to call it fixed"},
		{"still failing", 60, map[int]bool{3: true, 40: true}, "failure", "2/60 failed (was 25%) — rarer with 95% confidence, not gone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(c *cfgT) { c.PendingWhileCampaign = true })
			// The parent commit: 10 failures in 40 runs of the scenario.
			var before []result
			for i := range 40 {
				if i%4 == 0 {
					before = append(before, fail("proactor.echo-pause.fixed", "lost 4096 bytes after pause_reading"))
				} else {
					before = append(before, pass("proactor.echo-pause.fixed"))
				}
			}
			e.upload("9a2e171", "p1", before...)
			// CI on the fix commit: green.
			e.upload("f1c5000", "f1", pass("proactor.echo-pause.fixed"))
			id := e.runCampaign("f1c5000", tt.iterations, tt.fails, func() {
				// While the campaign runs the commit's status is pending.
				e.recorded("f1c5000")
				v := e.outbox("revision=f1c5000")
				if got := v.Statuses[0]; got.Context != "triaged" || got.State != "pending" ||
					got.Description != "stress campaign running · 1 test passed" {
					t.Errorf("status while the campaign runs: %s %s %q", got.Context, got.State, got.Description)
				}
			})
			waitFor(t, "the stress status", func() bool {
				for _, c := range acceptedFor(e.github, "f1c5000") {
					if strings.HasPrefix(c.Context, "triaged/stress") {
						return true
					}
				}
				return false
			})
			// The commit's own status goes back from pending to success; the
			// worker may post it before or after the stress status.
			waitFor(t, "the commit status after the campaign", func() bool {
				last := ""
				for _, c := range acceptedFor(e.github, "f1c5000") {
					if c.Context == "triaged" {
						last = c.State
					}
				}
				return last == "success"
			})
			var stress []call
			for _, c := range acceptedFor(e.github, "f1c5000") {
				if c.Context != "triaged" {
					stress = append(stress, c)
				}
			}
			if len(stress) != 1 {
				t.Fatalf("stress statuses: %+v, want one", stress)
			}
			s := stress[0]
			if s.Context != "triaged/stress: echo-pause.fixed" || s.State != tt.wantState || s.Desc != tt.wantDesc ||
				s.TargetURL != fmt.Sprintf("%s/campaigns/%d", publicURL, id) {
				t.Errorf("stress status: %s %s %q %s, want %s %q", s.Context, s.State, s.Desc, s.TargetURL, tt.wantState, tt.wantDesc)
			}
		})
	}
}
