package stress

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunClockForgivesOnlyLongGaps(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	for _, tc := range []struct {
		name  string
		steps []time.Duration // wall time between two advances
		want  time.Duration
	}{
		{"on time", []time.Duration{100 * ms, 100 * ms, 100 * ms}, 300 * ms},
		{"a little late on every tick, as when throttled", []time.Duration{150 * ms, 180 * ms, 200 * ms}, 530 * ms},
		{"stopped for 6s", []time.Duration{100 * ms, 6 * time.Second, 100 * ms}, 100*ms + clockMaxStep + 100*ms},
		{"time that went backwards", []time.Duration{100 * ms, -50 * ms, 100 * ms}, 150 * ms},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Now()
			c := newRunClock(now)
			for _, d := range tc.steps {
				now = now.Add(d)
				c.advance(now)
			}
			if got := c.Run(); got != tc.want {
				t.Errorf("run time %v, want %v", got, tc.want)
			}
		})
	}
}

// stillCount is a stall check's count that never moves.
func stillCount() int64 { return 7 }

func TestWatchdogStopsAStallAsAStall(t *testing.T) {
	t.Parallel()
	ctx, w := startWatchdog(context.Background(), time.Minute)
	w.watch(progressCheck(stillCount, func(quiet time.Duration) *Finding {
		return &Finding{Kind: "stall", Detail: "quiet " + quiet.String()}
	}))
	<-ctx.Done()
	run, _ := w.stop()
	var st *stopped
	if !errors.As(context.Cause(ctx), &st) || !st.stall || st.finding == nil {
		t.Fatalf("cause %v, want a stall with its finding", context.Cause(ctx))
	}
	if run < stallAfter || run > stallAfter+time.Second {
		t.Errorf("stopped after %v of run time, want just over %v", run, stallAfter)
	}

	o := &Outcome{Anomalies: []Finding{}}
	if !o.stopped(ctx, "tls", errors.New("read: i/o timeout")) {
		t.Fatal("outcome did not see the watchdog's stop")
	}
	o.finish()
	if o.TimedOut || o.Stalls != 1 || len(o.Anomalies) != 1 || o.Anomalies[0].Kind != "stall" || o.BytesLost != 0 {
		t.Errorf("outcome %+v, want one stall, no timeout, nothing lost", o)
	}
}

func TestWatchdogLimitIsATimeoutNotAStall(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	limit := 3 * clockTick
	ctx, w := startWatchdog(context.Background(), limit)
	w.watch(progressCheck(func() int64 { return n.Add(1) }, func(time.Duration) *Finding {
		t.Error("a moving count was reported as a stall")
		return nil
	}))
	<-ctx.Done()
	w.stop()
	o := &Outcome{Anomalies: []Finding{}}
	if !o.stopped(ctx, "plaintext", nil) {
		t.Fatal("outcome did not see the watchdog's stop")
	}
	o.finish()
	if !o.TimedOut || o.Stalls != 0 || len(o.Anomalies) != 0 || !strings.HasPrefix(o.Error, "ran out of time") {
		t.Errorf("outcome %+v, want a timeout and no anomaly", o)
	}
}

func TestOutcomeIgnoresAnIterationNotStopped(t *testing.T) {
	t.Parallel()
	ctx, w := startWatchdog(context.Background(), time.Minute)
	w.stop()
	if o := (&Outcome{}); o.stopped(ctx, "tls", nil) || o.failed() {
		t.Errorf("an iteration that ended by itself was taken for stopped: %+v", o)
	}
}
