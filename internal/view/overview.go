package view

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/quarantine"
	"github.com/triaged/triaged/internal/stats"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/verdict"
)

// Overview windows: what changed is the last two days (today and yesterday,
// UTC) against the twelve before; impact halves every three days.
const (
	trendDays    = 14
	recentDays   = 2
	impactHalf   = 3.0
	overviewRows = 15
)

// Overview is the front page: counts, new signatures, tests whose rate
// rose, the most flaky tests, runners offline and campaigns running.
type Overview struct {
	// Filter narrows the lists to a repo, a branch (the default branch
	// unless another is asked for), a builder or an OS; Branch is the one
	// shown ("" for every branch).
	Filter        Filter                 `json:"-"`
	Branch        string                 `json:"branch"`
	Summary       store.Summary          `json:"-"`
	Counts        map[string]int64       `json:"counts"`
	Estimated     bool                   `json:"results_estimated"` // Summary.Results is the planner's estimate
	NewSignatures []store.SignatureBrief `json:"new_signatures"`
	Rising        []TrendRow             `json:"rising"`
	// TopFlaky lists tests with flaky evidence, most impact first; Broken
	// tests that fail every run of their last revisions. A test is in
	// either only by what the classifier said of it.
	TopFlaky []TrendRow `json:"top_flaky"`
	Broken   []TrendRow `json:"broken"`
	// The lists show at most overviewRows each; these count them all, and
	// the page links to the rest.
	RisingTotal   int      `json:"rising_total"`
	TopFlakyTotal int      `json:"top_flaky_total"`
	BrokenTotal   int      `json:"broken_total"`
	Offline       []Runner `json:"runners_offline"`
	// Expiring lists quarantines that end within a week, for their
	// owners.
	Expiring []quarantine.Quarantine `json:"quarantines_expiring"`
	Active   []ActiveCampaign        `json:"campaigns_running"`
	Version  string                  `json:"version"`
	Database string                  `json:"-"`
	Uptime   string                  `json:"-"`
}

// ActiveCampaign is a queued or running campaign, with why it waits when
// no runner can take it.
type ActiveCampaign struct {
	campaign.Campaign
	// Waiting says why no runner runs the campaign, e.g. "no runner can
	// take this campaign's labels (labels windows)"; empty otherwise.
	Waiting string `json:"waiting,omitempty"`
}

// TrendRow is a test's recent figures with their intervals.
type TrendRow struct {
	store.TestTrend
	Rate     stats.Rate `json:"rate"`
	Recent   stats.Rate `json:"recent"`
	Baseline stats.Rate `json:"baseline"`
}

// Overview builds the front page, narrowed by f.
func (v *Views) Overview(ctx context.Context, f Filter) (Overview, error) {
	now := v.now().UTC()
	o := Overview{Filter: f, Branch: f.Branch, Version: v.Version, Database: v.Database,
		Uptime: time.Since(v.started).Round(time.Second).String(),
		Rising: []TrendRow{}, TopFlaky: []TrendRow{}, Broken: []TrendRow{}, Offline: []Runner{}}
	if o.Branch == "" {
		o.Branch = v.DefaultBranch
	}
	if o.Branch == AllBranches {
		o.Branch = ""
	}
	today := now.Truncate(24 * time.Hour)
	sf := store.ListFilter{Repo: f.Repo, Branches: v.branches(o.Branch), Builder: f.Builder, OS: f.OS,
		From: today.AddDate(0, 0, -(trendDays - 1)), To: today, Today: today, HalfLife: impactHalf}
	var err error
	if o.Summary, o.Estimated, err = v.store.OverviewCounts(ctx); err != nil {
		return o, err
	}
	o.Counts = map[string]int64{"results": o.Summary.Results, "tests": o.Summary.Tests, "signatures": o.Summary.Signatures,
		"campaigns": o.Summary.Campaigns, "runners": o.Summary.Runners}
	if o.NewSignatures, err = v.store.NewSignatures(ctx, sf, now.Add(-24*time.Hour), overviewRows); err != nil {
		return o, err
	}
	trends, err := v.store.TestTrends(ctx, sf, today.AddDate(0, 0, -(recentDays-1)))
	if err != nil {
		return o, err
	}
	rows := make([]TrendRow, len(trends))
	for i, t := range trends {
		rows[i] = TrendRow{TestTrend: t, Rate: stats.NewRate(t.Failures, t.Runs),
			Recent: stats.NewRate(t.RecentFails, t.RecentRuns), Baseline: stats.NewRate(t.BaselineFail, t.BaselineRuns)}
		// Rose: the recent rate is above what the baseline allows (its
		// interval's upper end), so noise alone does not flag a test.
		if t.RecentFails > 0 && rows[i].Recent.Rate > rows[i].Baseline.High {
			o.Rising = append(o.Rising, rows[i])
		}
	}
	slices.SortFunc(rows, func(a, b TrendRow) int { return cmp.Compare(b.Impact, a.Impact) })
	for _, r := range rows {
		switch verdict.Class(r.Class) {
		case verdict.Flaky:
			o.TopFlakyTotal++
			if len(o.TopFlaky) < overviewRows {
				o.TopFlaky = append(o.TopFlaky, r)
			}
		case verdict.Broken:
			o.BrokenTotal++
			if len(o.Broken) < overviewRows {
				o.Broken = append(o.Broken, r)
			}
		}
	}
	slices.SortFunc(o.Rising, func(a, b TrendRow) int {
		return cmp.Or(cmp.Compare(b.Recent.Rate-b.Baseline.Rate, a.Recent.Rate-a.Baseline.Rate), cmp.Compare(a.TestID, b.TestID))
	})
	o.RisingTotal = len(o.Rising)
	o.Rising = o.Rising[:min(len(o.Rising), overviewRows)]
	runners, err := v.Runners(ctx)
	if err != nil {
		return o, err
	}
	for _, r := range runners {
		if f.OS != "" && r.OS != f.OS || f.Builder != "" && r.Name != f.Builder {
			continue
		}
		if !r.Disabled && !r.Online {
			o.Offline = append(o.Offline, r)
		}
	}
	if o.Expiring, err = v.expiringQuarantines(ctx); err != nil {
		return o, err
	}
	active, err := v.store.ActiveCampaigns(ctx)
	if err != nil {
		return o, err
	}
	o.Active = make([]ActiveCampaign, len(active))
	for i, c := range active {
		o.Active[i] = ActiveCampaign{Campaign: c, Waiting: waiting(c, runners)}
	}
	return o, nil
}
