package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"

	"github.com/triaged/triaged/internal/view"
)

// pathID reads the positive {id} of a route; anything else names nothing
// and gets the 404 page naming the noun.
func (p *Pages) pathID(w http.ResponseWriter, r *http.Request, noun string) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		p.render(w, r, http.StatusNotFound, errorPage(http.StatusNotFound, "There is no "+noun+" "+chi.URLParam(r, "id")+"."))
		return 0, false
	}
	return id, true
}

// viewError renders the page for a view builder's error, if any, and
// reports whether it did: the API answers the same errors with the same
// statuses.
func (p *Pages) viewError(w http.ResponseWriter, r *http.Request, err error, noun string) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, view.ErrNotFound):
		what := chi.URLParam(r, "id")
		if what == "" {
			what = chi.URLParam(r, "sha")
		}
		if what == "" {
			what, _ = url.PathUnescape(chi.URLParam(r, "name"))
		}
		p.render(w, r, http.StatusNotFound, errorPage(http.StatusNotFound, "There is no "+noun+" "+what+"."))
	case errors.Is(err, view.ErrBadRevision):
		p.render(w, r, http.StatusBadRequest, errorPage(http.StatusBadRequest, "Name the repository: /revisions/SHA?repo=owner/name."))
	case errors.As(err, new(*view.FilterError)):
		p.render(w, r, http.StatusBadRequest, errorPage(http.StatusBadRequest, "This page cannot show that: "+err.Error()+"."))
	default:
		p.serverError(w, r, err)
	}
	return true
}

// pageByID renders the page of the thing a view builder reads by the
// route's {id}.
func pageByID[V any](p *Pages, w http.ResponseWriter, r *http.Request, noun string,
	load func(*http.Request, int64) (V, error), page func(V) templ.Component) {
	id, ok := p.pathID(w, r, noun)
	if !ok {
		return
	}
	v, err := load(r, id)
	if !p.viewError(w, r, err, noun) {
		p.render(w, r, http.StatusOK, page(v))
	}
}
