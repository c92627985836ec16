package stats

import "testing"

func TestGone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		bf, bn, an int
		want       bool
	}{
		{"2% then 1500 clean runs", 20, 1000, 1500, true},
		{"2% then 1000 clean runs: not enough to see 0.2%", 20, 1000, 1000, false},
		{"nothing measured", 0, 1000, 100000, false},
		{"no runs before", 0, 0, 100, false},
		{"one failure in 3 runs, then 30 clean", 1, 3, 30, false},
		{"50% then 60 clean runs", 50, 100, 60, true},
	}
	for _, tt := range tests {
		g := Gone(tt.bf, tt.bn, tt.an)
		if g.Gone != tt.want {
			t.Errorf("%s: Gone = %+v, want gone=%v", tt.name, g, tt.want)
		}
		if g.Gone && g.Upper >= g.Before.Rate/10 {
			t.Errorf("%s: called gone with upper bound %.4g not under a tenth of %.4g", tt.name, g.Upper, g.Before.Rate)
		}
		if g.String() == "" {
			t.Errorf("%s: no words", tt.name)
		}
	}
}
