package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// RevisionTotals counts what ran on one commit.
type RevisionTotals struct {
	Results   int       `json:"results" db:"results"`
	Passed    int       `json:"passed" db:"passed"`
	Failed    int       `json:"failed" db:"failed"`
	Errors    int       `json:"errors" db:"errors"`
	Skipped   int       `json:"skipped" db:"skipped"`
	Tests     int       `json:"tests" db:"tests"`
	FirstSeen time.Time `json:"first_seen" db:"first_seen"`
	LastSeen  time.Time `json:"last_seen" db:"last_seen"`
}

// RevisionFailure is one failing test × signature × OS on a revision, with
// what tells a new failure from a known flake.
type RevisionFailure struct {
	TestID      int64  `json:"test_id" db:"test_id"`
	Test        string `json:"test" db:"test"`
	RunnerOS    string `json:"runner_os" db:"runner_os"`
	SignatureID int64  `json:"signature_id" db:"signature_id"`
	Title       string `json:"title" db:"title"`
	Failures    int    `json:"failures" db:"failures"`
	// Runs and Passes of the test on this revision and OS: a pass next to a
	// failure makes it flaky here.
	Runs   int `json:"runs" db:"runs"`
	Passes int `json:"passes" db:"passes"`
	// Elsewhere counts the other revisions of the repo where the signature
	// appeared: non-zero makes it a known failure.
	Elsewhere int `json:"elsewhere" db:"elsewhere"`
}

// RevisionSummary counts results on a commit from the revision rollups and
// the deltas not yet folded into them, so the commit's page agrees with
// its status from the first moment.
// Failures are told from errors, and failures in infrastructure batches
// counted, by an index lookup of the commit's failing results outside
// campaigns (a campaign's errors count as failures here).
func (s *Store) RevisionSummary(ctx context.Context, repo, revision string) (RevisionTotals, error) {
	var t RevisionTotals
	var first, last *time.Time
	var failures, infraFailing int
	err := s.pool.QueryRow(ctx, `
		SELECT coalesce(sum(runs + skips + infra), 0)::int, coalesce(sum(skips), 0)::int, coalesce(sum(failures), 0)::int,
		       count(DISTINCT test_id)::int, min(first_seen), max(last_seen),
		       (SELECT count(*) FROM results WHERE repo = $1 AND revision = $2 AND outcome = 'error' AND campaign_id IS NULL)::int,
		       (SELECT count(*) FROM results WHERE repo = $1 AND revision = $2 AND outcome IN ('fail', 'error') AND campaign_id IS NULL AND infra)::int
		FROM (SELECT test_id, runs, skips, infra, failures, first_seen, last_seen FROM revision_rollups WHERE repo = $1 AND revision = $2
		      UNION ALL
		      SELECT test_id, runs, skips, infra, failures, at, at FROM revision_rollup_deltas WHERE repo = $1 AND revision = $2) rr`, repo, revision,
	).Scan(&t.Results, &t.Skipped, &failures, &t.Tests, &first, &last, &t.Errors, &infraFailing)
	if err != nil {
		return t, fmt.Errorf("revision %s@%s: %w", repo, revision, err)
	}
	if t.Results == 0 {
		return t, fmt.Errorf("revision %s@%s: %w", repo, revision, ErrNotFound)
	}
	t.Failed = failures + infraFailing - t.Errors
	t.Passed = t.Results - t.Skipped - t.Failed - t.Errors
	t.FirstSeen, t.LastSeen = *first, *last
	return t, nil
}

// SignatureTitles returns the titles of signatures by id.
func (s *Store) SignatureTitles(ctx context.Context, ids []int64) (map[int64]string, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, title FROM signatures WHERE id = ANY($1)`, ids)
	out := map[int64]string{}
	var id int64
	var title string
	_, err := pgx.ForEachRow(rows, []any{&id, &title}, func() error { out[id] = title; return nil })
	if err != nil {
		return nil, fmt.Errorf("signature titles: %w", err)
	}
	return out, nil
}
