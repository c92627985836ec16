package web

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseDetector(t *testing.T) {
	t.Parallel()
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name string
		raw  string
		want []anomaly
	}{
		{"empty", ``, nil},
		{"not JSON", `{"anomalies": [`, nil},
		{"not an object", `[1, 2]`, nil},
		{"no findings", `{"bytes_sent": 10}`, nil},
		{"full", `{"anomalies":[{"kind":"lost-bytes","phase":"tls","offset":123,"length":456,"received_at":789,"detail":"d",
			"trace":[{"op":1,"event":"pause_reading","cancel":"ERROR_NOT_FOUND"},"free text"],"stream":2}]}`,
			[]anomaly{{Kind: "lost-bytes", Phase: "tls", Offset: f(123), Length: f(456), ReceivedAt: f(789), Detail: "d",
				Trace: []string{"op=1 event=pause_reading cancel=ERROR_NOT_FOUND", "free text"}, Extra: [][2]string{{"stream", "2"}}}}},
		{"missing fields and odd types", `{"anomalies":[{"kind":7,"offset":"12","trace":{"op":1}}, "junk", {}]}`,
			[]anomaly{{Kind: "7", Offset: f(12), Trace: []string{`{"op":1}`}}, {}}},
		{"one finding at the top", `{"kind":"stall","phase":"read"}`, []anomaly{{Kind: "stall", Phase: "read"}}},
		{"first_failure", `{"first_failure":{"iteration":3,"kind":"duplicate","offset":8}}`,
			[]anomaly{{Kind: "duplicate", Offset: f(8), Extra: [][2]string{{"iteration", "3"}}}}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, parseDetector([]byte(tt.raw))); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tt.name, diff)
		}
	}
}

func FuzzParseDetector(f *testing.F) {
	f.Add(`{"anomalies":[{"kind":"lost-bytes","offset":1,"trace":[{"op":1}]}]}`)
	f.Add(`{"kind":"x","trace":"y"}`)
	f.Fuzz(func(t *testing.T, raw string) {
		for _, a := range parseDetector([]byte(raw)) {
			_ = num(a.Offset) + strings.Join(a.Trace, "")
		}
	})
}

func TestCharts(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want float64 }{{0, 0.01}, {0.003, 0.005}, {0.02, 0.02}, {0.34, 0.5}, {0.9, 1}} {
		if got := niceCeil(tt.in); got != tt.want {
			t.Errorf("niceCeil(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
	c := newRateChart("t", []rateInput{{Label: "a", Failures: 0, Runs: 100}, {Label: "b", Failures: 5, Runs: 10}, {Label: "c"}})
	if len(c.Points) != 3 || c.Points[1].Y >= c.Points[0].Y || c.Points[1].YHigh > c.Points[1].Y || c.Points[1].YLow < c.Points[1].Y {
		t.Errorf("rate chart: a higher rate must be drawn higher, inside its interval: %+v", c.Points)
	}
	h := newHistogram("h", []float64{0, 1, 2, 100, 100, 100}, 4)
	if h.Total != 6 || h.Most != 3 || len(h.Bars) != 4 || h.Bars[0].H != h.Bars[3].H || h.Bars[1].H != 0 || h.Bars[0].H == 0 {
		t.Errorf("histogram: got %+v", h)
	}
	if h := newHistogram("h", nil, 4); len(h.Bars) != 0 {
		t.Errorf("empty histogram has bars")
	}
}
