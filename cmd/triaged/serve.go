package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/api"
	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/config"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/vcs"
	"github.com/triaged/triaged/internal/view"
)

type serveFlags struct {
	addr       string
	adminToken string
	limits     ingest.Limits
	db         dbFlags
	readURL    string
	logFormat  string
	logLevel   slog.Level
	drain      time.Duration
	// Web access: pages open to read unless requireLogin.
	requireLogin  bool
	retention     app.Retention
	github        githubFlags
	localRunner   bool
	defaultBranch string
	// How long bodies may take to arrive: any, and authenticated uploads.
	bodyTimeout, uploadTimeout time.Duration
	uploadBudget               int64
	metricsToken               string
	act                        actFlags
}

func runServe(ctx context.Context, io stdio, args []string) error {
	var f serveFlags
	fs := config.NewFlagSet("serve", "triaged serve [--addr 127.0.0.1:8080] [--database-url URL] [--data-dir DIR]", io.err)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on")
	f.db.register(fs, io.getenv)
	fs.StringVar(&f.readURL, "read-database-url", "", "PostgreSQL URL of a read-only copy (a streaming standby) for pages and the JSON views to read from; writes stay on the primary")
	fs.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fs.TextVar(&f.logLevel, "log-level", slog.LevelInfo, "log level: debug, info, warn, error")
	fs.DurationVar(&f.drain, "drain-timeout", 15*time.Second, "how long requests in flight may finish at shutdown")
	fs.StringVar(&f.adminToken, "admin-token", "", "bootstrap admin token, accepted everywhere (also from TRIAGED_ADMIN_TOKEN_FILE)")
	fs.BoolVar(&f.requireLogin, "require-login", false, "pages need an admin login even to read (writes always do)")
	fs.StringVar(&f.metricsToken, "metrics-token", "", "bearer token GET /metrics wants (also from TRIAGED_METRICS_TOKEN_FILE); empty: /metrics is open, or wants a login with --require-login")
	f.limits = ingest.DefaultLimits
	fs.Int64Var(&f.limits.MaxBodyBytes, "max-body-bytes", f.limits.MaxBodyBytes, "largest upload body accepted (413 above)")
	fs.IntVar(&f.limits.MaxResults, "max-results", f.limits.MaxResults, "most results in one upload (413 above)")
	fs.IntVar(&f.limits.MaxFailureText, "max-failure-text", f.limits.MaxFailureText, "bytes of failure text kept per result; the rest is cut with a marker")
	fs.Float64Var(&f.limits.InfraThreshold, "infra-threshold", f.limits.InfraThreshold, "share of failing results above which a batch counts as an infrastructure failure")
	fs.DurationVar(&f.limits.Window, "verdict-window", f.limits.Window, "how far back verdicts (flaky, known, broken) look at a test's history")
	f.retention = app.DefaultRetention
	fs.DurationVar(&f.retention.Results, "retain-results", f.retention.Results, "how long results and failure texts are kept (whole months are dropped; 0 keeps them)")
	fs.DurationVar(&f.retention.Rollups, "retain-rollups", f.retention.Rollups, "how long the counts behind rates, charts and verdicts are kept (0 keeps them)")
	fs.DurationVar(&f.bodyTimeout, "body-timeout", app.DefaultBodyTimeout, "how long a request body may take to arrive; slower clients are cut off (408)")
	fs.DurationVar(&f.uploadTimeout, "upload-timeout", api.DefaultUploadTimeout, "how long an authenticated result upload's body may take to arrive")
	fs.Int64Var(&f.uploadBudget, "upload-budget-bytes", 0, "upload bytes held at once, all uploads together; an upload that does not fit is answered 503 with Retry-After (default 4 × --max-body-bytes)")
	f.github.register(fs)
	fs.StringVar(&f.defaultBranch, "default-branch", view.DefaultBranch, "the branch the overview and the list of revisions show unless asked for another; uploads that name no branch count as on it")
	f.act.register(fs)
	fs.BoolVar(&f.localRunner, "local-runner", true, "also run a runner agent in this process (labels: local, os, arch), so campaigns run out of the box")
	if err := config.Parse(fs, args, io.getenv, append([]string{"admin-token", "metrics-token"}, githubSecrets...)...); err != nil {
		return err
	}
	if err := f.github.finish(io.getenv); err != nil {
		return err
	}
	if err := f.act.finish(f.github.gh.Posting()); err != nil {
		return err
	}
	if err := validateLimits(f.limits); err != nil {
		return err
	}
	switch {
	case f.bodyTimeout < time.Second:
		return config.Usagef("--body-timeout: want at least 1s, got %v", f.bodyTimeout)
	case f.uploadTimeout < f.bodyTimeout:
		return config.Usagef("--upload-timeout: want at least --body-timeout (%v), got %v", f.bodyTimeout, f.uploadTimeout)
	case f.uploadBudget == 0:
		f.uploadBudget = api.UploadBudgetFor(f.limits.MaxBodyBytes)
	case f.uploadBudget <= f.limits.MaxBodyBytes:
		return config.Usagef("--upload-budget-bytes: want more than --max-body-bytes (%d), or the largest upload could never be taken; got %d", f.limits.MaxBodyBytes, f.uploadBudget)
	}
	if r := f.retention; r.Results < 0 || r.Rollups < 0 || (r.Results > 0 && r.Results < 31*24*time.Hour) ||
		(r.Rollups > 0 && (r.Results == 0 || r.Rollups < r.Results)) {
		return config.Usagef("--retain-results: 0 (keep) or at least 744h (a month); --retain-rollups: 0 (keep) or at least --retain-results")
	}
	if fs.NArg() > 0 {
		return config.Usagef("serve takes no arguments, got %q", fs.Args())
	}
	if err := vcs.CheckBranch(f.defaultBranch); err != nil {
		return config.Usagef("--default-branch (TRIAGED_DEFAULT_BRANCH): %v", err)
	}
	if err := auth.CheckAdminToken(f.adminToken); err != nil {
		return config.Usagef("--admin-token (TRIAGED_ADMIN_TOKEN): %v", err)
	}
	if n := len(f.metricsToken); n > 0 && n < auth.MinAdminTokenLen {
		return config.Usagef("--metrics-token (TRIAGED_METRICS_TOKEN): %d characters; use at least %d random ones, e.g. from `openssl rand -hex 16`", n, auth.MinAdminTokenLen)
	}
	log, err := newLogger(io.err, f.logFormat, f.logLevel)
	if err != nil {
		return err
	}

	db, err := openDatabase(ctx, f.db, log)
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped by a signal during start-up; the cluster is already down
		}
		return err
	}
	defer db.close()
	var reader *store.Store
	if f.readURL != "" {
		if reader, err = store.OpenReader(ctx, f.readURL); err != nil {
			return fmt.Errorf("read database: %w", err)
		}
		defer reader.Close()
		log.Info("pages read from a replica", "database", describeURL(f.readURL))
	}

	// If the embedded cluster dies under us, stop serving rather than answer
	// every request with an error.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if db.cluster != nil {
		go func() {
			select {
			case <-db.cluster.Exited():
				cancel(errors.New("embedded postgres exited unexpectedly"))
			case <-ctx.Done():
			}
		}()
	}

	srv := app.New(app.Config{
		Version: buildVersion(), Database: db.where, AdminToken: f.adminToken, Limits: f.limits, Log: log,
		// Behind a TLS-terminating proxy the request looks like plain HTTP;
		// an https public URL says the browser is on TLS all the same.
		RequireLogin: f.requireLogin, MetricsToken: f.metricsToken, SecureCookies: strings.HasPrefix(f.github.gh.PublicURL, "https://"),
		Retention: f.retention, GitHub: f.github.gh, Webhook: f.github.hook, Reader: reader, DefaultBranch: f.defaultBranch,
		BodyTimeout: f.bodyTimeout, UploadTimeout: f.uploadTimeout, UploadBudget: f.uploadBudget, Issues: f.act.issues, Act: f.act.act,
	}, db.store)
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("%w: listen on %s: %v", errConfig, f.addr, err)
	}
	// The server outlives the local runner by a little, so the runner can
	// upload what it finished and release its lease on the way out.
	serveCtx, stopServing := context.WithCancel(context.WithoutCancel(ctx))
	defer stopServing()
	runnerDone := make(chan struct{})
	if f.localRunner {
		startLocalRunner(ctx, db, f.db.dataDir, ln.Addr(), log, runnerDone)
	} else {
		close(runnerDone)
	}
	go func() {
		<-ctx.Done()
		<-runnerDone
		stopServing()
	}()
	if err := srv.ServeListener(serveCtx, ln, f.drain); err != nil {
		return err
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return fmt.Errorf("serve: %w", cause)
	}
	return nil
}

