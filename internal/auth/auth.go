// Package auth decides who may call the API. Callers present a bearer token:
// the bootstrap admin token from the configuration, a token an admin
// created (admin, upload or runner-registration rights), or a runner's own
// token issued at registration. Only SHA-256 hashes of tokens are stored.
package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/vcs"
)

// Kinds of principal, which are also the rights a token carries.
const (
	Admin    = "admin"    // everything
	Upload   = "upload"   // POST /api/v1/results
	Register = "register" // POST /api/v1/runners/register
	Runner   = "runner"   // the runner protocol, and uploads
)

// tokenPrefix makes triaged tokens recognisable to people and secret
// scanners.
const tokenPrefix = "tri_"

// NewToken returns a fresh random token and its hash.
func NewToken() (token string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b)
	token = tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, Hash(token)
}

// Hash is what the store keeps of a token.
func Hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// MinAdminTokenLen is the shortest bootstrap admin token a server accepts.
const MinAdminTokenLen = 16

// CheckAdminToken says why token cannot be the bootstrap admin token, or
// returns nil. An empty token is allowed: the server then has none.
func CheckAdminToken(token string) error {
	switch n := utf8.RuneCountInString(token); {
	case token == "":
		return nil
	case strings.TrimSpace(token) != token:
		return errors.New("the admin token starts or ends with white space, which clients do not send back; remove it")
	case n < MinAdminTokenLen:
		return fmt.Errorf("the admin token is %d characters long; use at least %d random ones, e.g. from `openssl rand -base64 32`", n, MinAdminTokenLen)
	}
	return nil
}

// ErrUnknownToken is returned for a token this server did not issue.
var ErrUnknownToken = errors.New("unknown token")

// Authenticator checks tokens against the bootstrap admin token and the
// store, and throttles clients that present unknown ones.
type Authenticator struct {
	adminToken string // empty when no bootstrap token is configured
	adminHash  []byte // nil when no bootstrap token is configured
	store      *store.Store
	log        *slog.Logger
	cache      cache
	throttle   throttle
}

// New returns an authenticator. adminToken may be empty.
func New(adminToken string, st *store.Store, log *slog.Logger) *Authenticator {
	a := &Authenticator{adminToken: adminToken, store: st, log: log}
	if adminToken != "" {
		a.adminHash = Hash(adminToken)
	}
	return a
}

// Forget makes this replica check every token against the store again, for
// when an admin revokes a token or disables a runner here.
func (a *Authenticator) Forget() { a.cache.forget() }

// Check returns who holds token, as presented by the client of r. It is the
// one check of a token, for the API's bearer tokens and the pages' login
// alike. Errors: ErrUnknownToken (empty or never issued; counted against
// the client), store.ErrDisabled (revoked, or a disabled runner's),
// *ThrottledError (the client failed too often; the token was not looked
// at), or the store's failure.
func (a *Authenticator) Check(r *http.Request, token string) (store.Principal, error) {
	if token == "" {
		return store.Principal{}, ErrUnknownToken
	}
	client := clientKey(r)
	if wait := a.throttle.wait(client); wait > 0 {
		return store.Principal{}, &ThrottledError{RetryAfter: wait}
	}
	h := Hash(token)
	if a.adminHash != nil && subtle.ConstantTimeCompare(h, a.adminHash) == 1 {
		return store.Principal{Kind: Admin, Name: "bootstrap admin"}, nil
	}
	p, gen, ok := a.cache.get(h)
	if ok {
		return p, nil
	}
	p, err := a.store.PrincipalByTokenHash(r.Context(), h)
	switch {
	case err == nil:
		a.cache.put(h, p, gen)
	case errors.Is(err, store.ErrNotFound):
		a.log.Warn("unknown token", "remote", r.RemoteAddr, "path", r.URL.Path)
		if wait := a.throttle.fail(client); wait > 0 {
			a.log.Warn("throttling a client that presented too many unknown tokens", "client", client, "retry_after", wait)
		}
		return p, ErrUnknownToken
	}
	return p, err
}

