package view

import (
	"context"
	"fmt"
	"time"

	"github.com/triaged/triaged/internal/stats"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/verdict"
)

// testCells bounds a test's history: revision × OS cells read, newest
// first; testWindow is the days its totals cover.
const (
	testCells    = 240
	testWindow   = 30
	testFailures = 20
)

// Test is one test's history and its verdict: the worst of its verdicts
// on each runner OS, each given in Verdicts.
type Test struct {
	store.Test
	verdict.Verdict
	Verdicts   []OSVerdict          `json:"verdicts"`
	Rate       stats.Rate           `json:"rate"` // last testWindow days
	ByOS       []OSRate             `json:"by_os"`
	Signatures []store.Count        `json:"signatures"`
	History    []store.RevisionCell `json:"history"`
	// Marks are admins' words that failures with a signature are a known
	// flake.
	Marks []store.FlakyMark `json:"flaky_marks"`
	// Failures are its latest failures (at most testFailures), each with
	// the CI job it came from.
	Failures []store.FailureRef `json:"failures"`
	// Act is its owner, links, quarantines and audit trail.
	Act
}

// test builds the view of test id.
func (v *Views) test(ctx context.Context, id int64) (Test, error) {
	t, err := v.store.TestByID(ctx, id)
	if err != nil {
		return Test{}, notFound(err)
	}
	tv := Test{Test: t}
	if tv.History, err = v.store.TestHistory(ctx, id, testCells); err != nil {
		return tv, err
	}
	if tv.Signatures, err = v.store.TestSignatures(ctx, id); err != nil {
		return tv, err
	}
	totals, err := v.store.TestTotals(ctx, id, v.now().UTC().AddDate(0, 0, -testWindow))
	if err != nil {
		return tv, err
	}
	var runs, fails int
	for _, c := range totals {
		tv.ByOS = append(tv.ByOS, OSRate{OS: c.Key, Rate: stats.NewRate(c.Failures, c.Runs)})
		runs, fails = runs+c.Runs, fails+c.Failures
	}
	tv.Rate = stats.NewRate(fails, runs)
	if tv.Marks, err = v.store.FlakyMarks(ctx, id); err != nil {
		return tv, err
	}
	if tv.Failures, err = v.store.TestFailures(ctx, id, testFailures); err != nil {
		return tv, err
	}
	if tv.Act, err = v.testAct(ctx, t); err != nil {
		return tv, err
	}
	since := v.now().Add(-v.Window)
	oses, err := v.store.TestOSes(ctx, id, since)
	if err != nil {
		return tv, err
	}
	tv.Verdict = verdict.Verdict{Class: verdict.Stable, Why: "no runs in the last " + days(v.Window)}
	tv.Verdicts = []OSVerdict{}
	for _, os := range oses {
		hs, err := v.store.Histories(ctx, t.Repo, os, []int64{id}, since)
		if err != nil {
			return tv, err
		}
		ov := OSVerdict{OS: os, Verdict: verdict.OfTest(hs[id])}
		tv.Verdicts = append(tv.Verdicts, ov)
		if len(tv.Verdicts) == 1 || ov.Class.Worse(tv.Class) {
			tv.Verdict = ov.Verdict
			tv.Why = "on " + osName(os) + ": " + ov.Why
		}
	}
	return tv, nil
}

// OSVerdict is what the classifier says of a test on one runner OS.
type OSVerdict struct {
	OS string `json:"runner_os"`
	verdict.Verdict
}

func osName(os string) string {
	if os == "" {
		return "an unknown OS"
	}
	return os
}

func days(d time.Duration) string { return fmt.Sprintf("%d days", int(d/(24*time.Hour))) }
