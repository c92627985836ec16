package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/stats"
	"github.com/triaged/triaged/internal/store"
)

// testCells bounds the history: revision × OS cells read, newest first.
const (
	testCells     = 240
	testRevisions = 40
	testWindow    = 30 // days of totals
)

type testView struct {
	store.Test
	Class      string               `json:"class"` // flaky, new, known, stable
	Why        string               `json:"why"`
	Rate       stats.Rate           `json:"rate"` // last testWindow days
	ByOS       []osRate             `json:"by_os"`
	Signatures []store.Count        `json:"signatures"`
	History    []store.RevisionCell `json:"history"`
	Heatmap    heatmap              `json:"-"`
}

// Test shows one test's history (GET /tests/{id}).
func (p *Pages) Test(w http.ResponseWriter, r *http.Request) {
	showByID(p, w, r, p.test, testPage, "test")
}

// TestJSON serves the same data (GET /api/v1/tests/{id}).
func (p *Pages) TestJSON(w http.ResponseWriter, r *http.Request) {
	jsonByID(p, w, r, p.test, itself[testView], "test")
}

func (p *Pages) test(r *http.Request) (testView, int, error) {
	ctx := r.Context()
	id, ok := pathID(r)
	if !ok {
		return testView{}, http.StatusNotFound, nil
	}
	t, err := p.store.TestByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return testView{}, http.StatusNotFound, nil
	}
	if err != nil {
		return testView{}, 0, err
	}
	v := testView{Test: t}
	if v.History, err = p.store.TestHistory(ctx, id, testCells); err != nil {
		return v, 0, err
	}
	if v.Signatures, err = p.store.TestSignatures(ctx, id); err != nil {
		return v, 0, err
	}
	totals, err := p.store.TestTotals(ctx, id, time.Now().UTC().AddDate(0, 0, -testWindow))
	if err != nil {
		return v, 0, err
	}
	var runs, fails int
	for _, c := range totals {
		v.ByOS = append(v.ByOS, osRate{OS: c.Key, Rate: stats.NewRate(c.Failures, c.Runs)})
		runs, fails = runs+c.Runs, fails+c.Failures
	}
	v.Rate = stats.NewRate(fails, runs)
	v.Class, v.Why = classifyTest(v.History)
	v.Heatmap = newHeatmap(v.History, testRevisions)
	return v, http.StatusOK, nil
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
		return ingest.ClassFlaky, fmt.Sprintf("It both passed and failed on the same revision and runner OS %d times in its latest history, e.g. %d of %d runs failed on %s (%s).",
			len(flaky), f.Failures, f.Runs, short(f.Revision), f.RunnerOS)
	case len(failedRevs) == 1 && failedRevs[latest.Repo+"@"+latest.Revision]:
		return ingest.ClassNew, fmt.Sprintf("It fails on its latest revision %s and passed on every revision before it.", short(latest.Revision))
	case len(failedRevs) > 1:
		return ingest.ClassKnown, fmt.Sprintf("It failed on %d revisions without passing next to the failures: a known failure, not a flake.", len(failedRevs))
	}
	return "stable", fmt.Sprintf("No failure on its latest %d revision × OS runs.", len(cells))
}
