package api

import (
	"errors"
	"net/http"

	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/store"
)

// ListRunners handles GET /api/v1/runners.
func (a *API) ListRunners(w http.ResponseWriter, r *http.Request) {
	rs, err := a.views.Runners(r.Context())
	if !a.viewError(w, r, err, "runner") {
		jsonapi.Write(w, http.StatusOK, map[string]any{"runners": rs})
	}
}

// SetRunnerDisabled handles POST /api/v1/runners/{id}/disable and /enable.
func (a *API) SetRunnerDisabled(disabled bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := a.pathID(w, r, "runner")
		if !ok {
			return
		}
		err := a.store.SetRunnerDisabled(r.Context(), id, disabled)
		a.auth.Forget()
		switch {
		case errors.Is(err, store.ErrNotFound):
			jsonapi.Error(w, r, a.log, http.StatusNotFound, "no such runner", nil)
			return
		case err != nil:
			jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
			return
		}
		a.log.Info("runner disabled", "id", id, "disabled", disabled)
		v, err := a.views.Fresh().RunnerByID(r.Context(), id)
		if !a.viewError(w, r, err, "runner") {
			jsonapi.Write(w, http.StatusOK, v)
		}
	}
}