// startLocalRunner runs the in-process runner until ctx ends, then closes
// done. A local runner that cannot start is logged, not fatal: the server is
// useful without it.
func startLocalRunner(ctx context.Context, db *database, dataDir string, addr net.Addr, log *slog.Logger, done chan struct{}) {
	lr, err := newLocalRunner(db.store, dataDir, addr, log)
	if err != nil {
		log.Warn("no local runner", "err", err)
		close(done)
		return
	}
	go func() {
		defer close(done)
		if err := lr.run(ctx); err != nil && ctx.Err() == nil {
			log.Error("local runner stopped", "err", err)
		}
	}()
}

func validateLimits(l ingest.Limits) error {
	switch {
	case l.MaxBodyBytes < 1<<10:
		return config.Usagef("--max-body-bytes: want at least 1024, got %d", l.MaxBodyBytes)
	case l.MaxResults < 1:
		return config.Usagef("--max-results: want at least 1, got %d", l.MaxResults)
	case l.MaxFailureText < 256:
		return config.Usagef("--max-failure-text: want at least 256, got %d", l.MaxFailureText)
	case l.InfraThreshold <= 0 || l.InfraThreshold > 1:
		return config.Usagef("--infra-threshold: want a share in (0, 1], got %v", l.InfraThreshold)
	case l.Window < time.Hour || l.Window > 366*24*time.Hour:
		return config.Usagef("--verdict-window: want 1h to 366 days (e.g. 720h), got %v", l.Window)
	}
	return nil
}
