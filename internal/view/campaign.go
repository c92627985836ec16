package view

import (
	"context"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/stats"
	"github.com/triaged/triaged/internal/store"
)

// Campaign is a campaign with its repro rate, interval and per-runner
// figures: GET /api/v1/campaigns/{id}.
type Campaign struct {
	campaign.Campaign
	// Rate is the repro rate with its 95% interval by stats.NewRate's
	// convention; the JSON keeps its flat fields (repro_rate, ci95_low,
	// ci95_high, interval).
	Rate      stats.Rate `json:"-"`
	ReproRate float64    `json:"repro_rate"`
	Low       float64    `json:"ci95_low"`
	High      float64    `json:"ci95_high"`
	Interval  string     `json:"interval"`
	// ZeroFailureUpper repeats High while no run has failed: the exact
	// one-sided 95% upper bound, so "0 failures" always comes with what it
	// means.
	ZeroFailureUpper *float64               `json:"zero_failure_upper,omitempty"`
	Runners          []store.RunnerProgress `json:"runners"`
	// Waiting says why no runner runs the campaign while it is active, e.g.
	// "no runner can take this campaign's labels (labels windows)".
	Waiting string `json:"waiting,omitempty"`
}

func newCampaign(c campaign.Campaign) Campaign {
	rate := stats.NewRate(c.Failures, c.Runs)
	v := Campaign{Campaign: c, Rate: rate, ReproRate: rate.Rate, Low: rate.Low, High: rate.High, Interval: rate.Interval,
		Runners: []store.RunnerProgress{}}
	if rate.ZeroFailures() {
		v.ZeroFailureUpper = &rate.High
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
	if c.State.Active() {
		runners, err := v.Runners(ctx)
		if err != nil {
			return cv, err
		}
		cv.Waiting = waiting(c, runners)
	}
	return cv, nil
}
