package github

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/vcs"
)

// parsedDelivery is a delivery with what the answer reports of it.
type parsedDelivery struct {
	store.WebhookDelivery
	status  string
	refused []Refusal
}

// parseEvent reads a push or pull_request event into commits to record and
// campaigns to start, and returns the event's own time for the staleness
// check; push and pull_request events without one are refused. Other
// events have none (zero).
func (h *Webhooks) parseEvent(r *http.Request, event, delivery string, body []byte) (parsedDelivery, time.Time, error) {
	d := parsedDelivery{WebhookDelivery: store.WebhookDelivery{ID: delivery, Event: event}, status: "ignored"}
	if event == "ping" {
		d.status = "pong"
		return d, time.Time{}, json.Unmarshal(body, new(gh.PingEvent))
	}
	if event != "push" && event != "pull_request" {
		return d, time.Time{}, nil
	}
	payload, err := gh.ParseWebHook(event, body)
	if err != nil {
		return d, time.Time{}, fmt.Errorf("%s payload: %v", event, err)
	}
	var head store.Commit
	var at time.Time
	verify := false
	switch e := payload.(type) {
	case *gh.PushEvent:
		at = e.GetRepo().GetPushedAt().Time
		if e.GetDeleted() || strings.Trim(e.GetAfter(), "0") == "" {
			break // a deleted branch has no commit to verify
		}
		repo := e.GetRepo().GetFullName()
		branch, _ := strings.CutPrefix(e.GetRef(), "refs/heads/")
		if branch == e.GetRef() {
			branch = "" // a tag
		}
		for _, c := range e.Commits {
			d.Commits = append(d.Commits, store.Commit{Repo: repo, SHA: c.GetID(), Message: c.GetMessage(),
				Author: authorName(c.GetAuthor()), Branch: branch})
		}
		head = store.Commit{Repo: repo, SHA: e.GetAfter(), Message: e.GetHeadCommit().GetMessage(),
			Author: authorName(e.GetHeadCommit().GetAuthor()), Branch: branch}
		verify = true
	case *gh.PullRequestEvent:
		pr := e.GetPullRequest()
		at = pr.GetUpdatedAt().Time
		n := pr.GetNumber()
		head = store.Commit{Repo: e.GetRepo().GetFullName(), SHA: pr.GetHead().GetSHA(), Author: pr.GetUser().GetLogin(),
			Branch: pr.GetHead().GetRef(), PullRequest: &n}
		switch e.GetAction() {
		case "opened", "synchronize", "reopened", "ready_for_review":
			verify = true
		}
	}
	if at.IsZero() {
		// Without its time an old event could be replayed once the delivery
		// ids and body hashes of the replay window are forgotten.
		return d, at, fmt.Errorf("%s payload without its event time (repository.pushed_at, pull_request.updated_at): refused, since its age cannot be checked", event)
	}
	if head.SHA == "" {
		return d, at, nil
	}
	if vcs.CheckRepo(head.Repo) != nil || vcs.CheckRevision(head.SHA) != nil {
		return d, at, fmt.Errorf("%s payload: repository %q or commit %q is not valid", event, head.Repo, head.SHA)
	}
	d.status = "recorded"
	d.Commits = append(d.Commits, head)
	if verify && h.cfg.Verify.covers(head.Repo) {
		d.Campaigns, d.refused, err = h.verificationCampaigns(r, head.Repo, head.SHA, head.Branch)
	}
	return d, at, err
}

func authorName(a *gh.CommitAuthor) string {
	if a.GetLogin() != "" {
		return a.GetLogin()
	}
	return a.GetName()
}
