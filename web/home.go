package web

import (
	"net/http"
	"time"
)

// Home renders the overview page.
func (p *Pages) Home(w http.ResponseWriter, r *http.Request) {
	sum, err := p.store.Summarize(r.Context())
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, homePage(homeView{
		Summary:  sum,
		Version:  p.cfg.Version,
		Database: p.cfg.Database,
		Uptime:   time.Since(p.started).Round(time.Second).String(),
	}))
}
