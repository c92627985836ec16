package view

import (
	"context"
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
