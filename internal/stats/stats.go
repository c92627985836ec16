// Package stats holds the few formulas triaged answers with: repro rates with
// Wilson score intervals, the zero-failure upper bound, how many runs it
// takes to see a rare failure, and whether a fix made a failure rarer.
package stats

import (
	"math"
	"strconv"
)

// z95 is the two-sided 95% normal quantile.
const z95 = 1.959963984540054

// The intervals a Rate carries, as its JSON names them.
const (
	// IntervalWilson is the two-sided 95% Wilson score interval, used
	// whenever a run failed.
	IntervalWilson = "wilson"
	// IntervalExactOneSided is the exact one-sided 95% upper bound of
	// ZeroFailureUpper, used when no run failed; Low is then 0.
	IntervalExactOneSided = "exact-one-sided"
)

// ExactOneSided is how people are told which bound a zero-failure figure
// is, wherever one is shown: "95% upper bound 1.49%, exact one-sided".
const ExactOneSided = "exact one-sided"

// Rate is a repro rate with its 95% interval: the Wilson score interval
// when a run failed, the exact one-sided upper bound when none did. This is
// the one convention of triaged; the CLI, the JSON and the pages all show
// a Rate's Low and High.
type Rate struct {
	Runs     int     `json:"runs"`
	Failures int     `json:"failures"`
	Rate     float64 `json:"repro_rate"`
	Low      float64 `json:"ci95_low"`
	High     float64 `json:"ci95_high"`
	// Interval names how Low and High were computed: IntervalWilson or
	// IntervalExactOneSided.
	Interval string `json:"interval"`
}

// NewRate returns failures/runs with its 95% interval: Wilson's, or with
// no failure the exact one-sided upper bound. Zero runs give a rate of 0
// and the uninformative interval [0, 1].
func NewRate(failures, runs int) Rate {
	r := Rate{Runs: runs, Failures: failures, High: 1, Interval: IntervalWilson}
	switch {
	case runs <= 0:
		return r
	case failures <= 0:
		r.High, r.Interval = ZeroFailureUpper(runs), IntervalExactOneSided
		return r
	}
	r.Rate = float64(failures) / float64(runs)
	r.Low, r.High = Wilson(failures, runs)
	return r
}

// ZeroFailures reports whether r is a rate of runs without a failure, whose
// High is the exact one-sided bound.
func (r Rate) ZeroFailures() bool { return r.Runs > 0 && r.Failures <= 0 }

// Wilson returns the 95% Wilson score interval for k successes in n trials.
// Unlike the textbook p ± z·sqrt(p(1−p)/n), it stays inside [0, 1] and is
// honest at k = 0 and for small n, which is where flaky tests live.
func Wilson(k, n int) (low, high float64) {
	if n <= 0 {
		return 0, 1
	}
	p := float64(k) / float64(n)
	nf := float64(n)
	z2 := z95 * z95
	den := 1 + z2/nf
	center := (p + z2/(2*nf)) / den
	half := z95 * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf)) / den
	low, high = math.Max(0, center-half), math.Min(1, center+half)
	if k == 0 {
		low = 0
	}
	if k == n {
		high = 1
	}
	return low, high
}

// ZeroFailureUpper is the exact one-sided 95% upper bound on the failure rate
// after n runs without a failure, 1 − 0.05^(1/n); the rule of three, 3/n, is
// its approximation for large n.
func ZeroFailureUpper(n int) float64 {
	if n <= 0 {
		return 1
	}
	return 1 - math.Pow(0.05, 1/float64(n))
}

// RunsToSee returns how many runs it takes to see a failure of rate p at
// least once with 95% confidence: ⌈ln 0.05 / ln(1 − p)⌉.
func RunsToSee(p float64) int {
	switch {
	case p >= 1:
		return 1
	case p <= 0 || math.IsNaN(p):
		return math.MaxInt32
	}
	return int(math.Ceil(math.Log(0.05) / math.Log1p(-p)))
}

// Confident reports whether a "stop when confident" campaign may stop: with
// no failures, once the 95% upper bound is at most target; with failures,
// once the Wilson interval's half-width is at most target.
func Confident(failures, runs int, target float64) bool {
	if runs <= 0 {
		return false
	}
	if failures == 0 {
		return ZeroFailureUpper(runs) <= target
	}
	lo, hi := Wilson(failures, runs)
	return (hi-lo)/2 <= target
}

// Percent writes a rate for people the one way the CLI and the pages
// share: "0%", one decimal from 10% ("95.0%"), three significant digits
// below, where flaky tests live ("2.95%", "0.0312%").
func Percent(rate float64) string {
	switch {
	case rate == 0:
		return "0%"
	case rate >= 0.1:
		return strconv.FormatFloat(rate*100, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(rate*100, 'g', 3, 64) + "%"
}
