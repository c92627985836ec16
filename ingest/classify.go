package ingest

import (
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

// Answer is the body of a successful upload, and of its retries: POST
// /api/v1/results answers it, and job results add "stop".
type Answer struct {
	Batch       string         `json:"batch"`
	Tests       int            `json:"tests"`
	Passed      int            `json:"passed"`
	Failed      int            `json:"failed"`
	Errors      int            `json:"errors"`
	Skipped     int            `json:"skipped"`
	Duplicate   bool           `json:"duplicate"`
	NewFailures int            `json:"new_failures"`
	KnownFlaky  int            `json:"known_flaky"`
	Infra       bool           `json:"infra"`
	Results     []ResultAnswer `json:"results"`
	// Stop tells a runner uploading a campaign job's results to stop the
	// job: its stop rule ended the campaign, or it had ended already.
	Stop bool `json:"stop,omitempty"`
}

// ResultAnswer is what the upload answer says of one result.
type ResultAnswer struct {
	Test      string `json:"test"`
	Outcome   string `json:"outcome"`
	Signature string `json:"signature,omitempty"`
	Title     string `json:"title,omitempty"`
	// Class is set for failures: new, flaky, known or infra.
	Class string `json:"class,omitempty"`
}

// answer builds the upload's answer, classifying every failure.
func answer(b store.Batch, st store.Stored, lim Limits) Answer {
	ans := Answer{Stop: st.Stop, Batch: b.ID, Results: make([]ResultAnswer, len(b.Results))}
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
