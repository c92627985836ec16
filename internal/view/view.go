// Package view builds what triaged shows — the overview, the lists, a
// signature, a test, a revision, a campaign, the runners — from the store,
// once, for the web pages and the JSON API alike: a page renders the view
// a builder returns and its JSON twin writes the same value, so the two
// cannot disagree. Builders read bounded amounts (rollups, indexed lookups),
// never scan results.
package view

import (
	"errors"
	"time"

	"github.com/triaged/triaged/internal/stats"
	"github.com/triaged/triaged/internal/store"
)

// ErrNotFound is returned (wrapped) when the thing asked for does not
// exist; pages answer 404 and so does the API.
var ErrNotFound = errors.New("not found")

// Views builds views over one store, or over a read-only copy of it with
// the primary to fall back on (see WithReader).
type Views struct {
	// store is where builders read: the primary, or a replica of it.
	store *store.Store
	// primary is the database writes go to.
	primary *store.Store
	started time.Time
	now     func() time.Time
	// Version and Database say which triaged and which database the
	// overview describes.
	Version, Database string
	// Window is how far back verdicts look.
	Window time.Duration
	// DefaultBranch is the branch the overview shows unless asked for
	// another; uploads that name no branch count as on it.
	DefaultBranch string
}

// listLimit bounds the lists not paged by key (quarantines, owners,
// bisections): newest first, at most this many.
const listLimit = 200

// DefaultBranch is the branch Views.DefaultBranch starts as.
const DefaultBranch = "main"

// New returns the view builders over st, judging tests over window.
func New(st *store.Store, version, database string, window time.Duration) *Views {
	return &Views{store: st, primary: st, started: time.Now(), now: time.Now, Version: version, Database: database, Window: window,
		DefaultBranch: DefaultBranch}
}

// notFound maps the store's not-found to this package's.
func notFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

// OSRate is a repro rate on one runner OS.
type OSRate struct {
	OS string `json:"runner_os"`
	stats.Rate
}

// RevisionRate is a repro rate on one revision.
type RevisionRate struct {
	Repo     string `json:"repo"`
	Revision string `json:"revision"`
	stats.Rate
}
