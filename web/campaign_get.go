package web

import (
	"net/http"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/view"
)

// histogramBins is how many bars the loss histogram has.
const histogramBins = 24

// campaignPageView is a campaign's view with what only the page draws.
type campaignPageView struct {
	view.Campaign
	Findings  []view.Finding
	Histogram histogram
	Live      bool
}

// Campaign shows a campaign's progress and findings (GET /campaigns/{id};
// JSON at /api/v1/campaigns/{id} and …/findings).
func (p *Pages) Campaign(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "campaign")
	if !ok {
		return
	}
	c, err := p.viewsFor(r).Campaign(r.Context(), id)
	if p.viewError(w, r, err, "campaign") {
		return
	}
	fs, err := p.viewsFor(r).CampaignFindings(r.Context(), id)
	if p.viewError(w, r, err, "campaign") {
		return
	}
	v := campaignPageView{Campaign: c, Findings: fs.Findings, Live: c.State.Active()}
	var offsets []float64
	for _, f := range fs.Findings {
		if f.Report != nil {
			for _, a := range f.Report.Anomalies {
				offsets = append(offsets, float64(a.Offset))
			}
		}
	}
	v.Histogram = newHistogram("Where in the stream the detector found losses", offsets, histogramBins)
	p.render(w, r, http.StatusOK, campaignPage(v))
}

// CancelCampaign cancels a campaign from its page (POST
// /campaigns/{id}/cancel, admin).
func (p *Pages) CancelCampaign(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "campaign")
	if !ok {
		return
	}
	if _, err := p.store.FinishCampaign(r.Context(), id, campaign.Cancelled, "cancelled by "+sessionFrom(r.Context()).Principal); err != nil {
		p.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/campaigns/"+itoa(id), http.StatusSeeOther)
}
