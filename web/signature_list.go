package web

import (
	"net/http"

	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/store"
)

const signatureListLimit = 200

type signatureListView struct {
	Signatures []store.SignatureBrief `json:"signatures"`
}

// Signatures lists failure signatures by recent activity (GET /signatures).
func (p *Pages) Signatures(w http.ResponseWriter, r *http.Request) {
	sigs, err := p.store.Signatures(r.Context(), signatureListLimit)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, signatureListPage(signatureListView{Signatures: sigs}))
}

// SignaturesJSON serves the list (GET /api/v1/signatures).
func (p *Pages) SignaturesJSON(w http.ResponseWriter, r *http.Request) {
	sigs, err := p.store.Signatures(r.Context(), signatureListLimit)
	if err != nil {
		jsonapi.Error(w, r, p.cfg.Log, http.StatusInternalServerError, "", err)
		return
	}
	jsonapi.Write(w, http.StatusOK, signatureListView{Signatures: sigs})
}
