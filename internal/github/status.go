package github

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/stats"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/vcs"
	"github.com/triaged/triaged/internal/verdict"
)

// maxDescription is GitHub's limit on a status description, in characters.
const maxDescription = 140

// Statuses words commit statuses; it is the store's StatusWriter.
type Statuses struct {
	cfg Config
}

// NewStatuses returns the status writer for cfg.
func NewStatuses(cfg Config) Statuses { return Statuses{cfg: cfg.withDefaults()} }

var _ store.StatusWriter = Statuses{}

// RevisionStatus describes a commit's results as the one classifier judges
// them: failure when a test failed in a new way or is broken (failing on
// every run of its last revisions), error when the only failures were
// infrastructure, success when every failure is a flake with evidence.
// Quarantined failures are counted apart, naming the quarantine's owner
// and expiry, and fail nothing. With PendingWhileCampaign, pending instead of success or error while a
// campaign on the commit runs. "All N tests passed" counts the tests that
// ran; skips are said apart.
func (s Statuses) RevisionStatus(c verdict.Commit) store.OutboxStatus {
	var newN, brokenN, knownN, infraN, quarantinedN int
	var known, broken, quarantined *verdict.FailingTest
	failing := c.Failing()
	for i, t := range failing {
		if t.Quarantine != nil {
			// Counted, never failing: the status names whose it is and
			// until when.
			if quarantined == nil {
				quarantined = &failing[i]
			}
			quarantinedN++
			continue
		}
		switch t.Verdict.Class {
		case verdict.New:
			newN++
		case verdict.Broken:
			if broken == nil {
				broken = &failing[i]
			}
			brokenN++
		case verdict.Known, verdict.Flaky:
			if known == nil {
				known = &failing[i]
			}
			knownN++
		default:
			infraN++
		}
	}
	st := store.OutboxStatus{Context: s.cfg.Context, TargetURL: s.revisionURL(c.Repo, c.Revision)}
	running := s.cfg.PendingWhileCampaign && c.ActiveCampaigns > 0
	if c.Ran == 0 && len(failing) == 0 {
		if !running {
			return store.OutboxStatus{} // nothing to say yet
		}
		st.State, st.Description = "pending", "stress campaign running; no results yet"
		return st
	}
	var parts []string
	if newN > 0 {
		parts = append(parts, plural(newN, "new failure", "new failures"))
	}
	if brokenN > 0 {
		parts = append(parts, plural(brokenN, "test", "tests")+" failing since "+vcs.ShortRevision(broken.Verdict.Since))
	}
	knownPart := func(name string) string {
		p := fmt.Sprintf("%d known flaky", knownN)
		if name != "" {
			p += " (" + name + " " + rateText(known.Rate) + ")"
		}
		return p
	}
	if knownN > 0 {
		parts = append(parts, knownPart(campaign.ShortTestName(known.Name)))
	}
	if infraN > 0 {
		parts = append(parts, plural(infraN, "infra failure", "infra failures"))
	}
	if quarantinedN > 0 {
		q := quarantined.Quarantine
		parts = append(parts, plural(quarantinedN, "quarantined failure", "quarantined failures")+" ("+q.Owner+", until "+q.Until()+")")
	}
	switch {
	case newN+brokenN > 0:
		st.State = "failure"
	case infraN > 0:
		st.State = "error"
	default:
		st.State = "success"
	}
	if len(parts) == 0 {
		parts = []string{"all " + plural(c.Ran, "test", "tests") + " passed"}
		if c.Ran == 1 {
			parts = []string{"1 test passed"}
		}
	}
	if c.Skipped > 0 {
		parts = append(parts, plural(c.Skipped, "test", "tests")+" skipped")
	}
	if running && st.State != "failure" {
		st.State = "pending"
		parts = append([]string{"stress campaign running"}, parts...)
	}
	st.Description = strings.Join(parts, " · ")
	if over := utf8.RuneCountInString(st.Description) - maxDescription; over > 0 && known != nil {
		// The flaky test's name is what gives: cut it, keeping its rate.
		name := campaign.ShortTestName(known.Name)
		keep := utf8.RuneCountInString(name) - over - 1
		cut := ""
		if keep > 8 {
			cut = string([]rune(name)[:keep]) + "…"
		}
		st.Description = strings.Replace(st.Description, knownPart(name), knownPart(cut), 1)
	}
	st.Description = clip(st.Description)
	return st
}

// rateText is a measured rate with its 95% interval, as short as a status
// line needs: "2.1%, 95% CI 1.0–4.3%".
func rateText(r stats.Rate) string {
	return percent(r.Failures, r.Runs) + ", 95% CI " + strings.TrimSuffix(pct(r.Low), "%") + "–" + pct(r.High)
}

