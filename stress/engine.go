// Package stress runs tests many times to measure how often they fail: the
// built-in proactor scenarios (see scenario.go) and any external test command
// (see exec.go), under a campaign engine with parallelism, a time budget and
// stop rules. Each iteration becomes a Record, which is what a runner spools
// and uploads and what `triaged stress` summarises.
package stress

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/triaged/triaged/internal/report"
	"github.com/triaged/triaged/internal/stats"
)

// Options configure a campaign run.
type Options struct {
	FirstIteration int
	Iterations     int
	Skip           map[int]bool  // iterations already done elsewhere
	Parallel       int           // iterations at once; default 1
	Budget         time.Duration // stop starting iterations after this; 0: none
	// Stop, if set, is asked after every iteration whether the run may end
	// before its count, given the failures and runs so far; its reason
	// becomes Summary.Stopped. The campaign package supplies the rule.
	Stop func(failures, runs int) (reason string, stop bool)
	// OnRecord is called once per finished iteration, one call at a time, in
	// the order iterations finish: spool it, draw progress.
	OnRecord func(Record)
}

// Record is one finished iteration.
type Record struct {
	Iteration int             `json:"iteration"`
	Seed      int64           `json:"seed"`
	Outcome   report.Outcome  `json:"outcome"`
	Duration  time.Duration   `json:"duration_ns"`
	Results   []report.Result `json:"results"`
	// Detector is the data-loss detector's report (built-in scenarios).
	Detector json.RawMessage `json:"detector,omitempty"`
	// Output is what an external command printed (its head and tail), kept
	// for failing iterations only.
	Output []byte `json:"-"`
	// WholeCommand says the command's output held no per-test results
	// triaged can read: the command itself was the test (WholeCommandHint).
	WholeCommand bool `json:"whole_command,omitempty"`
}

// Failed reports whether the iteration counts as a failure.
func (r Record) Failed() bool { return r.Outcome.Failed() }

// Iteration runs iteration i. It must honour ctx: when the campaign stops,
// iterations in flight are cancelled and their records dropped.
type Iteration func(ctx context.Context, i int) Record

// Summary is what a campaign run found.
type Summary struct {
	stats.Rate
	Elapsed time.Duration
	// Stopped says why the run ended before its count, if it did.
	Stopped string
}

// Run runs the campaign and returns its summary. Records reach OnRecord as
// iterations finish.
func Run(ctx context.Context, opts Options, fn Iteration) Summary {
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if opts.Parallel < 1 {
		opts.Parallel = 1
	}
	var budget <-chan time.Time
	if opts.Budget > 0 {
		t := time.NewTimer(opts.Budget)
		defer t.Stop()
		budget = t.C
	}

	todo := make(chan int)
	records := make(chan Record)
	var wg sync.WaitGroup
	for range opts.Parallel {
		wg.Go(func() {
			for i := range todo {
				rec := fn(ctx, i)
				if ctx.Err() != nil {
					return // stopped mid-iteration: the record is incomplete
				}
				records <- rec
			}
		})
	}
	go func() { wg.Wait(); close(records) }()

	var sum Summary
	stop := func(reason string) {
		if sum.Stopped == "" {
			sum.Stopped = reason
			cancel()
		}
	}
	done := ctx.Done()
	next := opts.FirstIteration
	end := opts.FirstIteration + opts.Iterations
	feed := todo
	for {
		for next < end && opts.Skip[next] {
			next++
		}
		if next >= end && feed != nil {
			close(todo)
			feed = nil
		}
		select {
		case feed <- next:
			next++
		case rec, ok := <-records:
			if !ok {
				sum.Rate = stats.NewRate(sum.Failures, sum.Runs)
				sum.Elapsed = time.Since(start)
				return sum
			}
			sum.Runs++
			if rec.Failed() {
				sum.Failures++
			}
			if opts.OnRecord != nil {
				opts.OnRecord(rec)
			}
			if opts.Stop != nil {
				if reason, ok := opts.Stop(sum.Failures, sum.Runs); ok {
					stop(reason)
				}
			}
		case <-budget:
			stop("time budget")
			budget = nil
		case <-done:
			done = nil
			if sum.Stopped == "" {
				sum.Stopped = "interrupted"
			}
		}
		if ctx.Err() != nil && feed != nil {
			close(todo)
			feed = nil
		}
	}
}
