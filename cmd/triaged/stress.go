package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/config"
	"github.com/triaged/triaged/internal/stats"
	"github.com/triaged/triaged/stress"
)

// stressCommands are the subcommands of `triaged stress`.
var stressCommands = map[string]command{
	"exec": {"stress an external test command", runStressExec},
	"run":  {"run a built-in proactor scenario", runStressRun},
}

func runStress(ctx context.Context, io stdio, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(io.err, "Usage: triaged stress run|exec [flags]")
		fmt.Fprintln(io.err, "  run    run a built-in proactor scenario many times (see 'triaged stress run --help')")
		fmt.Fprintln(io.err, "  exec   run an external test command many times (see 'triaged stress exec --help')")
		if len(args) == 0 {
			return config.Usagef("stress: say run or exec")
		}
		return nil
	}
	sub, ok := stressCommands[args[0]]
	if !ok {
		return config.Usagef("stress: unknown subcommand %q (want run or exec)", args[0])
	}
	return sub.run(ctx, io, args[1:])
}

// campaignFlags are the flags every stress subcommand shares.
type campaignFlags struct {
	iterations int
	parallel   int
	budget     time.Duration
	stop       string
	stopTarget float64
	seed       int64
	json       bool
	failures   string
}

func (f *campaignFlags) register(fs *flag.FlagSet, defaultIterations int) {
	fs.IntVar(&f.iterations, "iterations", defaultIterations, "how many times to run")
	fs.IntVar(&f.parallel, "parallel", 1, "iterations at once")
	fs.DurationVar(&f.budget, "budget", 0, "stop starting iterations after this long (0: no limit)")
	fs.StringVar(&f.stop, "stop", "count", "stop rule: count, first-failure, or confident (when the 95% bound is within --stop-target)")
	fs.Float64Var(&f.stopTarget, "stop-target", 0.01, "for --stop confident: the rate the 95% bound must reach")
	fs.Int64Var(&f.seed, "seed", 1, "seed of the first iteration; iteration i uses seed+i, so any failure can be replayed")
	fs.BoolVar(&f.json, "json", false, "print one JSON object with the figures instead of a summary")
	fs.StringVar(&f.failures, "failures-dir", "", "where each failing iteration's output is kept, one file per failure (default: a new directory in $TMPDIR, made at the first failure)")
}

// spec is the campaign the flags ask for, validated by the rules every
// campaign is held to; kind-specific fields come from the caller.
func (f *campaignFlags) spec(s campaign.Spec) (campaign.Campaign, error) {
	s.Iterations, s.Parallel, s.Stop, s.StopTarget = f.iterations, f.parallel, campaign.Stop(f.stop), f.stopTarget
	s.Params.Seed = f.seed
	if f.budget < 0 {
		return campaign.Campaign{}, config.Usagef("--budget: want a positive duration")
	}
	s, err := s.Validate()
	if err != nil {
		return campaign.Campaign{}, config.Usagef("%v", err)
	}
	return campaign.Campaign{Spec: s}, nil
}

// options are the engine's options for campaign c.
func (f *campaignFlags) options(c campaign.Campaign) stress.Options {
	return stress.Options{Iterations: c.Iterations, Parallel: c.Parallel, Budget: f.budget, Stop: c.StopReason}
}

// rateJSON holds the figures every `stress --json` object starts with.
// ci95_low and ci95_high follow stats.NewRate's convention, named by
// "interval": Wilson with failures, the exact one-sided bound without;
// zero_failure_upper repeats that bound for scripts written before.
type rateJSON struct {
	Iterations     int     `json:"iterations"`
	Failures       int     `json:"failures"`
	ReproRate      float64 `json:"repro_rate"`
	Low            float64 `json:"ci95_low"`
	High           float64 `json:"ci95_high"`
	Interval       string  `json:"interval"`
	ZeroUpper      float64 `json:"zero_failure_upper,omitempty"`
	ElapsedSeconds float64 `json:"elapsed_seconds"`
	Stopped        string  `json:"stopped,omitempty"`
}

func newRateJSON(s stress.Summary) rateJSON {
	r := rateJSON{Iterations: s.Runs, Failures: s.Failures, ReproRate: s.Rate.Rate, Low: s.Low, High: s.High,
		Interval: s.Interval, ElapsedSeconds: s.Elapsed.Seconds(), Stopped: s.Stopped}
	if s.ZeroFailures() {
		r.ZeroUpper = s.High
	}
	return r
}

type execJSON struct {
	Command string `json:"command"`
	rateJSON
	Tests stress.Tally `json:"tests"`
	// WholeCommand is true when no run's output held per-test results:
	// Tests then has one entry, the command. Note says so in words, and
	// how to get per-test results.
	WholeCommand bool   `json:"whole_command"`
	Note         string `json:"note,omitempty"`
	keptJSON
}

// keptJSON says where failing iterations' output was kept and quotes the
// first failure.
type keptJSON struct {
	FailuresDir  string     `json:"failures_dir,omitempty"`
	FailureFiles int        `json:"failure_files"`
	FirstFailed  *keptFirst `json:"first_failure"`
}

type keptFirst struct {
	Iteration int    `json:"iteration"`
	Seed      int64  `json:"seed"`
	File      string `json:"file"`
	Tail      string `json:"tail"`
}

// tailLines is how much of the first failure a summary quotes.
const tailLines = 15

func newKeptJSON(l *stress.FailureLog) keptJSON {
	k := keptJSON{FailuresDir: l.Dir(), FailureFiles: l.Files()}
	if r, path, tail, ok := l.First(tailLines); ok {
		k.FirstFailed = &keptFirst{Iteration: r.Iteration, Seed: r.Seed, File: path, Tail: tail}
	}
	return k
}

