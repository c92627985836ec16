package store

import (
	"context"
	"fmt"
	"time"
)

// FixFacts are the numbers that judge a test fixed: its last failure, its
// failures and runs in the window up to it, and its runs on revisions
// first seen after it (revision rollups, outside infrastructure batches).
type FixFacts struct {
	LastFailure                time.Time
	BeforeFailures, BeforeRuns int
	AfterRuns                  int
}

// TestFixFacts reads a test's FixFacts over window; without a failure
// kept, LastFailure is zero.
func (s *Store) TestFixFacts(ctx context.Context, testID int64, window time.Duration) (FixFacts, error) {
	var f FixFacts
	var last *time.Time
	if err := s.pool.QueryRow(ctx, `SELECT max(last_seen) FROM revision_rollups WHERE test_id = $1 AND failures > 0`, testID).Scan(&last); err != nil {
		return f, fmt.Errorf("test %d fix facts: %w", testID, err)
	}
	if last == nil {
		return f, nil
	}
	f.LastFailure = *last
	err := s.pool.QueryRow(ctx, `
		SELECT coalesce(sum(failures) FILTER (WHERE last_seen <= $2), 0)::int,
		       coalesce(sum(runs) FILTER (WHERE last_seen <= $2), 0)::int,
		       coalesce(sum(runs) FILTER (WHERE first_seen > $2), 0)::int
		FROM revision_rollups WHERE test_id = $1 AND last_seen >= $3`, testID, f.LastFailure, f.LastFailure.Add(-window)).
		Scan(&f.BeforeFailures, &f.BeforeRuns, &f.AfterRuns)
	if err != nil {
		return f, fmt.Errorf("test %d fix facts: %w", testID, err)
	}
	return f, nil
}
