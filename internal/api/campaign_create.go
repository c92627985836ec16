package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/store"
)

// CreateCampaign handles POST /api/v1/campaigns: a campaign.Spec, 201 with
// the campaign.
func (a *API) CreateCampaign(w http.ResponseWriter, r *http.Request) {
	var spec campaign.Spec
	if err := jsonapi.Decode(w, r, &spec, 256<<10); err != nil {
		jsonapi.Error(w, r, a.log, jsonapi.DecodeStatus(err), err.Error(), nil)
		return
	}
	// Who started it is the caller, whatever the body says.
	p, _ := auth.FromContext(r.Context())
	spec.CreatedBy = p.Name
	spec, err := spec.Validate()
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, err.Error(), nil)
		return
	}
	c, err := a.store.CreateCampaign(r.Context(), spec)
	switch {
	case errors.Is(err, store.ErrNoRunners):
		jsonapi.Error(w, r, a.log, http.StatusConflict, fmt.Sprintf("no enabled runner has the labels %v; register one or change the labels", spec.Labels), nil)
		return
	case err != nil:
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
		return
	}
	a.log.Info("campaign created", "id", c.ID, "name", c.Name, "kind", c.Kind, "iterations", c.Iterations)
	a.writeCampaign(w, r, http.StatusCreated, c.ID)
}
