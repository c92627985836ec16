// Package ingest is the write side of triaged's HTTP API: result uploads from
// runners and CI jobs in every common report format, API tokens, and (with
// the runner protocol) what runners send back. Every upload is validated,
// parsed, signed, classified and stored in one transaction, or refused with a
// clear error and nothing stored.
package ingest

import (
	"cmp"
	"log/slog"

	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/store"
)

// Limits bound what one upload may hold.
type Limits struct {
	MaxBodyBytes   int64 // request body; 413 above
	MaxResults     int   // results in one batch; 413 above
	MaxFailureText int   // bytes of failure text kept per result; the rest is cut with a marker
	// InfraThreshold is the share of failing results in a batch (of at least
	// InfraMinResults) above which its failures count as infrastructure, not
	// as flakes or new failures.
	InfraThreshold  float64
	InfraMinResults int
}

// DefaultLimits are the limits used when the configuration does not say.
var DefaultLimits = Limits{
	MaxBodyBytes:    32 << 20,
	MaxResults:      50_000,
	MaxFailureText:  64 << 10,
	InfraThreshold:  0.5,
	InfraMinResults: 10,
}

// API serves the ingest endpoints.
type API struct {
	store  *store.Store
	auth   *auth.Authenticator
	limits Limits
	log    *slog.Logger
}

// New returns the ingest API over st. Zero limits take DefaultLimits.
func New(st *store.Store, a *auth.Authenticator, limits Limits, log *slog.Logger) *API {
	d := DefaultLimits
	limits.MaxBodyBytes = cmp.Or(limits.MaxBodyBytes, d.MaxBodyBytes)
	limits.MaxResults = cmp.Or(limits.MaxResults, d.MaxResults)
	limits.MaxFailureText = cmp.Or(limits.MaxFailureText, d.MaxFailureText)
	limits.InfraThreshold = cmp.Or(limits.InfraThreshold, d.InfraThreshold)
	limits.InfraMinResults = cmp.Or(limits.InfraMinResults, d.InfraMinResults)
	return &API{store: st, auth: a, limits: limits, log: log}
}
