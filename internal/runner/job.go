package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/protocol"
	"github.com/triaged/triaged/stress"
)

// gracePeriod is how long a stopping runner keeps uploading before it lets
// the spool wait for its next start.
const gracePeriod = 10 * time.Second

// runJob runs a leased job to its end, or until ctx ends or the server says
// stop. Every finished iteration is spooled first and uploaded in the
// background. A spool that cannot be written (disk full, read-only) stops
// the agent with that error after the job's spooled iterations are up.
func (a *Agent) runJob(ctx context.Context, c *client, hb *heartbeat, job campaign.Job) error {
	log := a.log.With("job", job.ID, "campaign", job.Campaign.ID)
	log.Info("running job", "name", job.Campaign.Name, "iterations", job.Iterations, "already_done", len(job.Done), "attempt", job.Attempt)
	jobCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	hb.watch(job.ID, cancel)
	defer hb.watch(0, nil)

	var host campaign.Host
	if job.Checkout != nil {
		wt, err := a.checkOut(jobCtx, c, job, log)
		if wt != nil {
			defer a.checkouts.Remove(wt)
		}
		switch {
		case ctx.Err() != nil: // stopping: hand the job back
			gctx, done := context.WithTimeout(context.WithoutCancel(ctx), gracePeriod)
			defer done()
			return a.finish(gctx, c, job, "", true)
		case errors.Is(context.Cause(jobCtx), errStopped):
			log.Info("job stopped by the server during its checkout")
			return nil
		case err != nil:
			log.Error("cannot check the job's revision out", "err", err)
			return a.finish(ctx, c, job, err.Error(), false)
		}
		host.Dir = wt.Dir
		host.Env = []string{"TRIAGED_REPO=" + job.Checkout.Repo, "TRIAGED_REVISION=" + wt.Commit}
	}
	iter, err := job.Campaign.Iteration(host)
	if err != nil {
		log.Error("cannot run job", "err", err)
		return a.finish(ctx, c, job, err.Error(), false)
	}

	uploads := make(chan struct{}, 1)
	var uploader sync.WaitGroup
	uploader.Go(func() {
		for range uploads {
			if stop, err := a.flushJob(ctx, c, job.ID); err == nil && stop {
				cancel(errStopped)
			}
		}
	})
	var spoolErr error
	skip := map[int]bool{}
	for _, i := range job.Done {
		skip[i] = true
	}
	sum := stress.Run(jobCtx, stress.Options{
		FirstIteration: job.FirstIteration, Iterations: job.Iterations, Skip: skip,
		// The server applies the stop rule to the whole campaign and says
		// stop; applying it to this job's share too stops it without
		// waiting for the next upload.
		Parallel: job.Campaign.Parallel, Stop: job.Campaign.StopReason,
		OnRecord: func(r stress.Record) {
			if spoolErr != nil {
				return
			}
			if spoolErr = a.state.spool(job.ID, r); spoolErr != nil {
				cancel(spoolErr)
				return
			}
			a.metrics.iterations.Add(1)
			select {
			case uploads <- struct{}{}:
			default: // an upload is already due; it will take this one too
			}
		},
	}, iter)
	close(uploads)
	uploader.Wait()
	log.Info("job ran", "runs", sum.Runs, "failures", sum.Failures, "stopped", sum.Stopped)

	// Upload what is left; a stopping agent gets a grace period.
	flushCtx := ctx
	if ctx.Err() != nil {
		var done context.CancelFunc
		flushCtx, done = context.WithTimeout(context.WithoutCancel(ctx), gracePeriod)
		defer done()
	}
	if _, err := a.flushJob(flushCtx, c, job.ID); err != nil {
		log.Warn("results stay spooled for the next start", "err", err)
	} else {
		os.Remove(a.state.spoolDir(job.ID)) // empty now, and nothing spools into it any more
	}
	switch cause := context.Cause(jobCtx); {
	case spoolErr != nil:
		a.finish(flushCtx, c, job, "", true)
		return fmt.Errorf("cannot spool results, so the runner stops rather than lose them: %w", spoolErr)
	case ctx.Err() != nil:
		return a.finish(flushCtx, c, job, "", true)
	case errors.Is(cause, errStopped):
		log.Info("job stopped by the server")
		return nil
	}
	return a.finish(ctx, c, job, "", false)
}

// errStopped is the cause of a job stopped by the server (a stop rule or a
// cancel).
var errStopped = errors.New("stopped by the server")

// finish completes the job (with an error text for a job that could not
// run), or releases it back to the queue for another runner.
func (a *Agent) finish(ctx context.Context, c *client, job campaign.Job, errText string, release bool) error {
	body := protocol.CompleteRequest{Error: errText, Release: release}
	b := backoff{min: 500 * time.Millisecond, max: 10 * time.Second}
	for {
		_, err := c.do(ctx, "POST", fmt.Sprintf("/api/v1/jobs/%d/complete", job.ID), body, nil)
		if err == nil || !retryable(err) {
			if err != nil {
				a.log.Warn("complete job", "job", job.ID, "err", err)
			}
			return nil
		}
		if sleep(ctx, b.next(err)) != nil {
			return nil // the lease will expire and the job go back to the queue
		}
	}
}
