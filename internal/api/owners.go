package api

import (
	"net/http"
	"strings"

	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/owner"
)

// SetOwner handles PUT /api/v1/{tests,signatures,groups}/{id}/owner with
// {"owner", "why"}: an empty owner clears it. 200 with the owner.
func (a *API) SetOwner(kind owner.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := a.pathID(w, r, string(kind))
		if !ok {
			return
		}
		var req struct {
			Owner string `json:"owner"`
			Why   string `json:"why"`
		}
		if !a.decode(w, r, &req) {
			return
		}
		who, why := strings.TrimSpace(req.Owner), strings.TrimSpace(req.Why)
		if who != "" && a.actError(w, r, owner.Check(who), string(kind)) {
			return
		}
		if why != "" && a.actError(w, r, owner.CheckText("why", why, 1000), string(kind)) {
			return
		}
		if a.actError(w, r, a.store.SetOwner(r.Context(), kind, id, who, change(r, why)), string(kind)) {
			return
		}
		jsonapi.Write(w, http.StatusOK, map[string]any{"kind": kind, "id": id, "owner": who})
	}
}

// AddLink handles POST /api/v1/{tests,signatures,groups}/{id}/links with
// {"url", "why"}: 201 with the link, a GitHub issue's repo and number
// recognized.
func (a *API) AddLink(kind owner.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := a.pathID(w, r, string(kind))
		if !ok {
			return
		}
		var req struct {
			URL string `json:"url"`
			Why string `json:"why"`
		}
		if !a.decode(w, r, &req) {
			return
		}
		l, err := owner.ParseLink(req.URL, a.cfg.GitHubHosts...)
		if a.actError(w, r, err, string(kind)) {
			return
		}
		why := strings.TrimSpace(req.Why)
		if why != "" && a.actError(w, r, owner.CheckText("why", why, 1000), string(kind)) {
			return
		}
		l.Kind, l.SubjectID = kind, id
		l, err = a.store.AddLink(r.Context(), l, change(r, why))
		if a.actError(w, r, err, string(kind)) {
			return
		}
		jsonapi.Write(w, http.StatusCreated, l)
	}
}

// RemoveLink handles DELETE /api/v1/links/{id}.
func (a *API) RemoveLink(w http.ResponseWriter, r *http.Request) {
	id, ok := a.pathID(w, r, "link")
	if !ok {
		return
	}
	if a.actError(w, r, a.store.RemoveLink(r.Context(), id, change(r, strings.TrimSpace(r.URL.Query().Get("reason")))), "link") {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Owned handles GET /api/v1/owners?owner=NAME, ?owner=me (the caller's
// name) or ?unowned=1: the tests and signatures that failed lately, of
// that owner or of none.
func (a *API) Owned(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	who, unowned := strings.TrimSpace(q.Get("owner")), q.Get("unowned") == "1" || q.Get("owner") == "unowned"
	if who == "me" {
		p, _ := auth.FromContext(r.Context())
		who = p.Name
	}
	if !unowned && who == "" {
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, "give owner=NAME, owner=me or unowned=1", nil)
		return
	}
	v, err := a.views.Owned(r.Context(), who, unowned)
	if !a.viewError(w, r, err, "owner") {
		jsonapi.Write(w, http.StatusOK, v)
	}
}
