package store

import (
	"context"
	"fmt"
)

// Summary counts what the database holds, for the front page and /readyz.
type Summary struct {
	Runners    int64
	Campaigns  int64
	Tests      int64
	Results    int64
	Signatures int64
}

// Summarize counts rows in the main tables. Results are counted from the
// rollups, which hold every stored result once, so the cost does not grow with
// the results table.
func (s *Store) Summarize(ctx context.Context) (Summary, error) {
	var sum Summary
	err := s.pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM runners),
		       (SELECT count(*) FROM campaigns),
		       (SELECT count(*) FROM tests),
		       (SELECT coalesce(sum(runs), 0) FROM rollups),
		       (SELECT count(*) FROM signatures WHERE superseded_by IS NULL)`,
	).Scan(&sum.Runners, &sum.Campaigns, &sum.Tests, &sum.Results, &sum.Signatures)
	if err != nil {
		return Summary{}, fmt.Errorf("summarize: %w", translate(err))
	}
	return sum, nil
}
