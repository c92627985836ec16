package github

import (
	"context"
	"errors"
	"log/slog"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/triaged/triaged/internal/issue"
	"github.com/triaged/triaged/internal/store"
)

// IssueWorker files a GitHub issue for each failure signature that
// crosses the threshold in a routed repo, reopens or comments on it when
// the failure comes back after it closed, and closes it with the numbers
// once the failure is gone. It runs in every replica with a token:
//
//   - the issue's row, unique per (tracker, signature), is written before
//     GitHub is called, so concurrent uploads and replicas agree on one
//     issue;
//   - each row is acted on under a session lock on its own connection, so
//     one replica at a time calls GitHub for it, and a replica that dies
//     releases it;
//   - an attempt is recorded as begun before the call, and the next
//     attempt after an unrecorded one first looks for the issue by the
//     marker in its body, so a crash between GitHub's answer and the
//     record never files a second issue;
//   - rate limits and transient failures pause the worker as the status
//     worker does.
type IssueWorker struct {
	w   *Worker
	cfg IssueConfig
	st  *store.Store
	log *slog.Logger
}

// NewIssueWorker returns the issue worker posting with cfg's token.
func NewIssueWorker(st *store.Store, cfg Config, icfg IssueConfig, log *slog.Logger) (*IssueWorker, error) {
	w, err := NewWorker(st, cfg, log)
	if err != nil {
		return nil, err
	}
	return &IssueWorker{w: w, cfg: icfg.withDefaults(), st: st, log: log}, nil
}

// Run works until ctx ends.
func (iw *IssueWorker) Run(ctx context.Context) {
	iw.log.Info("github issue worker started", "routes", len(iw.cfg.Routes))
	var lastCheck time.Time
	for ctx.Err() == nil {
		if time.Since(lastCheck) >= iw.cfg.Check {
			if err := iw.CheckIssues(ctx); err != nil && ctx.Err() == nil {
				iw.log.Warn("check github issues", "err", err)
			}
			iw.refreshLinks(ctx)
			lastCheck = time.Now()
		}
		wait := iw.cfg.Poll
		if pause, err := iw.Step(ctx); err != nil && ctx.Err() == nil {
			iw.log.Warn("github issues", "err", err)
		} else if pause > 0 {
			wait = pause
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// routes are the flag's routes and the admins', the flag's first.
func (iw *IssueWorker) routes(ctx context.Context) ([]issue.Route, error) {
	added, err := iw.st.IssueRoutes(ctx)
	if err != nil {
		return nil, err
	}
	out := append([]issue.Route(nil), iw.cfg.Routes...)
	seen := map[string]bool{}
	for _, r := range out {
		seen[r.Repo] = true
	}
	for _, r := range added {
		if !seen[r.Repo] {
			out = append(out, r)
		}
	}
	return out, nil
}

// Step enqueues the signatures that crossed the threshold and acts on
// every due issue; it returns how long the worker must pause when GitHub
// limited it.
func (iw *IssueWorker) Step(ctx context.Context) (time.Duration, error) {
	routes, err := iw.routes(ctx)
	if err != nil {
		return 0, err
	}
	since := iw.st.Now().Add(-iw.cfg.Threshold.Window)
	facts, err := iw.st.IssueCandidates(ctx, routes, since)
	if err != nil {
		return 0, err
	}
	byRepo := map[string]issue.Route{}
	for _, r := range routes {
		byRepo[r.Repo] = r
	}
	for _, f := range facts {
		if ok, why := iw.cfg.Threshold.Crosses(f); ok {
			if _, err := iw.st.EnqueueIssue(ctx, byRepo[f.Repo], f.SignatureID, why); err != nil {
				return 0, err
			}
		}
	}
	ids, err := iw.st.DueIssues(ctx, 50)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		var pause time.Duration
		err := iw.st.WithIssue(ctx, id, func(row store.SignatureIssue) error {
			var err error
			pause, err = iw.act(ctx, row)
			return err
		})
		switch {
		case errors.Is(err, store.ErrBusy):
			continue
		case err != nil:
			return 0, err
		case pause > 0:
			return pause, nil
		}
	}
	return 0, nil
}

// act does what the row needs, under its lock, and returns the pause a
// limit asks for.
func (iw *IssueWorker) act(ctx context.Context, row store.SignatureIssue) (time.Duration, error) {
	if row.NextAttemptAt.After(iw.st.Now()) {
		return 0, nil // another replica acted on it meanwhile
	}
	switch {
	case row.State == store.IssuePending || row.State == store.IssueCreating:
		return iw.create(ctx, row)
	case row.Want == issue.Close:
		return iw.close(ctx, row)
	case row.Want == issue.Recur:
		return iw.recur(ctx, row)
	case row.Want == issue.Sync:
		return iw.sync(ctx, row)
	}
	return 0, nil
}

// fail records a failed call and returns the pause it asks for.
func (iw *IssueWorker) fail(ctx context.Context, row store.SignatureIssue, what string, resp *gh.Response, err error) (time.Duration, error) {
	d, pause := iw.w.failure(resp, err, row.Attempts)
	log := iw.log.Warn
	if d.Permanent {
		log = iw.log.Error
	}
	log("github issue: "+what+" failed", "tracker", row.Tracker, "signature", row.SignatureID, "number", row.Number,
		"attempt", row.Attempts+1, "permanent", d.Permanent, "retry_in", d.RetryAfter, "err", d.Err)
	return pause, iw.st.RecordIssue(ctx, row.ID, store.IssueOutcome{Err: what + ": " + d.Err, Permanent: d.Permanent, RetryAfter: d.RetryAfter})
}

// CheckIssues looks at the numbers of filed issues, a batch at a time,
// and asks for what they need: close, recur, or a read of their state.
func (iw *IssueWorker) CheckIssues(ctx context.Context) error {
	for ctx.Err() == nil {
		checks, err := iw.st.IssuesToCheck(ctx, iw.cfg.Window, 100)
		if err != nil || len(checks) == 0 {
			return err
		}
		now := iw.st.Now()
		for _, c := range checks {
			s := issue.State{Open: c.Issue.State == store.IssueOpen, FailuresSince: c.FailuresSince, LastFailure: c.LastFailure,
				BeforeFailures: c.BeforeFailures, BeforeRuns: c.BeforeRuns, AfterRuns: c.AfterRuns}
			if c.Issue.ClosedAt != nil {
				s.ClosedAt = *c.Issue.ClosedAt
			}
			if c.Issue.SyncedAt != nil {
				s.SyncedAt = *c.Issue.SyncedAt
			} else if c.Issue.OpenedAt != nil {
				s.SyncedAt = *c.Issue.OpenedAt
			}
			want, gone := issue.Next(s, now, iw.cfg.SyncEvery)
			comment := ""
			switch want {
			case issue.Nothing:
				continue
			case issue.Close:
				comment = issue.GoneComment(gone, iw.link(c.Issue.SignatureID))
			case issue.Recur:
				comment = issue.RecurComment(c.FailuresSince, s.ClosedAt, iw.cfg.OnRecur == issue.Reopen, iw.link(c.Issue.SignatureID))
			}
			if err := iw.st.WantIssue(ctx, c.Issue.ID, want, comment); err != nil {
				return err
			}
		}
		if len(checks) < 100 {
			return nil
		}
	}
	return ctx.Err()
}

// link is the signature's page on triaged, or "".
func (iw *IssueWorker) link(sigID int64) string {
	if iw.w.cfg.PublicURL == "" {
		return ""
	}
	return iw.w.cfg.PublicURL + "/signatures/" + itoa(sigID)
}
