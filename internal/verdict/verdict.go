// Package verdict is the one classifier of failures: given what is known
// of a test's recent history in one repo on one runner OS, it says whether
// a failure is infrastructure, a flake seen on this very revision, a known
// flake, a broken test, or new — and of a test as a whole whether it is
// flaky, broken, newly failing or stable. The upload's answer, the commit
// status, the pages and the JSON API all call it; the store only fetches
// the facts it needs (History).
//
// The rules, over the lookback window, skips and infrastructure batches
// excluded:
//
//	infra   the failure came in a batch that failed as a whole
//	flaky   the test both passed and failed on this same revision
//	known   the test has flaky evidence (a revision where it both passed
//	        and failed — a stress campaign's runs count as runs of their
//	        revision, so a campaign rate strictly between 0 and 1 is such a
//	        revision — or an admin's mark) and this failure's signature is
//	        in its flaky history
//	broken  no flaky evidence, and every run failed on at least the last
//	        two revisions that ran it, this one included
//	new     anything else
//
// Nothing is called flaky or known without evidence; only new and broken
// failures fail a commit status, and only when no quarantine covers them:
// a quarantined failure keeps its class (CommitFailure.Quarantine,
// FailingTest.FailsStatus). An admin's rule may class failures infra
// (Failure.InfraRule).
package verdict

import (
	"fmt"
	"time"
)

// Class is the verdict on one failure, or on a test as a whole.
type Class string

// The classes of a failure. Stable is only ever said of a test.
const (
	Infra  Class = "infra"
	Flaky  Class = "flaky"
	Known  Class = "known"
	Broken Class = "broken"
	New    Class = "new"
	Stable Class = "stable"
)

// FailsStatus reports whether a failure of class c fails a commit status.
func (c Class) FailsStatus() bool { return c == New || c == Broken }

// Worse reports whether c is a worse verdict than d, for the one class a
// test with several failures on a commit is shown under: new, broken,
// known, flaky, infra, then stable.
func (c Class) Worse(d Class) bool { return rank[c] > rank[d] }

var rank = map[Class]int{Stable: 0, Infra: 1, Flaky: 2, Known: 3, Broken: 4, New: 5}

// DefaultWindow is how far back history counts.
const DefaultWindow = 30 * 24 * time.Hour

// Revision is a test's runs on one revision and runner OS. Runs counts
// only results that ran outside infrastructure batches: Runs = Passes +
// Failures.
type Revision struct {
	Revision  string
	FirstSeen time.Time
	Runs      int
	Passes    int
	Failures  int
}

// flaky reports whether the test both passed and failed on the revision.
func (r Revision) flaky() bool { return r.Passes > 0 && r.Failures > 0 }

// allFailed reports whether the test ran on the revision and never passed.
func (r Revision) allFailed() bool { return r.Runs > 0 && r.Passes == 0 }

// History is what is known of one test in one repo on one runner OS within
// the window.
type History struct {
	// Revisions are the revisions that ran the test, newest first by when
	// they were first seen. The revision being judged is among them, with
	// what was just stored counted.
	Revisions []Revision
	// FlakySignatures are the signatures of its failures on revisions
	// where it also passed (outside infrastructure batches), and those an
	// admin marked as known flakes of the test.
	FlakySignatures map[int64]bool
	// Marked is set when an admin marked a failure of the test as a known
	// flake.
	Marked bool
}

// evidence names the flaky evidence of the history, or "" without any.
func (h History) evidence() string {
	for _, r := range h.Revisions {
		if r.flaky() {
			return fmt.Sprintf("it both passed and failed on %s (%d of %d runs failed)", short(r.Revision), r.Failures, r.Runs)
		}
	}
	if h.Marked {
		return "an admin marked a failure of it as a known flake"
	}
	return ""
}

// revision returns the counts on rev, if it ran the test.
func (h History) revision(rev string) (Revision, bool) {
	for _, r := range h.Revisions {
		if r.Revision == rev {
			return r, true
		}
	}
	return Revision{}, false
}

// failingSince returns the oldest revision of the streak of revisions
// where every run failed, counted back from the newest, and its length.
func (h History) failingSince() (string, int) {
	n := 0
	for _, r := range h.Revisions {
		if !r.allFailed() {
			break
		}
		n++
	}
	if n == 0 {
		return "", 0
	}
	return h.Revisions[n-1].Revision, n
}

// Failure is one failing result to judge.
type Failure struct {
	Revision  string
	Signature int64
	// Infra is set when the result came in a batch that failed as a
	// whole.
	Infra bool
	// InfraRule names an admin's rule that classes the failure infra.
	InfraRule string
}

// Verdict is a class with what decided it.
type Verdict struct {
	Class Class `json:"class"`
	// Since is the first revision of a broken test's failing streak.
	Since string `json:"since,omitempty"`
	Why   string `json:"why"`
}

// Classify judges one failure against its test's history.
func Classify(f Failure, h History) Verdict {
	if f.Infra {
		return Verdict{Class: Infra, Why: "most of its batch failed: the machine, not the test"}
	}
	if f.InfraRule != "" {
		return Verdict{Class: Infra, Why: fmt.Sprintf("the rule %q classes it as infrastructure", f.InfraRule)}
	}
	if r, ok := h.revision(f.Revision); ok && r.flaky() {
		return Verdict{Class: Flaky, Why: fmt.Sprintf("it also passed on this revision (%d of %d runs failed)", r.Failures, r.Runs)}
	}
	ev := h.evidence()
	switch {
	case ev != "" && h.FlakySignatures[f.Signature]:
		return Verdict{Class: Known, Why: "a known flake: " + ev + ", failing the same way"}
	case ev != "":
		return Verdict{Class: New, Why: "the test is flaky (" + ev + "), but this failure is not one of its known ones"}
	}
	if since, n := h.failingSince(); n >= 2 && since != "" && h.Revisions[0].Revision == f.Revision {
		return Verdict{Class: Broken, Since: since, Why: fmt.Sprintf("failing since %s: every run failed on the last %d revisions that ran it", short(since), n)}
	}
	return Verdict{Class: New, Why: newWhy(h)}
}

func newWhy(h History) string {
	if len(h.Revisions) <= 1 {
		return "its first failure in the window"
	}
	return "it passed on the revision before"
}

// OfTest judges a test as a whole: flaky when it has flaky evidence,
// broken when every run failed on its last two revisions or more, new when
// its latest revision failed, stable otherwise.
func OfTest(h History) Verdict {
	if ev := h.evidence(); ev != "" {
		return Verdict{Class: Flaky, Why: "flaky: " + ev}
	}
	if len(h.Revisions) == 0 {
		return Verdict{Class: Stable, Why: "no runs in the window"}
	}
	switch since, n := h.failingSince(); {
	case n >= 2:
		return Verdict{Class: Broken, Since: since, Why: fmt.Sprintf("failing since %s: every run failed on the last %d revisions that ran it", short(since), n)}
	case n == 1:
		return Verdict{Class: New, Why: fmt.Sprintf("it failed on its latest revision %s", short(h.Revisions[0].Revision))}
	}
	return Verdict{Class: Stable, Why: fmt.Sprintf("it passed on its latest revision %s", short(h.Revisions[0].Revision))}
}

func short(rev string) string {
	if len(rev) > 7 {
		return rev[:7]
	}
	return rev
}
