package api

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/view"
)

// The JSON twins of the pages: the same view the page renders, as JSON.

// Overview handles GET /api/v1/overview.
func (a *API) Overview(w http.ResponseWriter, r *http.Request) {
	f, err := view.ParseFilter(view.ListOverview, r.URL.Query())
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, err.Error(), nil)
		return
	}
	v, err := a.views.Overview(r.Context(), f)
	if !a.viewError(w, r, err, "overview") {
		jsonapi.Write(w, http.StatusOK, v)
	}
}

// Signature handles GET /api/v1/signatures/{id}.
func (a *API) Signature(w http.ResponseWriter, r *http.Request) {
	id, ok := a.pathID(w, r, "signature")
	if !ok {
		return
	}
	v, err := a.views.Signature(r.Context(), id)
	if !a.viewError(w, r, err, "signature") {
		jsonapi.Write(w, http.StatusOK, v)
	}
}

// Test handles GET /api/v1/tests/{id}.
func (a *API) Test(w http.ResponseWriter, r *http.Request) {
	id, ok := a.pathID(w, r, "test")
	if !ok {
		return
	}
	v, err := a.views.Test(r.Context(), id)
	if !a.viewError(w, r, err, "test") {
		jsonapi.Write(w, http.StatusOK, v)
	}
}

// Revision handles GET /api/v1/revisions/{sha}?repo=owner/name.
func (a *API) Revision(w http.ResponseWriter, r *http.Request) {
	v, err := a.views.Revision(r.Context(), r.URL.Query().Get("repo"), chi.URLParam(r, "sha"))
	if !a.viewError(w, r, err, "results for this revision") {
		jsonapi.Write(w, http.StatusOK, v)
	}
}
