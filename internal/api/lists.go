package api

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/view"
)

// The lists' JSON twins: each reads its filters with view.ParseFilter and
// answers the page its page shows, as JSON or CSV.

// ListTests handles GET /api/v1/tests.
func (a *API) ListTests(w http.ResponseWriter, r *http.Request) {
	serveList(a, w, r, view.ListTests, "tests", "test", a.views.Tests)
}

// Signatures handles GET /api/v1/signatures.
func (a *API) Signatures(w http.ResponseWriter, r *http.Request) {
	serveList(a, w, r, view.ListSignatures, "signatures", "signature", a.views.Signatures)
}

// ListCampaigns handles GET /api/v1/campaigns.
func (a *API) ListCampaigns(w http.ResponseWriter, r *http.Request) {
	serveList(a, w, r, view.ListCampaigns, "campaigns", "campaign", a.views.Campaigns)
}

// ListBuilders handles GET /api/v1/builders.
func (a *API) ListBuilders(w http.ResponseWriter, r *http.Request) {
	serveList(a, w, r, view.ListBuilders, "builders", "builder", a.views.Builders)
}

// GetBuilder handles GET /api/v1/builders/{name}: the builder, its worst
// tests and a page of its batches (the CSV lists the batches).
func (a *API) GetBuilder(w http.ResponseWriter, r *http.Request) {
	name, err := url.PathUnescape(chi.URLParam(r, "name"))
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusNotFound, "no such builder", nil)
		return
	}
	serveList(a, w, r, view.ListBuilder, "batches", "builder", func(ctx context.Context, f view.Filter) (view.Builder, error) {
		return a.views.Builder(ctx, name, f)
	})
}

// ListRevisions handles GET /api/v1/revisions.
func (a *API) ListRevisions(w http.ResponseWriter, r *http.Request) {
	serveList(a, w, r, view.ListRevisions, "revisions", "revision", a.views.Revisions)
}

// serveList answers a list: the page as JSON, or with Accept: text/csv or
// ?format=csv as CSV — every page, streamed as each is read, unless limit
// or cursor asks for one page (then X-Next-Cursor names the next).
func serveList[T view.Table](a *API, w http.ResponseWriter, r *http.Request, list view.List, file, noun string,
	build func(context.Context, view.Filter) (T, error)) {
	asCSV, err := wantsCSV(r)
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, err.Error(), nil)
		return
	}
	f, err := view.ParseFilter(list, r.URL.Query())
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, err.Error(), nil)
		return
	}
	onePage := f.Limit > 0 || f.Cursor != ""
	if asCSV && !onePage {
		f.Limit = view.MaxLimit
	}
	page, err := build(r.Context(), f)
	if a.viewError(w, r, err, noun) {
		return
	}
	if !asCSV {
		jsonapi.Write(w, http.StatusOK, page)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+file+`.csv"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if onePage {
		w.Header().Set("X-Next-Cursor", page.Next())
	}
	w.WriteHeader(http.StatusOK)
	cw := csv.NewWriter(w)
	cw.Write(page.Header())
	for {
		for _, rec := range page.Records() {
			cw.Write(escapeCells(rec))
		}
		cw.Flush()
		if flusher, ok := w.(http.Flusher); ok {
			flusher.Flush()
		}
		if onePage || page.Next() == "" || cw.Error() != nil {
			return
		}
		f.Cursor = page.Next()
		if page, err = build(r.Context(), f); err != nil {
			// The status is sent; all that is left is to stop and say why.
			if r.Context().Err() == nil {
				a.log.Error("csv export cut short", "path", r.URL.Path, "err", err)
			}
			return
		}
	}
}

// wantsCSV reports whether a list is asked for as CSV: ?format=csv (or
// json), else an Accept header that names text/csv.
func wantsCSV(r *http.Request) (bool, error) {
	switch r.URL.Query().Get("format") {
	case "csv":
		return true, nil
	case "json":
		return false, nil
	case "":
		return strings.Contains(r.Header.Get("Accept"), "text/csv"), nil
	}
	return false, errBadFormat
}

var errBadFormat = &view.FilterError{Param: "format", Msg: "want csv or json"}

// escapeCells keeps a spreadsheet from running a cell as a formula: a
// cell that starts with =, +, -, @, a tab or a carriage return is
// prefixed with a quote (OWASP's advice for CSV injection). Numbers and
// times, which never start so, pass as they are.
func escapeCells(rec []string) []string {
	for i, c := range rec {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			rec[i] = "'" + c
		}
	}
	return rec
}
