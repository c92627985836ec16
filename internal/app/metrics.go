package app

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"

	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/jsonapi"
)

// metricsGuard says who may read /metrics: with a metrics token, only a
// scraper that presents it (Authorization: Bearer); otherwise, with
// RequireLogin, whoever may read the pages' JSON (a session or any API
// token), since the figures say what the server is doing; otherwise
// anyone, as before.
func (s *Server) metricsGuard(readAPI func(http.Handler) http.Handler) func(http.Handler) http.Handler {
	switch {
	case s.cfg.MetricsToken != "":
		want := sha256.Sum256([]byte(s.cfg.MetricsToken))
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got := sha256.Sum256([]byte(auth.BearerToken(r)))
				if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
					w.Header().Set("WWW-Authenticate", `Bearer realm="triaged metrics"`)
					jsonapi.Error(w, r, s.cfg.Log, http.StatusUnauthorized, "send the metrics token: Authorization: Bearer <--metrics-token>", nil)
					return
				}
				next.ServeHTTP(w, r)
			})
		}
	case s.cfg.RequireLogin:
		return readAPI
	}
	return func(next http.Handler) http.Handler { return next }
}
