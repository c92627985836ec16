package report

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestEncodeNativeRoundTrip writes results with the native writer and reads
// them back with the native parser: what one side writes, the other reads.
func TestEncodeNativeRoundTrip(t *testing.T) {
	t.Parallel()
	in := []Result{
		{Test: "proactor.echo-pause.legacy", Outcome: Fail, Duration: 1500 * time.Millisecond, FailureText: "lost-bytes <x>",
			Iteration: 7, Seed: 42, Detector: json.RawMessage(`{"scenario":"echo-pause","anomalies":[{"kind":"lost-bytes"}]}`)},
		{Test: "pkg.TestOK", Outcome: Pass, Iteration: 7},
		{Test: "pkg.TestSkip", Outcome: Skip, Attempt: 1},
	}
	doc, err := EncodeNative(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Parse(bytes.NewReader(doc), FormatJSON, Options{})
	if err != nil {
		t.Fatalf("parse %s: %v", doc, err)
	}
	if d := cmp.Diff(in, out); d != "" {
		t.Errorf("round trip (-wrote +read):\n%s", d)
	}
	if f, err := Sniff(doc); err != nil || f != FormatJSON {
		t.Errorf("Sniff(native document) = %v, %v", f, err)
	}
}
