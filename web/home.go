package web

import "net/http"

// listCap is how many offline runners the overview names before "and N
// more".
const listCap = 8

// Home renders the overview page (GET /; JSON at /api/v1/overview).
func (p *Pages) Home(w http.ResponseWriter, r *http.Request) {
	v, err := p.viewsFor(r).Overview(r.Context())
	if !p.viewError(w, r, err, "overview") {
		p.render(w, r, http.StatusOK, homePage(v))
	}
}
