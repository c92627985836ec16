package app

import (
	"context"
	"net/http"
	"time"

	"github.com/triaged/triaged/internal/jsonapi"
)

// healthz answers as long as the process serves HTTP.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	jsonapi.Write(w, http.StatusOK, map[string]string{"status": "ok", "version": s.cfg.Version})
}

// readyz answers 200 only when the database is reachable and fully migrated,
// so a load balancer sends no traffic to a replica that cannot serve it.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	st, err := s.store.Schema(ctx)
	if err != nil {
		jsonapi.Write(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "detail": "database: " + err.Error()})
		return
	}
	if st.Current != st.Latest {
		jsonapi.Write(w, http.StatusServiceUnavailable, map[string]any{
			"status": "unavailable", "detail": "schema not at this binary's version",
			"schema_version": st.Current, "expected_version": st.Latest,
		})
		return
	}
	answer := map[string]any{"status": "ready", "schema_version": st.Current}
	if s.cfg.Reader != nil {
		// Pages read from the replica: one that does not answer, or lags
		// behind this binary's schema, leaves them failing.
		rs, err := s.cfg.Reader.Schema(ctx)
		if err != nil || rs.Current != st.Current {
			detail := "read database: schema not at this binary's version"
			if err != nil {
				detail = "read database: " + err.Error()
			}
			jsonapi.Write(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "detail": detail})
			return
		}
		if lag, err := s.cfg.Reader.ReplayLag(ctx); err == nil {
			answer["read_lag_seconds"] = lag.Seconds()
		}
	}
	jsonapi.Write(w, http.StatusOK, answer)
}
