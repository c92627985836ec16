package ingest

import (
	"time"

	"github.com/triaged/triaged/internal/quarantine"
	"github.com/triaged/triaged/internal/rule"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/verdict"
)

// Answer is the body of a successful upload, and of its retries: POST
// /api/v1/results answers it, and job results add "stop".
type Answer struct {
	Batch string `json:"batch"`
	// Tests counts the results; Passed, Failed, Errors and Skipped split
	// them. A skip is never a pass nor a run.
	Tests     int  `json:"tests"`
	Passed    int  `json:"passed"`
	Failed    int  `json:"failed"`
	Errors    int  `json:"errors"`
	Skipped   int  `json:"skipped"`
	Duplicate bool `json:"duplicate"`
	// NewFailures counts the failures that fail a commit status (new and
	// broken); KnownFlaky those that do not (flaky and known).
	NewFailures int `json:"new_failures"`
	KnownFlaky  int `json:"known_flaky"`
	// Quarantined counts failures under a quarantine, whatever their
	// class: they are in neither count above.
	Quarantined int            `json:"quarantined"`
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
	// Class is set for failures: new, broken, flaky, known or infra.
	Class verdict.Class `json:"class,omitempty"`
	// Since is the first failing revision of a broken test.
	Since string `json:"since,omitempty"`
	Why   string `json:"why,omitempty"`
	// Quarantine covers the failure when set: it keeps its class but
	// fails nothing.
	Quarantine *quarantine.Quarantine `json:"quarantine,omitempty"`
}

// infraBatch reports whether a batch failed as a whole: at least
// InfraMinResults results, more than InfraThreshold of those that ran
// failing. A stress campaign's batches never are; failing is what they
// measure.
func infraBatch(b store.Batch, lim Limits) bool {
	if b.CampaignID != nil {
		return false
	}
	ran, failing := 0, 0
	for _, r := range b.Results {
		if r.Outcome == "skip" {
			continue
		}
		ran++
		if r.Signature != nil {
			failing++
		}
	}
	return ran >= lim.InfraMinResults && float64(failing) > lim.InfraThreshold*float64(ran)
}

// answer builds the upload's answer, judging every failure with the one
// classifier against its test's history, the rules that matched it and
// the quarantines in force.
func answer(b store.Batch, st store.Stored, rules []rule.Rule) Answer {
	ans := Answer{Batch: b.ID, Stop: st.Stop, Infra: b.Infra, Results: make([]ResultAnswer, len(b.Results))}
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
			id, sig := st.TestIDs[r.Test], st.SignatureIDs[r.Signature.Hash]
			var matched []int64
			for _, m := range r.Rules {
				matched = append(matched, m.RuleID)
			}
			v := verdict.Classify(verdict.Failure{Revision: b.Revision, Signature: sig, Infra: b.Infra, InfraRule: rule.InfraRule(rules, matched)},
				st.Histories[id])
			ra.Class, ra.Since, ra.Why = v.Class, v.Since, v.Why
			ra.Quarantine = quarantine.Covering(st.Quarantines, b.Repo, id, sig, matched, st.Now)
			switch {
			case ra.Quarantine != nil:
				ans.Quarantined++
			case v.Class.FailsStatus():
				ans.NewFailures++
			case v.Class == verdict.Flaky || v.Class == verdict.Known:
				ans.KnownFlaky++
			}
		}
		ans.Results[i] = ra
	}
	return ans
}

// historySince is where the verdicts' history starts for an upload now.
func historySince(window time.Duration) time.Time { return time.Now().Add(-window) }
