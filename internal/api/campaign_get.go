package ingest

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/stats"
	"github.com/triaged/triaged/internal/store"
)

// CampaignView is a campaign as the API shows it: the stored campaign with
// its repro rate, interval and per-runner figures.
type CampaignView struct {
	store.Campaign
	ReproRate float64 `json:"repro_rate"`
	Low       float64 `json:"ci95_low"`
	High      float64 `json:"ci95_high"`
	// ZeroFailureUpper is the 95% upper bound on the rate while no run has
	// failed (rule of three), so "0 failures" always comes with what it means.
	ZeroFailureUpper *float64               `json:"zero_failure_upper,omitempty"`
	Runners          []store.RunnerProgress `json:"runners"`
}

func newCampaignView(c store.Campaign) CampaignView {
	rate := stats.NewRate(c.Failures, c.Runs)
	return CampaignView{Campaign: c, ReproRate: rate.Rate, Low: rate.Low, High: rate.High, Runners: []store.RunnerProgress{}}
}

func (a *API) campaignView(r *http.Request, c store.Campaign) CampaignView {
	v := newCampaignView(c)
	if c.Failures == 0 && c.Runs > 0 {
		u := stats.ZeroFailureUpper(c.Runs)
		v.ZeroFailureUpper = &u
	}
	if rs, err := a.store.CampaignRunners(r.Context(), c.ID); err == nil {
		v.Runners = rs
	} else {
		a.log.Warn("campaign runners", "id", c.ID, "err", err)
	}
	return v
}

// GetCampaign handles GET /api/v1/campaigns/{id}.
func (a *API) GetCampaign(w http.ResponseWriter, r *http.Request) {
	id, ok := a.idParam(w, r)
	if !ok {
		return
	}
	c, err := a.store.CampaignByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		jsonapi.Error(w, r, a.log, http.StatusNotFound, "no such campaign", nil)
		return
	}
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
		return
	}
	jsonapi.Write(w, http.StatusOK, a.campaignView(r, c))
}

// ListCampaigns handles GET /api/v1/campaigns.
func (a *API) ListCampaigns(w http.ResponseWriter, r *http.Request) {
	cs, err := a.store.Campaigns(r.Context(), 200)
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
		return
	}
	out := make([]CampaignView, len(cs))
	for i, c := range cs {
		out[i] = newCampaignView(c)
	}
	jsonapi.Write(w, http.StatusOK, map[string]any{"campaigns": out})
}

// CancelCampaign handles POST /api/v1/campaigns/{id}/cancel.
func (a *API) CancelCampaign(w http.ResponseWriter, r *http.Request) {
	id, ok := a.idParam(w, r)
	if !ok {
		return
	}
	open, err := a.store.FinishCampaign(r.Context(), id, "cancelled", "cancelled by a person")
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
		return
	}
	c, err := a.store.CampaignByID(r.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		jsonapi.Error(w, r, a.log, http.StatusNotFound, "no such campaign", nil)
	case err != nil:
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
	case !open:
		jsonapi.Error(w, r, a.log, http.StatusConflict, "the campaign has already ended ("+c.State+")", nil)
	default:
		jsonapi.Write(w, http.StatusOK, a.campaignView(r, c))
	}
}

func (a *API) idParam(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, "id: want a positive number", nil)
		return 0, false
	}
	return id, true
}
