package web

import (
	"errors"
	"net/http"

	"github.com/triaged/triaged/internal/store"
)

// Runners lists the runners (GET /runners; JSON at /api/v1/runners).
func (p *Pages) Runners(w http.ResponseWriter, r *http.Request) {
	rs, err := p.viewsFor(r).Runners(r.Context())
	if !p.viewError(w, r, err, "runner") {
		p.render(w, r, http.StatusOK, runnerListPage(rs))
	}
}

// SetRunnerDisabled disables or re-enables a runner from the runners page
// (POST /runners/{id}/disable and /enable, admin).
func (p *Pages) SetRunnerDisabled(disabled bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := p.pathID(w, r, "runner")
		if !ok {
			return
		}
		err := p.store.SetRunnerDisabled(r.Context(), id, disabled)
		p.auth.Forget() // a disabled runner is refused at once here, not after the cache's 5 s
		switch {
		case errors.Is(err, store.ErrNotFound):
			p.NotFound(w, r)
			return
		case err != nil:
			p.serverError(w, r, err)
			return
		}
		p.cfg.Log.Info("runner disabled", "id", id, "disabled", disabled, "by", sessionFrom(r.Context()).Principal)
		http.Redirect(w, r, "/runners", http.StatusSeeOther)
	}
}
