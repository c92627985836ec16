package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/store"
)

const (
	sessionCookie = "triaged_session"
	loginCookie   = "triaged_login" // double-submit token of the login form
	sessionTTL    = 12 * time.Hour
)

type sessionKey struct{}

// session is the logged-in admin of a request, if any.
type session struct {
	Principal string
	CSRF      string
}

// sessionFrom returns the request's admin session, or nil.
func sessionFrom(ctx context.Context) *session {
	s, _ := ctx.Value(sessionKey{}).(*session)
	return s
}

// Session loads the admin session of the request into its context. With
// RequireLogin, a request without one is sent to the login page.
//
// It also reads the request's form, since it wraps every page route: see
// readForm.
func (p *Pages) Session(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !p.readForm(w, r) {
			return
		}
		sess, err := p.loadSession(r)
		if err != nil {
			p.serverError(w, r, err)
			return
		}
		open := r.URL.Path == "/login" || r.URL.Path == "/healthz"
		if sess == nil && p.cfg.RequireLogin && !open {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess))
		defer dropMultipart(r)
		next.ServeHTTP(w, r)
	})
}

// maxFormBytes bounds a page form's body. The largest form, a new campaign,
// is a few hundred bytes.
const maxFormBytes = 64 << 10

// readForm parses the request's form once, before any handler does, and
// answers the request itself when the form is not one a page sends: 415 for
// a multipart or other non-urlencoded body, 413 above maxFormBytes. Our forms
// are urlencoded and small; a multipart body would be spilled to temporary
// files, and net/http removes those only for the request it passed in, not
// for the copies that middlewares make with WithContext. Parsing here, on
// that original request, also means the copies share its parsed form.
func (p *Pages) readForm(w http.ResponseWriter, r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	posted := r.Method == http.MethodPost && (ct != "" || r.ContentLength != 0)
	if strings.HasPrefix(mt, "multipart/") || posted && mt != "application/x-www-form-urlencoded" {
		p.render(w, r, http.StatusUnsupportedMediaType, errorPage(http.StatusUnsupportedMediaType,
			"This server takes only plain web forms (application/x-www-form-urlencoded), without file uploads. Submit the form from its page."))
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		status, msg := http.StatusBadRequest, "The form could not be read. Submit it again from its page."
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			status, msg = http.StatusRequestEntityTooLarge, "The form is larger than this server accepts (64 KiB). Shorten what you entered."
		} else if jsonapi.TimedOut(err) {
			status, msg = http.StatusRequestTimeout, "The form did not arrive in time. Submit it again."
		}
		p.render(w, r, status, errorPage(status, msg))
		return false
	}
	return true
}

// dropMultipart removes the temporary files of a multipart form that a
// handler parsed despite readForm, should one ever do so.
func dropMultipart(r *http.Request) {
	if r.MultipartForm != nil {
		r.MultipartForm.RemoveAll()
	}
}

// loadSession returns the request's session, or nil when it has none that
// still holds: unknown, expired, or opened with a token that has since been
// revoked or is no longer the server's bootstrap token.
func (p *Pages) loadSession(r *http.Request) (*session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	s, err := p.store.SessionByHash(r.Context(), auth.Hash(c.Value), p.auth.BootstrapProof(c.Value))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return &session{Principal: s.Principal, CSRF: s.CSRF}, nil
}

// Admin admits only POSTs from an admin session that carry the session's
// CSRF token; anything else is refused with a page that says what to do.
func (p *Pages) Admin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := sessionFrom(r.Context())
		if sess == nil {
			p.render(w, r, http.StatusUnauthorized, errorPage(http.StatusUnauthorized, "Log in with an admin token to do this."))
			return
		}
		if !sameToken(r.PostFormValue("csrf"), sess.CSRF) {
			p.render(w, r, http.StatusForbidden, errorPage(http.StatusForbidden,
				"The form's security token is missing or stale. Reload the page and submit it again."))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// sameToken compares a submitted token with the expected one in constant
// time; an empty expectation never matches.
func sameToken(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// randomToken returns 32 random bytes, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// setCookie sets an HttpOnly, SameSite=Lax cookie, Secure when the request
// came over TLS (directly or through a proxy that says so) or the server is
// configured as served over https.
func (p *Pages) setCookie(w http.ResponseWriter, r *http.Request, name, value string, ttl time.Duration) {
	c := &http.Cookie{
		Name: name, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || p.cfg.SecureCookies || r.Header.Get("X-Forwarded-Proto") == "https",
	}
	if ttl > 0 {
		c.Expires, c.MaxAge = time.Now().Add(ttl), int(ttl/time.Second)
	} else {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// ReadAPI guards the read-only JSON API the pages mirror: open by default;
// with RequireLogin it wants an admin session or any valid API token, so
// the JSON says no more than the pages would.
func (p *Pages) ReadAPI(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !p.cfg.RequireLogin {
			next.ServeHTTP(w, r)
			return
		}
		sess, err := p.loadSession(r)
		if err == nil && sess == nil {
			_, err = p.auth.Check(r, auth.BearerToken(r))
		}
		var throttled *auth.ThrottledError
		switch {
		case err == nil:
			next.ServeHTTP(w, r)
		case errors.Is(err, auth.ErrUnknownToken), errors.Is(err, store.ErrDisabled):
			w.Header().Set("WWW-Authenticate", `Bearer realm="triaged"`)
			jsonapi.Error(w, r, p.cfg.Log, http.StatusUnauthorized, "this server requires a login: send a token (Authorization: Bearer <token>) or log in", nil)
		case errors.As(err, &throttled):
			throttled.SetRetryAfter(w)
			jsonapi.Error(w, r, p.cfg.Log, http.StatusTooManyRequests, throttled.Error(), nil)
		default:
			jsonapi.Error(w, r, p.cfg.Log, http.StatusServiceUnavailable, "cannot check credentials right now; retry", err)
		}
	})
}
