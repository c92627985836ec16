package view

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/store"
)

// Runner is a runner as pages and the API show it.
type Runner struct {
	store.Runner
	Online bool `json:"online"`
}

// newRunner says whether rn counts as online at now: runners heartbeat
// every third of a lease, so missing a whole lease means gone.
func newRunner(rn store.Runner, now time.Time) Runner {
	return Runner{Runner: rn, Online: rn.LastSeen != nil && now.Sub(*rn.LastSeen) < campaign.LeaseDuration}
}

// Runners lists every runner.
func (v *Views) Runners(ctx context.Context) ([]Runner, error) {
	rs, err := v.store.Runners(ctx)
	if err != nil {
		return nil, err
	}
	now := v.now()
	out := make([]Runner, len(rs))
	for i, rn := range rs {
		out[i] = newRunner(rn, now)
	}
	return out, nil
}

// runnerByID is one runner.
func (v *Views) runnerByID(ctx context.Context, id int64) (Runner, error) {
	rn, err := v.store.RunnerByID(ctx, id)
	if err != nil {
		return Runner{}, notFound(err)
	}
	return newRunner(rn, v.now()), nil
}

// waiting says why an active campaign has nobody to run it, or "" when
// some enabled runner that is online can take it: the words the overview
// and the campaign page show on a campaign that would otherwise stay
// queued in silence.
func waiting(c campaign.Campaign, runners []Runner) string {
	if !c.State.Active() {
		return ""
	}
	matching := 0
	for _, r := range runners {
		if r.Disabled || !c.RunnableBy(r.Labels) {
			continue
		}
		if r.Online {
			return ""
		}
		matching++
	}
	labels := "no labels"
	if len(c.Labels) > 0 {
		labels = "labels " + strings.Join(c.Labels, ", ")
	}
	if matching == 0 {
		return "no runner can take this campaign's labels (" + labels + ")"
	}
	return fmt.Sprintf("no runner that can take this campaign's labels (%s) is online: %d registered, none seen in the last %v", labels, matching, campaign.LeaseDuration)
}
