package stats

import (
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestWilson(t *testing.T) {
	t.Parallel()
	// Reference values from R's prop.test(..., correct = FALSE) / binom::binom.wilson.
	tests := []struct {
		k, n         int
		wantLo, want float64
	}{
		{0, 10, 0, 0.2775},
		{1, 10, 0.0179, 0.4042},
		{5, 10, 0.2366, 0.7634},
		{10, 10, 0.7225, 1},
		{12, 100, 0.0700, 0.1981},
		{0, 1500, 0, 0.00255},
	}
	for _, tt := range tests {
		lo, hi := Wilson(tt.k, tt.n)
		if !near(lo, tt.wantLo, 5e-4) || !near(hi, tt.want, 5e-4) {
			t.Errorf("Wilson(%d, %d) = [%.4f, %.4f], want [%.4f, %.4f]", tt.k, tt.n, lo, hi, tt.wantLo, tt.want)
		}
	}
	if lo, hi := Wilson(0, 0); lo != 0 || hi != 1 {
		t.Errorf("Wilson(0, 0) = [%v, %v], want [0, 1]", lo, hi)
	}
}

func TestZeroFailureUpper(t *testing.T) {
	t.Parallel()
	for _, n := range []int{100, 1000, 10000} {
		exact, three := ZeroFailureUpper(n), 3/float64(n)
		if !near(exact, three, three*0.02) || exact > three {
			t.Errorf("n=%d: exact %.6f far from rule of three %.6f", n, exact, three)
		}
	}
	if got := ZeroFailureUpper(1); !near(got, 0.95, 1e-12) {
		t.Errorf("n=1: got %v, want 0.95", got)
	}
}

func TestRunsToSee(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    float64
		want int
	}{{0.5, 5}, {0.1, 29}, {0.01, 299}, {0.001, 2995}, {1, 1}}
	for _, tt := range tests {
		if got := RunsToSee(tt.p); got != tt.want {
			t.Errorf("RunsToSee(%v) = %d, want %d", tt.p, got, tt.want)
		}
		// The definition: after that many runs the chance of seeing none is ≤ 5%.
		if tt.p < 1 && math.Pow(1-tt.p, float64(RunsToSee(tt.p))) > 0.05 {
			t.Errorf("RunsToSee(%v): (1-p)^n > 0.05", tt.p)
		}
	}
}

func TestConfident(t *testing.T) {
	t.Parallel()
	if Confident(0, 100, 0.01) || !Confident(0, 300, 0.01) {
		t.Errorf("zero failures: 100 runs should not, 300 runs should reach a 1%% bound")
	}
	if Confident(10, 100, 0.02) || !Confident(100, 10000, 0.02) {
		t.Errorf("with failures: the half-width must shrink below the target")
	}
}

func TestCheckFix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		bf, bn, af, an int
		wantFixed      bool
	}{
		{"12% to 0 of 1500", 12, 100, 0, 1500, true},
		{"12% to 0 of 10: too few runs", 12, 100, 0, 10, false},
		{"no change", 10, 100, 11, 100, false},
		{"worse", 1, 100, 20, 100, false},
		{"nothing before", 0, 100, 0, 100, false},
	}
	for _, tt := range tests {
		c := CheckFix(tt.bf, tt.bn, tt.af, tt.an)
		if c.Fixed != tt.wantFixed {
			t.Errorf("%s: fixed=%v (p=%.4g), want %v", tt.name, c.Fixed, c.P, tt.wantFixed)
		}
	}
	// Fisher's exact one-sided p for [[0, 10], [12, 88]] (after, before):
	// P(X <= 0) = C(100,12)/C(110,12).
	want := math.Exp(logChoose(100, 12) - logChoose(110, 12))
	if got := CheckFix(12, 100, 0, 10).P; !near(got, want, 1e-12) {
		t.Errorf("p-value: got %v, want %v", got, want)
	}
}

func TestNewRateConvention(t *testing.T) {
	t.Parallel()
	// No failure: the exact one-sided bound, named; never Wilson's.
	r := NewRate(0, 41)
	if r.High != ZeroFailureUpper(41) || r.Low != 0 || r.Interval != IntervalExactOneSided || !r.ZeroFailures() {
		t.Errorf("NewRate(0, 41) = %+v, want [0, %v] exact one-sided", r, ZeroFailureUpper(41))
	}
	// A failure: Wilson.
	r = NewRate(3, 41)
	if lo, hi := Wilson(3, 41); r.Low != lo || r.High != hi || r.Interval != IntervalWilson || r.ZeroFailures() {
		t.Errorf("NewRate(3, 41) = %+v, want Wilson [%v, %v]", r, lo, hi)
	}
	if r := NewRate(0, 0); r.High != 1 || r.ZeroFailures() {
		t.Errorf("NewRate(0, 0) = %+v, want the uninformative [0, 1]", r)
	}
}

func TestPercent(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		rate float64
		want string
	}{{0, "0%"}, {1, "100.0%"}, {0.95, "95.0%"}, {ZeroFailureUpper(100), "2.95%"}, {ZeroFailureUpper(200), "1.49%"}, {0.000312, "0.0312%"}} {
		if got := Percent(tt.rate); got != tt.want {
			t.Errorf("Percent(%v) = %q, want %q", tt.rate, got, tt.want)
		}
	}
}
