package report

import (
	"encoding/json"
	"fmt"
	"time"
)

// Outcome is how one execution of a test ended.
type Outcome uint8

// The outcomes triaged stores. The zero value is not a valid outcome, so a
// Result that was never filled in cannot pass for a passing test.
const (
	Pass Outcome = iota + 1
	Fail
	Error
	Skip
)

var outcomeNames = [...]string{Pass: "pass", Fail: "fail", Error: "error", Skip: "skip"}

// String returns the outcome's stored name: "pass", "fail", "error" or "skip".
func (o Outcome) String() string {
	if o >= Pass && o <= Skip {
		return outcomeNames[o]
	}
	return fmt.Sprintf("Outcome(%d)", uint8(o))
}

// Failed reports whether the outcome counts as a failure (fail or error).
func (o Outcome) Failed() bool { return o == Fail || o == Error }

// ParseOutcome returns the outcome named name, which must be one of "pass",
// "fail", "error" or "skip" exactly.
func ParseOutcome(name string) (Outcome, error) {
	for o := Pass; o <= Skip; o++ {
		if outcomeNames[o] == name {
			return o, nil
		}
	}
	return 0, fmt.Errorf("unknown outcome %q (want pass, fail, error or skip)", name)
}

// MarshalText encodes the outcome as its name, so JSON shows "fail", not 2.
func (o Outcome) MarshalText() ([]byte, error) {
	if o < Pass || o > Skip {
		return nil, fmt.Errorf("invalid outcome %d", uint8(o))
	}
	return []byte(outcomeNames[o]), nil
}

// UnmarshalText decodes an outcome name with [ParseOutcome].
func (o *Outcome) UnmarshalText(b []byte) error {
	v, err := ParseOutcome(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}

// rank orders outcomes by severity so that a test with several verdicts (a
// pytest failure plus a teardown error, failing subtests) keeps the worst.
func (o Outcome) rank() int {
	switch o {
	case Error:
		return 4
	case Fail:
		return 3
	case Skip:
		return 1
	case Pass:
		return 2
	}
	return 0
}

// worse returns the more severe of a and b.
func worse(a, b Outcome) Outcome {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// Result is one execution of one test.
type Result struct {
	// Test is the full test id (see the package documentation).
	Test    string
	Outcome Outcome
	// Duration is zero when the report does not say.
	Duration time.Duration
	// FailureText is the traceback, assertion message or collected output of
	// a failed or errored test; empty for passing and skipped tests.
	FailureText string
	// Output is captured stdout/stderr reported apart from the failure (JUnit
	// system-out/system-err), kept for failed and errored tests only.
	Output string
	// Detector is the data-loss detector report; only the native format
	// carries one.
	Detector json.RawMessage
	// Iteration is the stress iteration; parsers leave it zero unless the
	// native document sets it, and `triaged stress exec` fills it in.
	Iteration int
	// Attempt numbers retries within one report: 0 for the first run, 1 and
	// up for regrtest re-runs and Surefire rerun/flaky attempts.
	Attempt int
	Seed    int64
}

// Counts tallies results by outcome, as the upload answer reports them.
type Counts struct {
	Tests, Passed, Failed, Errors, Skipped int
}

// Count tallies rs by outcome.
func Count(rs []Result) Counts {
	var c Counts
	for _, r := range rs {
		c.Tests++
		switch r.Outcome {
		case Pass:
			c.Passed++
		case Fail:
			c.Failed++
		case Error:
			c.Errors++
		case Skip:
			c.Skipped++
		}
	}
	return c
}
