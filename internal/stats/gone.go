package stats

import "fmt"

// GoneCheck says whether a failure that has not recurred since its last
// occurrence can be called gone, and why.
type GoneCheck struct {
	// Before is the rate measured up to the last failure; AfterRuns the
	// runs since, all passing.
	Before    Rate `json:"before"`
	AfterRuns int  `json:"after_runs"`
	// Needed is how many clean runs it takes: enough to have seen a tenth
	// of the measured rate at least once with 95% confidence.
	Needed int `json:"needed"`
	// Upper is the 95% upper bound on the rate after (zero failures in
	// AfterRuns runs).
	Upper float64 `json:"upper"`
	// P is Fisher's one-sided p-value of "the rate did not drop".
	P    float64 `json:"p_value"`
	Gone bool    `json:"gone"`
}

// Gone judges a failure gone when it has not failed in enough runs since
// its last failure to conclude, at 95% confidence, that its rate fell
// below a tenth of what was measured before (the exact zero-failure bound
// 1 − 0.05^(1/n) under rate/10, i.e. n ≥ RunsToSee(rate/10)), and
// Fisher's test (CheckFix, the fix-verification test) agrees that the
// rate dropped. Nothing measured before means nothing can be concluded.
func Gone(beforeFailures, beforeRuns, afterRuns int) GoneCheck {
	g := GoneCheck{Before: NewRate(beforeFailures, beforeRuns), AfterRuns: afterRuns, Upper: ZeroFailureUpper(afterRuns), P: 1}
	if beforeFailures <= 0 || beforeRuns <= 0 {
		return g
	}
	g.Needed = RunsToSee(g.Before.Rate / 10)
	fix := CheckFix(beforeFailures, beforeRuns, 0, afterRuns)
	g.P = fix.P
	g.Gone = afterRuns >= g.Needed && fix.Fixed
	return g
}

// String gives the numbers as a sentence, for comments and pages.
func (g GoneCheck) String() string {
	if g.Before.Runs == 0 || g.Before.Failures == 0 {
		return "no failure rate was measured, so nothing can be concluded"
	}
	s := fmt.Sprintf("%d failures in %d runs before (%.3g%%, 95%% CI %.3g–%.3g%%); no failure in %d runs since (95%% upper bound %.3g%%); "+
		"%d clean runs are needed to see a tenth of the old rate; Fisher's one-sided p = %.3g",
		g.Before.Failures, g.Before.Runs, 100*g.Before.Rate, 100*g.Before.Low, 100*g.Before.High,
		g.AfterRuns, 100*g.Upper, g.Needed, g.P)
	return s
}
