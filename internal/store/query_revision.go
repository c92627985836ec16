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

// RevisionSummary counts results on a commit from the revision rollups. Errors
// are told from failures by an index lookup of the revision's failing results.
func (s *Store) RevisionSummary(ctx context.Context, repo, revision string) (RevisionTotals, error) {
	var t RevisionTotals
	var first, last *time.Time
	err := s.pool.QueryRow(ctx, `
		SELECT coalesce(sum(runs), 0)::int, coalesce(sum(passes), 0)::int, coalesce(sum(failures), 0)::int,
		       count(DISTINCT test_id)::int, min(first_seen), max(last_seen),
		       (SELECT count(*) FROM results WHERE repo = $1 AND revision = $2 AND outcome = 'error')::int
		FROM revision_rollups WHERE repo = $1 AND revision = $2`, repo, revision,
	).Scan(&t.Results, &t.Passed, &t.Failed, &t.Tests, &first, &last, &t.Errors)
	if err != nil {
		return t, fmt.Errorf("revision %s@%s: %w", repo, revision, err)
	}
	if t.Results == 0 {
		return t, fmt.Errorf("revision %s@%s: %w", repo, revision, ErrNotFound)
	}
	t.Failed -= t.Errors
	t.Skipped = t.Results - t.Passed - t.Failed - t.Errors
	t.FirstSeen, t.LastSeen = *first, *last
	return t, nil
}

// RevisionFailures lists the failures on a commit by test, signature and OS.
func (s *Store) RevisionFailures(ctx context.Context, repo, revision string, limit int) ([]RevisionFailure, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT sr.test_id, t.name AS test, sr.runner_os, sr.signature_id, s.title, sr.failures,
		       coalesce(rr.runs, 0) AS runs, coalesce(rr.passes, 0) AS passes,
		       (SELECT count(DISTINCT o.revision) FROM signature_revisions o
		        WHERE o.signature_id = sr.signature_id AND o.repo = sr.repo AND o.revision <> sr.revision)::int AS elsewhere
		FROM signature_revisions sr
		JOIN tests t ON t.id = sr.test_id
		JOIN signatures s ON s.id = sr.signature_id
		LEFT JOIN revision_rollups rr ON rr.repo = sr.repo AND rr.revision = sr.revision
		     AND rr.test_id = sr.test_id AND rr.runner_os = sr.runner_os
		WHERE sr.repo = $1 AND sr.revision = $2
		ORDER BY t.name, sr.runner_os LIMIT $3`, repo, revision, limit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[RevisionFailure])
	if err != nil {
		return nil, fmt.Errorf("revision %s@%s failures: %w", repo, revision, err)
	}
	return out, nil
}
