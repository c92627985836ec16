package main

import (
	"flag"
	"time"

	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/config"
	"github.com/triaged/triaged/internal/github"
	"github.com/triaged/triaged/internal/issue"
	"github.com/triaged/triaged/internal/quarantine"
)

// actFlags are serve's settings for acting on findings: issues filed per
// signature, quarantines and rules.
type actFlags struct {
	issues    github.IssueConfig
	routes    string
	recur     string
	act       app.ActConfig
	threshold issue.Threshold
}

func (a *actFlags) register(fs *flag.FlagSet) {
	d := issue.DefaultThreshold
	fs.StringVar(&a.routes, "github-issues", "", "owner/name[=tracker-owner/tracker-name],… whose failure signatures get a GitHub issue (in the repo, or in the tracker after =); needs --github-token")
	fs.IntVar(&a.threshold.MinRuns, "github-issue-min-runs", d.MinRuns, "failing runs a signature needs within --github-issue-window to get an issue (besides --github-issue-min-revisions)")
	fs.IntVar(&a.threshold.MinRevisions, "github-issue-min-revisions", d.MinRevisions, "revisions those failing runs must span")
	fs.DurationVar(&a.threshold.Window, "github-issue-window", d.Window, "window of the issue threshold; a signature with a broken test gets an issue at once")
	fs.StringVar(&a.recur, "github-issue-recur", string(issue.Reopen), "when a signature fails again after its issue was closed: reopen (with a comment) or comment")
	fs.DurationVar(&a.act.QuarantineMax, "quarantine-max", quarantine.DefaultMaxAhead, "how far ahead a quarantine may expire")
	fs.DurationVar(&a.act.RuleWindow, "rule-window", 30*24*time.Hour, "how far back a rule's preview looks and a saved rule is applied")
}

// finish checks the parsed flags.
func (a *actFlags) finish(posting bool) error {
	routes, err := issue.ParseRoutes(config.SplitList(a.routes))
	if err != nil {
		return config.Usagef("--github-issues: %v", err)
	}
	if len(routes) > 0 && !posting {
		return config.Usagef("--github-issues needs --github-token: issues are filed with it")
	}
	a.issues.Routes, a.issues.Threshold, a.issues.OnRecur = routes, a.threshold, issue.OnRecur(a.recur)
	if err := a.issues.Validate(); err != nil {
		return config.Usagef("%v", err)
	}
	switch {
	case a.act.QuarantineMax < time.Hour || a.act.QuarantineMax > 366*24*time.Hour:
		return config.Usagef("--quarantine-max: want 1h to 366 days (e.g. 2160h), got %v", a.act.QuarantineMax)
	case a.act.RuleWindow < time.Hour || a.act.RuleWindow > 366*24*time.Hour:
		return config.Usagef("--rule-window: want 1h to 366 days (e.g. 720h), got %v", a.act.RuleWindow)
	}
	return nil
}
