package report

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestNativeValid(t *testing.T) {
	t.Parallel()
	in := `{"version": 1, "results": [
	  {"test": "triaged/stress.echo-pause", "outcome": "fail", "duration_seconds": 1.25,
	   "failure_text": "lost 4096 bytes", "iteration": 7, "attempt": 0, "seed": -3,
	   "detector": {"kind": "lost-bytes", "offset": 81920, "length": 4096}},
	  {"test": "a.b", "outcome": "pass", "detector": null, "failure_text": "ignored for a pass"}
	]}`
	got, err := parseString(t, FormatJSON, in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Result{
		{Test: "triaged/stress.echo-pause", Outcome: Fail, Duration: 1250 * time.Millisecond, FailureText: "lost 4096 bytes",
			Iteration: 7, Seed: -3, Detector: json.RawMessage(`{"kind":"lost-bytes","offset":81920,"length":4096}`)},
		{Test: "a.b", Outcome: Pass},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestNativeRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc, in, msg string
		offset        int64
	}{
		{"unknown field", `{"results":[{"test":"a","outcome":"pass","color":"red"}]}`, `unknown field "color"`, 12},
		{"unknown top-level field", `{"results":[],"extra":1}`, `unknown field "extra"`, 13},
		{"bad outcome", `{"results":[{"test":"a","outcome":"passed"}]}`, `unknown outcome "passed"`, 12},
		{"empty test", `{"results":[{"test":"  ","outcome":"pass"}]}`, `"test" is required`, 12},
		{"newline in test", `{"results":[{"test":"a\nb","outcome":"pass"}]}`, "one line", 12},
		{"negative duration", `{"results":[{"test":"a","outcome":"pass","duration_seconds":-1}]}`, "duration_seconds", 12},
		{"negative iteration", `{"results":[{"test":"a","outcome":"pass","iteration":-1}]}`, "must not be negative", 12},
		{"detector not an object", `{"results":[{"test":"a","outcome":"fail","detector":[1]}]}`, "JSON object", 12},
		{"wrong type", `{"results":[{"test":5,"outcome":"pass"}]}`, "cannot unmarshal number", 21},
		{"syntax error", `{"results":[{"test":"a",}]}`, "invalid character", 22},
		{"missing results", `{"version":1}`, `missing "results"`, 13},
		{"version 2", `{"version":2,"results":[]}`, "unsupported version", 1},
		{"results not array", `{"results":{}}`, "must be an array", 12},
		{"not an object", `[1,2]`, "want a JSON object", 1},
		{"trailing data", `{"results":[]} {"results":[]}`, "trailing data", 16},
		{"duplicate results", `{"results":[],"results":[]}`, `duplicate "results"`, 13},
	}
	for _, tt := range tests {
		_, err := parseString(t, FormatJSON, tt.in, Options{})
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v, want *ParseError", tt.desc, err)
			continue
		}
		if !strings.Contains(pe.Error(), tt.msg) || pe.Offset != tt.offset {
			t.Errorf("%s: got %q at byte %d, want %q at byte %d", tt.desc, pe.Error(), pe.Offset, tt.msg, tt.offset)
		}
	}
}

func TestNativeLimits(t *testing.T) {
	t.Parallel()
	in := `{"results":[` + strings.Repeat(`{"test":"a","outcome":"pass"},`, 3) + `{"test":"a","outcome":"pass"}]}`
	if _, err := parseString(t, FormatJSON, in, Options{MaxResults: 3}); !errors.Is(err, ErrTooManyResults) {
		t.Errorf("MaxResults: %v, want ErrTooManyResults", err)
	}
	long := `{"results":[{"test":"a","outcome":"error","failure_text":"` + strings.Repeat("y", 3000) + `"}]}`
	rs, err := parseString(t, FormatJSON, long, Options{MaxFailureText: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if ft := rs[0].FailureText; len(ft) > 1100 || !strings.Contains(ft, "[truncated 2000 bytes]") {
		t.Errorf("failure text not capped: %d bytes", len(ft))
	}
	big := `{"results":[{"test":"a","outcome":"fail","detector":{"x":"` + strings.Repeat("z", MaxDetectorLen) + `"}}]}`
	if _, err := parseString(t, FormatJSON, big, Options{}); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized detector: %v", err)
	}
}
