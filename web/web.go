// Package web renders triaged's dashboard: server-side HTML from templ
// components, with its stylesheet and scripts embedded in the binary so that
// no page loads anything from the internet.
package web

import (
	"context"
	"embed"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/view"
)

//go:embed static
var staticFS embed.FS

// Config is what pages need besides the store.
type Config struct {
	Log *slog.Logger
	// Auth checks the tokens people log in with, and is told when a page
	// revokes a token or disables a runner: the authenticator of the
	// server's API, so that both share one cache and one count of failed
	// attempts per client.
	Auth *auth.Authenticator
	// RequireLogin makes every page ask for a login, not only write actions.
	RequireLogin bool
	// SecureCookies marks cookies Secure even on plain-HTTP requests, for a
	// server behind a TLS-terminating proxy (its public URL is https).
	SecureCookies bool
	// QuarantineMax is how far ahead a quarantine may expire; RuleWindow
	// how far back rules are previewed and applied.
	QuarantineMax, RuleWindow time.Duration
}

// Pages serves the HTML pages.
type Pages struct {
	cfg   Config
	store *store.Store
	views *view.Views
	auth  *auth.Authenticator
}

// New returns the pages over st, showing what views builds.
func New(cfg Config, st *store.Store, views *view.Views) *Pages {
	return &Pages{cfg: cfg, store: st, views: views, auth: cfg.Auth}
}

// Static serves the embedded assets under /static/: files only, never a
// listing of a directory, and with nosniff so that a browser takes each
// for its declared type.
func (p *Pages) Static() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		if fi, err := fs.Stat(sub, name); err != nil || fi.IsDir() {
			p.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}

// NotFound renders the 404 page.
func (p *Pages) NotFound(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, http.StatusNotFound, errorPage(http.StatusNotFound, "There is no page at "+r.URL.Path+"."))
}

// render writes a component with the page headers every page shares. The
// page is rendered whole first, so that bidi controls in any name or text
// can be shown as escapes (visible) and a failed render is answered with a
// plain 500 rather than half a page; it is logged once.
func (p *Pages) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var page strings.Builder
	// Rendering reads only what the handler gathered, so it goes on when
	// the request's context ends: net/http ends it when a body read fails
	// (a deadline), and that answer (408) must still be written.
	if err := c.Render(context.WithoutCancel(r.Context()), &page); err != nil {
		p.cfg.Log.Error("render page", "path", r.URL.Path, "err", err)
		http.Error(w, "Something went wrong on our side; the server log has the details.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'")
	w.Header().Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	io.WriteString(w, visible(page.String()))
}

// serverError logs err once and shows an error page.
func (p *Pages) serverError(w http.ResponseWriter, r *http.Request, err error) {
	p.cfg.Log.Error("page failed", "path", r.URL.Path, "err", err)
	p.render(w, r, http.StatusInternalServerError, errorPage(http.StatusInternalServerError, "Something went wrong on our side; the server log has the details."))
}
