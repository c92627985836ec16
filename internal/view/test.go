package view

import (
	"context"
	"fmt"
	"slices"

	"github.com/triaged/triaged/internal/stats"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/vcs"
)

// testCells bounds a test's history: revision × OS cells read, newest
// first; testWindow is the days its totals cover.
const (
	testCells  = 240
	testWindow = 30
)

// Test is one test's history and class.
type Test struct {
	store.Test
	Class      string               `json:"class"`
	Why        string               `json:"why"`
	Rate       stats.Rate           `json:"rate"` // last testWindow days
	ByOS       []OSRate             `json:"by_os"`
	Signatures []store.Count        `json:"signatures"`
	History    []store.RevisionCell `json:"history"`
}

// Test builds the view of test id.
func (v *Views) Test(ctx context.Context, id int64) (Test, error) {
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
	tv.Class, tv.Why = classifyTest(tv.History)
	return tv, nil
}

// classifyTest explains the test's recent history in the terms the upload
// answers use: flaky (passed and failed on one revision and OS), new (fails
// on its latest revision and not before), known (failed on several
// revisions, never next to a pass), or stable.
func classifyTest(cells []store.RevisionCell) (class, why string) {
	if len(cells) == 0 {
		return "stable", "No results yet."
	}
	var flaky []store.RevisionCell
	failedRevs := map[string]bool{}
	for _, c := range cells {
		if c.Passes > 0 && c.Failures > 0 {
			flaky = append(flaky, c)
		}
		if c.Failures > 0 {
			failedRevs[c.Repo+"@"+c.Revision] = true
		}
	}
	latest := slices.MaxFunc(cells, func(a, b store.RevisionCell) int { return a.LastSeen.Compare(b.LastSeen) })
	switch {
	case len(flaky) > 0:
		f := flaky[0]
		return "flaky", fmt.Sprintf("It both passed and failed on the same revision and runner OS %d times in its latest history, e.g. %d of %d runs failed on %s (%s).",
			len(flaky), f.Failures, f.Runs, vcs.ShortRevision(f.Revision), f.RunnerOS)
	case len(failedRevs) == 1 && failedRevs[latest.Repo+"@"+latest.Revision]:
		return "new", fmt.Sprintf("It fails on its latest revision %s and passed on every revision before it.", vcs.ShortRevision(latest.Revision))
	case len(failedRevs) > 1:
		return "known", fmt.Sprintf("It failed on %d revisions without passing next to the failures: a known failure, not a flake.", len(failedRevs))
	}
	return "stable", fmt.Sprintf("No failure on its latest %d revision × OS runs.", len(cells))
}
