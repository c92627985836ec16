package web

import "net/http"

// Campaigns lists the newest campaigns (GET /campaigns; JSON at
// /api/v1/campaigns).
func (p *Pages) Campaigns(w http.ResponseWriter, r *http.Request) {
	cs, err := p.viewsFor(r).Campaigns(r.Context())
	if !p.viewError(w, r, err, "campaign") {
		p.render(w, r, http.StatusOK, campaignListPage(cs))
	}
}
