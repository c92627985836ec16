package stress

import (
	"sync"
	"time"
)

// Run-clock steps: the watchdog advances the clock every clockTick, and a
// step counts at most clockMaxStep, however late it came.
const (
	clockTick    = 100 * time.Millisecond
	clockMaxStep = 2 * clockTick
)

// runClock measures an iteration in run time: wall-clock time less the time
// the process demonstrably could not run. It is advanced every clockTick
// and counts each step at most clockMaxStep, so a process that a loaded
// host starves of CPU, or stops outright, gains at most one step from the
// time it lost. The time limit and the stall rule read it: an iteration is
// judged on what the transport did with the time it had, not on the host.
//
// It forgives only long gaps: a process that runs in short slices wakes a
// little late on every tick and loses nothing to the cap, so sustained
// throttling still counts in full. The stall rule, which asks for progress
// rather than speed, is what stays fair then.
type runClock struct {
	mu    sync.Mutex
	start time.Time
	last  time.Time
	run   time.Duration
}

func newRunClock(now time.Time) *runClock {
	return &runClock{start: now, last: now}
}

// advance counts the time since the last step, up to clockMaxStep.
func (c *runClock) advance(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := now.Sub(c.last); d > 0 {
		c.run += min(d, clockMaxStep)
		c.last = now
	}
}

// Run returns the run time counted so far.
func (c *runClock) Run() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.run
}

// Now returns the run time as an instant (the start plus the run time), for
// code that measures quiet spells between two instants, such as
// detect.Receiver.Check.
func (c *runClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.start.Add(c.run)
}

// Wall returns the wall-clock time since the start.
func (c *runClock) Wall(now time.Time) time.Duration { return now.Sub(c.start) }
