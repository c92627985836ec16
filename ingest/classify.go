package ingest

import (
	"encoding/json"

	"github.com/triaged/triaged/internal/store"
)

// Classes of a failure, from the point of view of someone reading a red CI
// run.
const (
	ClassNew   = "new"   // a signature not seen on another revision, on a test that did not pass here
	ClassFlaky = "flaky" // the test both passed and failed on this revision and runner OS
	ClassKnown = "known" // the signature was already seen on another revision: a known flake
	ClassInfra = "infra" // most of the batch failed: the machine, not the tests
)

// answer builds the upload's answer, classifying every failure.
func answer(b store.Batch, st store.Stored, lim Limits) UploadAnswer {
	ans := UploadAnswer{Batch: b.ID, Results: make([]ResultAnswer, len(b.Results))}
	failing := 0
	for _, r := range b.Results {
		if r.Signature != nil {
			failing++
		}
	}
	ans.Infra = len(b.Results) >= lim.InfraMinResults && float64(failing) > lim.InfraThreshold*float64(len(b.Results))
	for i, r := range b.Results {
		ra := ResultAnswer{Test: r.Test, Outcome: r.Outcome}
		ans.Tests++
		switch r.Outcome {
		case "pass":
			ans.Passed++
		case "fail":
			ans.Failed++
		case "error":
			ans.Errors++
		case "skip":
			ans.Skipped++
		}
		if r.Signature != nil {
			ra.Signature, ra.Title = r.Signature.Hash, r.Signature.Title
			ra.Class = classify(r, st, ans.Infra)
			switch ra.Class {
			case ClassNew:
				ans.NewFailures++
			case ClassFlaky, ClassKnown:
				ans.KnownFlaky++
			}
		}
		ans.Results[i] = ra
	}
	return ans
}

func classify(r store.ResultRow, st store.Stored, infra bool) string {
	switch c := st.Revision[r.Test]; {
	case infra:
		return ClassInfra
	case c.Passes > 0 && c.Failures > 0:
		return ClassFlaky
	case st.KnownElsewhere[r.Signature.Hash]:
		return ClassKnown
	}
	return ClassNew
}

// markDuplicate sets "duplicate": true in a stored answer.
func markDuplicate(raw json.RawMessage) json.RawMessage {
	return withFields(raw, map[string]any{"duplicate": true})
}

// withFields sets top-level fields of a stored JSON answer.
func withFields(raw json.RawMessage, fields map[string]any) json.RawMessage {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return raw
	}
	for k, v := range fields {
		m[k] = v
	}
	out, err := json.Marshal(m)
	if err != nil {
		return raw
	}
	return out
}