// pct formats a share as percent with the precision percent uses.
func pct(share float64) string {
	return percent(int(math.Round(share*1e6)), 1e6)
}

// CampaignStatus describes an ended campaign under Context/stress, or
// Context/stress: <test> when it ran a single test, so that several
// campaigns on one commit keep separate lines. It says "fixed" only when
// Fisher's exact test finds the drop from the rate on earlier commits
// significant at 5% (stats.CheckFix), and speaks of the commit only when
// the runs ran in a checkout of it ("@ abc1234" is the commit the runners
// reported testing).
func (s Statuses) CampaignStatus(f store.CampaignFacts) store.OutboxStatus {
	c := f.Campaign
	st := store.OutboxStatus{Context: s.cfg.Context + "/stress"}
	if len(f.Tests) == 1 {
		st.Context += ": " + campaign.ShortTestName(f.Tests[0])
	}
	st.Context = clip(st.Context)
	st.TargetURL = s.campaignURL(c.ID)
	ran := fmt.Sprintf("%d/%d failed", c.Failures, c.Runs)
	switch {
	case c.State == campaign.Failed:
		st.State, st.Description = "error", clip(fmt.Sprintf("campaign failed after %d runs: %s", c.Runs, c.Reason))
		return st
	case c.Runs == 0:
		st.State, st.Description = "error", "campaign "+string(c.State)+" before any run"
		return st
	case !c.CheckedOut():
		// The runs happened in whatever the runner had checked out: they
		// say nothing about this commit, so the status claims nothing.
		st.State = "error"
		st.Description = clip(fmt.Sprintf("%s, not at %s: %s is not registered, so runners did not check it out",
			ran, vcs.ShortRevision(c.Revision), c.Repo))
		return st
	case c.TestedRevision != "":
		ran += " @ " + vcs.ShortRevision(c.TestedRevision)
	}
	var verdict string
	switch {
	case f.BeforeRuns == 0:
		verdict = " (no earlier runs to compare)"
		if c.Failures > 0 {
			verdict = " (" + percent(c.Failures, c.Runs) + ")"
		}
	case f.BeforeFailures == 0:
		verdict = fmt.Sprintf(" (none in %d earlier runs)", f.BeforeRuns)
	default:
		fix := stats.CheckFix(f.BeforeFailures, f.BeforeRuns, c.Failures, c.Runs)
		verdict = " (was " + percent(f.BeforeFailures, f.BeforeRuns) + ")"
		switch {
		case fix.Fixed && c.Failures == 0:
			verdict += " — fixed with 95% confidence"
		case fix.Fixed:
			verdict += " — rarer with 95% confidence, not gone"
		case c.Failures == 0:
			verdict += " — too few runs to call it fixed"
		default:
			verdict += " — not fixed"
		}
	}
	st.State = "success"
	if c.Failures > 0 {
		st.State = "failure"
	}
	if c.State == campaign.Cancelled {
		ran = "cancelled: " + ran
	}
	st.Description = clip(ran + verdict)
	return st
}

// revisionURL links a commit's status to its page, or is empty without a
// public URL. The parts are escaped even though uploads only take repos and
// commit ids of URL-safe characters: a link GitHub shows must not be made
// to point elsewhere by what an uploader sent. The "/" of owner/name stays
// as it is, which a query allows, so links stay readable.
func (s Statuses) revisionURL(repo, sha string) string {
	if s.cfg.PublicURL == "" || vcs.CheckRepo(repo) != nil || vcs.CheckRevision(sha) != nil {
		return ""
	}
	q := strings.ReplaceAll(url.QueryEscape(repo), "%2F", "/")
	return s.cfg.PublicURL + "/revisions/" + url.PathEscape(sha) + "?repo=" + q
}

// campaignURL links a campaign's status to its page, or is empty without a
// public URL. The id is a number, the public URL checked configuration.
func (s Statuses) campaignURL(id int64) string {
	if s.cfg.PublicURL == "" {
		return ""
	}
	return s.cfg.PublicURL + "/campaigns/" + strconv.FormatInt(id, 10)
}

// percent formats a rate the way people read one: 12%, 2.1%, 0.043%.
func percent(failures, runs int) string {
	if runs <= 0 {
		return "n/a"
	}
	p := 100 * float64(failures) / float64(runs)
	switch {
	case p == 0 || p >= 10:
		return strconv.FormatFloat(p, 'f', 0, 64) + "%"
	case p >= 0.1:
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(p, 'g', 2, 64) + "%"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// clip cuts s to GitHub's 140 characters, marking the cut.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= maxDescription {
		return s
	}
	return string([]rune(s)[:maxDescription-1]) + "…"
}
