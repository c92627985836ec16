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
	Offline  []Runner   `json:"runners_offline"`
	// Expiring lists quarantines that end within a week, for their
	// owners.
	Expiring []quarantine.Quarantine `json:"quarantines_expiring"`
	Active   []campaign.Campaign     `json:"campaigns_running"`
	Version  string                  `json:"version"`
	Database string                  `json:"-"`
	Uptime   string                  `json:"-"`
}

// TrendRow is a test's recent figures with their intervals.
type TrendRow struct {
	store.TestTrend
	Rate     stats.Rate `json:"rate"`
	Recent   stats.Rate `json:"recent"`
	Baseline stats.Rate `json:"baseline"`
}

// Overview builds the front page.
func (v *Views) Overview(ctx context.Context) (Overview, error) {
	now := v.now().UTC()
	o := Overview{Version: v.Version, Database: v.Database,
		Uptime: time.Since(v.started).Round(time.Second).String(),
		Rising: []TrendRow{}, TopFlaky: []TrendRow{}, Broken: []TrendRow{}, Offline: []Runner{}}
	var err error
	if o.Summary, o.Estimated, err = v.store.OverviewCounts(ctx); err != nil {
		return o, err
	}
	o.Counts = map[string]int64{"results": o.Summary.Results, "tests": o.Summary.Tests, "signatures": o.Summary.Signatures,
		"campaigns": o.Summary.Campaigns, "runners": o.Summary.Runners}
	if o.NewSignatures, err = v.store.NewSignatures(ctx, now.Add(-24*time.Hour), overviewRows); err != nil {
		return o, err
	}
	today := now.Truncate(24 * time.Hour)
	trends, err := v.store.TestTrends(ctx, today, trendDays, recentDays, impactHalf)
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
			if len(o.TopFlaky) < overviewRows {
				o.TopFlaky = append(o.TopFlaky, r)
			}
		case verdict.Broken:
			if len(o.Broken) < overviewRows {
				o.Broken = append(o.Broken, r)
			}
		}
	}
	slices.SortFunc(o.Rising, func(a, b TrendRow) int {
		return cmp.Compare(b.Recent.Rate-b.Baseline.Rate, a.Recent.Rate-a.Baseline.Rate)
	})
	o.Rising = o.Rising[:min(len(o.Rising), overviewRows)]
	runners, err := v.store.Runners(ctx)
	if err != nil {
		return o, err
	}
	for _, rn := range runners {
		if r := newRunner(rn, now); !rn.Disabled && !r.Online {
			o.Offline = append(o.Offline, r)
		}
	}
	if o.Expiring, err = v.expiringQuarantines(ctx); err != nil {
		return o, err
	}
	o.Active, err = v.store.ActiveCampaigns(ctx)
	return o, err
}
