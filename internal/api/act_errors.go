package api

import (
	"errors"
	"net/http"

	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/owner"
	"github.com/triaged/triaged/internal/quarantine"
	"github.com/triaged/triaged/internal/store"
)

// missing is the 400 for a required field not given: it names the field.
type missing struct {
	Error  string `json:"error"`
	Detail string `json:"detail"`
	Field  string `json:"field"`
}

// actError answers the errors of the act routes: a missing field, an
// invalid value, something not found, a conflict. It reports whether err
// was one.
func (a *API) actError(w http.ResponseWriter, r *http.Request, err error, noun string) bool {
	var m *quarantine.MissingError
	switch {
	case err == nil:
		return false
	case errors.As(err, &m):
		jsonapi.Write(w, http.StatusBadRequest, missing{Error: http.StatusText(http.StatusBadRequest), Detail: m.Error(), Field: m.Field})
	case errors.Is(err, owner.ErrInvalid):
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, err.Error(), nil)
	case errors.Is(err, store.ErrNotFound):
		jsonapi.Error(w, r, a.log, http.StatusNotFound, "no such "+noun, nil)
	case errors.Is(err, store.ErrConflict):
		jsonapi.Error(w, r, a.log, http.StatusConflict, err.Error(), nil)
	default:
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
	}
	return true
}

// change is who changes something through this request, and why.
func change(r *http.Request, why string) store.Change {
	p, _ := auth.FromContext(r.Context())
	return store.Change{Actor: p.Name, Why: why}
}

// decode reads a JSON body of at most 64 KiB into v, answering the
// request itself when it cannot.
func (a *API) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := jsonapi.Decode(w, r, v, 64<<10); err != nil {
		jsonapi.Error(w, r, a.log, jsonapi.DecodeStatus(err), err.Error(), nil)
		return false
	}
	return true
}
