package stats

import "math"

// FixCheck compares a failure rate before and after a change.
type FixCheck struct {
	Before, After Rate
	// P is the one-sided p-value of "the rate did not drop" (Fisher's exact
	// test on the 2×2 table); small means the drop is real.
	P float64 `json:"p_value"`
	// Fixed is true when the drop is significant at the 5% level.
	Fixed bool `json:"fixed"`
}

// CheckFix tests whether the failure rate after a change is lower than
// before, with Fisher's exact test, which stays exact for the small failure
// counts of flaky tests where normal approximations mislead.
func CheckFix(beforeFailures, beforeRuns, afterFailures, afterRuns int) FixCheck {
	c := FixCheck{Before: NewRate(beforeFailures, beforeRuns), After: NewRate(afterFailures, afterRuns), P: 1}
	if beforeRuns <= 0 || afterRuns <= 0 {
		return c
	}
	c.P = fisherLess(afterFailures, afterRuns, beforeFailures, beforeRuns)
	c.Fixed = c.P < 0.05
	return c
}

// fisherLess is P(X ≤ a) where X, the failures in the "after" group, follows
// the hypergeometric law of the 2×2 table with fixed margins.
func fisherLess(a, n1, b, n2 int) float64 {
	k := a + b // total failures
	n := n1 + n2
	lo := max(0, k-n2)
	p := 0.0
	for x := lo; x <= a; x++ {
		p += math.Exp(logChoose(n1, x) + logChoose(n2, k-x) - logChoose(n, k))
	}
	return math.Min(1, p)
}

func logChoose(n, k int) float64 {
	if k < 0 || k > n {
		return math.Inf(-1)
	}
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}
