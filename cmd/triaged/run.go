package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"sort"

	"github.com/triaged/triaged/internal/config"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

// stdio is what a command may touch of its process, passed explicitly so
// commands can be run in-process by tests.
type stdio struct {
	in     io.Reader
	out    io.Writer
	err    io.Writer
	getenv func(string) string
}

// command is one subcommand of triaged.
type command struct {
	synopsis string
	run      func(ctx context.Context, io stdio, args []string) error
}

// commands lists every subcommand in one table.
var commands = map[string]command{
	"serve":     {"serve the web UI and API", runServe},
	"migrate":   {"apply database migrations and exit", runMigrate},
	"version":   {"print the version", runVersion},
	"signature": {"print the failure signature of failure texts", runSignature},
	"stress":    {"run tests many times and measure how often they fail", runStress},
	"runner":    {"run the runner agent: lease and run stress jobs for a server", runRunner},
	"resign":    {"re-sign stored failures after the signature algorithm changed", runResign},
	"seed":      {"fill an empty database with a synthetic history, for benchmarks and demos", runSeed},
}

func run(ctx context.Context, args []string, io stdio) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(io.err)
		if len(args) == 0 {
			return config.Usagef("no command given")
		}
		return nil
	}
	cmd, ok := commands[args[0]]
	if !ok {
		usage(io.err)
		return config.Usagef("unknown command %q", args[0])
	}
	err := cmd.run(ctx, io, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "triaged — flaky-test triage: group failures, measure repro rates, prove fixes.")
	fmt.Fprintln(w, "\nUsage: triaged COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].synopsis)
	}
	fmt.Fprintln(w, "\nRun 'triaged COMMAND --help' for a command's flags. Every flag can also be set")
	fmt.Fprintln(w, "as TRIAGED_<FLAG> in the environment (--database-url: TRIAGED_DATABASE_URL).")
}

func runVersion(_ context.Context, io stdio, args []string) error {
	fs := config.NewFlagSet("version", "triaged version", io.err)
	if err := config.Parse(fs, args, io.getenv); err != nil {
		return err
	}
	fmt.Fprintln(io.out, "triaged", buildVersion())
	return nil
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

// newLogger returns the process's structured logger.
func newLogger(w io.Writer, format string, level slog.Level) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, config.Usagef("--log-format: want text or json, got %q", format)
}

// defaultDataDir is where triaged keeps its state when --data-dir is not set:
// /var/lib/triaged for root (a service account's place, reachable by the
// unprivileged user that runs the embedded PostgreSQL), else the user's data
// directory.
func defaultDataDir(getenv func(string) string) string {
	if os.Geteuid() == 0 {
		return "/var/lib/triaged"
	}
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return d + "/triaged"
	}
	if d, err := os.UserConfigDir(); err == nil && getenv("HOME") == "" {
		return d + "/triaged"
	}
	if h, err := os.UserHomeDir(); err == nil {
		return h + "/.local/share/triaged"
	}
	return "triaged-data"
}
