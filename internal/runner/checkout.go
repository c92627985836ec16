package runner

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/checkout"
	"github.com/triaged/triaged/internal/protocol"
	"github.com/triaged/triaged/internal/vcs"
)

// checkOut makes the job's worktree: the campaign's revision, checked out
// clean and built, and tells the server which commit that is before any
// iteration runs. Its errors are the job's reason for failing, worded as
// what they are: the infrastructure's failure, not the test's.
func (a *Agent) checkOut(ctx context.Context, c *client, job campaign.Job, log *slog.Logger) (*checkout.Worktree, error) {
	spec := *job.Checkout
	log.Info("checking out", "repo", spec.Repo, "revision", spec.Revision, "build", spec.Build)
	env := []string{"TRIAGED_REPO=" + spec.Repo, "TRIAGED_REVISION=" + spec.Revision}
	wt, err := a.checkouts.Prepare(ctx, spec, env)
	if err != nil {
		return nil, fmt.Errorf("infrastructure, not a test failure: %w", err)
	}
	rep := protocol.CheckoutReport{Commit: wt.Commit, History: wt.History, HistoryBase: wt.HistoryBase,
		HistoryError: wt.HistoryErr, BuildSeconds: wt.BuildTime.Seconds()}
	b := backoff{min: 500 * time.Millisecond, max: 10 * time.Second}
	for {
		_, err := c.do(ctx, "POST", fmt.Sprintf("/api/v1/jobs/%d/checkout", job.ID), rep, nil)
		if err == nil {
			log.Info("checked out", "commit", vcs.ShortRevision(wt.Commit), "dir", wt.Dir, "build", wt.BuildTime.Round(time.Millisecond), "history", len(wt.History))
			return wt, nil
		}
		if !retryable(err) || sleep(ctx, b.next(err)) != nil {
			a.checkouts.Remove(wt)
			return nil, fmt.Errorf("report the checkout of %s: %w", vcs.ShortRevision(wt.Commit), err)
		}
	}
}
