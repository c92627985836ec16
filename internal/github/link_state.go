package github

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/triaged/triaged/internal/stats"
)

// linkRefresh bounds how often, and how many, linked GitHub issues'
// states are read.
const (
	linkStale = 30 * time.Minute
	linkBatch = 20
)

// refreshLinks reads the state of the linked GitHub issues read longest
// ago, a few at a time, so pages can show whether they are open.
func (iw *IssueWorker) refreshLinks(ctx context.Context) {
	links, err := iw.st.StaleGitHubLinks(ctx, linkStale, linkBatch)
	if err != nil {
		iw.log.Warn("github links", "err", err)
		return
	}
	for _, l := range links {
		owner, name, _ := strings.Cut(l.GitHubRepo, "/")
		is, resp, err := iw.get(ctx, owner, name, l.GitHubNumber)
		state := is.GetState()
		if err != nil {
			if resp == nil || (resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusGone) {
				iw.log.Debug("github link state", "url", l.URL, "err", err)
				return // a limit or an outage: try later
			}
			state = "" // no such issue, or no access: unknown, and on to the next
		}
		if err := iw.st.SetLinkState(ctx, l.ID, state); err != nil {
			iw.log.Warn("github link state", "err", err)
			return
		}
	}
}

func statsRate(failures, runs int) stats.Rate { return stats.NewRate(failures, runs) }
