package web

import (
	"net/http"

	"github.com/triaged/triaged/internal/owner"
	"github.com/triaged/triaged/internal/view"
)

// testRevisions is how many revisions the test's heatmap shows.
const testRevisions = 40

// testPageView is a test's view with its heatmap.
type testPageView struct {
	view.Test
	Heatmap heatmap
	// Target is what its owner, link and quarantine forms change.
	Target actTarget
}

// Test shows one test's history (GET /tests/{id}; JSON at
// /api/v1/tests/{id}).
func (p *Pages) Test(w http.ResponseWriter, r *http.Request) {
	pageByID(p, w, r, "test", func(r *http.Request, id int64) (testPageView, error) {
		t, err := p.viewsFor(r).Test(r.Context(), id)
		return testPageView{Test: t, Heatmap: newHeatmap(t.History, testRevisions), Target: p.actTarget(r, owner.Test, id, t.Repo)}, err
	}, testPage)
}
