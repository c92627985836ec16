package web

import (
	"net/http"

	"github.com/triaged/triaged/internal/stats"
	"github.com/triaged/triaged/internal/store"
)

const campaignListLimit = 200

type campaignRow struct {
	store.Campaign
	Rate stats.Rate
}

// Campaigns lists the newest campaigns (GET /campaigns; JSON at
// /api/v1/campaigns).
func (p *Pages) Campaigns(w http.ResponseWriter, r *http.Request) {
	cs, err := p.store.Campaigns(r.Context(), campaignListLimit)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	rows := make([]campaignRow, len(cs))
	for i, c := range cs {
		rows[i] = campaignRow{Campaign: c, Rate: stats.NewRate(c.Failures, c.Runs)}
	}
	p.render(w, r, http.StatusOK, campaignListPage(rows))
}
