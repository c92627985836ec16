package github

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/stress"
)

// VerifyConfig says which repos get a verification campaign per flaky test
// when a commit is pushed or a pull request updated, and how to stress a
// test. A built-in scenario's test (proactor.<scenario>.<mode>, as stress
// names it) is stressed as that scenario. Any other test needs a Command,
// or a registered repository, whose own command for the test is used
// (repo.Repo.CommandFor) and whose commit runners check out: triaged
// cannot guess how to run a repo's tests, so without either such tests
// are listed as not verified rather than stressed wrongly.
type VerifyConfig struct {
	Repos []string
	// Command is the argv of a test run; "{test}" in an argument becomes
	// the full test id, "{name}" its last component (see
	// campaign.Substitute), and the id is in $TRIAGED_TEST.
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

// CreatedBy is who the campaign list says started a verification
// campaign.
const CreatedBy = "github webhook"

func (v VerifyConfig) covers(repo string) bool { return slices.Contains(v.Repos, repo) }

// verificationCampaigns returns a campaign for each of the repo's flaky
// tests that can be stressed, and those that cannot, with why. A built-in
// scenario's test (as stress names it) is stressed as that scenario; any
// other test with the configured command, into which only a test id that
// campaign.CheckTestID accepts is substituted. Every campaign carries its
// test, which an exec command reads from $TRIAGED_TEST.
func (h *Webhooks) verificationCampaigns(r *http.Request, repo, sha, branch string) ([]campaign.Spec, []Refusal, error) {
	v := h.cfg.Verify
	flaky, err := h.store.FlakyTests(r.Context(), repo, h.now().Add(-v.Since), v.MaxTests)
	if err != nil {
		return nil, nil, err
	}
	// A registered repository is checked out at the commit, and its own
	// command runs each test when no --github-verify-command is set.
	reg, err := h.store.RepoByName(r.Context(), repo)
	registered := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, nil, err
	}
	var specs []campaign.Spec
	var refused []Refusal
	for _, t := range flaky {
		spec := campaign.Spec{
			Name: fmt.Sprintf("verify %s @ %.12s", campaign.ShortTestName(t.Name), sha), Labels: v.Labels,
			Iterations: v.Iterations, Stop: campaign.StopFirstFailure, Repo: repo, Revision: sha, Branch: branch,
			CreatedBy: CreatedBy, Test: t.Name,
		}
		if name, mode, ok := stress.ParseTestID(t.Name); ok {
			spec.Kind, spec.Scenario, spec.Proactor = campaign.KindScenario, name, mode.String()
		} else if len(v.Command) > 0 || registered {
			spec.Kind, spec.Format = campaign.KindExec, v.Format
			if len(v.Command) > 0 {
				spec.Command, err = campaign.Substitute(v.Command, t.Name)
			} else {
				spec.Command, err = reg.CommandFor(t.Name)
			}
			if err != nil {
				h.log.Warn("verification campaign refused", "repo", repo, "test", t.Name, "err", err)
				refused = append(refused, Refusal{Test: t.Name, Reason: err.Error()})
				continue
			}
		} else {
			refused = append(refused, Refusal{Test: t.Name, Reason: "not a built-in scenario, and no --github-verify-command says how to run it"})
			continue
		}
		spec, err := spec.Validate()
		if err != nil {
			h.log.Warn("verification campaign not valid", "repo", repo, "test", t.Name, "err", err)
			refused = append(refused, Refusal{Test: t.Name, Reason: err.Error()})
			continue
		}
		specs = append(specs, spec)
	}
	return specs, refused, nil
}
