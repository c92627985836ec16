package stress

import "github.com/triaged/triaged/internal/report"

// TestTally is one test's figures over a campaign.
type TestTally struct {
	Runs     int `json:"runs"`
	Failures int `json:"failures"`
	// Signatures counts failures by signature hash.
	Signatures map[string]int `json:"signatures"`
	// Titles maps each signature to its one-line title, for people.
	Titles map[string]string `json:"-"`
}

// Tally counts runs, failures and signatures per test id.
type Tally map[string]*TestTally

// Add counts a record's results.
func (t Tally) Add(r Record) {
	for _, res := range r.Results {
		tt := t[res.Test]
		if tt == nil {
			tt = &TestTally{Signatures: map[string]int{}, Titles: map[string]string{}}
			t[res.Test] = tt
		}
		tt.Runs++
		if res.Outcome.Failed() {
			tt.Failures++
			sig := Sign(FailureText(res), res.Detector)
			tt.Signatures[sig.Hash]++
			tt.Titles[sig.Hash] = sig.Title
		}
	}
}

// FailureText is what a failing result is signed by: its failure text, or
// its captured output when a report gave no separate text (the server
// signs uploads the same way).
func FailureText(res report.Result) string {
	if res.FailureText != "" {
		return res.FailureText
	}
	return res.Output
}
