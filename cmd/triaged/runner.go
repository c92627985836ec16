package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/triaged/triaged/internal/config"
	"github.com/triaged/triaged/internal/runner"
)

type runnerFlags struct {
	server    string
	name      string
	labels    string
	stateDir  string
	regToken  string
	poll      time.Duration
	logFormat string
	git       string
}

func runRunner(ctx context.Context, io stdio, args []string) error {
	if len(args) > 0 && args[0] == "service" {
		return runRunnerService(ctx, io, args[1:])
	}
	f, err := parseRunnerFlags(io, args)
	if err != nil {
		return err
	}
	log, err := newLogger(io.err, f.logFormat, slog.LevelInfo)
	if err != nil {
		return err
	}
	return runAgent(ctx, f, log)
}

func parseRunnerFlags(io stdio, args []string) (runnerFlags, error) {
	var f runnerFlags
	host, _ := os.Hostname()
	fs := config.NewFlagSet("runner", "triaged runner --server URL --name NAME [--labels a,b] [--state-dir DIR] [--registration-token T]\n       triaged runner service install|uninstall|start|stop [flags]   (Windows)", io.err)
	fs.StringVar(&f.server, "server", "", "base URL of the triaged server, e.g. http://triaged.example:8080")
	fs.StringVar(&f.name, "name", host, "this runner's name, unique on the server")
	fs.StringVar(&f.labels, "labels", "", "comma-separated labels campaigns can target, e.g. py3.13,x86 (os and arch are added)")
	fs.StringVar(&f.stateDir, "state-dir", "", "where the runner keeps its token and its spool of results (default: <data dir>/runner)")
	fs.StringVar(&f.regToken, "registration-token", "", "registration token, needed on the first start only (also TRIAGED_REGISTRATION_TOKEN_FILE)")
	fs.DurationVar(&f.poll, "poll-interval", 2*time.Second, "wait between lease attempts when there is no work")
	fs.StringVar(&f.git, "git", "", "git to check campaigns' revisions out with (default: git on PATH; on Windows also Git for Windows' usual place)")
	fs.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	if err := config.Parse(fs, args, io.getenv, "registration-token"); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, config.Usagef("runner takes no arguments, got %q", fs.Args())
	}
	if f.server == "" {
		return f, config.Usagef("--server is required (the triaged server's base URL)")
	}
	if !strings.HasPrefix(f.server, "http://") && !strings.HasPrefix(f.server, "https://") {
		return f, config.Usagef("--server %q: want an http:// or https:// URL", f.server)
	}
	if f.stateDir == "" {
		f.stateDir = filepath.Join(defaultDataDir(io.getenv), "runner")
	}
	return f, nil
}

func runAgent(ctx context.Context, f runnerFlags, log *slog.Logger) error {
	var labels []string
	for _, l := range strings.Split(f.labels, ",") {
		if l = strings.TrimSpace(l); l != "" {
			labels = append(labels, l)
		}
	}
	a, err := runner.New(runner.Config{
		Server: f.server, Name: f.name, Labels: labels, StateDir: f.stateDir, RegistrationToken: f.regToken,
		Version: buildVersion(), PollInterval: f.poll, Git: f.git, Log: log,
	})
	if err != nil {
		return asConfigError(err)
	}
	return asConfigError(a.Run(ctx))
}

// asConfigError makes the runner's configuration errors exit 2.
func asConfigError(err error) error {
	if errors.Is(err, runner.ErrConfig) {
		return config.Usagef("%v", err)
	}
	return err
}
