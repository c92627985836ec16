package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/triaged/triaged/internal/config"
	"github.com/triaged/triaged/internal/server"
)

type serveFlags struct {
	addr      string
	db        dbFlags
	logFormat string
	logLevel  slog.Level
	drain     time.Duration
}

func runServe(ctx context.Context, io stdio, args []string) error {
	var f serveFlags
	fs := config.NewFlagSet("serve", "triaged serve [--addr 127.0.0.1:8080] [--database-url URL] [--data-dir DIR]", io.err)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on")
	f.db.register(fs, io.getenv)
	fs.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fs.TextVar(&f.logLevel, "log-level", slog.LevelInfo, "log level: debug, info, warn, error")
	fs.DurationVar(&f.drain, "drain-timeout", 15*time.Second, "how long requests in flight may finish at shutdown")
	if err := config.Parse(fs, args, io.getenv); err != nil {
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

	srv := server.New(server.Config{Version: buildVersion(), Database: db.where, Log: log}, db.store)
	if err := srv.Serve(ctx, f.addr, f.drain); err != nil {
		return err
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return fmt.Errorf("serve: %w", cause)
	}
	return nil
}
