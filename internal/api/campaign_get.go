package api

import (
	"errors"
	"net/http"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/view"
)

// GetCampaign handles GET /api/v1/campaigns/{id}.
func (a *API) GetCampaign(w http.ResponseWriter, r *http.Request) {
	if id, ok := a.pathID(w, r, "campaign"); ok {
		a.writeCampaign(w, r, http.StatusOK, id)
	}
}

// writeCampaign answers with the view of campaign id.
func (a *API) writeCampaign(w http.ResponseWriter, r *http.Request, status int, id int64) {
	v, err := a.views.Campaign(r.Context(), id)
	if a.viewError(w, r, err, "campaign") {
		return
	}
	jsonapi.Write(w, status, v)
}

// CampaignFindings handles GET /api/v1/campaigns/{id}/findings: the failing
// iterations with the detector's report of each.
func (a *API) CampaignFindings(w http.ResponseWriter, r *http.Request) {
	id, ok := a.pathID(w, r, "campaign")
	if !ok {
		return
	}
	v, err := a.views.CampaignFindings(r.Context(), id)
	if a.viewError(w, r, err, "campaign") {
		return
	}
	jsonapi.Write(w, http.StatusOK, v)
}

// CancelCampaign handles POST /api/v1/campaigns/{id}/cancel.
func (a *API) CancelCampaign(w http.ResponseWriter, r *http.Request) {
	id, ok := a.pathID(w, r, "campaign")
	if !ok {
		return
	}
	open, err := a.store.FinishCampaign(r.Context(), id, campaign.Cancelled, "cancelled by a person")
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
		return
	}
	v, err := a.views.Fresh().Campaign(r.Context(), id)
	switch {
	case a.viewError(w, r, err, "campaign"):
	case !open:
		jsonapi.Error(w, r, a.log, http.StatusConflict, "the campaign has already ended ("+string(v.State)+")", nil)
	default:
		jsonapi.Write(w, http.StatusOK, v)
	}
}

// viewError answers a view builder's error, if any, and reports whether
// it did: 404 naming the noun for a missing thing, 500 otherwise.
func (a *API) viewError(w http.ResponseWriter, r *http.Request, err error, noun string) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, view.ErrNotFound):
		jsonapi.Error(w, r, a.log, http.StatusNotFound, "no such "+noun, nil)
	case errors.Is(err, view.ErrBadRevision), errors.As(err, new(*view.FilterError)):
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, err.Error(), nil)
	default:
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
	}
	return true
}
