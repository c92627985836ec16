package web

import (
	"cmp"
	"net/http"
	"slices"
	"time"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/stats"
	"github.com/triaged/triaged/internal/store"
)

// Overview windows: what changed is the last two days (today and yesterday,
// UTC) against the twelve before; impact halves every three days.
const (
	trendDays    = 14
	recentDays   = 2
	impactHalf   = 3.0
	overviewRows = 15
	listCap      = 8 // runners listed before "and N more"
)

type overviewView struct {
	Summary       store.Summary          `json:"-"`
	Counts        map[string]int64       `json:"counts"`
	Estimated     bool                   `json:"results_estimated"` // Summary.Results is the planner's estimate
	NewSignatures []store.SignatureBrief `json:"new_signatures"`
	Rising        []trendRow             `json:"rising"`
	TopFlaky      []trendRow             `json:"top_flaky"`
	Offline       []ingest.RunnerView    `json:"runners_offline"`
	Active        []store.Campaign       `json:"campaigns_running"`
	Version       string                 `json:"version"`
	Database      string                 `json:"-"`
	Uptime        string                 `json:"-"`
}

// trendRow is a test's recent figures with their intervals.
type trendRow struct {
	store.TestTrend
	Rate     stats.Rate `json:"rate"`
	Recent   stats.Rate `json:"recent"`
	Baseline stats.Rate `json:"baseline"`
}

// Home renders the overview page (GET /).
func (p *Pages) Home(w http.ResponseWriter, r *http.Request) {
	v, err := p.overview(r)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, homePage(v))
}

// OverviewJSON serves the overview's data (GET /api/v1/overview).
func (p *Pages) OverviewJSON(w http.ResponseWriter, r *http.Request) {
	v, err := p.overview(r)
	if err != nil {
		jsonapi.Error(w, r, p.cfg.Log, http.StatusInternalServerError, "", err)
		return
	}
	jsonapi.Write(w, http.StatusOK, v)
}

func (p *Pages) overview(r *http.Request) (overviewView, error) {
	ctx := r.Context()
	now := time.Now().UTC()
	v := overviewView{Version: p.cfg.Version, Database: p.cfg.Database,
		Uptime: time.Since(p.started).Round(time.Second).String(),
		Rising: []trendRow{}, TopFlaky: []trendRow{}, Offline: []ingest.RunnerView{}}
	var err error
	if v.Summary, v.Estimated, err = p.store.OverviewCounts(ctx); err != nil {
		return v, err
	}
	v.Counts = map[string]int64{"results": v.Summary.Results, "tests": v.Summary.Tests, "signatures": v.Summary.Signatures,
		"campaigns": v.Summary.Campaigns, "runners": v.Summary.Runners}
	if v.NewSignatures, err = p.store.NewSignatures(ctx, now.Add(-24*time.Hour), overviewRows); err != nil {
		return v, err
	}
	today := now.Truncate(24 * time.Hour)
	trends, err := p.store.TestTrends(ctx, today, trendDays, recentDays, impactHalf)
	if err != nil {
		return v, err
	}
	rows := make([]trendRow, len(trends))
	for i, t := range trends {
		rows[i] = trendRow{TestTrend: t, Rate: stats.NewRate(t.Failures, t.Runs),
			Recent: stats.NewRate(t.RecentFails, t.RecentRuns), Baseline: stats.NewRate(t.BaselineFail, t.BaselineRuns)}
		// Rose: the recent rate is above what the baseline allows (its
		// interval's upper end), so noise alone does not flag a test.
		if t.RecentFails > 0 && rows[i].Recent.Rate > rows[i].Baseline.High {
			v.Rising = append(v.Rising, rows[i])
		}
	}
	slices.SortFunc(rows, func(a, b trendRow) int { return cmp.Compare(b.Impact, a.Impact) })
	v.TopFlaky = rows[:min(len(rows), overviewRows)]
	slices.SortFunc(v.Rising, func(a, b trendRow) int {
		return cmp.Compare(b.Recent.Rate-b.Baseline.Rate, a.Recent.Rate-a.Baseline.Rate)
	})
	v.Rising = v.Rising[:min(len(v.Rising), overviewRows)]
	runners, err := p.store.Runners(ctx)
	if err != nil {
		return v, err
	}
	for _, rn := range runners {
		if !rn.Disabled && !ingest.Online(rn.LastSeen, now) {
			v.Offline = append(v.Offline, ingest.RunnerView{Runner: rn})
		}
	}
	v.Active, err = p.store.ActiveCampaigns(ctx)
	return v, err
}
