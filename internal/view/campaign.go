package view

import (
	"context"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/stats"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/stress"
)

// campaignFindings bounds the failing iterations read for one view.
const campaignFindings = 500

// Campaign is a campaign with its repro rate, interval and per-runner
// figures: GET /api/v1/campaigns/{id}.
type Campaign struct {
	campaign.Campaign
	ReproRate float64 `json:"repro_rate"`
	Low       float64 `json:"ci95_low"`
	High      float64 `json:"ci95_high"`
	// ZeroFailureUpper is the exact one-sided 95% upper bound on the rate
	// while no run has failed, so "0 failures" always comes with what it
	// means.
	ZeroFailureUpper *float64               `json:"zero_failure_upper,omitempty"`
	Runners          []store.RunnerProgress `json:"runners"`
}

// Finding is a failing iteration of a campaign with what the data-loss
// detector found in it.
type Finding struct {
	store.FailedIteration
	// Report is the detector JSON parsed as the stress scenario wrote it;
	// nil when the result carries none (an exec campaign) or one that is
	// not a scenario outcome. The JSON keeps the raw "detector".
	Report *stress.Outcome `json:"-"`
}

// CampaignFindings is a campaign's failing iterations, newest first.
type CampaignFindings struct {
	ID       int64     `json:"id"`
	Findings []Finding `json:"findings"`
}

func newCampaign(c campaign.Campaign) Campaign {
	rate := stats.NewRate(c.Failures, c.Runs)
	v := Campaign{Campaign: c, ReproRate: rate.Rate, Low: rate.Low, High: rate.High, Runners: []store.RunnerProgress{}}
	if c.Failures == 0 && c.Runs > 0 {
		u := stats.ZeroFailureUpper(c.Runs)
		v.ZeroFailureUpper = &u
	}
	return v
}

// campaign builds the view of campaign id.
func (v *Views) campaign(ctx context.Context, id int64) (Campaign, error) {
	c, err := v.store.CampaignByID(ctx, id)
	if err != nil {
		return Campaign{}, notFound(err)
	}
	cv := newCampaign(c)
	rs, err := v.store.CampaignRunners(ctx, id)
	if err != nil {
		return cv, err
	}
	cv.Runners = append(cv.Runners, rs...)
	return cv, nil
}

// findingsOf reads campaign id's failing iterations with the
// detector's report of each, parsed with the type stress writes it as.
func (v *Views) findingsOf(ctx context.Context, id int64) (CampaignFindings, error) {
	if _, err := v.store.CampaignByID(ctx, id); err != nil {
		return CampaignFindings{}, notFound(err)
	}
	failed, err := v.store.CampaignFailures(ctx, id, campaignFindings)
	if err != nil {
		return CampaignFindings{}, err
	}
	out := CampaignFindings{ID: id, Findings: make([]Finding, len(failed))}
	for i, f := range failed {
		out.Findings[i] = Finding{FailedIteration: f}
		if o, err := stress.ParseOutcome(f.Detector); err == nil {
			out.Findings[i].Report = o
		}
	}
	return out, nil
}
