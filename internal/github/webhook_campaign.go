package ingest

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/triaged/triaged/internal/github"
	"github.com/triaged/triaged/internal/store"
)

// VerifyConfig says which repos get a verification campaign per flaky test
// when a commit is pushed or a pull request updated, and how to stress a
// test. A built-in scenario test (scenario/<name>, as runners report
// scenario campaigns) is stressed as that scenario. Any other test needs a
// Command: triaged cannot guess how to run a repo's tests, so without one
// such tests are listed as not verified rather than stressed wrongly.
type VerifyConfig struct {
	Repos []string
	// Command is the argv of a test run; "{test}" in an argument becomes
	// the full test id, "{name}" its last component.
	Command []string
	Format  string // output format of Command (default auto)
	Labels  []string
	// Iterations per campaign (default 200); campaigns stop at the first
	// failure, which already shows the test is still flaky.
	Iterations int
	// MaxTests bounds the campaigns of one commit (default 10): the most
	// failing flaky tests of the repo in the last Since (default 30 days).
	MaxTests int
	Since    time.Duration
}

func (v VerifyConfig) withDefaults() VerifyConfig {
	v.Iterations = cmp.Or(v.Iterations, 200)
	v.MaxTests = cmp.Or(v.MaxTests, 10)
	v.Since = cmp.Or(v.Since, 30*24*time.Hour)
	return v
}

func (v VerifyConfig) covers(repo string) bool { return slices.Contains(v.Repos, repo) }

// verificationCampaigns returns a campaign for each of the repo's flaky
// tests that can be stressed, and the names of those that cannot.
func (h *Webhooks) verificationCampaigns(r *http.Request, repo, sha string) ([]store.CampaignSpec, []string, error) {
	v := h.cfg.Verify
	flaky, err := h.store.FlakyTests(r.Context(), repo, h.now().Add(-v.Since), v.MaxTests)
	if err != nil {
		return nil, nil, err
	}
	var specs []store.CampaignSpec
	var skipped []string
	for _, t := range flaky {
		req := CampaignRequest{
			Name: fmt.Sprintf("verify %s @ %.12s", github.ShortTestName(t.Name), sha), Labels: v.Labels,
			Iterations: v.Iterations, Stop: "first-failure", Repo: repo, Revision: sha,
		}
		if sc, ok := strings.CutPrefix(t.Name, "scenario/"); ok && slices.Contains(Scenarios, sc) {
			req.Kind, req.Scenario = "scenario", sc
		} else if len(v.Command) > 0 {
			req.Kind, req.Format = "exec", v.Format
			for _, arg := range v.Command {
				arg = strings.ReplaceAll(arg, "{test}", t.Name)
				req.Command = append(req.Command, strings.ReplaceAll(arg, "{name}", github.ShortTestName(t.Name)))
			}
		} else {
			skipped = append(skipped, t.Name)
			continue
		}
		spec, err := req.Validate()
		if err != nil {
			h.log.Warn("verification campaign not valid", "repo", repo, "test", t.Name, "err", err)
			skipped = append(skipped, t.Name)
			continue
		}
		specs = append(specs, spec)
	}
	return specs, skipped, nil
}
