package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/view"
)

// histogramBins is how many bars the loss histogram has.
const histogramBins = 24

// campaignPageView is a campaign's view with what only the page draws.
type campaignPageView struct {
	view.Campaign
	Findings  view.CampaignFindings
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
	v := campaignPageView{Campaign: c, Findings: fs, Live: c.State.Active()}
	what := fmt.Sprintf("losses in %d failing iterations", fs.LossIterations)
	v.Histogram = newHistogram("Where in the stream data was lost", what, fs.LossOffsets, histogramBins)
	p.render(w, r, http.StatusOK, campaignPage(v))
}

// zeroFailureWords says what zero failures mean so far: "no failure yet"
// only while the campaign may still fail.
func (v campaignPageView) zeroFailureWords() string {
	if v.Live {
		return "no failure yet"
	}
	return "no failure in " + itoa(v.Runs) + " runs"
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

// groupLink is the text of a finding group's link to its signature: the
// signature's title when the heading does not already say it.
func groupLink(g view.FindingGroup) string {
	if g.Title == "" || g.Title == strings.TrimSpace(g.Kind+" "+g.Phase) {
		return "signature"
	}
	return g.Title
}