// BootstrapProof is what ties a browser session opened with the bootstrap
// admin token to that token: an HMAC of the session's cookie value keyed
// with the token. The session stores it; each request recomputes it with
// the server's current token and the presented cookie, so the session ends
// when the server runs with another token or none. It returns nil when the
// server has no bootstrap token.
func (a *Authenticator) BootstrapProof(cookie string) []byte {
	if a.adminToken == "" {
		return nil
	}
	m := hmac.New(sha256.New, []byte(a.adminToken))
	m.Write([]byte("triaged session\x00" + cookie))
	return m.Sum(nil)
}

type ctxKey struct{}

// FromContext returns the principal that Require admitted.
func FromContext(ctx context.Context) (store.Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(store.Principal)
	return p, ok
}

// Require admits requests whose token is of one of the given kinds (admins
// always): 401 without a valid token, 403 with a token that lacks the right,
// 429 while the client is throttled.
func (a *Authenticator) Require(kinds ...string) func(http.Handler) http.Handler {
	return a.require(true, kinds)
}

// RequireRunner admits only runners' own tokens: the runner protocol acts on
// behalf of one runner, which an admin token does not name.
func (a *Authenticator) RequireRunner() func(http.Handler) http.Handler {
	return a.require(false, []string{Runner})
}

func (a *Authenticator) require(adminToo bool, kinds []string) func(http.Handler) http.Handler {
	if adminToo {
		kinds = append(slices.Clip(kinds), Admin)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, status, detail := a.identify(w, r)
			if status == http.StatusOK && !slices.Contains(kinds, p.Kind) {
				status, detail = http.StatusForbidden, "a "+p.Kind+" token may not do this; it needs one of: "+strings.Join(kinds, ", ")
			}
			if status != http.StatusOK {
				if status == http.StatusUnauthorized {
					w.Header().Set("WWW-Authenticate", `Bearer realm="triaged"`)
				}
				jsonapi.Error(w, r, a.log, status, detail, nil)
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, p)))
		})
	}
}

// BearerToken returns the token of an Authorization: Bearer header, or "".
func BearerToken(r *http.Request) string {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return ""
	}
	return strings.TrimSpace(token)
}

// identify checks the request's bearer token and says how to answer when it
// does not admit the caller. A throttled answer carries Retry-After.
func (a *Authenticator) identify(w http.ResponseWriter, r *http.Request) (store.Principal, int, string) {
	token := BearerToken(r)
	if token == "" {
		return store.Principal{}, http.StatusUnauthorized, "send a token: Authorization: Bearer <token>"
	}
	p, err := a.Check(r, token)
	var throttled *ThrottledError
	switch {
	case err == nil:
		return p, http.StatusOK, ""
	case errors.Is(err, ErrUnknownToken):
		return p, http.StatusUnauthorized, "unknown token"
	case errors.Is(err, store.ErrDisabled):
		return p, http.StatusForbidden, "this token is revoked or its runner is disabled"
	case errors.As(err, &throttled):
		throttled.SetRetryAfter(w)
		return p, http.StatusTooManyRequests, err.Error()
	}
	a.log.Error("authenticate", "err", err)
	return p, http.StatusServiceUnavailable, "cannot check tokens right now; retry"
}

// MayWrite reports whether p may store results for repo, and so cause
// commit statuses on it: a token or runner bound to repos may write only
// those; an unbound one, any.
func MayWrite(p store.Principal, repo string) bool {
	return len(p.Repos) == 0 || slices.Contains(p.Repos, repo)
}

// MaxRepos bounds the repos one token may be bound to.
const MaxRepos = 100

// ParseRepos reads the repos a token is bound to, as an admin writes them
// (commas or white space between owner/name pairs), each checked by vcs's
// rules, duplicates dropped.
func ParseRepos(s string) ([]string, error) {
	return CheckRepos(strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }))
}

// CheckRepos checks the repos a token is to be bound to and returns them
// without duplicates, in the order given.
func CheckRepos(repos []string) ([]string, error) {
	if len(repos) > MaxRepos {
		return nil, fmt.Errorf("repos: at most %d", MaxRepos)
	}
	out := []string{}
	for _, r := range repos {
		if err := vcs.CheckRepo(r); err != nil {
			return nil, err
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out, nil
}
