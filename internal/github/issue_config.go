package github

import (
	"cmp"
	"fmt"
	"time"

	"github.com/triaged/triaged/internal/issue"
)

// IssueConfig is how triaged files issues for failure signatures.
type IssueConfig struct {
	// Routes are the repos whose signatures get issues, and where
	// (--github-issues); admins may add more at run time.
	Routes []issue.Route
	// Threshold is when a signature gets an issue.
	Threshold issue.Threshold
	// OnRecur is what a failure back after its issue closed does.
	OnRecur issue.OnRecur
	// Window is the window a closed issue's rate is measured over (the
	// verdict window).
	Window time.Duration
	// Poll is how often new candidates and due actions are looked for
	// (default 10s); Check how often filed issues' numbers are (default
	// 5m); SyncEvery how long an open issue whose failure goes on may go
	// without reading its state on GitHub (default 1h).
	Poll, Check, SyncEvery time.Duration
}

func (c IssueConfig) withDefaults() IssueConfig {
	if c.Threshold == (issue.Threshold{}) {
		c.Threshold = issue.DefaultThreshold
	}
	c.OnRecur = cmp.Or(c.OnRecur, issue.Reopen)
	c.Window = cmp.Or(c.Window, 30*24*time.Hour)
	c.Poll = cmp.Or(c.Poll, 10*time.Second)
	c.Check = cmp.Or(c.Check, 5*time.Minute)
	c.SyncEvery = cmp.Or(c.SyncEvery, time.Hour)
	return c
}

// Validate reports the first setting that cannot work.
func (c IssueConfig) Validate() error {
	c = c.withDefaults()
	if err := c.Threshold.Check(); err != nil {
		return fmt.Errorf("issue threshold: %w", err)
	}
	if c.OnRecur != issue.Reopen && c.OnRecur != issue.Comment {
		return fmt.Errorf("--github-issue-recur=%q: want reopen or comment", c.OnRecur)
	}
	return nil
}
