package web

import "net/http"

// Signatures lists failure signatures by recent activity (GET /signatures;
// JSON at /api/v1/signatures).
func (p *Pages) Signatures(w http.ResponseWriter, r *http.Request) {
	v, err := p.viewsFor(r).Signatures(r.Context())
	if !p.viewError(w, r, err, "signature") {
		p.render(w, r, http.StatusOK, signatureListPage(v))
	}
}
