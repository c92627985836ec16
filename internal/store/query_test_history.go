package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Test is a test as stored.
type Test struct {
	ID        int64     `json:"id" db:"id"`
	Repo      string    `json:"repo" db:"repo"`
	Name      string    `json:"name" db:"name"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
}

// RevisionCell is a test's counts on one revision and runner OS.
type RevisionCell struct {
	Repo      string    `json:"repo" db:"repo"`
	Revision  string    `json:"revision" db:"revision"`
	RunnerOS  string    `json:"runner_os" db:"runner_os"`
	Runs      int       `json:"runs" db:"runs"`
	Passes    int       `json:"passes" db:"passes"`
	Failures  int       `json:"failures" db:"failures"`
	FirstSeen time.Time `json:"first_seen" db:"first_seen"`
	LastSeen  time.Time `json:"last_seen" db:"last_seen"`
}

// TestByID returns one test.
func (s *Store) TestByID(ctx context.Context, id int64) (Test, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, repo, name, created_at FROM tests WHERE id = $1`, id)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Test])
	if err != nil {
		return Test{}, fmt.Errorf("test %d: %w", id, translate(err))
	}
	return t, nil
}

// TestHistory returns the test's counts on its latest revisions (at most
// limit revision × OS cells), newest first.
func (s *Store) TestHistory(ctx context.Context, id int64, limit int) ([]RevisionCell, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT repo, revision, runner_os, runs, passes, failures, first_seen, last_seen
		FROM revision_rollups WHERE test_id = $1 ORDER BY last_seen DESC LIMIT $2`, id, limit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[RevisionCell])
	if err != nil {
		return nil, fmt.Errorf("test %d history: %w", id, err)
	}
	return out, nil
}

// TestSignatures counts the test's failures per signature.
func (s *Store) TestSignatures(ctx context.Context, id int64) ([]Count, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT g.signature_id AS id, coalesce(s.title, '(no failure text)') AS key, string_agg(DISTINCT g.runner_os, ', ') AS extra,
		       0 AS runs, sum(g.failures)::int AS failures, coalesce(s.last_seen, max(g.day)::timestamptz) AS seen
		FROM rollups g LEFT JOIN signatures s ON s.id = g.signature_id
		WHERE g.test_id = $1 AND g.failures > 0
		GROUP BY g.signature_id, s.title, s.last_seen ORDER BY 5 DESC`, id)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Count])
	if err != nil {
		return nil, fmt.Errorf("test %d signatures: %w", id, err)
	}
	return out, nil
}

// TestTotals returns the test's runs and failures since from, per runner OS.
func (s *Store) TestTotals(ctx context.Context, id int64, from time.Time) ([]Count, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT 0::bigint AS id, runner_os AS key, '' AS extra, sum(runs)::int AS runs, sum(failures)::int AS failures, max(day)::timestamptz AS seen
		FROM rollups WHERE test_id = $1 AND day >= $2 GROUP BY runner_os ORDER BY runner_os`, id, from)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Count])
	if err != nil {
		return nil, fmt.Errorf("test %d totals: %w", id, err)
	}
	return out, nil
}
