package web

import (
	"net/http"

	"github.com/triaged/triaged/internal/view"
)

// Tests lists tests by name search and filters (GET /tests; JSON at
// /api/v1/tests).
func (p *Pages) Tests(w http.ResponseWriter, r *http.Request) {
	f, err := view.ParseFilter(view.ListTests, r.URL.Query())
	if p.viewError(w, r, err, "test") {
		return
	}
	v, err := p.viewsFor(r).Tests(r.Context(), f)
	if !p.viewError(w, r, err, "test") {
		p.render(w, r, http.StatusOK, testListPage(v, p.views.DefaultBranch))
	}
}
