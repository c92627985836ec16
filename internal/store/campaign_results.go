package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/campaign"
)

// dropStoredIterations removes from a campaign batch the iterations that
// already have results: a job re-leased after its runner died re-runs them,
// and the campaign must count each iteration once.
func dropStoredIterations(ctx context.Context, tx pgx.Tx, b Batch) (Batch, int, error) {
	var iters []int32
	for _, r := range b.Results {
		if r.Iteration != nil {
			iters = append(iters, *r.Iteration)
		}
	}
	if len(iters) == 0 {
		return b, 0, nil
	}
	rows, err := tx.Query(ctx, `SELECT DISTINCT iteration FROM results WHERE campaign_id = $1 AND iteration = ANY($2)`, *b.CampaignID, iters)
	if err != nil {
		return b, 0, fmt.Errorf("look up stored iterations: %w", err)
	}
	stored := map[int32]bool{}
	var it int32
	if _, err := pgx.ForEachRow(rows, []any{&it}, func() error { stored[it] = true; return nil }); err != nil {
		return b, 0, err
	}
	if len(stored) == 0 {
		return b, 0, nil
	}
	kept := make([]ResultRow, 0, len(b.Results))
	for _, r := range b.Results {
		if r.Iteration == nil || !stored[*r.Iteration] {
			kept = append(kept, r)
		}
	}
	skipped := len(b.Results) - len(kept)
	b.Results = kept
	return b, skipped, nil
}

// countCampaignRuns adds the batch's iterations to its campaign's live
// counters (an iteration is one run, failed if any of its results failed)
// and applies the campaign's stop rule to the new figures in the same
// transaction, so no crash can leave a campaign running past its rule. It
// reports whether the runner should stop: the rule ended the campaign, or
// it had already ended.
func (s *Store) countCampaignRuns(ctx context.Context, tx pgx.Tx, b Batch) (stop bool, err error) {
	failedIter := map[int32]bool{}
	for _, r := range b.Results {
		if r.Iteration == nil {
			continue
		}
		failedIter[*r.Iteration] = failedIter[*r.Iteration] || failed(r.Outcome)
	}
	fails := 0
	for _, f := range failedIter {
		if f {
			fails++
		}
	}
	rows, _ := tx.Query(ctx, `UPDATE campaigns SET runs = runs + $2, failures = failures + $3 WHERE id = $1
		RETURNING `+campaignColumns, *b.CampaignID, len(failedIter), fails)
	c, err := pgx.CollectExactlyOneRow(rows, scanCampaign)
	if err != nil {
		return false, fmt.Errorf("count campaign runs: %w", err)
	}
	if !c.State.Active() {
		return true, nil
	}
	reason, stop := c.StopReason(c.Failures, c.Runs)
	if !stop {
		return false, nil // a count campaign ends when its last job completes
	}
	if _, err := s.finishCampaign(ctx, tx, c.ID, campaign.Done, reason); err != nil {
		return false, fmt.Errorf("stop campaign %d: %w", c.ID, err)
	}
	return true, nil
}
