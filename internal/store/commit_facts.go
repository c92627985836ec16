package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/campaign"
)

// Failure classes of a failing test on a commit, as a status reports them.
const (
	FailureNew   = "new"   // a failure ingest would call new
	FailureKnown = "known" // flaky here, or a signature first seen on another commit
	FailureInfra = "infra" // every failure of the test came in a batch that mostly failed
)

// CommitFacts is what a commit status is computed from.
type CommitFacts struct {
	Repo, Revision string
	// Tests counts the distinct tests with results on the commit.
	Tests int
	// Failing lists the failing tests: new ones first, then known, then
	// infra; within a class, most failures first.
	Failing []FailingTest
	// ActiveCampaigns counts queued or running campaigns on the commit.
	ActiveCampaigns int
}

// FailingTest is a test that failed on a commit, with its repro rate over
// all stored runs.
type FailingTest struct {
	Name     string
	Class    string // FailureNew, FailureKnown or FailureInfra
	Failures int    // failing results on this commit
	// HistoryRuns and HistoryFailures count every stored run of the test.
	HistoryRuns, HistoryFailures int
}

// CommitStatusFacts returns the facts of a commit's status as of now, for
// pages that show what the status would say.
func (s *Store) CommitStatusFacts(ctx context.Context, repo, revision string) (CommitFacts, error) {
	var f CommitFacts
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) (err error) {
		f, err = commitFacts(ctx, tx, repo, revision)
		return err
	})
	return f, err
}

// commitFacts classifies the failing results of a commit the way ingest
// classifies them (ingest.classify): infra when the upload batch was judged
// an infrastructure failure (its stored answer says so), known when the test
// both passed and failed here on the same runner OS or when the signature was
// first seen on another commit, new otherwise. A test counts once, under the
// worst class of its failures. Campaign results are stress runs, reported by
// the campaign's own status, so only their passes count (through the
// rollups, making a failure flaky).
func commitFacts(ctx context.Context, tx pgx.Tx, repo, revision string) (CommitFacts, error) {
	f := CommitFacts{Repo: repo, Revision: revision}
	err := tx.QueryRow(ctx, `
		SELECT (SELECT count(DISTINCT test_id) FROM revision_rollups WHERE repo = $1 AND revision = $2)::int,
		       (SELECT count(*) FROM campaigns WHERE repo = $1 AND revision = $2 AND state IN ('queued', 'running'))::int`,
		repo, revision).Scan(&f.Tests, &f.ActiveCampaigns)
	if err != nil {
		return f, fmt.Errorf("commit %s@%s: %w", repo, revision, err)
	}
	rows, _ := tx.Query(ctx, `
		WITH classed AS (
			SELECT r.test_id, CASE
				WHEN coalesce((b.response->>'infra')::boolean, false) THEN 'infra'
				WHEN rr.passes > 0 AND rr.failures > 0 THEN 'known'
				WHEN (s.first_repo, s.first_revision) <> ($1, $2) THEN 'known'
				ELSE 'new' END AS class
			FROM results r
			LEFT JOIN upload_batches b ON b.id = r.batch_id
			LEFT JOIN signatures s ON s.id = r.signature_id
			LEFT JOIN revision_rollups rr ON rr.repo = r.repo AND rr.revision = r.revision
			     AND rr.test_id = r.test_id AND rr.runner_os = r.runner_os
			WHERE r.repo = $1 AND r.revision = $2 AND r.outcome IN ('fail', 'error') AND r.campaign_id IS NULL
		), per_test AS (
			SELECT test_id, CASE
				WHEN bool_or(class = 'new') THEN 'new'
				WHEN bool_or(class = 'known') THEN 'known'
				ELSE 'infra' END AS class, count(*)::int AS failures
			FROM classed GROUP BY test_id
		)
		SELECT t.name, p.class, p.failures, coalesce(h.runs, 0)::int, coalesce(h.failures, 0)::int
		FROM per_test p JOIN tests t ON t.id = p.test_id
		LEFT JOIN LATERAL (SELECT sum(runs) AS runs, sum(failures) AS failures FROM rollups WHERE test_id = p.test_id) h ON true
		ORDER BY array_position(ARRAY['new', 'known', 'infra'], p.class), p.failures DESC, t.name`, repo, revision)
	f.Failing, err = pgx.CollectRows(rows, pgx.RowToStructByPos[FailingTest])
	if err != nil {
		return f, fmt.Errorf("commit %s@%s failures: %w", repo, revision, err)
	}
	return f, nil
}

// CampaignFacts is what a campaign's status is computed from.
type CampaignFacts struct {
	Campaign campaign.Campaign
	// Tests are the distinct tests the campaign ran.
	Tests []string
	// BeforeRuns and BeforeFailures count the same tests in the same repo on
	// other commits, from before the campaign was created: the rate a fix is
	// measured against.
	BeforeRuns, BeforeFailures int
}

func campaignFacts(ctx context.Context, tx pgx.Tx, id int64) (CampaignFacts, error) {
	var f CampaignFacts
	rows, _ := tx.Query(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE id = $1`, id)
	c, err := pgx.CollectExactlyOneRow(rows, scanCampaign)
	if err != nil {
		return f, fmt.Errorf("campaign %d: %w", id, err)
	}
	f.Campaign = c
	if c.Repo == "" || c.Revision == "" {
		return f, nil
	}
	var testIDs []int64
	rows, _ = tx.Query(ctx, `
		SELECT t.id, t.name FROM tests t
		WHERE t.id IN (SELECT DISTINCT test_id FROM results WHERE campaign_id = $1) ORDER BY t.name`, id)
	var tid int64
	var name string
	_, err = pgx.ForEachRow(rows, []any{&tid, &name}, func() error {
		testIDs = append(testIDs, tid)
		f.Tests = append(f.Tests, name)
		return nil
	})
	if err != nil {
		return f, fmt.Errorf("campaign %d tests: %w", id, err)
	}
	err = tx.QueryRow(ctx, `
		SELECT coalesce(sum(runs), 0)::int, coalesce(sum(failures), 0)::int FROM revision_rollups
		WHERE repo = $1 AND revision <> $2 AND test_id = ANY($3) AND first_seen < $4`,
		c.Repo, c.Revision, testIDs, c.CreatedAt).Scan(&f.BeforeRuns, &f.BeforeFailures)
	if err != nil {
		return f, fmt.Errorf("campaign %d baseline: %w", id, err)
	}
	return f, nil
}
