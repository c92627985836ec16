package campaign

import (
	"fmt"

	"github.com/triaged/triaged/internal/stats"
)

// StopReason reports whether a campaign that has seen failures failing
// runs out of runs should stop before its iteration count, and says why.
// The server applies it to the campaign's stored figures in the
// transaction that stores them; `triaged stress` and runners apply it to
// what they ran, to stop early.
func (s Spec) StopReason(failures, runs int) (string, bool) {
	switch {
	case s.Stop == StopFirstFailure && failures > 0:
		return fmt.Sprintf("stopped at the first failure, after %d runs", runs), true
	case s.Stop == StopConfident && stats.Confident(failures, runs, s.StopTarget):
		return fmt.Sprintf("stopped when confident: %d/%d failed, 95%% bound within %.3g", failures, runs, s.StopTarget), true
	}
	return "", false
}
