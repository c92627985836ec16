package web

import (
	"net/http"
	"time"

	"github.com/triaged/triaged/internal/view"
)

// Campaigns lists campaigns newest first, with filters (GET /campaigns;
// JSON at /api/v1/campaigns).
func (p *Pages) Campaigns(w http.ResponseWriter, r *http.Request) {
	f, err := view.ParseFilter(view.ListCampaigns, r.URL.Query())
	if p.viewError(w, r, err, "campaign") {
		return
	}
	v, err := p.viewsFor(r).Campaigns(r.Context(), f)
	if !p.viewError(w, r, err, "campaign") {
		p.render(w, r, http.StatusOK, campaignListPage(v, p.views.DefaultBranch))
	}
}

// durationText says how long something ran: "2h 5m", "42s", "—" for
// not at all.
func durationText(d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	if d >= time.Minute {
		d = d.Round(time.Minute)
	}
	s := d.String()
	if len(s) > 3 && s[len(s)-2:] == "0s" && d >= time.Minute {
		s = s[:len(s)-2]
	}
	return s
}
