package github

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/triaged/triaged/internal/store"
)

// keysPerStep bounds how many status lines one step posts before it looks
// for newer work again.
const keysPerStep = 50

// Worker posts the statuses in the outbox to GitHub.
type Worker struct {
	store  *store.Store
	client *gh.Client
	cfg    Config
	log    *slog.Logger
}

// NewWorker returns a worker posting with cfg's token to cfg's API.
func NewWorker(st *store.Store, cfg Config, log *slog.Logger) (*Worker, error) {
	cfg = cfg.withDefaults()
	client, err := newClient(cfg)
	if err != nil {
		return nil, err
	}
	return &Worker{store: st, client: client, cfg: cfg, log: log}, nil
}

// Run posts statuses until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	w.log.Info("github status worker started", "api", w.client.BaseURL.String())
	var lastExpiry time.Time
	for {
		if time.Since(lastExpiry) > time.Minute {
			if n, err := w.store.ExpireStatuses(ctx, w.cfg.MaxAge); err != nil && ctx.Err() == nil {
				w.log.Warn("expire github statuses", "err", err)
			} else if n > 0 {
				w.log.Warn("github statuses given up", "count", n, "max_age", w.cfg.MaxAge)
			}
			lastExpiry = time.Now()
		}
		wait := w.step(ctx)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// step posts what is due and returns how long to wait before the next step:
// no time when more is due, a rate limit's or a backoff's pause after a
// failed attempt (so the failed status goes first again, keeping the
// order), the poll interval otherwise.
func (w *Worker) step(ctx context.Context) time.Duration {
	keys, err := w.store.DueStatusKeys(ctx, w.cfg.MaxAge, keysPerStep)
	if err != nil {
		if ctx.Err() == nil {
			w.log.Warn("github statuses due", "err", err)
		}
		return w.cfg.Poll
	}
	for _, k := range keys {
		var pause time.Duration
		_, err := w.store.DeliverStatus(ctx, k, func(ctx context.Context, p store.PendingStatus) store.Delivery {
			var d store.Delivery
			d, pause = w.post(ctx, p)
			return d
		})
		if err != nil {
			if ctx.Err() == nil {
				w.log.Warn("github status", "err", err)
			}
			return w.cfg.Poll
		}
		if pause > 0 {
			return pause
		}
	}
	if len(keys) == keysPerStep {
		return 0
	}
	return w.cfg.Poll
}

// post sends one status and says what came of it, and how long every post
// should now wait.
func (w *Worker) post(ctx context.Context, p store.PendingStatus) (store.Delivery, time.Duration) {
	status := &gh.RepoStatus{State: &p.State, Description: &p.Desc, Context: &p.Key.Context}
	if p.URL != "" {
		status.TargetURL = &p.URL
	}
	// A post in flight is not cancelled at shutdown, only by its timeout:
	// cutting it off after GitHub accepted it would post it twice.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.cfg.Timeout)
	defer cancel()
	created, resp, err := w.createStatus(ctx, p.Key.Repo, p.Key.Revision, status)
	var refused *refusedPath
	if errors.As(err, &refused) {
		w.log.Error("github status not posted", "repo", p.Key.Repo, "sha", p.Key.Revision, "context", p.Key.Context,
			"id", p.ID, "permanent", true, "err", refused.err)
		return store.Delivery{Err: refused.Error(), Permanent: true}, 0
	}
	if err != nil {
		d, pause := w.failure(resp, err, p.Attempts)
		log := w.log.Warn
		if d.Permanent {
			log = w.log.Error
		}
		log("github status not posted", "repo", p.Key.Repo, "sha", p.Key.Revision, "context", p.Key.Context,
			"id", p.ID, "attempt", p.Attempts+1, "permanent", d.Permanent, "retry_in", d.RetryAfter, "err", d.Err)
		return d, pause
	}
	w.log.Info("github status posted", "repo", p.Key.Repo, "sha", p.Key.Revision, "context", p.Key.Context,
		"state", p.State, "description", p.Desc, "id", p.ID)
	return store.Delivery{GitHubID: created.GetID()}, primaryPause(resp)
}

// refusedPath is a status that was not sent because its repo or commit id
// cannot be a path under /repos/{owner}/{name}/statuses/{sha}.
type refusedPath struct{ err error }

func (e *refusedPath) Error() string { return "not sent: " + e.err.Error() }

// createStatus is go-github's CreateStatus with every path part checked
// and escaped (go-github pastes owner and name in as they are, and escapes
// the ref only between its slashes, so ".." climbs out of the path).
func (w *Worker) createStatus(ctx context.Context, repo, sha string, status *gh.RepoStatus) (*gh.RepoStatus, *gh.Response, error) {
	rel, err := statusPath(repo, sha)
	if err != nil {
		return nil, nil, &refusedPath{err}
	}
	req, err := w.client.NewRequest(http.MethodPost, rel, status)
	if err != nil {
		return nil, nil, &refusedPath{err}
	}
	if err := checkRequestPath(w.client.BaseURL, req.URL, rel); err != nil {
		return nil, nil, &refusedPath{err}
	}
	created := new(gh.RepoStatus)
	resp, err := w.client.Do(ctx, req, created)
	if err != nil {
		return nil, resp, err
	}
	return created, resp, nil
}
