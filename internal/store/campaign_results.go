package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
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
// counters: an iteration is one run, failed if any of its results failed.
func countCampaignRuns(ctx context.Context, tx pgx.Tx, b Batch) error {
	failedIter := map[int32]bool{}
	for _, r := range b.Results {
		if r.Iteration == nil {
			continue
		}
		failedIter[*r.Iteration] = failedIter[*r.Iteration] || failed(r.Outcome)
	}
	if len(failedIter) == 0 {
		return nil
	}
	fails := 0
	for _, f := range failedIter {
		if f {
			fails++
		}
	}
	_, err := tx.Exec(ctx, `UPDATE campaigns SET runs = runs + $2, failures = failures + $3 WHERE id = $1`,
		*b.CampaignID, len(failedIter), fails)
	if err != nil {
		return fmt.Errorf("count campaign runs: %w", err)
	}
	return nil
}
