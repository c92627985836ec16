package web

import (
	"net/http"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"

	"github.com/triaged/triaged/internal/jsonapi"
)

// A loader reads the view of the thing named by the id in the request's
// path. It answers http.StatusOK, or another status with a nil error when
// there is no such thing, or an error when the read failed.
type loader[V any] func(*http.Request) (V, int, error)

// showByID renders the page of the thing a loader reads, or an error page
// that names the missing noun.
func showByID[V any](p *Pages, w http.ResponseWriter, r *http.Request, load loader[V], page func(V) templ.Component, noun string) {
	v, status, err := load(r)
	switch {
	case status == http.StatusOK:
		p.render(w, r, status, page(v))
	case err != nil:
		p.serverError(w, r, err)
	default:
		p.render(w, r, status, errorPage(status, "There is no "+noun+" "+chi.URLParam(r, "id")+"."))
	}
}

// jsonByID serves the same view as JSON, the page's twin under /api/v1/.
func jsonByID[V any](p *Pages, w http.ResponseWriter, r *http.Request, load loader[V], body func(V) any, noun string) {
	v, status, err := load(r)
	switch {
	case status == http.StatusOK:
		jsonapi.Write(w, status, body(v))
	case err != nil:
		jsonapi.Error(w, r, p.cfg.Log, http.StatusInternalServerError, "", err)
	default:
		jsonapi.Error(w, r, p.cfg.Log, status, "no such "+noun, nil)
	}
}

// itself is the JSON body of views served as they are.
func itself[V any](v V) any { return v }
