package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/bisect"
	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/store"
)

// CreateBisection handles POST /api/v1/bisections: a bisect.Request, 201
// with {"id"} and the bisection. The repository must be registered, since
// every step checks a revision out; without a command, the repository's
// command for the test is used.
func (a *API) CreateBisection(w http.ResponseWriter, r *http.Request) {
	var req bisect.Request
	if err := jsonapi.Decode(w, r, &req, 256<<10); err != nil {
		jsonapi.Error(w, r, a.log, jsonapi.DecodeStatus(err), err.Error(), nil)
		return
	}
	req, status, err := a.resolveBisection(r, req)
	if err != nil {
		jsonapi.Error(w, r, a.log, status, err.Error(), nil)
		return
	}
	p, _ := auth.FromContext(r.Context())
	id, err := a.store.CreateBisection(r.Context(), req, p.Name)
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
		return
	}
	a.log.Info("bisection created", "id", id, "repo", req.Repo, "good", req.Good, "bad", req.Bad, "by", p.Name)
	v, err := a.views.Fresh().Bisection(r.Context(), id)
	if a.viewError(w, r, err, "bisection") {
		return
	}
	jsonapi.Write(w, http.StatusCreated, v)
}

// resolveBisection checks a bisection request: its repository
// registered, its command given or the repository's command for its test,
// the rest valid. It returns the HTTP status of a refusal.
func (a *API) resolveBisection(r *http.Request, req bisect.Request) (bisect.Request, int, error) {
	rp, err := a.store.RepoByName(r.Context(), req.Repo)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return req, http.StatusConflict, fmt.Errorf("repo %q is not registered: register it (POST /api/v1/repos) so runners can check its commits out", req.Repo)
	case err != nil:
		return req, http.StatusInternalServerError, err
	}
	if req, err = req.Resolve(rp); err != nil {
		return req, http.StatusBadRequest, err
	}
	return req, 0, nil
}

// GetBisection handles GET /api/v1/bisections/{id}.
func (a *API) GetBisection(w http.ResponseWriter, r *http.Request) {
	id, ok := a.pathID(w, r, "bisection")
	if !ok {
		return
	}
	v, err := a.views.Bisection(r.Context(), id)
	if !a.viewError(w, r, err, "bisection") {
		jsonapi.Write(w, http.StatusOK, v)
	}
}

// ListBisections handles GET /api/v1/bisections.
func (a *API) ListBisections(w http.ResponseWriter, r *http.Request) {
	bs, err := a.views.Bisections(r.Context())
	if a.viewError(w, r, err, "bisection") {
		return
	}
	if bs == nil {
		bs = []bisect.Bisection{}
	}
	jsonapi.Write(w, http.StatusOK, map[string]any{"bisections": bs})
}
