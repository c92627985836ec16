package web

import (
	"net/http"

	"github.com/triaged/triaged/internal/view"
)

// Signatures lists failure signatures by failures in the window, with
// filters (GET /signatures; JSON at /api/v1/signatures).
func (p *Pages) Signatures(w http.ResponseWriter, r *http.Request) {
	f, err := view.ParseFilter(view.ListSignatures, r.URL.Query())
	if p.viewError(w, r, err, "signature") {
		return
	}
	v, err := p.viewsFor(r).Signatures(r.Context(), f)
	if !p.viewError(w, r, err, "signature") {
		p.render(w, r, http.StatusOK, signatureListPage(v, p.views.DefaultBranch))
	}
}
