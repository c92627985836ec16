package web

import (
	"net/http"
	"strings"

	"github.com/triaged/triaged/internal/view"
)

// Revisions lists the commits seen on a branch with their verdict counts
// and status (GET /revisions?repo=owner/name&branch=B; JSON at
// /api/v1/revisions).
func (p *Pages) Revisions(w http.ResponseWriter, r *http.Request) {
	f, err := view.ParseFilter(view.ListRevisions, r.URL.Query())
	if p.viewError(w, r, err, "revision") {
		return
	}
	v, err := p.viewsFor(r).Revisions(r.Context(), f)
	if !p.viewError(w, r, err, "revision") {
		p.render(w, r, http.StatusOK, revisionListPage(v, p.views.DefaultBranch))
	}
}

// firstLine is a commit message's subject.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
