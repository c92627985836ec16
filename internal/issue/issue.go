// Package issue is when and how triaged files an issue for a failure
// signature: the threshold a signature must cross, the issue's title and
// body (failure text escaped for Markdown), the marker that finds an
// issue again after a crash, and the test that closes it — only when the
// numbers say the failure is gone (stats.Gone), never on a timer.
package issue

import (
	"fmt"
	"strings"
	"time"

	"github.com/triaged/triaged/internal/owner"
	"github.com/triaged/triaged/internal/vcs"
)

// Threshold is when a signature is worth an issue: failures on at least
// MinRuns runs across at least MinRevisions revisions within Window, or a
// test it hits classed broken.
type Threshold struct {
	MinRuns      int
	MinRevisions int
	Window       time.Duration
}

// DefaultThreshold is 3 failing runs on 2 revisions in 7 days.
var DefaultThreshold = Threshold{MinRuns: 3, MinRevisions: 2, Window: 7 * 24 * time.Hour}

// Facts are what the store knows of a signature in a repo over the
// threshold's window.
type Facts struct {
	Repo        string
	SignatureID int64
	// FailingRuns counts its failures outside infrastructure batches;
	// Revisions the revisions they happened on.
	FailingRuns, Revisions int
	// Broken is set when a test it hits is classed broken.
	Broken bool
}

// Crosses reports whether the facts cross the threshold, and says why.
func (t Threshold) Crosses(f Facts) (bool, string) {
	days := int(t.Window / (24 * time.Hour))
	switch {
	case f.Broken:
		return true, "a test it hits is broken (every run failed on its last revisions)"
	case f.FailingRuns >= t.MinRuns && f.Revisions >= t.MinRevisions:
		return true, fmt.Sprintf("it failed %d runs on %d revisions in %d days (threshold: %d runs on %d revisions)",
			f.FailingRuns, f.Revisions, days, t.MinRuns, t.MinRevisions)
	}
	return false, ""
}

// Check reports the first setting of t that cannot work.
func (t Threshold) Check() error {
	switch {
	case t.MinRuns < 1:
		return fmt.Errorf("the minimum failing runs must be at least 1, got %d", t.MinRuns)
	case t.MinRevisions < 1:
		return fmt.Errorf("the minimum revisions must be at least 1, got %d", t.MinRevisions)
	case t.Window < time.Hour || t.Window > 90*24*time.Hour:
		return fmt.Errorf("the window must be 1h to 90 days, got %v", t.Window)
	}
	return nil
}

// OnRecur is what triaged does when a signature fails again after its
// issue was closed.
type OnRecur string

// The choices.
const (
	Reopen  OnRecur = "reopen"  // reopen the issue, with a comment saying why
	Comment OnRecur = "comment" // only comment on it
)

// Route sends the issues of a repo's signatures to a tracker repo.
type Route struct {
	Repo    string `json:"repo" db:"repo"`
	Tracker string `json:"tracker" db:"tracker"`
}

// ParseRoutes reads --github-issues: owner/name[=tracker-owner/tracker-name],…
// A repo without "=" files into itself.
func ParseRoutes(items []string) ([]Route, error) {
	var out []Route
	seen := map[string]bool{}
	for _, it := range items {
		repo, tracker, _ := strings.Cut(strings.TrimSpace(it), "=")
		repo, tracker = strings.TrimSpace(repo), strings.TrimSpace(tracker)
		if tracker == "" {
			tracker = repo
		}
		r, err := NewRoute(repo, tracker)
		if err != nil {
			return nil, err
		}
		if seen[r.Repo] {
			return nil, fmt.Errorf("%s is named twice", r.Repo)
		}
		seen[r.Repo] = true
		out = append(out, r)
	}
	return out, nil
}

// NewRoute checks a repo and its tracker.
func NewRoute(repo, tracker string) (Route, error) {
	if err := vcs.CheckRepo(repo); err != nil {
		return Route{}, owner.Invalidf("%v", err)
	}
	if err := vcs.CheckRepo(tracker); err != nil {
		return Route{}, owner.Invalidf("tracker: %v", err)
	}
	return Route{Repo: repo, Tracker: tracker}, nil
}
