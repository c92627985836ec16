package web

import (
	"net/http"

	"github.com/triaged/triaged/internal/owner"
	"github.com/triaged/triaged/internal/view"
)

// signaturePageView is a signature's view with its chart.
type signaturePageView struct {
	view.Signature
	Chart rateChart
	// Target is what its owner, link and quarantine forms change.
	Target actTarget
}

// Signature shows one failure signature (GET /signatures/{id}; JSON at
// /api/v1/signatures/{id}).
func (p *Pages) Signature(w http.ResponseWriter, r *http.Request) {
	pageByID(p, w, r, "signature", func(r *http.Request, id int64) (signaturePageView, error) {
		s, err := p.viewsFor(r).Signature(r.Context(), id)
		in := make([]rateInput, len(s.Revisions))
		for i, c := range s.Revisions {
			in[i] = rateInput{Label: short(c.Revision), Href: string(revisionPath(c.Repo, c.Revision)), Failures: c.Failures, Runs: c.Runs}
		}
		return signaturePageView{Signature: s, Chart: newRateChart("Repro rate on its latest revisions", in),
			Target: p.actTarget(r, owner.Signature, id, signatureRepo(s))}, err
	}, signaturePage)
}
