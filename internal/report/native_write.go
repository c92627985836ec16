package report

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// nativeOut is one result as EncodeNative writes it: the fields the native
// parser reads, omitted where the parser's zero is meant.
type nativeOut struct {
	Test            string          `json:"test"`
	Outcome         Outcome         `json:"outcome"`
	DurationSeconds float64         `json:"duration_seconds,omitempty"`
	FailureText     string          `json:"failure_text,omitempty"`
	Output          string          `json:"output,omitempty"`
	Iteration       int             `json:"iteration"`
	Attempt         int             `json:"attempt,omitempty"`
	Seed            int64           `json:"seed,omitempty"`
	Detector        json.RawMessage `json:"detector,omitempty"`
}

// EncodeNative writes results as the native JSON document, version 1, that
// Parse reads back as FormatJSON with the same results. It is how triaged's
// own producers (the runner's spool and uploads) write results, so the
// format has one writer and one reader, both here.
func EncodeNative(results []Result) ([]byte, error) {
	out := make([]nativeOut, len(results))
	for i, r := range results {
		out[i] = nativeOut{Test: r.Test, Outcome: r.Outcome, DurationSeconds: r.Duration.Seconds(), FailureText: r.FailureText,
			Output: r.Output, Iteration: r.Iteration, Attempt: r.Attempt, Seed: r.Seed, Detector: r.Detector}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(struct {
		Version int         `json:"version"`
		Results []nativeOut `json:"results"`
	}{1, out}); err != nil {
		return nil, fmt.Errorf("encode results: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
