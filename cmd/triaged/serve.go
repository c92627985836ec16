package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/config"
	"github.com/triaged/triaged/internal/server"
)

type serveFlags struct {
	addr       string
	adminToken string
	limits     ingest.Limits
	db         dbFlags
	logFormat  string
	logLevel   slog.Level
	drain      time.Duration
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
	f.limits = ingest.DefaultLimits
	fs.Int64Var(&f.limits.MaxBodyBytes, "max-body-bytes", f.limits.MaxBodyBytes, "largest upload body accepted (413 above)")
	fs.IntVar(&f.limits.MaxResults, "max-results", f.limits.MaxResults, "most results in one upload (413 above)")
	fs.IntVar(&f.limits.MaxFailureText, "max-failure-text", f.limits.MaxFailureText, "bytes of failure text kept per result; the rest is cut with a marker")
	fs.Float64Var(&f.limits.InfraThreshold, "infra-threshold", f.limits.InfraThreshold, "share of failing results above which a batch counts as an infrastructure failure")
	if err := config.Parse(fs, args, io.getenv, "admin-token"); err != nil {
		return err
	}
	if err := validateLimits(f.limits); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return config.Usagef("serve takes no arguments, got %q", fs.Args())
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

	srv := server.New(server.Config{
		Version: buildVersion(), Database: db.where, AdminToken: f.adminToken, Limits: f.limits, Log: log,
	}, db.store)
	if err := srv.Serve(ctx, f.addr, f.drain); err != nil {
		return err
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return fmt.Errorf("serve: %w", cause)
	}
	return nil
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
	}
	return nil
}
