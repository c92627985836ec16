package web

import (
	"net/http"
	"time"

	"github.com/triaged/triaged/internal/view"
)

// With a replica to read from (serve --read-database-url), a page shown
// right after a person's own change could still show the state before it.
// So a change a page makes leaves a short-lived cookie, and while it lasts
// that person's pages read from the primary: read-your-writes for the one
// who wrote, replica reads for everyone else.

const (
	freshCookie = "triaged_fresh"
	// freshFor outlasts any replication lag worth serving pages through.
	freshFor = 10 * time.Second
)

// readYourWrites sets the fresh cookie on every change (a POST) that
// succeeded, before its answer (usually a redirect) goes out.
func (p *Pages) readYourWrites(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(&freshWriter{ResponseWriter: w, set: func() { p.setCookie(w, r, freshCookie, "1", freshFor) }}, r)
	})
}

// viewsFor returns the builders for r: from the primary while r carries
// the fresh cookie, from wherever views read otherwise.
func (p *Pages) viewsFor(r *http.Request) *view.Views {
	if _, err := r.Cookie(freshCookie); err == nil {
		return p.views.Fresh()
	}
	return p.views
}

// freshWriter calls set just before a status below 400 is written.
type freshWriter struct {
	http.ResponseWriter
	set   func()
	wrote bool
}

func (w *freshWriter) WriteHeader(status int) {
	if !w.wrote {
		w.wrote = true
		if status < 400 {
			w.set()
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *freshWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *freshWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
