package api

import (
	"net/http"

	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/repo"
)

// SaveRepo handles POST /api/v1/repos: registers a repository (201) or
// updates its registration (200), and answers with it.
func (a *API) SaveRepo(w http.ResponseWriter, r *http.Request) {
	var rp repo.Repo
	if err := jsonapi.Decode(w, r, &rp, 64<<10); err != nil {
		jsonapi.Error(w, r, a.log, jsonapi.DecodeStatus(err), err.Error(), nil)
		return
	}
	rp, err := rp.Validate()
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, err.Error(), nil)
		return
	}
	saved, created, err := a.store.SaveRepo(r.Context(), rp)
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	a.log.Info("repo saved", "repo", saved.Repo, "created", created)
	jsonapi.Write(w, status, saved)
}

// ListRepos handles GET /api/v1/repos.
func (a *API) ListRepos(w http.ResponseWriter, r *http.Request) {
	rs, err := a.store.Repos(r.Context())
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
		return
	}
	if rs == nil {
		rs = []repo.Repo{}
	}
	jsonapi.Write(w, http.StatusOK, map[string]any{"repos": rs})
}
