package ingest

import (
	"errors"
	"net/http"
	"time"

	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/store"
)

// RunnerView is a runner as the API shows it.
type RunnerView struct {
	store.Runner
	Online bool `json:"online"`
}

// Online says whether a runner seen at lastSeen counts as online now: it
// heartbeats every third of a lease, so missing a whole lease means gone.
func Online(lastSeen *time.Time, now time.Time) bool {
	return lastSeen != nil && now.Sub(*lastSeen) < LeaseDuration
}

// ListRunners handles GET /api/v1/runners.
func (a *API) ListRunners(w http.ResponseWriter, r *http.Request) {
	rs, err := a.store.Runners(r.Context())
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
		return
	}
	now := time.Now()
	out := make([]RunnerView, len(rs))
	for i, rn := range rs {
		out[i] = RunnerView{Runner: rn, Online: Online(rn.LastSeen, now)}
	}
	jsonapi.Write(w, http.StatusOK, map[string]any{"runners": out})
}

// SetRunnerDisabled handles POST /api/v1/runners/{id}/disable and /enable.
func (a *API) SetRunnerDisabled(disabled bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := a.idParam(w, r)
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
		rn, err := a.store.RunnerByID(r.Context(), id)
		if err != nil {
			jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
			return
		}
		a.log.Info("runner disabled", "id", id, "disabled", disabled)
		jsonapi.Write(w, http.StatusOK, RunnerView{Runner: rn, Online: Online(rn.LastSeen, time.Now())})
	}
}
