package stress

import (
	"context"
	"github.com/triaged/triaged/internal/stats"
	"sync/atomic"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/report"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func fake(failEvery int) Iteration {
	return func(ctx context.Context, i int) Record {
		o := report.Pass
		if failEvery > 0 && i%failEvery == failEvery-1 {
			o = report.Fail
		}
		return Record{Iteration: i, Outcome: o}
	}
}

// stopAtFirstFailure is the first-failure rule as the campaign package
// states it, for the engine's own tests (stress cannot import campaign).
func stopAtFirstFailure(failures, _ int) (string, bool) { return "first failure", failures > 0 }

func TestRunStopRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      Options
		failEvery int
		wantRuns  int
		wantFails int
		wantStop  string
	}{
		{"count", Options{Iterations: 50, Parallel: 4}, 10, 50, 5, ""},
		{"skip done", Options{Iterations: 10, Skip: map[int]bool{0: true, 5: true}}, 0, 8, 0, ""},
		{"first failure", Options{Iterations: 100, Stop: stopAtFirstFailure}, 7, 7, 1, "first failure"},
		{"confident, clean", Options{Iterations: 10000, Stop: func(f, r int) (string, bool) {
			return "confident", stats.Confident(f, r, 0.01)
		}}, 0, 299, 0, "confident"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sum := Run(context.Background(), tt.opts, fake(tt.failEvery))
			if sum.Runs != tt.wantRuns || sum.Failures != tt.wantFails || sum.Stopped != tt.wantStop {
				t.Errorf("got runs %d failures %d stopped %q, want %d %d %q", sum.Runs, sum.Failures, sum.Stopped, tt.wantRuns, tt.wantFails, tt.wantStop)
			}
		})
	}
}

func TestRunBudgetAndParallelism(t *testing.T) {
	t.Parallel()
	var inFlight, most atomic.Int32
	slow := func(ctx context.Context, i int) Record {
		n := inFlight.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
		}
		inFlight.Add(-1)
		return Record{Iteration: i, Outcome: report.Pass}
	}
	sum := Run(context.Background(), Options{Iterations: 1000, Parallel: 4, Budget: 200 * time.Millisecond}, slow)
	if sum.Stopped != "time budget" || sum.Runs == 0 || sum.Runs >= 1000 {
		t.Errorf("got %+v, want a run cut by the budget", sum)
	}
	if most.Load() != 4 {
		t.Errorf("at most %d iterations at once, want 4", most.Load())
	}
}
