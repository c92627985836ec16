package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/store"
)

// MarkFlaky handles POST /api/v1/tests/{id}/flaky with {"signature_id",
// "reason"}: an admin says failures of the test with that signature are a
// known flake. 201 with the mark.
func (a *API) MarkFlaky(w http.ResponseWriter, r *http.Request) {
	id, ok := a.pathID(w, r, "test")
	if !ok {
		return
	}
	var req struct {
		SignatureID int64  `json:"signature_id"`
		Reason      string `json:"reason"`
	}
	if err := jsonapi.Decode(w, r, &req, 16<<10); err != nil {
		jsonapi.Error(w, r, a.log, jsonapi.DecodeStatus(err), err.Error(), nil)
		return
	}
	req.Reason = strings.TrimSpace(req.Reason)
	if req.SignatureID <= 0 || req.Reason == "" || len(req.Reason) > 1000 {
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, "give signature_id (the failure's signature) and a reason of 1-1000 characters", nil)
		return
	}
	p, _ := auth.FromContext(r.Context())
	m, err := a.store.MarkFlaky(r.Context(), store.FlakyMark{TestID: id, SignatureID: req.SignatureID, Reason: req.Reason, CreatedBy: p.Name})
	switch {
	case errors.Is(err, store.ErrNotFound):
		jsonapi.Error(w, r, a.log, http.StatusNotFound, "no such test or signature", nil)
	case err != nil:
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
	default:
		a.log.Info("test marked flaky", "test", id, "signature", req.SignatureID, "by", p.Name)
		jsonapi.Write(w, http.StatusCreated, m)
	}
}

// UnmarkFlaky handles DELETE /api/v1/tests/{id}/flaky/{signature}.
func (a *API) UnmarkFlaky(w http.ResponseWriter, r *http.Request) {
	id, ok := a.pathID(w, r, "test")
	if !ok {
		return
	}
	sig, err := strconv.ParseInt(chi.URLParam(r, "signature"), 10, 64)
	if err != nil || sig <= 0 {
		jsonapi.Error(w, r, a.log, http.StatusNotFound, "no such mark", nil)
		return
	}
	switch err := a.store.UnmarkFlaky(r.Context(), id, sig); {
	case errors.Is(err, store.ErrNotFound):
		jsonapi.Error(w, r, a.log, http.StatusNotFound, "no such mark", nil)
	case err != nil:
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}
