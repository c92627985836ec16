package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/config"
	"github.com/triaged/triaged/proactor"
	"github.com/triaged/triaged/stress"
)

// runJSON is the `stress run --json` object: the campaign's figures, the
// stream's totals over all iterations, and the first failure.
type runJSON struct {
	Scenario string `json:"scenario"`
	Proactor string `json:"proactor"`
	Backend  string `json:"backend"`
	rateJSON
	BytesSent      int64         `json:"bytes_sent"`
	BytesDelivered int64         `json:"bytes_delivered"`
	BytesLost      int64         `json:"bytes_lost"`
	BytesLostInTLS int64         `json:"bytes_lost_in_tls"`
	Duplicates     int64         `json:"duplicates"`
	Reordered      int64         `json:"reordered"`
	Corrupt        int64         `json:"corrupt"`
	Stalls         int64         `json:"stalls"`
	PrematureEOFs  int64         `json:"premature_eofs"`
	Timeouts       int64         `json:"timeouts"`
	FirstFailure   *firstFailure `json:"first_failure"`
	// SeedNote says what replaying the first failure's seed reproduces.
	SeedNote     string `json:"seed_note,omitempty"`
	FailuresDir  string `json:"failures_dir,omitempty"`
	FailureFiles int    `json:"failure_files"`
}

type firstFailure struct {
	Iteration int    `json:"iteration"`
	Seed      int64  `json:"seed"`
	Kind      string `json:"kind"`
	Offset    int64  `json:"offset"`
	Length    int64  `json:"length"`
	Phase     string `json:"phase,omitempty"`
	Detail    string `json:"detail"`
}

func runStressRun(ctx context.Context, io stdio, args []string) error {
	var f campaignFlags
	fs := config.NewFlagSet("stress run", "triaged stress run --scenario echo-pause|starttls-server|starttls-client --proactor fixed|legacy [--backend emu|iocp] [--iterations N] [--packets N] [--packet-size BYTES] [--pause-every DURATION] [--seed N] [--parallel N] [--failures-dir DIR] [--json]", io.err)
	f.register(fs, 20)
	name := fs.String("scenario", "", "echo-pause, starttls-server or starttls-client")
	mode := fs.String("proactor", "", "fixed, or legacy: the pre-fix bpo-33694 behaviour, which loses data on purpose (the detector's positive control)")
	backend := fs.String("backend", stress.DefaultBackend, "emu (portable, with fault hooks) or iocp (Windows overlapped I/O)")
	packets := fs.Int("packets", 0, "packets per stream (default: echo-pause 2000, start_tls 100)")
	size := fs.Int("packet-size", 0, "bytes per packet (default: echo-pause 16384, start_tls 1024)")
	every := fs.Duration("pause-every", 100*time.Millisecond, "period of pause_reading/resume_reading cycles")
	pauses := fs.String("pauses", "periodic", "where pauses fall besides the upgrade: periodic or random (seeded)")
	timeout := fs.Duration("timeout", 0, "per iteration, in run time: time the process is starved of CPU does not count (default: scaled to the stream size; a stall ends an iteration sooner)")
	noDetector := fs.Bool("no-detector", false, "count bytes without checking them (to measure the detector's cost)")
	if err := config.Parse(fs, args, io.getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return config.Usagef("stress run takes no arguments, got %q", fs.Args())
	}
	m, err := proactor.ParseMode(*mode)
	if err != nil {
		return config.Usagef("--proactor: want fixed or legacy (say which: legacy loses data on purpose)")
	}
	c, err := f.spec(campaign.Spec{Kind: campaign.KindScenario, Scenario: *name, Proactor: *mode, Backend: *backend,
		Params: campaign.Params{Packets: *packets, PacketSize: *size, PauseEvery: every.String(), Pauses: *pauses}})
	if err != nil {
		return err
	}
	sc, err := c.ScenarioConfig()
	if err != nil {
		return config.Usagef("%v", err)
	}
	sc.Timeout, sc.NoDetector = cmp.Or(*timeout, sc.Timeout), *noDetector
	opts := f.options(c)
	if m == proactor.Legacy && !f.json {
		fmt.Fprintln(io.err, "LEGACY proactor: pause_reading cancels reads and drops their completions (pre-fix bpo-33694); data loss is expected")
	}

	out := runJSON{Scenario: sc.Name, Proactor: m.String(), Backend: sc.Backend}
	progress := stress.NewProgress(io.err, f.iterations)
	failures := stress.NewFailureLog(f.failures)
	kept := keep(failures, io.err)
	opts.OnRecord = func(r stress.Record) {
		kept(r)
		var o stress.Outcome
		json.Unmarshal(r.Detector, &o)
		out.BytesSent += o.BytesSent
		out.BytesDelivered += o.BytesDelivered
		out.BytesLost += o.BytesLost
		out.BytesLostInTLS += o.BytesLostInTLS
		out.Duplicates += o.Duplicates
		out.Reordered += o.Reordered
		out.Corrupt += o.Corrupt
		out.Stalls += o.Stalls
		out.PrematureEOFs += o.PrematureEOFs
		if o.TimedOut {
			out.Timeouts++
		}
		if r.Failed() && (out.FirstFailure == nil || r.Iteration < out.FirstFailure.Iteration) {
			out.FirstFailure = describeFailure(r, &o)
		}
		if !f.json {
			progress.Add(r.Failed())
		}
	}
	sum := stress.Run(ctx, opts, sc.Iteration())
	progress.Done()
	out.rateJSON = newRateJSON(sum)
	out.FailuresDir, out.FailureFiles = failures.Dir(), failures.Files()
	if out.FirstFailure != nil {
		out.SeedNote = stress.SeedPins
	}
	if f.json {
		if err := writeJSON(io.out, out); err != nil {
			return err
		}
	} else {
		printRunSummary(io.out, out, sum)
	}
	if sum.Failures > 0 {
		return errFailuresFound
	}
	return nil
}

