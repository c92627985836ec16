package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/triaged/triaged/internal/view"
)

// groupPageView is a group's page.
type groupPageView struct {
	view.Group
	Error string
}

// Group shows a named group of failures (GET /groups/{name}; JSON at
// /api/v1/groups/{name}).
func (p *Pages) Group(w http.ResponseWriter, r *http.Request) {
	g, err := p.viewsFor(r).Group(r.Context(), chi.URLParam(r, "name"))
	if !p.viewError(w, r, err, "group") {
		p.render(w, r, http.StatusOK, groupPage(groupPageView{Group: g, Error: r.URL.Query().Get("error")}))
	}
}
