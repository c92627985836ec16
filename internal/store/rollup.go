package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// tally is how results count in the rollups, the one rule for every writer
// (ingest, the seeder): a skip is never a run; in the daily rollups every
// result that ran is a run; in the revision rollups, the classifier's facts,
// results of infrastructure batches are counted apart and are not runs.
type tally struct {
	runs, passes, failures, skips, infra int32
}

// add counts one result of outcome, from an infrastructure batch or not,
// as the revision rollups count it.
func (t *tally) add(outcome string, infra bool) {
	switch {
	case outcome == "skip":
		t.skips++
	case infra:
		t.infra++
	case outcome == "pass":
		t.runs++
		t.passes++
	case failed(outcome):
		t.runs++
		t.failures++
	}
}

type rollupKey struct {
	test, sig int64
}

// addRollups appends the batch's daily counts on its branch, for the
// folder to add into the rollups: no row every uploader shares is locked
// here.
func addRollups(ctx context.Context, tx pgx.Tx, b Batch, testIDs, sigIDs map[string]int64) error {
	counts := map[rollupKey][3]int32{} // runs, failures, skips
	for _, r := range b.Results {
		k := rollupKey{test: testIDs[r.Test]}
		if r.Signature != nil {
			k.sig = sigIDs[r.Signature.Hash]
		}
		c := counts[k]
		switch {
		case r.Outcome == "skip":
			c[2]++
		case failed(r.Outcome):
			c[0]++
			c[1]++
		default:
			c[0]++
		}
		counts[k] = c
	}
	keys := make([]rollupKey, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b rollupKey) int { return cmp.Or(cmp.Compare(a.test, b.test), cmp.Compare(a.sig, b.sig)) })
	n := len(keys)
	tests, sigs, runs, fails, skips := make([]int64, n), make([]int64, n), make([]int32, n), make([]int32, n), make([]int32, n)
	for i, k := range keys {
		tests[i], sigs[i], runs[i], fails[i], skips[i] = k.test, k.sig, counts[k][0], counts[k][1], counts[k][2]
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO rollup_deltas (day, test_id, signature_id, runner_os, branch, runs, failures, skips)
		SELECT (now() AT TIME ZONE 'UTC')::date, t, s, $1, $7, r, f, k
		FROM unnest($2::bigint[], $3::bigint[], $4::int[], $5::int[], $6::int[]) AS u(t, s, r, f, k)`,
		b.RunnerOS, tests, sigs, runs, fails, skips, b.Branch)
	if err != nil {
		return fmt.Errorf("update rollups: %w", err)
	}
	return nil
}

// addRevisionRollups appends the batch's counts per test on its commit, for
// the folder; the classifier reads them at once with the rollups.
func addRevisionRollups(ctx context.Context, tx pgx.Tx, b Batch, testIDs map[string]int64) error {
	counts := map[int64]*tally{}
	for _, r := range b.Results {
		id := testIDs[r.Test]
		t := counts[id]
		if t == nil {
			t = &tally{}
			counts[id] = t
		}
		t.add(r.Outcome, b.Infra)
	}
	ids := make([]int64, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	n := len(ids)
	runs, passes, fails, skips, infra := make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n)
	for i, id := range ids {
		c := counts[id]
		runs[i], passes[i], fails[i], skips[i], infra[i] = c.runs, c.passes, c.failures, c.skips, c.infra
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO revision_rollup_deltas (repo, revision, test_id, runner_os, runs, passes, failures, skips, infra)
		SELECT $1, $2, t, $3, r, p, f, k, i FROM unnest($4::bigint[], $5::int[], $6::int[], $7::int[], $8::int[], $9::int[]) AS u(t, r, p, f, k, i)`,
		b.Repo, b.Revision, b.RunnerOS, ids, runs, passes, fails, skips, infra)
	if err != nil {
		return fmt.Errorf("update revision rollups: %w", err)
	}
	return nil
}
