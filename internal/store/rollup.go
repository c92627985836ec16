package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

type rollupKey struct {
	test, sig int64
}

// addRollups adds the batch to the daily counts. Keys are sorted so that
// concurrent batches touching the same rows lock them in the same order and
// cannot deadlock.
func addRollups(ctx context.Context, tx pgx.Tx, b Batch, testIDs, sigIDs map[string]int64) error {
	counts := map[rollupKey][2]int32{}
	for _, r := range b.Results {
		k := rollupKey{test: testIDs[r.Test]}
		if r.Signature != nil {
			k.sig = sigIDs[r.Signature.Hash]
		}
		c := counts[k]
		c[0]++
		if failed(r.Outcome) {
			c[1]++
		}
		counts[k] = c
	}
	keys := make([]rollupKey, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b rollupKey) int { return cmp.Or(cmp.Compare(a.test, b.test), cmp.Compare(a.sig, b.sig)) })
	tests, sigs, runs, fails := make([]int64, len(keys)), make([]int64, len(keys)), make([]int32, len(keys)), make([]int32, len(keys))
	for i, k := range keys {
		tests[i], sigs[i], runs[i], fails[i] = k.test, k.sig, counts[k][0], counts[k][1]
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO rollups (day, test_id, signature_id, runner_os, runs, failures)
		SELECT (now() AT TIME ZONE 'UTC')::date, t, s, $1, r, f
		FROM unnest($2::bigint[], $3::bigint[], $4::int[], $5::int[]) AS u(t, s, r, f)
		ON CONFLICT (day, test_id, signature_id, runner_os)
		DO UPDATE SET runs = rollups.runs + excluded.runs, failures = rollups.failures + excluded.failures`,
		b.RunnerOS, tests, sigs, runs, fails)
	if err != nil {
		return fmt.Errorf("update rollups: %w", err)
	}
	return nil
}

// addRevisionRollups adds the batch to the per-revision counts and reads
// back each test's totals there, which classification needs.
func addRevisionRollups(ctx context.Context, tx pgx.Tx, b Batch, testIDs map[string]int64, st *Stored) error {
	type agg struct{ runs, passes, fails int32 }
	counts := map[string]*agg{}
	for _, r := range b.Results {
		a := counts[r.Test]
		if a == nil {
			a = &agg{}
			counts[r.Test] = a
		}
		a.runs++
		switch {
		case r.Outcome == "pass":
			a.passes++
		case failed(r.Outcome):
			a.fails++
		}
	}
	names := make([]string, 0, len(counts))
	for n := range counts {
		names = append(names, n)
	}
	slices.SortFunc(names, func(x, y string) int { return cmp.Compare(testIDs[x], testIDs[y]) })
	ids, runs, passes, fails := make([]int64, len(names)), make([]int32, len(names)), make([]int32, len(names)), make([]int32, len(names))
	for i, n := range names {
		ids[i], runs[i], passes[i], fails[i] = testIDs[n], counts[n].runs, counts[n].passes, counts[n].fails
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO revision_rollups AS rr (repo, revision, test_id, runner_os, runs, passes, failures)
		SELECT $1, $2, t, $3, r, p, f FROM unnest($4::bigint[], $5::int[], $6::int[], $7::int[]) AS u(t, r, p, f)
		ON CONFLICT (repo, revision, test_id, runner_os) DO UPDATE
		SET runs = rr.runs + excluded.runs, passes = rr.passes + excluded.passes,
		    failures = rr.failures + excluded.failures, last_seen = now()
		RETURNING test_id, runs, passes, failures`,
		b.Repo, b.Revision, b.RunnerOS, ids, runs, passes, fails)
	if err != nil {
		return fmt.Errorf("update revision rollups: %w", err)
	}
	byID := make(map[int64]string, len(names))
	for _, n := range names {
		byID[testIDs[n]] = n
	}
	var id int64
	var c RevisionCounts
	_, err = pgx.ForEachRow(rows, []any{&id, &c.Runs, &c.Passes, &c.Failures}, func() error {
		st.Revision[byID[id]] = c
		return nil
	})
	return err
}
