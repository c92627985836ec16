package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// Revision shows a commit's results (GET /revisions/{sha}?repo=owner/name),
// the page GitHub statuses link to; JSON at /api/v1/revisions/{sha}.
func (p *Pages) Revision(w http.ResponseWriter, r *http.Request) {
	v, err := p.viewsFor(r).Revision(r.Context(), r.URL.Query().Get("repo"), chi.URLParam(r, "sha"))
	if !p.viewError(w, r, err, "result for revision") {
		p.render(w, r, http.StatusOK, revisionPage(v))
	}
}