func describeFailure(r stress.Record, o *stress.Outcome) *firstFailure {
	ff := &firstFailure{Iteration: r.Iteration, Seed: r.Seed, Kind: "error", Detail: o.Error}
	if o.TimedOut {
		ff.Kind = "timeout"
	}
	if len(o.Anomalies) > 0 {
		a := o.Anomalies[0]
		ff.Kind, ff.Offset, ff.Length, ff.Phase = a.Kind, a.Offset, a.Length, a.Phase
		ff.Detail = fmt.Sprintf("%d bytes %s at stream offset %d, %s", a.Length, a.Direction, a.Offset, a.Phase)
		if a.Direction == "" {
			ff.Detail = a.Phase + "; " + a.Detail
		}
		if len(a.Trace) > 0 {
			ff.Detail += "; " + a.Trace[len(a.Trace)-1]
		}
	}
	return ff
}

func printRunSummary(w io.Writer, out runJSON, sum stress.Summary) {
	fmt.Fprintf(w, "%s on the %s proactor (%s backend)\n", out.Scenario, out.Proactor, out.Backend)
	fmt.Fprintf(w, "%d runs, %d failed: %s in %v\n", sum.Runs, sum.Failures, stress.FormatRate(sum.Rate), sum.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "%s\nduplicates %d, reordered %d, corrupt %d, stalls %d, premature EOFs %d, timeouts %d\n",
		stress.Delivery(out.BytesSent, out.BytesDelivered, out.BytesLost, out.BytesLostInTLS),
		out.Duplicates, out.Reordered, out.Corrupt, out.Stalls, out.PrematureEOFs, out.Timeouts)
	if ff := out.FirstFailure; ff != nil {
		fmt.Fprintf(w, "first failure: iteration %d (seed %d): %s: %s\n", ff.Iteration, ff.Seed, ff.Kind, ff.Detail)
		fmt.Fprintf(w, "replay it with --seed %d --iterations 1\n%s\n", ff.Seed, out.SeedNote)
		fmt.Fprintf(w, "failing iterations: %d %s in %s\n", out.FailureFiles, plural(out.FailureFiles, "file", "files"), out.FailuresDir)
	}
}
