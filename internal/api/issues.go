package api

import (
	"net/http"
	"strings"

	"github.com/triaged/triaged/internal/issue"
	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/store"
)

// GitHubIssues handles GET /api/v1/github/issues: the issues triaged
// filed or will file, newest first, with their state.
func (a *API) GitHubIssues(w http.ResponseWriter, r *http.Request) {
	is, err := a.store.Issues(r.Context(), 500)
	if a.actError(w, r, err, "issue") {
		return
	}
	if is == nil {
		is = []store.SignatureIssue{}
	}
	jsonapi.Write(w, http.StatusOK, map[string]any{"issues": is})
}

// IssueRoutes handles GET /api/v1/github/issue-routes: the routes admins
// added at run time (the --github-issues flag's come on top).
func (a *API) IssueRoutes(w http.ResponseWriter, r *http.Request) {
	rs, err := a.store.IssueRoutes(r.Context())
	if a.actError(w, r, err, "route") {
		return
	}
	if rs == nil {
		rs = []issue.Route{}
	}
	jsonapi.Write(w, http.StatusOK, map[string]any{"routes": rs})
}

// AddIssueRoute handles POST /api/v1/github/issue-routes with {"repo",
// "tracker"} (tracker defaults to repo): the repo's signatures get issues
// from now on.
func (a *API) AddIssueRoute(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Repo    string `json:"repo"`
		Tracker string `json:"tracker"`
		Why     string `json:"why"`
	}
	if !a.decode(w, r, &req) {
		return
	}
	tracker := strings.TrimSpace(req.Tracker)
	if tracker == "" {
		tracker = strings.TrimSpace(req.Repo)
	}
	rt, err := issue.NewRoute(strings.TrimSpace(req.Repo), tracker)
	if a.actError(w, r, err, "repo") {
		return
	}
	if a.actError(w, r, a.store.AddIssueRoute(r.Context(), rt, change(r, strings.TrimSpace(req.Why))), "repo") {
		return
	}
	jsonapi.Write(w, http.StatusCreated, rt)
}
