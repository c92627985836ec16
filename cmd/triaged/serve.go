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
	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/config"
)

type serveFlags struct {
	addr       string
	adminToken string
	limits     ingest.Limits
	db         dbFlags
	logFormat  string
	logLevel   slog.Level
	drain      time.Duration
	// Web access: pages open to read unless requireLogin.
	requireLogin bool
	github       githubFlags
	act          actFlags
	localRunner  bool
}

func runServe(ctx context.Context, io stdio, args []string) error {
	var f serveFlags
	fs := config.NewFlagSet("serve", "triaged serve [--addr 127.0.0.1:8080] [--database-url URL] [--data-dir DIR]", io.err)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on")
	f.db.register(fs, io.getenv)
	fs.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fs.TextVar(&f.logLevel, "log-level", slog.LevelInfo, "log level: debug, info, warn, error")
	fs.DurationVar(&f.drain, "drain-timeout", 15*time.Second, "how long requests in flight may finish at shutdown")
	fs.StringVar(&f.adminToken, "admin-token", "", "bootstrap admin token, accepted everywhere (also from TRIAGED_ADMIN_TOKEN_FILE)")
	fs.BoolVar(&f.requireLogin, "require-login", false, "pages need an admin login even to read (writes always do)")
	f.limits = ingest.DefaultLimits
	fs.Int64Var(&f.limits.MaxBodyBytes, "max-body-bytes", f.limits.MaxBodyBytes, "largest upload body accepted (413 above)")
	fs.IntVar(&f.limits.MaxResults, "max-results", f.limits.MaxResults, "most results in one upload (413 above)")
	fs.IntVar(&f.limits.MaxFailureText, "max-failure-text", f.limits.MaxFailureText, "bytes of failure text kept per result; the rest is cut with a marker")
	fs.Float64Var(&f.limits.InfraThreshold, "infra-threshold", f.limits.InfraThreshold, "share of failing results above which a batch counts as an infrastructure failure")
	fs.DurationVar(&f.limits.Window, "verdict-window", f.limits.Window, "how far back verdicts (flaky, known, broken) look at a test's history")
	f.github.register(fs)
	f.act.register(fs)
	fs.BoolVar(&f.localRunner, "local-runner", true, "also run a runner agent in this process (labels: local, os, arch), so campaigns run out of the box")
	if err := config.Parse(fs, args, io.getenv, append([]string{"admin-token"}, githubSecrets...)...); err != nil {
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
	if fs.NArg() > 0 {
		return config.Usagef("serve takes no arguments, got %q", fs.Args())
	}
	if err := auth.CheckAdminToken(f.adminToken); err != nil {
		return config.Usagef("--admin-token (TRIAGED_ADMIN_TOKEN): %v", err)
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
		RequireLogin: f.requireLogin, SecureCookies: strings.HasPrefix(f.github.gh.PublicURL, "https://"),
		GitHub: f.github.gh, Webhook: f.github.hook, Issues: f.act.issues, Act: f.act.act,
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
	lr, err := newLocalRunner(ctx, db.store, dataDir, addr, log)
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
