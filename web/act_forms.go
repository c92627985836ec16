package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/triaged/triaged/internal/owner"
	"github.com/triaged/triaged/internal/quarantine"
	"github.com/triaged/triaged/internal/store"
)

// subjectPage is where a subject's page is, to return to after a form.
func subjectPage(kind owner.Kind, id int64, r *http.Request) string {
	switch kind {
	case owner.Test:
		return "/tests/" + strconv.FormatInt(id, 10)
	case owner.Signature:
		return "/signatures/" + strconv.FormatInt(id, 10)
	}
	if back := r.PostFormValue("back"); strings.HasPrefix(back, "/groups/") {
		return back
	}
	return "/rules"
}

// back returns to page after a form, with a message shown there when
// msg is set (an error the person can fix).
func back(w http.ResponseWriter, r *http.Request, page, msg string) {
	if msg != "" {
		sep := "?"
		if strings.Contains(page, "?") {
			sep = "&"
		}
		page += sep + "error=" + url.QueryEscape(msg)
	}
	http.Redirect(w, r, page, http.StatusSeeOther)
}

// formError answers a form's error, if any, and reports whether there
// was one: what the person can fix goes back to the page as a message,
// anything else is a 404 or a server error.
func (p *Pages) formError(w http.ResponseWriter, r *http.Request, err error, page string) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, owner.ErrInvalid), errors.Is(err, store.ErrConflict), errors.As(err, new(*quarantine.MissingError)):
		back(w, r, page, err.Error())
	case errors.Is(err, store.ErrNotFound):
		p.NotFound(w, r)
	default:
		p.serverError(w, r, err)
	}
	return true
}

// change is who changes something through this form, and why.
func change(r *http.Request) store.Change {
	return store.Change{Actor: sessionFrom(r.Context()).Principal, Why: strings.TrimSpace(r.PostFormValue("why"))}
}

// SetOwner sets or clears a subject's owner (POST /…/{id}/owner, admin).
func (p *Pages) SetOwner(kind owner.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := p.pathID(w, r, string(kind))
		if !ok {
			return
		}
		page := subjectPage(kind, id, r)
		who := strings.TrimSpace(r.PostFormValue("owner"))
		if who == "me" {
			who = sessionFrom(r.Context()).Principal
		}
		if who != "" && p.formError(w, r, owner.Check(who), page) {
			return
		}
		c := change(r)
		if c.Why != "" && p.formError(w, r, owner.CheckText("why", c.Why, 1000), page) {
			return
		}
		if p.formError(w, r, p.store.SetOwner(r.Context(), kind, id, who, c), page) {
			return
		}
		back(w, r, page, "")
	}
}

// AddLink links a subject to an issue (POST /…/{id}/links, admin).
func (p *Pages) AddLink(kind owner.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := p.pathID(w, r, string(kind))
		if !ok {
			return
		}
		page := subjectPage(kind, id, r)
		l, err := owner.ParseLink(r.PostFormValue("url"))
		if p.formError(w, r, err, page) {
			return
		}
		l.Kind, l.SubjectID = kind, id
		_, err = p.store.AddLink(r.Context(), l, change(r))
		if p.formError(w, r, err, page) {
			return
		}
		back(w, r, page, "")
	}
}

// RemoveLink removes a link (POST /links/{id}/remove, admin) and returns
// to the page the form names.
func (p *Pages) RemoveLink(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "link")
	if !ok {
		return
	}
	page := r.PostFormValue("back")
	if !strings.HasPrefix(page, "/") || strings.HasPrefix(page, "//") {
		page = "/"
	}
	if p.formError(w, r, p.store.RemoveLink(r.Context(), id, change(r)), page) {
		return
	}
	back(w, r, page, "")
}
