package store

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ExplainTestPage runs EXPLAIN ANALYZE on the statement of a page of the
// test list and returns the plan.
func (s *Store) ExplainTestPage(ctx context.Context, f ListFilter, sort string, limit int, failing bool) (string, error) {
	sql, a := testPageSQL(f, sort, nil, limit, failing)
	rows, _ := s.pool.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+sql, a...)
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return strings.Join(lines, "\n"), err
}
