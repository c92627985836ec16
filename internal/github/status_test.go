package github_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/github"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/verdict"
)

// failing is a failing test of a commit, to build facts from: a class and
// the failures and runs of its history.
type failing struct {
	name           string
	class          verdict.Class
	failures, runs int
}

// commitFacts builds what the store would read for a commit on which ran
// tests ran and these failed, with histories that make the classifier say
// each one's class.
func commitFacts(ran, active int, fs ...failing) verdict.Commit {
	c := verdict.Commit{Repo: "owner/app", Revision: "abc1234", Ran: ran, ActiveCampaigns: active,
		Histories: map[verdict.TestKey]verdict.History{}, Names: map[int64]string{}}
	for i, f := range fs {
		k := verdict.TestKey{TestID: int64(i + 1), OS: "windows"}
		c.Names[k.TestID] = f.name
		h := verdict.History{FlakySignatures: map[int64]bool{}, Revisions: []verdict.Revision{{Revision: "abc1234", Runs: 1, Failures: 1}}}
		switch f.class {
		case verdict.Known: // flaky on an earlier revision, failing the same way
			h.Revisions = append(h.Revisions, verdict.Revision{Revision: "0ld0001", Runs: f.runs - 1, Failures: f.failures - 1,
				Passes: f.runs - f.failures})
			h.FlakySignatures[k.TestID] = true
		case verdict.Broken:
			h.Revisions = append(h.Revisions, verdict.Revision{Revision: "0ld0001", Runs: 2, Failures: 2})
		}
		c.Histories[k] = h
		c.Failures = append(c.Failures, verdict.CommitFailure{Test: k, Signature: k.TestID, Infra: f.class == verdict.Infra, Count: 1})
	}
	return c
}

func TestRevisionStatusWording(t *testing.T) {
	t.Parallel()
	long := "test." + strings.Repeat("x", 60) + ".test_" + strings.Repeat("very_long_name_", 12)
	tests := []struct {
		name      string
		pending   bool
		facts     verdict.Commit
		wantState string
		wantDesc  string
	}{
		{name: "nothing yet", facts: commitFacts(0, 0), wantState: "", wantDesc: ""},
		{name: "all passed", facts: commitFacts(312, 0), wantState: "success", wantDesc: "all 312 tests passed"},
		{name: "skips are not passes", facts: func() verdict.Commit { c := commitFacts(21, 0); c.Skipped = 11; return c }(),
			wantState: "success", wantDesc: "all 21 tests passed · 11 tests skipped"},
		{name: "new and known", facts: commitFacts(40, 0,
			failing{"a.test_new", verdict.New, 1, 1},
			failing{"test.test_asyncio.test_sslproto.SelectorStartTLSTests.test_start_tls_server_1", verdict.Known, 21, 1000},
			failing{"b.test_other", verdict.Known, 5, 10},
		), wantState: "failure", wantDesc: "1 new failure · 2 known flaky (test_start_tls_server_1 2.1%, 95% CI 1.4–3.2%)"},
		{name: "broken", facts: commitFacts(40, 0, failing{"a.test_dns", verdict.Broken, 3, 3}, failing{"b.test_dns", verdict.Broken, 3, 3}),
			wantState: "failure", wantDesc: "2 tests failing since 0ld0001"},
		{name: "infra only", facts: commitFacts(40, 0, failing{"a", verdict.Infra, 1, 1}, failing{"b", verdict.Infra, 1, 1}),
			wantState: "error", wantDesc: "2 infra failures"},
		{name: "rare flake", facts: commitFacts(2, 0, failing{"pkg.TestDial", verdict.Known, 10, 23000}),
			wantState: "success", wantDesc: "1 known flaky (TestDial 0.043%, 95% CI 0.024–0.08%)"},
		{name: "pending while a campaign runs", pending: true, facts: commitFacts(3, 1, failing{"a.test_x", verdict.Known, 2, 8}),
			wantState: "pending", wantDesc: "stress campaign running · 1 known flaky (test_x 25%, 95% CI 7.1–59%)"},
		{name: "a new failure is not pending", pending: true, facts: commitFacts(3, 1, failing{"a.test_x", verdict.New, 1, 1}),
			wantState: "failure", wantDesc: "1 new failure"},
		{name: "campaign running, pending off", facts: commitFacts(3, 1), wantState: "success", wantDesc: "all 3 tests passed"},
		{name: "long name is cut, rate kept", facts: commitFacts(9, 0,
			failing{"n.test_new", verdict.New, 1, 1}, failing{long, verdict.Known, 2, 16}, failing{"i.test_infra", verdict.Infra, 1, 1},
		), wantState: "failure", wantDesc: "1 new failure · 1 known flaky (test_very_long_name_very_long_name_very_long_name_very_long_name_very… 12%, 95% CI 3.5–36%) · 1 infra failure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := github.NewStatuses(github.Config{PublicURL: "https://t.example/", PendingWhileCampaign: tt.pending})
			got := s.RevisionStatus(tt.facts)
			if got.State != tt.wantState || got.Description != tt.wantDesc {
				t.Errorf("got %s %q, want %s %q", got.State, got.Description, tt.wantState, tt.wantDesc)
			}
			if n := utf8.RuneCountInString(got.Description); n > 140 {
				t.Errorf("description has %d characters, GitHub takes 140", n)
			}
			if got.State != "" && (got.Context != "triaged" || got.TargetURL != "https://t.example/revisions/abc1234?repo=owner/app") {
				t.Errorf("context %q, target %q", got.Context, got.TargetURL)
			}
		})
	}
}

// TestRevisionStatusLinksOnlyCheckedNames: a status links to the commit's
// page only for a repo and commit id that are what they claim, so a link
// GitHub shows cannot be steered by what an uploader sent.
func TestRevisionStatusLinksOnlyCheckedNames(t *testing.T) {
	t.Parallel()
	s := github.NewStatuses(github.Config{PublicURL: "https://t.example"})
	for _, tc := range []struct{ repo, revision, want string }{
		{"owner/app", "abc1234", "https://t.example/revisions/abc1234?repo=owner/app"},
		{"my-org/app.js", "ABCDEF0123", "https://t.example/revisions/ABCDEF0123?repo=my-org/app.js"},
		{"../..", "../../tokens", ""},
		{"owner/app", "abc1234?x=1", ""},
		{"owner/app&next=//evil.example", "abc1234", ""},
		{"owner/app#x", "abc1234", ""},
	} {
		c := commitFacts(1, 0)
		c.Repo, c.Revision = tc.repo, tc.revision
		if got := s.RevisionStatus(c).TargetURL; got != tc.want {
			t.Errorf("repo %q revision %q: target %q, want %q", tc.repo, tc.revision, got, tc.want)
		}
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
		{"tested in a checkout", store.CampaignFacts{Campaign: func() campaign.Campaign {
			c := newCampaign("done", 1500, 0)
			c.Kind, c.TestedRevision = campaign.KindExec, "abc0123456789abc0123456789abc0123456789a"
			return c
		}(), BeforeRuns: 200, BeforeFailures: 24}, "triaged/stress", "success", "0/1500 failed @ abc0123 (was 12%) — fixed with 95% confidence"},
		{"not checked out", store.CampaignFacts{Campaign: func() campaign.Campaign {
			c := newCampaign("done", 1500, 0)
			c.Kind, c.UntestedJobs = campaign.KindExec, 60
			return c
		}(), BeforeRuns: 200, BeforeFailures: 24}, "triaged/stress", "error",
			"0/1500 failed, not at abc: owner/app is not registered, so runners did not check it out"},
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
