package stress

import (
	"context"
	"strings"
	"testing"

	"github.com/triaged/triaged/proactor"
)

// TestCheckOutcome accepts what a real legacy run reports and refuses the
// numbers issue #14 sent in its place (offset 1e308 made the campaign
// page's histogram bins negative).
func TestCheckOutcome(t *testing.T) {
	t.Parallel()
	c := scenario(t, "echo-pause", proactor.Legacy, 400, 8192)
	var failed []byte
	Run(context.Background(), Options{Iterations: 50, Stop: stopAtFirstFailure, OnRecord: func(r Record) {
		if r.Failed() && failed == nil {
			failed = r.Detector
		}
	}}, c.Iteration())
	if failed == nil {
		t.Fatal("legacy echo-pause never failed")
	}
	if err := CheckOutcome(failed); err != nil {
		t.Fatalf("a real report: %v", err)
	}
	for _, tc := range []struct{ name, report, want string }{
		{"offset 1e308", `{"anomalies":[{"kind":"lost-bytes","offset":1e308,"length":4096}]}`, "offset"},
		{"negative offset", `{"anomalies":[{"kind":"lost-bytes","offset":-4096,"length":4096}]}`, "offset"},
		{"offset near int64's end", `{"anomalies":[{"kind":"lost-bytes","offset":9223372036854775000,"length":4096}]}`, "offset"},
		{"length past the end", `{"anomalies":[{"kind":"lost-bytes","offset":1099511627000,"length":100000}]}`, "offset"},
		{"fractional offset", `{"anomalies":[{"kind":"lost-bytes","offset":1.5,"length":1}]}`, "offset"},
		{"negative count", `{"bytes_lost":-1}`, "bytes_lost"},
		{"huge count", `{"bytes_sent":1e20}`, "bytes_sent"},
		{"not an object", `[1]`, "detector report"},
	} {
		if err := CheckOutcome([]byte(tc.report)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error about %q", tc.name, err, tc.want)
		}
	}
}
