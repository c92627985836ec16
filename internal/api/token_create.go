package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/store"
)

// createdToken is the one answer that shows a token in clear.
type createdToken struct {
	store.Token
	Secret string `json:"token"`
}

// CreateToken handles POST /api/v1/tokens: {"name", "kind": "upload" |
// "register" | "admin", "repos": ["owner/name", …]}. Repos bind an upload
// or registration token (and the runners registered with it) to the repos
// it may write; without them it may write any.
func (a *API) CreateToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name  string   `json:"name"`
		Kind  string   `json:"kind"`
		Repos []string `json:"repos"`
	}
	if err := jsonapi.Decode(w, r, &req, 64<<10); err != nil {
		jsonapi.Error(w, r, a.log, jsonapi.DecodeStatus(err), err.Error(), nil)
		return
	}
	req.Name = strings.TrimSpace(req.Name)
	switch {
	case req.Name == "" || len(req.Name) > 100:
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, "name: give the token a name of 1-100 characters, e.g. the CI job that will use it", nil)
		return
	case req.Kind != auth.Upload && req.Kind != auth.Register && req.Kind != auth.Admin:
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, `kind: want "upload", "register" or "admin"`, nil)
		return
	case req.Kind == auth.Admin && len(req.Repos) > 0:
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, "repos: an admin token can do everything, so it cannot be bound to repos; bind an upload or register token", nil)
		return
	}
	repos, err := auth.CheckRepos(req.Repos)
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, err.Error(), nil)
		return
	}
	secret, hash := auth.NewToken()
	t, err := a.store.CreateToken(r.Context(), req.Name, req.Kind, hash, repos...)
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
		return
	}
	a.log.Info("token created", "id", t.ID, "name", t.Name, "kind", t.Kind, "repos", t.Repos)
	jsonapi.Write(w, http.StatusCreated, createdToken{Token: t, Secret: secret})
}

// ListTokens handles GET /api/v1/tokens; secrets are never shown again.
func (a *API) ListTokens(w http.ResponseWriter, r *http.Request) {
	ts, err := a.store.Tokens(r.Context())
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
		return
	}
	jsonapi.Write(w, http.StatusOK, map[string]any{"tokens": ts})
}

// RevokeToken handles DELETE /api/v1/tokens/{id}.
func (a *API) RevokeToken(w http.ResponseWriter, r *http.Request) {
	id, ok := a.pathID(w, r, "token")
	if !ok {
		return
	}
	err := a.store.RevokeToken(r.Context(), id)
	a.auth.Forget()
	switch {
	case errors.Is(err, store.ErrNotFound):
		jsonapi.Error(w, r, a.log, http.StatusNotFound, "no such token", nil)
	case err != nil:
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}
