package api

import (
	"net/http"
	"strconv"

	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/store"
)

// StatusesView is the answer of GET /api/v1/github/statuses: whether
// statuses are posted at all, and the outbox with each entry's delivery.
type StatusesView struct {
	// Posting is false without a GitHub token: statuses are recorded,
	// never posted.
	Posting  bool          `json:"posting"`
	Statuses []StatusEntry `json:"statuses"`
}

// StatusEntry is an outbox row with where it is on its way to GitHub.
type StatusEntry struct {
	store.OutboxEntry
	Delivery string `json:"delivery"`
}

// GitHubStatuses handles GET /api/v1/github/statuses?repo=&revision=&failed=1&limit=,
// so admins see what was posted, what waits and what GitHub refused and why.
func (a *API) GitHubStatuses(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	es, err := a.store.OutboxEntries(r.Context(), store.OutboxQuery{
		Repo: q.Get("repo"), Revision: q.Get("revision"), Failed: q.Get("failed") != "", Limit: min(max(limit, 0), 1000),
	})
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
		return
	}
	v := StatusesView{Posting: a.cfg.PostingStatuses, Statuses: make([]StatusEntry, len(es))}
	for i, e := range es {
		v.Statuses[i] = StatusEntry{OutboxEntry: e, Delivery: e.Delivery()}
	}
	jsonapi.Write(w, http.StatusOK, v)
}
