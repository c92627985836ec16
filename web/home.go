package web

import (
	"net/http"
	"net/url"

	"github.com/a-h/templ"

	"github.com/triaged/triaged/internal/view"
)

// listCap is how many offline runners the overview names before "and N
// more".
const listCap = 8

// Home renders the overview page (GET /; JSON at /api/v1/overview),
// narrowed by the filters in its URL.
func (p *Pages) Home(w http.ResponseWriter, r *http.Request) {
	f, err := view.ParseFilter(view.ListOverview, r.URL.Query())
	if p.viewError(w, r, err, "overview") {
		return
	}
	v, err := p.viewsFor(r).Overview(r.Context(), f)
	if !p.viewError(w, r, err, "overview") {
		p.render(w, r, http.StatusOK, homePage(v, p.views.DefaultBranch))
	}
}

// overviewTests links from the overview to the test list with its filters
// (the branch shown named outright), a class and a sort.
func overviewTests(v view.Overview, class, sort string) templ.SafeURL {
	q := url.Values{}
	branch := v.Branch
	if branch == "" {
		branch = view.AllBranches
	}
	q.Set("branch", branch)
	for k, val := range map[string]string{"repo": v.Filter.Repo, "builder": v.Filter.Builder, "os": v.Filter.OS, "class": class, "sort": sort} {
		if val != "" {
			q.Set(k, val)
		}
	}
	return templ.SafeURL("/tests?" + q.Encode())
}
