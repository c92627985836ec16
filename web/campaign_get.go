package web

import (
	"errors"
	"net/http"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/stats"
	"github.com/triaged/triaged/internal/store"
)

// campaignFindings bounds the failing iterations read for one page.
const (
	campaignFindings = 500
	histogramBins    = 24
)

type campaignView struct {
	ingest.CampaignView
	Findings  []finding `json:"findings"`
	Histogram histogram `json:"-"`
	Live      bool      `json:"-"`
}

// finding is a failing iteration with the detector's anomalies.
type finding struct {
	store.FailedIteration
	Anomalies []anomaly `json:"anomalies"`
}

// Campaign shows a campaign's progress and findings (GET /campaigns/{id}).
func (p *Pages) Campaign(w http.ResponseWriter, r *http.Request) {
	showByID(p, w, r, p.campaign, campaignPage, "campaign")
}

// CampaignFindingsJSON serves the failing iterations and the detector's
// findings (GET /api/v1/campaigns/{id}/findings); the campaign itself is at
// /api/v1/campaigns/{id}.
func (p *Pages) CampaignFindingsJSON(w http.ResponseWriter, r *http.Request) {
	jsonByID(p, w, r, p.campaign, func(v campaignView) any {
		return map[string]any{"id": v.ID, "findings": v.Findings}
	}, "campaign")
}

func (p *Pages) campaign(r *http.Request) (campaignView, int, error) {
	ctx := r.Context()
	id, ok := pathID(r)
	if !ok {
		return campaignView{}, http.StatusNotFound, nil
	}
	c, err := p.store.CampaignByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return campaignView{}, http.StatusNotFound, nil
	}
	if err != nil {
		return campaignView{}, 0, err
	}
	rate := stats.NewRate(c.Failures, c.Runs)
	v := campaignView{CampaignView: ingest.CampaignView{Campaign: c, ReproRate: rate.Rate, Low: rate.Low, High: rate.High}}
	if c.Failures == 0 && c.Runs > 0 {
		u := stats.ZeroFailureUpper(c.Runs)
		v.ZeroFailureUpper = &u
	}
	if v.Runners, err = p.store.CampaignRunners(ctx, id); err != nil {
		return v, 0, err
	}
	failed, err := p.store.CampaignFailures(ctx, id, campaignFindings)
	if err != nil {
		return v, 0, err
	}
	var offsets []float64
	v.Findings = []finding{}
	for _, f := range failed {
		fd := finding{FailedIteration: f, Anomalies: parseDetector(f.Detector)}
		for _, a := range fd.Anomalies {
			if a.Offset != nil {
				offsets = append(offsets, *a.Offset)
			}
		}
		v.Findings = append(v.Findings, fd)
	}
	v.Histogram = newHistogram("Where in the stream the detector found losses", offsets, histogramBins)
	v.Live = c.State == "queued" || c.State == "running"
	return v, http.StatusOK, nil
}

// CancelCampaign cancels a campaign from its page (POST
// /campaigns/{id}/cancel, admin).
func (p *Pages) CancelCampaign(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		p.NotFound(w, r)
		return
	}
	if _, err := p.store.FinishCampaign(r.Context(), id, "cancelled", "cancelled by "+sessionFrom(r.Context()).Principal); err != nil {
		p.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/campaigns/"+itoa(id), http.StatusSeeOther)
}
