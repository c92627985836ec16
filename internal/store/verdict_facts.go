package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/triaged/triaged/internal/verdict"
)

// historyRevisions bounds the revisions read per test, and apart from them
// the revisions where it both passed and failed: enough for any failing
// streak a person needs dated ("failing since" the 50th revision back is
// "at least that long"), and for the signatures of its recent flakes. A
// test flaky on thousands of revisions costs an upload no more than one
// flaky on fifty. The price: a signature seen flaky only before its 50
// newest flaky revisions is no longer in its flaky history, so a failure
// with it is new (and fails the status) rather than known — a failure mode
// that rare is worth a look.
const historyRevisions = 50

// querier is what reads run on: a transaction or the pool.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// execQuerier is a querier that writes too.
type execQuerier interface {
	querier
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// histories reads the history of each test in repo on runner OS os since
// since, as verdict.Classify needs it: its latest revisions (and its latest
// in the window where it both passed and failed), the signatures
// of its failures on those, and an admin's marks. Each test is a few index
// probes; the rollups are read with the deltas not yet folded into them
// (this transaction's own, and other uploads' still pending).
func histories(ctx context.Context, q querier, repo, os string, testIDs []int64, since time.Time) (map[int64]verdict.History, error) {
	out := make(map[int64]verdict.History, len(testIDs))
	if len(testIDs) == 0 {
		return out, nil
	}
	for _, id := range testIDs {
		out[id] = verdict.History{FlakySignatures: map[int64]bool{}}
	}
	rows, _ := q.Query(ctx, `
		SELECT t.id, c.revision, max(c.seen) AS seen, sum(c.runs)::int, sum(c.passes)::int, sum(c.failures)::int
		FROM unnest($3::bigint[]) AS t(id), LATERAL (
			(SELECT revision, last_seen AS seen, runs, passes, failures FROM revision_rollups
			 WHERE test_id = t.id AND runner_os = $2 AND repo = $1 AND last_seen >= $4
			 ORDER BY last_seen DESC LIMIT $5)
			UNION
			(SELECT revision, last_seen, runs, passes, failures FROM revision_rollups
			 WHERE test_id = t.id AND passes > 0 AND failures > 0 AND runner_os = $2 AND repo = $1 AND last_seen >= $4
			 ORDER BY last_seen DESC LIMIT $5)
			UNION ALL
			SELECT revision, at, runs, passes, failures FROM revision_rollup_deltas
			WHERE test_id = t.id AND runner_os = $2 AND repo = $1) c
		GROUP BY t.id, c.revision
		HAVING sum(c.runs) > 0
		ORDER BY t.id, seen DESC`, repo, os, testIDs, since, historyRevisions)
	var id int64
	var r verdict.Revision
	var flakyTests []int64
	var flakyRevs []string
	_, err := pgx.ForEachRow(rows, []any{&id, &r.Revision, &r.FirstSeen, &r.Runs, &r.Passes, &r.Failures}, func() error {
		h := out[id]
		h.Revisions = append(h.Revisions, r)
		out[id] = h
		if r.Passes > 0 && r.Failures > 0 {
			flakyTests, flakyRevs = append(flakyTests, id), append(flakyRevs, r.Revision)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("test histories: %w", err)
	}
	// The signatures of its failures on the revisions where it also passed
	// (outside infrastructure batches), then an admin's marks.
	rows, _ = q.Query(ctx, `
		SELECT f.t, s.signature_id, false
		FROM unnest($3::bigint[], $4::text[]) AS f(t, r), LATERAL (
			SELECT signature_id, failures, infra FROM signature_revisions
			WHERE test_id = f.t AND runner_os = $2 AND repo = $1 AND revision = f.r
			UNION ALL
			SELECT signature_id, failures, infra FROM signature_revision_deltas
			WHERE test_id = f.t AND runner_os = $2 AND repo = $1 AND revision = f.r) s
		GROUP BY 1, 2 HAVING sum(s.failures) > sum(s.infra)
		UNION
		SELECT test_id, signature_id, true FROM flaky_marks WHERE test_id = ANY($5) AND removed_at IS NULL`,
		repo, os, flakyTests, flakyRevs, testIDs)
	var sig int64
	var marked bool
	_, err = pgx.ForEachRow(rows, []any{&id, &sig, &marked}, func() error {
		h := out[id]
		h.FlakySignatures[sig] = true
		h.Marked = h.Marked || marked
		out[id] = h
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("flaky history: %w", err)
	}
	return out, nil
}

// Histories reads tests' histories on one runner OS, for pages.
func (s *Store) Histories(ctx context.Context, repo, os string, testIDs []int64, since time.Time) (map[int64]verdict.History, error) {
	return histories(ctx, s.pool, repo, os, testIDs, since)
}

// TestOSes lists the runner OSes a test ran on since since.
func (s *Store) TestOSes(ctx context.Context, testID int64, since time.Time) ([]string, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT runner_os FROM revision_rollups WHERE test_id = $1 AND last_seen >= $2
		UNION
		SELECT runner_os FROM revision_rollup_deltas WHERE test_id = $1 AND at >= $2
		ORDER BY 1`, testID, since)
	oses, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("test %d OSes: %w", testID, err)
	}
	return oses, nil
}

// commitTests sums a commit's counts per test and runner OS ($1 repo, $2
// revision) from the rollups and the deltas not yet folded.
const commitTests = `
	SELECT test_id, runner_os, sum(runs) AS runs, sum(failures) AS failures, sum(skips) AS skips, sum(infra) AS infra
	FROM (SELECT test_id, runner_os, runs, failures, skips, infra FROM revision_rollups WHERE repo = $1 AND revision = $2
	      UNION ALL
	      SELECT test_id, runner_os, runs, failures, skips, infra FROM revision_rollup_deltas WHERE repo = $1 AND revision = $2) u
	GROUP BY 1, 2`

// commitFacts reads what a commit's status and its tests' verdicts are
// computed from: the commit's failing results outside stress campaigns
// (with the rule that classes them infra and the quarantine in force at
// now that covers them, if any), and the histories of the tests they
// concern and of the tests it ran whose stored verdict is not stable (a
// pass can end a streak).
func commitFacts(ctx context.Context, q querier, repo, revision string, since, now time.Time) (verdict.Commit, error) {
	c := verdict.Commit{Repo: repo, Revision: revision, Histories: map[verdict.TestKey]verdict.History{}, Names: map[int64]string{}}
	err := q.QueryRow(ctx, `
		WITH t AS (`+commitTests+`)
		SELECT (count(DISTINCT test_id) FILTER (WHERE runs + infra > 0))::int,
		       (count(DISTINCT test_id) FILTER (WHERE skips > 0) - count(DISTINCT test_id) FILTER (WHERE skips > 0 AND runs + infra > 0))::int,
		       (SELECT count(*) FROM campaigns WHERE repo = $1 AND revision = $2 AND state IN ('queued', 'running'))::int
		FROM t`, repo, revision).Scan(&c.Ran, &c.Skipped, &c.ActiveCampaigns)
	if err != nil {
		return c, fmt.Errorf("commit %s@%s: %w", repo, revision, err)
	}
	rows, _ := q.Query(ctx, `
		SELECT f.test_id, f.runner_os, f.signature_id, f.infra, f.rules, f.n, t.name
		FROM (SELECT r.test_id, r.runner_os, coalesce(r.signature_id, 0) AS signature_id, r.infra,
		             coalesce(m.rules, '{}') AS rules, count(*)::int AS n
		      FROM results r
		      LEFT JOIN LATERAL (SELECT array_agg(rule_id ORDER BY rule_id) AS rules FROM rule_matches WHERE result_id = r.id) m ON true
		      WHERE r.repo = $1 AND r.revision = $2 AND r.outcome IN ('fail', 'error') AND r.campaign_id IS NULL
		      GROUP BY 1, 2, 3, 4, 5) f
		JOIN tests t ON t.id = f.test_id`, repo, revision)
	var f verdict.CommitFailure
	var fname string
	var matched [][]int64
	var ruleIDs []int64
	_, err = pgx.ForEachRow(rows, []any{&f.Test.TestID, &f.Test.OS, &f.Signature, &f.Infra, &ruleIDs, &f.Count, &fname}, func() error {
		c.Failures = append(c.Failures, f)
		matched = append(matched, slices.Clone(ruleIDs))
		c.Names[f.Test.TestID] = fname
		return nil
	})
	if err != nil {
		return c, fmt.Errorf("commit %s@%s failures: %w", repo, revision, err)
	}
	if err := judgeAct(ctx, q, repo, c.Failures, matched, now); err != nil {
		return c, fmt.Errorf("commit %s@%s: %w", repo, revision, err)
	}
	// The tests whose verdict this commit can change: those that failed
	// here, and broken or newly failing ones that ran here (a pass ends
	// their streak). A pass leaves a flaky test's evidence as it was.
	rows, _ = q.Query(ctx, `
		WITH c AS (`+commitTests+`)
		SELECT c.test_id, c.runner_os, t.name
		FROM c
		JOIN tests t ON t.id = c.test_id
		LEFT JOIN test_verdicts tv ON tv.test_id = c.test_id AND tv.runner_os = c.runner_os
		WHERE c.failures > 0 OR tv.class IN ('broken', 'new')`, repo, revision)
	byOS := map[string][]int64{}
	var k verdict.TestKey
	var name string
	_, err = pgx.ForEachRow(rows, []any{&k.TestID, &k.OS, &name}, func() error {
		byOS[k.OS] = append(byOS[k.OS], k.TestID)
		c.Names[k.TestID] = name
		return nil
	})
	if err != nil {
		return c, fmt.Errorf("commit %s@%s tests: %w", repo, revision, err)
	}
	for os, ids := range byOS {
		hs, err := histories(ctx, q, repo, os, ids, since)
		if err != nil {
			return c, err
		}
		for id, h := range hs {
			c.Histories[verdict.TestKey{TestID: id, OS: os}] = h
		}
	}
	return c, nil
}
