package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/store"
)

type loginView struct {
	Next  string
	Token string // the login form's double-submit token
	Error string
}

// Login shows the login form (GET /login).
func (p *Pages) Login(w http.ResponseWriter, r *http.Request) {
	p.showLogin(w, r, http.StatusOK, "")
}

func (p *Pages) showLogin(w http.ResponseWriter, r *http.Request, status int, msg string) {
	tok := randomToken()
	p.setCookie(w, r, loginCookie, tok, 15*time.Minute)
	p.render(w, r, status, loginPage(loginView{Next: safeNext(r.FormValue("next")), Token: tok, Error: msg}))
}

// LoginSubmit checks an admin token and opens a session (POST /login). The
// form carries a token that must match its cookie, so another site cannot
// log a browser in to an account of its choosing.
func (p *Pages) LoginSubmit(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(r.PostFormValue("csrf"), c.Value) {
		p.render(w, r, http.StatusForbidden, errorPage(http.StatusForbidden,
			"The login form expired or did not come from this site. Open the login page again."))
		return
	}
	pr, err := p.auth.Check(r, strings.TrimSpace(r.PostFormValue("token")))
	var throttled *auth.ThrottledError
	switch {
	case errors.As(err, &throttled):
		throttled.SetRetryAfter(w)
		p.showLogin(w, r, http.StatusTooManyRequests, "Too many wrong tokens from your address. Try again in a minute.")
		return
	case errors.Is(err, auth.ErrUnknownToken): // logged by auth
		p.showLogin(w, r, http.StatusUnauthorized, "That is not an admin token.")
		return
	case errors.Is(err, store.ErrDisabled), err == nil && pr.Kind != auth.Admin:
		p.cfg.Log.Warn("login refused", "remote", r.RemoteAddr, "principal", pr.Name, "kind", pr.Kind, "revoked", err != nil)
		p.showLogin(w, r, http.StatusUnauthorized, "That is not an admin token.")
		return
	case err != nil:
		p.serverError(w, r, err)
		return
	}
	value := randomToken()
	sess := store.Session{Principal: pr.Name, CSRF: randomToken(), ExpiresAt: time.Now().Add(sessionTTL), TokenID: pr.TokenID}
	if pr.TokenID == 0 { // the bootstrap token
		sess.BootstrapProof = p.auth.BootstrapProof(value)
	}
	if err := p.store.CreateSession(r.Context(), auth.Hash(value), sess); err != nil {
		p.serverError(w, r, err)
		return
	}
	p.setCookie(w, r, loginCookie, "", 0)
	p.setCookie(w, r, sessionCookie, value, sessionTTL)
	p.cfg.Log.Info("admin logged in", "principal", pr.Name)
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

// Logout ends the session (POST /logout, admin and CSRF checked).
func (p *Pages) Logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := p.store.DeleteSession(r.Context(), auth.Hash(c.Value)); err != nil {
			p.serverError(w, r, err)
			return
		}
	}
	p.setCookie(w, r, sessionCookie, "", 0)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// safeNext returns next when it is a path on this site, else "/", so that
// the redirect after a login cannot take the browser elsewhere. Browsers
// drop tabs and newlines from URLs and read a backslash as a slash, so
// "/\t/evil" and "/\\evil" reach another host; "/.//evil" resolves to the
// path "//evil", and escaped forms ("/%2F%2Fevil") may be decoded by a later
// hop, either of which a browser may then read as a host. A next that needs
// any of these is refused, not repaired: it did not come from our pages.
func safeNext(next string) string {
	for _, c := range []byte(next) {
		if c <= ' ' || c >= 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || !strings.HasPrefix(next, "/") || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	if strings.Contains(u.Path, "//") {
		return "/"
	}
	for seg := range strings.SplitSeq(u.Path, "/") {
		if seg == "." || seg == ".." {
			return "/"
		}
	}
	for _, c := range u.Path { // decoded: %09, %5C, %00, non-ASCII
		if c < ' ' || c >= 0x7f || c == '\\' {
			return "/"
		}
	}
	return next
}
