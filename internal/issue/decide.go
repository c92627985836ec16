package issue

import (
	"time"

	"github.com/triaged/triaged/internal/stats"
)

// Want is what an open or closed issue needs next.
type Want string

// The wants.
const (
	Nothing Want = ""
	// Close it: the failure is gone, by the numbers.
	Close Want = "close"
	// Recur: the failure is back after it was closed; reopen or comment.
	Recur Want = "recur"
	// Sync: read its state on GitHub, which people may have changed.
	Sync Want = "sync"
)

// State is what is known of a filed issue and its failure.
type State struct {
	Open bool
	// ClosedAt is when it was closed, if it is.
	ClosedAt time.Time
	// FailuresSince counts failures after it was closed (and after the
	// last recurrence acted on).
	FailuresSince int
	// LastFailure is the newest failure; Before and AfterRuns the numbers
	// around it (see stats.Gone).
	LastFailure                time.Time
	BeforeFailures, BeforeRuns int
	AfterRuns                  int
	// SyncedAt is when its state was last read from GitHub.
	SyncedAt time.Time
}

// Next decides what an issue needs at now: a closed issue whose failure
// is back recurs; an open one whose failure is gone by stats.Gone closes,
// with the numbers; an open one that failed since its state was last read
// more than syncEvery ago is read again, in case a person closed it.
// Nothing is ever closed for lack of news: only the numbers close.
func Next(s State, now time.Time, syncEvery time.Duration) (Want, stats.GoneCheck) {
	if !s.Open {
		if s.FailuresSince > 0 {
			return Recur, stats.GoneCheck{}
		}
		return Nothing, stats.GoneCheck{}
	}
	if !s.LastFailure.IsZero() {
		if g := stats.Gone(s.BeforeFailures, s.BeforeRuns, s.AfterRuns); g.Gone {
			return Close, g
		}
	}
	if now.Sub(s.SyncedAt) > syncEvery && s.LastFailure.After(s.SyncedAt) {
		return Sync, stats.GoneCheck{}
	}
	return Nothing, stats.GoneCheck{}
}
