package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/store"
)

// TestSeedIsConsistent checks that a seeded dataset's rollups say what its
// results say, as ingest would have kept them.
func TestSeedIsConsistent(t *testing.T) {
	t.Parallel()
	st := pgtest.NewStore(t)
	ctx := context.Background()
	o := store.SeedOptions{Repo: "python/cpython", Results: 40_000, Tests: 200, Signatures: 50, Runners: 12, Days: 30, Seed: 1, Now: time.Now()}
	got, err := st.Seed(ctx, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Results < o.Results*9/10 || got.Results > o.Results*11/10 || got.Failures == 0 {
		t.Errorf("seeded %+v, want about %d results with some failures", got, o.Results)
	}
	var checks struct{ results, rollups, revRollups, failing, sigRevs, newSigs, tests, runners int64 }
	err = st.Pool().QueryRow(ctx, `SELECT
		(SELECT count(*) FROM results),
		(SELECT sum(runs) FROM rollups),
		(SELECT sum(runs) FROM revision_rollups),
		(SELECT count(*) FROM results WHERE signature_id IS NOT NULL),
		(SELECT sum(failures) FROM signature_revisions),
		(SELECT count(*) FROM signatures WHERE first_seen > now() - interval '1 day'),
		(SELECT count(*) FROM tests),
		(SELECT count(*) FROM runners)`).Scan(&checks.results, &checks.rollups, &checks.revRollups,
		&checks.failing, &checks.sigRevs, &checks.newSigs, &checks.tests, &checks.runners)
	if err != nil {
		t.Fatal(err)
	}
	if checks.results != int64(got.Results) || checks.rollups != checks.results || checks.revRollups != checks.results {
		t.Errorf("results %d, rollups %d, revision rollups %d: want all %d", checks.results, checks.rollups, checks.revRollups, got.Results)
	}
	if checks.failing != int64(got.Failures) || checks.sigRevs != checks.failing {
		t.Errorf("failing results %d, signature_revisions %d: want both %d", checks.failing, checks.sigRevs, got.Failures)
	}
	if checks.tests != 201 || checks.runners != 12 || checks.newSigs == 0 {
		t.Errorf("tests %d, runners %d, new signatures %d", checks.tests, checks.runners, checks.newSigs)
	}
	var bad int64
	if err := st.Pool().QueryRow(ctx, `SELECT count(*) FROM (
		SELECT test_id, runner_os, sum(failures) f FROM rollups GROUP BY 1, 2
		EXCEPT SELECT test_id, runner_os, count(*) FILTER (WHERE outcome IN ('fail', 'error')) FROM results GROUP BY 1, 2) d`).Scan(&bad); err != nil || bad != 0 {
		t.Errorf("%d test × OS failure counts differ between rollups and results (%v)", bad, err)
	}
}
