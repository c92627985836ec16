package web

import (
	"net/http"
	"strings"

	"github.com/triaged/triaged/internal/view"
)

// Owners lists the tests and signatures that failed lately, of one owner
// or of none (GET /owners?owner=me|NAME or ?owner=unowned; JSON at
// /api/v1/owners). "me" is the logged-in admin's name.
func (p *Pages) Owners(w http.ResponseWriter, r *http.Request) {
	who := strings.TrimSpace(r.URL.Query().Get("owner"))
	if who == "" {
		who = "me"
	}
	unowned := who == "unowned"
	if who == "me" {
		who = ""
		if s := sessionFrom(r.Context()); s != nil {
			who = s.Principal
		}
	}
	v := view.OwnedList{Owner: who, Unowned: unowned}
	if unowned || who != "" {
		var err error
		if v, err = p.viewsFor(r).Owned(r.Context(), who, unowned); p.viewError(w, r, err, "owner") {
			return
		}
	}
	p.render(w, r, http.StatusOK, ownersPage(v))
}
