package github_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/github"
	"github.com/triaged/triaged/internal/store"
)

func TestRevisionStatusWording(t *testing.T) {
	t.Parallel()
	long := "test." + strings.Repeat("x", 60) + ".test_" + strings.Repeat("very_long_name_", 12)
	tests := []struct {
		name      string
		pending   bool
		facts     store.CommitFacts
		wantState string
		wantDesc  string
	}{
		{name: "nothing yet", facts: store.CommitFacts{}, wantState: "", wantDesc: ""},
		{name: "all passed", facts: store.CommitFacts{Tests: 312}, wantState: "success", wantDesc: "all 312 tests passed"},
		{name: "new and known", facts: store.CommitFacts{Tests: 40, Failing: []store.FailingTest{
			{Name: "a.test_new", Class: store.FailureNew, Failures: 1},
			{Name: "test.test_asyncio.test_sslproto.SelectorStartTLSTests.test_start_tls_server_1", Class: store.FailureKnown, Failures: 3, HistoryRuns: 1000, HistoryFailures: 21},
			{Name: "b.test_other", Class: store.FailureKnown, Failures: 1, HistoryRuns: 10, HistoryFailures: 5},
		}}, wantState: "failure", wantDesc: "1 new failure · 2 known flaky (test_start_tls_server_1 2.1%)"},
		{name: "infra only", facts: store.CommitFacts{Tests: 40, Failing: []store.FailingTest{
			{Name: "a", Class: store.FailureInfra}, {Name: "b", Class: store.FailureInfra},
		}}, wantState: "error", wantDesc: "2 infra failures"},
		{name: "rare flake", facts: store.CommitFacts{Tests: 2, Failing: []store.FailingTest{
			{Name: "pkg.TestDial", Class: store.FailureKnown, HistoryRuns: 23000, HistoryFailures: 10},
		}}, wantState: "success", wantDesc: "1 known flaky (TestDial 0.043%)"},
		{name: "pending while a campaign runs", pending: true, facts: store.CommitFacts{Tests: 3, ActiveCampaigns: 1, Failing: []store.FailingTest{
			{Name: "a.test_x", Class: store.FailureKnown, HistoryRuns: 4, HistoryFailures: 1},
		}}, wantState: "pending", wantDesc: "stress campaign running · 1 known flaky (test_x 25%)"},
		{name: "a new failure is not pending", pending: true, facts: store.CommitFacts{Tests: 3, ActiveCampaigns: 1, Failing: []store.FailingTest{
			{Name: "a.test_x", Class: store.FailureNew},
		}}, wantState: "failure", wantDesc: "1 new failure"},
		{name: "campaign running, pending off", facts: store.CommitFacts{Tests: 3, ActiveCampaigns: 1}, wantState: "success", wantDesc: "all 3 tests passed"},
		{name: "long name is cut, rate kept", facts: store.CommitFacts{Tests: 9, Failing: []store.FailingTest{
			{Name: "n.test_new", Class: store.FailureNew}, {Name: long, Class: store.FailureKnown, HistoryRuns: 8, HistoryFailures: 1},
			{Name: "i.test_infra", Class: store.FailureInfra},
		}}, wantState: "failure", wantDesc: "1 new failure · 1 known flaky (test_very_long_name_very_long_name_very_long_name_very_long_name_very_long_name_very_… 12%) · 1 infra failure"}, // exactly 140
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := github.NewStatuses(github.Config{PublicURL: "https://t.example/", PendingWhileCampaign: tt.pending})
			tt.facts.Repo, tt.facts.Revision = "owner/app", "abc"
			got := s.RevisionStatus(tt.facts)
			if got.State != tt.wantState || got.Description != tt.wantDesc {
				t.Errorf("got %s %q, want %s %q", got.State, got.Description, tt.wantState, tt.wantDesc)
			}
			if n := utf8.RuneCountInString(got.Description); n > 140 {
				t.Errorf("description has %d characters, GitHub takes 140", n)
			}
			if got.State != "" && (got.Context != "triaged" || got.TargetURL != "https://t.example/revisions/abc?repo=owner/app") {
				t.Errorf("context %q, target %q", got.Context, got.TargetURL)
			}
		})
	}
}

func TestCampaignStatusWording(t *testing.T) {
	t.Parallel()
	newCampaign := func(state campaign.State, runs, failures int) campaign.Campaign {
		c := campaign.Campaign{ID: 7, State: state, Runs: runs, Failures: failures}
		c.Repo, c.Revision = "owner/app", "abc"
		return c
	}
	tests := []struct {
		name      string
		facts     store.CampaignFacts
		wantCtx   string
		wantState string
		wantDesc  string
	}{
		{"fixed", store.CampaignFacts{Campaign: newCampaign("done", 1500, 0), Tests: []string{"t.S.test_start_tls_server_1"}, BeforeRuns: 200, BeforeFailures: 24},
			"triaged/stress: test_start_tls_server_1", "success", "0/1500 failed (was 12%) — fixed with 95% confidence"},
		{"too few runs", store.CampaignFacts{Campaign: newCampaign("done", 10, 0), Tests: []string{"a", "b"}, BeforeRuns: 200, BeforeFailures: 24},
			"triaged/stress", "success", "0/10 failed (was 12%) — too few runs to call it fixed"},
		{"not fixed", store.CampaignFacts{Campaign: newCampaign("done", 100, 12), BeforeRuns: 200, BeforeFailures: 24},
			"triaged/stress", "failure", "12/100 failed (was 12%) — not fixed"},
		{"never failed before", store.CampaignFacts{Campaign: newCampaign("done", 100, 1), BeforeRuns: 50},
			"triaged/stress", "failure", "1/100 failed (none in 50 earlier runs)"},
		{"no baseline", store.CampaignFacts{Campaign: newCampaign("done", 100, 0)},
			"triaged/stress", "success", "0/100 failed (no earlier runs to compare)"},
		{"cancelled", store.CampaignFacts{Campaign: newCampaign("cancelled", 30, 3)},
			"triaged/stress", "failure", "cancelled: 3/30 failed (10%)"},
		{"failed campaign", store.CampaignFacts{Campaign: func() campaign.Campaign {
			c := newCampaign("failed", 25, 0)
			c.Reason = "lease expired 3 times; last held by runner 4"
			return c
		}()}, "triaged/stress", "error", "campaign failed after 25 runs: lease expired 3 times; last held by runner 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := github.NewStatuses(github.Config{PublicURL: "https://t.example"}).CampaignStatus(tt.facts)
			if got.Context != tt.wantCtx || got.State != tt.wantState || got.Description != tt.wantDesc || got.TargetURL != "https://t.example/campaigns/7" {
				t.Errorf("got %s %s %q %s, want %s %s %q", got.Context, got.State, got.Description, got.TargetURL, tt.wantCtx, tt.wantState, tt.wantDesc)
			}
		})
	}
}
