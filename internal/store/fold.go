package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// foldLimit bounds the delta rows one fold takes from each table, so a
// backlog after an outage is worked off in bounded transactions.
const foldLimit = 50_000

// The folds add appended deltas into the rollups: each deletes a bounded
// set of delta rows no other folder holds (SKIP LOCKED) and adds them,
// grouped, into the rollup rows in key order, so two folders never wait
// for each other in a cycle. The delete and the add commit together, so a
// reader sees every count exactly once: in a delta, or in a rollup.
const (
	foldRollups = `
		WITH d AS (
			DELETE FROM rollup_deltas WHERE id IN (SELECT id FROM rollup_deltas ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
			RETURNING day, test_id, signature_id, runner_os, branch, runs, failures, skips
		)
		INSERT INTO rollups AS g (day, test_id, signature_id, runner_os, branch, runs, failures, skips)
		SELECT day, test_id, signature_id, runner_os, branch, sum(runs), sum(failures), sum(skips)
		FROM d GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
		ON CONFLICT (day, test_id, signature_id, runner_os, branch) DO UPDATE
		SET runs = g.runs + excluded.runs, failures = g.failures + excluded.failures, skips = g.skips + excluded.skips`

	// foldRevisionRollups folds deltas chosen by $2 (all, or one commit's).
	foldRevisionRollups = `
		WITH d AS (
			DELETE FROM revision_rollup_deltas WHERE id IN (
				SELECT id FROM revision_rollup_deltas WHERE $2::text IS NULL OR (repo, revision) = ($2, $3)
				ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
			RETURNING repo, revision, test_id, runner_os, runs, passes, failures, skips, infra, at
		)
		INSERT INTO revision_rollups AS rr (repo, revision, test_id, runner_os, runs, passes, failures, skips, infra, first_seen, last_seen)
		SELECT repo, revision, test_id, runner_os, sum(runs), sum(passes), sum(failures), sum(skips), sum(infra), min(at), max(at)
		FROM d GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
		ON CONFLICT (repo, revision, test_id, runner_os) DO UPDATE
		SET runs = rr.runs + excluded.runs, passes = rr.passes + excluded.passes, failures = rr.failures + excluded.failures,
		    skips = rr.skips + excluded.skips, infra = rr.infra + excluded.infra,
		    first_seen = least(rr.first_seen, excluded.first_seen), last_seen = greatest(rr.last_seen, excluded.last_seen)`

	foldSignatureRevisions = `
		WITH d AS (
			DELETE FROM signature_revision_deltas WHERE id IN (
				SELECT id FROM signature_revision_deltas WHERE $2::text IS NULL OR (repo, revision) = ($2, $3)
				ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
			RETURNING signature_id, repo, revision, test_id, runner_os, failures, infra, first_seen, last_seen
		)
		INSERT INTO signature_revisions AS sr (signature_id, repo, revision, test_id, runner_os, failures, infra, first_seen, last_seen)
		SELECT signature_id, repo, revision, test_id, runner_os, sum(failures), sum(infra), min(first_seen), max(last_seen)
		FROM d GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
		ON CONFLICT (signature_id, repo, revision, test_id, runner_os) DO UPDATE
		SET failures = sr.failures + excluded.failures, infra = sr.infra + excluded.infra,
		    first_seen = least(sr.first_seen, excluded.first_seen), last_seen = greatest(sr.last_seen, excluded.last_seen)`
)

// FoldRollups adds pending deltas into the rollups and returns how many
// delta rows it folded; zero means none were pending. Every replica may run
// it; each table's rows are taken by one folder at a time.
func (s *Store) FoldRollups(ctx context.Context) (int, error) {
	n := 0
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{foldRollups, []any{foldLimit}},
		{foldRevisionRollups, []any{foldLimit, nil, nil}},
		{foldSignatureRevisions, []any{foldLimit, nil, nil}},
	} {
		err := s.InTx(ctx, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, q.sql, q.args...)
			n += int(tag.RowsAffected())
			return err
		})
		if err != nil {
			return n, fmt.Errorf("fold rollups: %w", err)
		}
	}
	return n, nil
}

// foldCommit folds one commit's pending revision deltas in the caller's
// transaction, so what it reads next about the commit is in the rollups.
func foldCommit(ctx context.Context, tx pgx.Tx, repo, revision string) error {
	for _, q := range []string{foldRevisionRollups, foldSignatureRevisions} {
		if _, err := tx.Exec(ctx, q, foldLimit, repo, revision); err != nil {
			return fmt.Errorf("fold %s@%s: %w", repo, revision, err)
		}
	}
	return nil
}
