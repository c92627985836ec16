package verdict

import (
	"testing"
	"time"

	"github.com/triaged/triaged/internal/quarantine"
)

// TestQuarantinedFailures: a quarantined failure keeps its class and is
// listed, in an entry of its own that does not fail the status; the same
// test's other failures still do.
func TestQuarantinedFailures(t *testing.T) {
	t.Parallel()
	q := &quarantine.Quarantine{ID: 9, Owner: "octocat", ExpiresAt: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)}
	k := TestKey{TestID: 1, OS: "windows"}
	c := Commit{Revision: rev(0), Names: map[int64]string{1: "t.test_a"},
		Histories: map[TestKey]History{k: hist("0/3")},
		Failures: []CommitFailure{
			{Test: k, Signature: 1, Count: 2, Quarantine: q},
			{Test: k, Signature: 2, Count: 1},
		}}
	got := c.Failing()
	if len(got) != 2 {
		t.Fatalf("Failing = %+v, want the quarantined and the other failure apart", got)
	}
	if got[0].Quarantine != nil || !got[0].FailsStatus() || got[0].Failures != 1 {
		t.Errorf("first entry %+v: want the unquarantined failure, failing the status", got[0])
	}
	if got[1].Quarantine != q || got[1].FailsStatus() || got[1].Verdict.Class != New || got[1].Failures != 2 {
		t.Errorf("second entry %+v: want the quarantined failures, still classed new, not failing the status", got[1])
	}
	c.Failures = c.Failures[:1]
	if f := c.Failing(); len(f) != 1 || f[0].FailsStatus() {
		t.Errorf("only quarantined failures: %+v fails the status", f)
	}
}

func TestInfraRule(t *testing.T) {
	t.Parallel()
	v := Classify(Failure{Revision: rev(0), Signature: 1, InfraRule: "dns outage"}, hist("0/1", "0/1"))
	if v.Class != Infra || v.Why == "" {
		t.Errorf("a failure a rule classes infra: %+v", v)
	}
}