// keep returns an OnRecord step that writes failing iterations to l,
// warning once on w if it cannot.
func keep(l *stress.FailureLog, w io.Writer) func(stress.Record) {
	warned := false
	return func(r stress.Record) {
		if err := l.Add(r); err != nil && !warned {
			warned = true
			fmt.Fprintf(w, "warning: %v\n", err)
		}
	}
}

// wholeCommandNote says, once for the campaign, that only a whole-command
// verdict was possible in whole of runs.
func wholeCommandNote(whole, runs int) string {
	hint := "note: " + strings.TrimPrefix(stress.WholeCommandHint, "[triaged] ")
	switch {
	case whole == 0:
		return ""
	case whole == runs:
		return hint
	}
	return fmt.Sprintf("%s (In %d of %d runs; the others had per-test results.)", hint, whole, runs)
}

func runStressExec(ctx context.Context, io stdio, args []string) error {
	var f campaignFlags
	fs := config.NewFlagSet("stress exec", "triaged stress exec [--iterations N] [--parallel N] [--timeout DURATION] [--format auto|gotest|pytest|regrtest|cargo|tap|jest|…|junit=PATH] [--seed N] [--failures-dir DIR] [--json] -- COMMAND [ARG…]", io.err)
	f.register(fs, 10)
	timeout := fs.Duration("timeout", 10*time.Minute, "per run; the whole process tree is killed after it")
	format := fs.String("format", "auto", "how to read results: "+campaign.FormatHelp()+" (junit=PATH: the file the command writes; {iteration} is replaced)")
	if err := config.Parse(fs, args, io.getenv); err != nil {
		return err
	}
	if *timeout <= 0 {
		return config.Usagef("--timeout: want a positive duration")
	}
	if fs.NArg() == 0 {
		return config.Usagef("stress exec: give the test command after --")
	}
	c, err := f.spec(campaign.Spec{Kind: campaign.KindExec, Command: fs.Args(), Format: *format})
	if err != nil {
		return err
	}
	cmd, err := c.ExecCommand(campaign.Host{Timeout: *timeout})
	if err != nil {
		if errors.Is(err, stress.ErrCommandNotFound) {
			return config.Usagef("%v (put the command after --)", err)
		}
		return err
	}
	opts := f.options(c)

	tally := stress.Tally{}
	progress := stress.NewProgress(io.err, f.iterations)
	failures := stress.NewFailureLog(f.failures)
	kept := keep(failures, io.err)
	whole := 0
	opts.OnRecord = func(r stress.Record) {
		tally.Add(r)
		kept(r)
		if r.WholeCommand {
			whole++
		}
		if !f.json {
			progress.Add(r.Failed())
		}
	}
	sum := stress.Run(ctx, opts, cmd.Iteration(c.Seed()))
	progress.Done()
	out := execJSON{Command: cmd.ID(), rateJSON: newRateJSON(sum), Tests: tally, WholeCommand: sum.Runs > 0 && whole == sum.Runs,
		Note: wholeCommandNote(whole, sum.Runs), keptJSON: newKeptJSON(failures)}
	if f.json {
		if err := writeJSON(io.out, out); err != nil {
			return err
		}
	} else {
		printExecSummary(io.out, out, sum, tally)
	}
	if sum.Failures > 0 {
		return errFailuresFound
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printExecSummary(w io.Writer, out execJSON, sum stress.Summary, tally stress.Tally) {
	fmt.Fprintf(w, "%s\n%d runs, %d failed: %s in %v", out.Command, sum.Runs, sum.Failures, stress.FormatRate(sum.Rate), sum.Elapsed.Round(time.Millisecond))
	if sum.Stopped != "" {
		fmt.Fprintf(w, " (stopped: %s)", sum.Stopped)
	}
	fmt.Fprintln(w)
	if out.Note != "" {
		fmt.Fprintln(w, out.Note)
	}
	printTests(w, tally)
	printKept(w, out.keptJSON)
}

func printTests(w io.Writer, tally stress.Tally) {
	ids := make([]string, 0, len(tally))
	for id, t := range tally {
		if t.Failures > 0 {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		fmt.Fprintf(w, "%d tests, none failed\n", len(tally))
		return
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := tally[ids[i]], tally[ids[j]]
		return a.Failures > b.Failures || a.Failures == b.Failures && ids[i] < ids[j]
	})
	fmt.Fprintf(w, "\n%d of %d tests failed at least once:\n", len(ids), len(tally))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TEST\tFAILED\tRATE\tSIGNATURE")
	for _, id := range ids {
		t := tally[id]
		for sig, n := range t.Signatures {
			fmt.Fprintf(tw, "%s\t%d/%d\t%s\t%s %s (%d)\n", id, t.Failures, t.Runs, stress.FormatRate(stats.NewRate(t.Failures, t.Runs)), sig, t.Titles[sig], n)
			id = ""
		}
	}
	tw.Flush()
}

// printKept names the directory of failing output and quotes the first
// failure's tail, as x/tools' stress does.
func printKept(w io.Writer, k keptJSON) {
	if k.FirstFailed == nil {
		return
	}
	ff := k.FirstFailed
	fmt.Fprintf(w, "\nfailing output: %d %s in %s\n", k.FailureFiles, plural(k.FailureFiles, "file", "files"), k.FailuresDir)
	fmt.Fprintf(w, "first failure, iteration %d (seed %d), %s ends:\n", ff.Iteration, ff.Seed, ff.File)
	for _, l := range strings.Split(ff.Tail, "\n") {
		fmt.Fprintf(w, "    %s\n", l)
	}
	fmt.Fprintf(w, "replay it with --seed %d --iterations 1\n", ff.Seed)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
