package stress

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// stallAfter is how much run time an iteration may go without moving a
// byte before the watchdog stops it as stalled.
const stallAfter = 3 * time.Second

// watchdog runs beside an iteration. It keeps the iteration's run clock and
// stops the iteration, by cancelling its context with a *stopped cause,
// when the scenario's stall check finds that nothing moved for stallAfter
// of run time, or when the run time reaches the limit. Both rules read the
// run clock, so time the host did not give the process counts for neither:
// a stall is a transport that had the CPU and did nothing with it.
type watchdog struct {
	clock  *runClock
	limit  time.Duration
	cancel context.CancelCauseFunc
	done   chan struct{}

	mu    sync.Mutex
	check stallCheck
}

// stallCheck is asked every clock tick, with the run clock's instant,
// whether the iteration stalled. It returns the finding to report, or nil
// when the detector recorded the stall itself.
type stallCheck func(now time.Time) (stalled bool, f *Finding)

// stopped is the cause of an iteration the watchdog ended: a stall, with
// its finding, or a spent limit.
type stopped struct {
	stall     bool
	finding   *Finding
	run, wall time.Duration
}

func (s *stopped) Error() string {
	if s.stall {
		return fmt.Sprintf("stalled: no progress for %v of run time (after %v of run time, %v on the wall clock)",
			stallAfter, s.run.Round(time.Millisecond), s.wall.Round(time.Millisecond))
	}
	return fmt.Sprintf("ran out of time: %v of run time (%v on the wall clock), still moving",
		s.run.Round(time.Millisecond), s.wall.Round(time.Millisecond))
}

// startWatchdog returns ctx bounded by a watchdog with the time limit
// limit, in run time. Stop the watchdog when the iteration is over.
func startWatchdog(ctx context.Context, limit time.Duration) (context.Context, *watchdog) {
	ctx, cancel := context.WithCancelCause(ctx)
	w := &watchdog{clock: newRunClock(time.Now()), limit: limit, cancel: cancel, done: make(chan struct{})}
	go w.run(ctx)
	return ctx, w
}

// watch sets the stall check, once the scenario has something to watch.
func (w *watchdog) watch(check stallCheck) {
	w.mu.Lock()
	w.check = check
	w.mu.Unlock()
}

func (w *watchdog) run(ctx context.Context) {
	defer close(w.done)
	t := time.NewTicker(clockTick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		// The tick's own time is when the timer fired, which says nothing
		// of when this goroutine got to run; now does.
		now := time.Now()
		w.clock.advance(now)
		w.mu.Lock()
		check := w.check
		w.mu.Unlock()
		if check != nil {
			if stalled, f := check(w.clock.Now()); stalled {
				w.cancel(&stopped{stall: true, finding: f, run: w.clock.Run(), wall: w.clock.Wall(now)})
				return
			}
		}
		if run := w.clock.Run(); run >= w.limit {
			w.cancel(&stopped{run: run, wall: w.clock.Wall(now)})
			return
		}
	}
}

// stop ends the watchdog and returns the iteration's run and wall-clock
// time.
func (w *watchdog) stop() (run, wall time.Duration) {
	w.cancel(context.Canceled)
	<-w.done
	now := time.Now()
	w.clock.advance(now)
	return w.clock.Run(), w.clock.Wall(now)
}

// progressCheck is a stall check on a count that grows while the iteration
// makes progress: the bytes its transport and its peer moved. describe
// makes the finding once the count stood still for stallAfter.
func progressCheck(moved func() int64, describe func(quiet time.Duration) *Finding) stallCheck {
	last, since := int64(-1), time.Time{}
	return func(now time.Time) (bool, *Finding) {
		if n := moved(); n != last {
			last, since = n, now
			return false, nil
		}
		if quiet := now.Sub(since); quiet >= stallAfter {
			return true, describe(quiet)
		}
		return false, nil
	}
}
