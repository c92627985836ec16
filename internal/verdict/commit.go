package verdict

import (
	"cmp"
	"slices"

	"github.com/triaged/triaged/internal/quarantine"
	"github.com/triaged/triaged/internal/stats"
)

// TestKey names a test on a runner OS: histories are kept per OS, since a
// test can be flaky on one and broken on another.
type TestKey struct {
	TestID int64
	OS     string
}

// Commit is what a commit's status and its tests' verdicts are computed
// from: its failures outside stress campaigns, and the history of every
// test they concern.
type Commit struct {
	Repo, Revision string
	// Ran counts the tests that ran on the commit; Skipped those that were
	// only skipped there.
	Ran, Skipped int
	Failures     []CommitFailure
	// Histories holds the history of each failing test, and of each test
	// whose stored verdict may change with this commit.
	Histories map[TestKey]History
	Names     map[int64]string
	// ActiveCampaigns counts queued or running campaigns on the commit.
	ActiveCampaigns int
}

// CommitFailure is a commit's failing results of one test on one OS with
// one signature, in or out of infrastructure batches, under one
// quarantine or none.
type CommitFailure struct {
	Test      TestKey
	Signature int64
	Infra     bool
	// InfraRule names the rule that classes these failures infra, if one
	// does.
	InfraRule string
	Count     int
	// Quarantine is the quarantine in force that covers them, if any:
	// they keep their class but do not fail the status.
	Quarantine *quarantine.Quarantine
}

// failure is the failure to classify.
func (f CommitFailure) failure(rev string) Failure {
	return Failure{Revision: rev, Signature: f.Signature, Infra: f.Infra, InfraRule: f.InfraRule}
}

// Classify judges the failure against its test's history.
func (c Commit) Classify(f CommitFailure) Verdict {
	return Classify(f.failure(c.Revision), c.Histories[f.Test])
}

// FailingTest is a test that failed on a commit, under the worst verdict
// of its failures there. A test's quarantined failures form an entry of
// their own, so that a quarantine hides nothing it does not cover.
type FailingTest struct {
	Key      TestKey
	Name     string
	Verdict  Verdict
	Failures int
	// Rate is its failure rate over the window on that OS, outside
	// infrastructure batches and skips.
	Rate stats.Rate
	// Quarantine is set when these failures are quarantined.
	Quarantine *quarantine.Quarantine
}

// FailsStatus reports whether the entry fails a commit status: a new or
// broken failure that no quarantine covers.
func (t FailingTest) FailsStatus() bool { return t.Quarantine == nil && t.Verdict.Class.FailsStatus() }

// Failing judges every failure of the commit and returns one entry per
// test and OS (and quarantine), failing the status first, then worst
// verdict, then most failures on the commit, then most failures in its
// history, then by name.
func (c Commit) Failing() []FailingTest {
	type key struct {
		TestKey
		quarantine int64
	}
	byTest := map[key]*FailingTest{}
	for _, f := range c.Failures {
		v := c.Classify(f)
		k := key{TestKey: f.Test}
		if f.Quarantine != nil {
			k.quarantine = f.Quarantine.ID
		}
		ft := byTest[k]
		if ft == nil {
			ft = &FailingTest{Key: f.Test, Name: c.Names[f.Test.TestID], Verdict: v, Rate: c.Histories[f.Test].Rate(), Quarantine: f.Quarantine}
			byTest[k] = ft
		} else if v.Class.Worse(ft.Verdict.Class) {
			ft.Verdict = v
		}
		ft.Failures += f.Count
	}
	out := make([]FailingTest, 0, len(byTest))
	for _, ft := range byTest {
		out = append(out, *ft)
	}
	slices.SortFunc(out, func(a, b FailingTest) int {
		return cmp.Or(boolRank(b.Quarantine == nil)-boolRank(a.Quarantine == nil),
			rank[b.Verdict.Class]-rank[a.Verdict.Class], b.Failures-a.Failures, b.Rate.Failures-a.Rate.Failures,
			cmp.Compare(a.Name, b.Name), cmp.Compare(a.Key.OS, b.Key.OS))
	})
	return out
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestVerdicts judges, as a whole, every test whose history the commit
// carries.
func (c Commit) TestVerdicts() map[TestKey]Verdict {
	out := make(map[TestKey]Verdict, len(c.Histories))
	for k, h := range c.Histories {
		out[k] = OfTest(h)
	}
	return out
}

// Rate is the test's failure rate over the history's revisions.
func (h History) Rate() stats.Rate {
	var runs, failures int
	for _, r := range h.Revisions {
		runs, failures = runs+r.Runs, failures+r.Failures
	}
	return stats.NewRate(failures, runs)
}

// Counts is a commit's failing results by class: what its status and the
// list of revisions say of it.
type Counts struct {
	New    int `json:"new"`
	Broken int `json:"broken"`
	Flaky  int `json:"flaky"`
	Known  int `json:"known"`
	Infra  int `json:"infra"`
}

// Counts judges every failure of the commit and counts its results by
// class.
func (c Commit) Counts() Counts {
	var n Counts
	for _, f := range c.Failures {
		switch Classify(Failure{Revision: c.Revision, Signature: f.Signature, Infra: f.Infra}, c.Histories[f.Test]).Class {
		case New:
			n.New += f.Count
		case Broken:
			n.Broken += f.Count
		case Flaky:
			n.Flaky += f.Count
		case Known:
			n.Known += f.Count
		case Infra:
			n.Infra += f.Count
		}
	}
	return n
}
