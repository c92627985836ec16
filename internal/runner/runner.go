// Package runner is the runner agent, `triaged runner`: it registers with a
// server once, then heartbeats, leases jobs that match its labels, runs them
// with the stress engine, spools every finished iteration to disk and
// uploads it until the server has it. A crash, a server outage or a network
// cut loses no result: on restart the spool is uploaded first, and the
// server stores each iteration once.
package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/checkout"
)

// ErrConfig marks problems a person must fix: no registration token, a
// refused registration, an unusable state directory.
var ErrConfig = errors.New("runner configuration")

// Config configures an agent.
type Config struct {
	Server   string // base URL of the triaged server
	Name     string
	Labels   []string
	StateDir string
	// RegistrationToken registers the runner when it has no token of its
	// own, or when the server no longer knows the one it has (its database
	// was reset, restored or swapped): the runner then registers again and
	// keeps its spool.
	RegistrationToken string
	// NewRegistrationToken, if set, is asked for a registration token when
	// RegistrationToken is empty: the runner inside `triaged serve` mints a
	// one-time token in the store.
	NewRegistrationToken func(context.Context) (string, error)
	Version              string
	PollInterval         time.Duration // wait between empty leases; default 2s
	// Registered, if set, is called each time the runner has registered,
	// so a one-time registration token can be revoked.
	Registered func()
	// Git is the git that checks revisions out (a path or a name on
	// PATH); "" finds one (checkout.FindGit).
	Git string
	Log *slog.Logger
}

// Agent is a running runner.
type Agent struct {
	cfg   Config
	log   *slog.Logger
	http  *http.Client
	state *state
	// checkouts holds the mirrors and the worktrees of jobs, under
	// <state-dir>/checkout.
	checkouts *checkout.Cache
	metrics   struct{ leased, iterations, uploaded atomic.Int64 }
}

// New checks the configuration and opens the state directory.
func New(cfg Config) (*Agent, error) {
	if cfg.Server == "" || cfg.Name == "" {
		return nil, fmt.Errorf("%w: --server and --name are required", ErrConfig)
	}
	cfg.Server = strings.TrimRight(cfg.Server, "/")
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 2 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	st, err := openState(cfg.StateDir)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	log := cfg.Log.With("runner", cfg.Name)
	co, err := checkout.Open(checkout.Config{Dir: filepath.Join(cfg.StateDir, "checkout"), Git: cfg.Git, Log: log})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	return &Agent{cfg: cfg, log: log, http: &http.Client{Timeout: 2 * time.Minute}, state: st, checkouts: co}, nil
}

// Run works until ctx ends: first it uploads whatever an earlier run left
// spooled, then it leases and runs jobs. On ctx's end it stops the current
// job cleanly: iterations in flight are abandoned, finished ones uploaded
// (for a short grace period), and the lease released.
func (a *Agent) Run(ctx context.Context) error {
	c := &client{base: a.cfg.Server, http: a.http}
	if err := a.signIn(ctx, c); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	a.flushSpool(ctx, c)

	hb := newHeartbeat(a, c)
	go hb.run(ctx)
	b := backoff{min: a.cfg.PollInterval, max: time.Minute}
	for ctx.Err() == nil {
		var job campaign.Job
		status, err := c.do(ctx, "POST", "/api/v1/jobs/lease", struct{}{}, &job)
		switch {
		case ctx.Err() != nil:
			return nil // stopping: nothing is held, nothing to release
		case unknownToken(err):
			// The server forgot this runner while it ran: register again,
			// then offer the spool, which the server still deduplicates.
			if err := a.signIn(ctx, c); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			a.flushSpool(ctx, c)
		case err != nil && !retryable(err):
			return fmt.Errorf("%w: lease: %v", ErrConfig, err)
		case err != nil:
			a.log.Warn("lease failed; retrying", "err", err)
			sleep(ctx, b.next(err))
		case status == http.StatusNoContent:
			b.reset()
			sleep(ctx, jitter(a.cfg.PollInterval))
		default:
			b.reset()
			a.metrics.leased.Add(1)
			if err := a.runJob(ctx, c, hb, job); err != nil {
				return err
			}
		}
	}
	return nil
}

// flushSpool uploads iterations left by an earlier run of the agent.
func (a *Agent) flushSpool(ctx context.Context, c *client) {
	jobs, err := a.state.spooledJobs()
	if err != nil {
		a.log.Warn("read spool", "err", err)
		return
	}
	for _, job := range jobs {
		a.log.Info("uploading results spooled by an earlier run", "job", job)
		if _, err := a.flushJob(ctx, c, job); err != nil {
			return
		}
		os.Remove(a.state.spoolDir(job))
	}
}

func jitter(d time.Duration) time.Duration {
	return d/2 + time.Duration(time.Now().UnixNano()%int64(d))
}
