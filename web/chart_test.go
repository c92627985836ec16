package web

import (
	"math"
	"slices"
	"testing"
)

// TestHistogramSpansTheData: bins span the offsets seen in round widths,
// one offset is said in words, and a hostile report cannot break the
// arithmetic.
func TestHistogramSpansTheData(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		values    []int64
		single    bool
		bars      int
		wantWidth int64
	}{
		{"one offset", []int64{0, 0, 0}, true, 0, 0},
		{"small", []int64{3, 10, 20}, false, 18, 1},
		{"stream offsets", []int64{1 << 20, 1<<20 + 5000, 3 << 20}, false, 17, 128 << 10},
		{"hostile", []int64{-5, math.MaxInt64, 7}, false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHistogram("t", "losses", tt.values, 24)
			if h.Single != tt.single || h.Total != len(tt.values) || len(h.Bars) > 24 {
				t.Fatalf("single %v, total %d, %d bars", h.Single, h.Total, len(h.Bars))
			}
			if tt.bars > 0 && len(h.Bars) != tt.bars {
				t.Errorf("%d bars, want %d", len(h.Bars), tt.bars)
			}
			if tt.wantWidth > 0 && binWidth(slices.Max(tt.values)-slices.Min(tt.values)+1, 24) != tt.wantWidth {
				t.Errorf("bin width %d, want %d", binWidth(slices.Max(tt.values)-slices.Min(tt.values)+1, 24), tt.wantWidth)
			}
			if h.Caption == "" {
				t.Errorf("no caption saying what the chart shows")
			}
		})
	}
}
