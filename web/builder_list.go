package web

import (
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"

	"github.com/triaged/triaged/internal/view"
)

// Builders lists builders with their recent batches, failure and infra
// rates and worst tests (GET /builders; JSON at /api/v1/builders).
func (p *Pages) Builders(w http.ResponseWriter, r *http.Request) {
	f, err := view.ParseFilter(view.ListBuilders, r.URL.Query())
	if p.viewError(w, r, err, "builder") {
		return
	}
	v, err := p.viewsFor(r).Builders(r.Context(), f)
	if !p.viewError(w, r, err, "builder") {
		p.render(w, r, http.StatusOK, builderListPage(v, p.views.DefaultBranch))
	}
}

// Builder shows one builder's history (GET /builders/{name}; JSON at
// /api/v1/builders/{name}).
func (p *Pages) Builder(w http.ResponseWriter, r *http.Request) {
	name, err := url.PathUnescape(chi.URLParam(r, "name"))
	if err != nil {
		p.NotFound(w, r)
		return
	}
	f, err := view.ParseFilter(view.ListBuilder, r.URL.Query())
	if p.viewError(w, r, err, "builder") {
		return
	}
	v, err := p.viewsFor(r).Builder(r.Context(), name, f)
	if !p.viewError(w, r, err, "builder") {
		p.render(w, r, http.StatusOK, builderPage(v, p.views.DefaultBranch))
	}
}
