// Package auth decides who may call the API. Callers present a bearer token:
// the bootstrap admin token from the configuration, a token an admin
// created (admin, upload or runner-registration rights), or a runner's own
// token issued at registration. Only SHA-256 hashes of tokens are stored.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/store"
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

// Authenticator checks bearer tokens against the bootstrap admin token and
// the store.
type Authenticator struct {
	adminHash []byte // nil when no bootstrap token is configured
	store     *store.Store
	log       *slog.Logger
	cache     cache
}

// New returns an authenticator. adminToken may be empty.
func New(adminToken string, st *store.Store, log *slog.Logger) *Authenticator {
	a := &Authenticator{store: st, log: log}
	if adminToken != "" {
		a.adminHash = Hash(adminToken)
	}
	return a
}

// Forget makes this replica check every token against the store again, for
// when an admin revokes a token or disables a runner here.
func (a *Authenticator) Forget() { a.cache.forget() }

type ctxKey struct{}

// FromContext returns the principal that Require admitted.
func FromContext(ctx context.Context) (store.Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(store.Principal)
	return p, ok
}

// Require admits requests whose token is of one of the given kinds (admins
// always): 401 without a valid token, 403 with a token that lacks the right.
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
			p, status, detail := a.identify(r)
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

func (a *Authenticator) identify(r *http.Request) (store.Principal, int, string) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	token = strings.TrimSpace(token)
	if !ok || token == "" {
		return store.Principal{}, http.StatusUnauthorized, "send a token: Authorization: Bearer <token>"
	}
	h := Hash(token)
	if a.adminHash != nil && subtle.ConstantTimeCompare(h, a.adminHash) == 1 {
		return store.Principal{Kind: Admin, Name: "bootstrap admin"}, http.StatusOK, ""
	}
	if p, ok := a.cache.get(h); ok {
		return p, http.StatusOK, ""
	}
	p, err := a.store.PrincipalByTokenHash(r.Context(), h)
	if err == nil {
		a.cache.put(h, p)
	}
	switch {
	case err == nil:
		return p, http.StatusOK, ""
	case errors.Is(err, store.ErrNotFound):
		return p, http.StatusUnauthorized, "unknown token"
	case errors.Is(err, store.ErrDisabled):
		return p, http.StatusForbidden, "this token is revoked or its runner is disabled"
	}
	a.log.Error("authenticate", "err", err)
	return p, http.StatusServiceUnavailable, "cannot check tokens right now; retry"
}
