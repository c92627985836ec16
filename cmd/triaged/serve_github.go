package main

import (
	"encoding/json"
	"flag"
	"strings"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/config"
	"github.com/triaged/triaged/internal/github"
	"github.com/triaged/triaged/internal/vcs"
)

// githubSecrets are serve's GitHub flags that may come from a _FILE.
var githubSecrets = []string{"github-token", "github-webhook-secret"}

// githubFlags are serve's GitHub settings: statuses, their delivery, and
// webhooks with verification campaigns.
type githubFlags struct {
	gh            github.Config
	hook          github.WebhookConfig
	verifyRepos   string
	verifyCommand string
	verifyLabels  string
}

func (g *githubFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&g.gh.Token, "github-token", "", "GitHub token (personal or installation) to post commit statuses with; empty: statuses are recorded, not posted (also from TRIAGED_GITHUB_TOKEN_FILE, re-read when it changes)")
	fs.StringVar(&g.gh.APIURL, "github-api-url", "", "GitHub Enterprise API URL, e.g. https://ghe.example.com/api/v3 (default: api.github.com)")
	fs.StringVar(&g.hook.Secret, "github-webhook-secret", "", "secret of the GitHub webhook; empty: POST /webhooks/github answers 404 (also from TRIAGED_GITHUB_WEBHOOK_SECRET_FILE)")
	fs.StringVar(&g.gh.PublicURL, "public-url", "", "address people open triaged at; commit statuses link to its pages")
	fs.StringVar(&g.gh.Context, "github-context", "triaged", "context of commit statuses; campaigns post under <context>/stress")
	fs.BoolVar(&g.gh.PendingWhileCampaign, "github-pending-while-campaign", false, "a commit's status is pending, not success, while a campaign on it runs")
	fs.StringVar(&g.verifyRepos, "github-verify-repos", "", "owner/name,… whose pushes and pull requests start verification campaigns for their flaky tests")
	fs.StringVar(&g.verifyCommand, "github-verify-command", "", `command that runs one test, {test} standing for its id and {name} for its last part (the id is also in $TRIAGED_TEST; never use a shell form with {test}): words, or a JSON array such as ["python3","-m","test","-m","{name}"]; without it only built-in scenario tests are verified`)
	fs.StringVar(&g.hook.Verify.Format, "github-verify-format", "auto", "output format of --github-verify-command: "+campaign.FormatHelp())
	fs.StringVar(&g.verifyLabels, "github-verify-labels", "", "runner labels verification campaigns need, comma-separated")
	fs.IntVar(&g.hook.Verify.Iterations, "github-verify-iterations", 200, "iterations of a verification campaign (it stops at the first failure)")
	fs.IntVar(&g.hook.Verify.MaxTests, "github-verify-max-tests", 10, "most campaigns per commit: the flakiest tests of the repo")
	fs.Int64Var(&g.hook.MaxBody, "github-webhook-max-bytes", github.DefaultWebhookMaxBody, "largest webhook body read (413 above); it is read before its signature is checked, from anyone")
}

// finish checks the parsed flags and fills what they imply.
func (g *githubFlags) finish(getenv func(string) string) error {
	if g.gh.Token != "" && getenv(config.EnvName("github-token")) == "" {
		// Read from the file: keep reading it, for tokens a helper refreshes.
		g.gh.TokenFile = getenv(config.EnvName("github-token") + "_FILE")
	}
	if err := g.gh.Validate(); err != nil {
		return config.Usagef("%v", err)
	}
	g.hook.Verify.Repos = config.SplitList(g.verifyRepos)
	g.hook.Verify.Labels = config.SplitList(g.verifyLabels)
	if c := strings.TrimSpace(g.verifyCommand); strings.HasPrefix(c, "[") {
		if err := json.Unmarshal([]byte(c), &g.hook.Verify.Command); err != nil {
			return config.Usagef("--github-verify-command: not a JSON array of strings: %v", err)
		}
	} else {
		g.hook.Verify.Command = strings.Fields(c)
	}
	switch {
	case len(g.hook.Verify.Repos) > 0 && g.hook.Secret == "":
		return config.Usagef("--github-verify-repos needs --github-webhook-secret: campaigns start from webhooks")
	case g.hook.Verify.Iterations < 1 || g.hook.Verify.Iterations > 1_000_000:
		return config.Usagef("--github-verify-iterations: want 1 to 1000000, got %d", g.hook.Verify.Iterations)
	case g.hook.Verify.MaxTests < 1 || g.hook.Verify.MaxTests > 100:
		return config.Usagef("--github-verify-max-tests: want 1 to 100, got %d", g.hook.Verify.MaxTests)
	case g.hook.MaxBody < 64<<10 || g.hook.MaxBody > 25<<20:
		return config.Usagef("--github-webhook-max-bytes: want 65536 to 26214400 (GitHub's cap), got %d", g.hook.MaxBody)
	}
	if len(g.hook.Verify.Command) > 0 {
		// Checked now, not on the first push: a typo would otherwise only
		// show as tests that are never verified.
		probe := campaign.Spec{Kind: campaign.KindExec, Command: g.hook.Verify.Command, Format: g.hook.Verify.Format, Iterations: 1}
		if _, err := probe.Validate(); err != nil {
			return config.Usagef("--github-verify-command/--github-verify-format: %v", err)
		}
	}
	for _, r := range g.hook.Verify.Repos {
		if err := vcs.CheckRepo(r); err != nil {
			return config.Usagef("--github-verify-repos: %v", err)
		}
	}
	return nil
}
