package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// RevisionRow is a commit in the list of a repo's revisions: where it was
// seen, what webhooks said of it, and what the classifier said of it when
// its status was last recorded (Judged false: not since triaged kept it;
// the counts are then zero).
type RevisionRow struct {
	Repo        string    `json:"repo" db:"repo"`
	Revision    string    `json:"revision" db:"revision"`
	Branches    []string  `json:"branches" db:"branches"`
	FirstSeen   time.Time `json:"first_seen" db:"first_seen"`
	Micros      int64     `json:"-" db:"micros"`
	Message     string    `json:"message" db:"message"`
	Author      string    `json:"author" db:"author"`
	PullRequest *int      `json:"pull_request" db:"pull_request"`
	Judged      bool      `json:"judged" db:"judged"`
	Status      string    `json:"status" db:"status"`
	Tests       int       `json:"tests" db:"tests"`
	New         int       `json:"new" db:"new"`
	Broken      int       `json:"broken" db:"broken"`
	Flaky       int       `json:"flaky" db:"flaky"`
	Known       int       `json:"known" db:"known"`
	Infra       int       `json:"infra" db:"infra"`
}

// RevisionList lists commits seen on the filter's branches (all with nil),
// newest first by when they were first seen there, after the one at after.
func (s *Store) RevisionList(ctx context.Context, f ListFilter, after *ListKey, limit int) ([]RevisionRow, error) {
	var a sqlArgs
	w := "true"
	if f.Repo != "" {
		w += " AND b.repo = " + a.add(f.Repo)
	}
	if f.Branches != nil {
		w += " AND b.branch = ANY(" + a.add(f.Branches) + "::text[])"
	}
	if !f.Since.IsZero() {
		w += " AND b.first_seen >= " + a.add(f.Since)
	}
	if !f.Until.IsZero() {
		w += " AND b.first_seen < " + a.add(f.Until)
	}
	having := "true"
	if after != nil {
		us, err := strconv.ParseInt(after.Key, 10, 64)
		repo, rev, ok := strings.Cut(after.Tie, "@")
		if err != nil || !ok {
			return nil, fmt.Errorf("list revisions: bad key %q %q", after.Key, after.Tie)
		}
		having = fmt.Sprintf("((extract(epoch FROM min(b.first_seen)) * 1000000)::bigint, b.repo, b.revision) < (%s::bigint, %s::text, %s::text)",
			a.add(us), a.add(repo), a.add(rev))
	}
	sql := fmt.Sprintf(`
		WITH page AS (
			SELECT b.repo, b.revision, min(b.first_seen) AS first_seen,
			       (extract(epoch FROM min(b.first_seen)) * 1000000)::bigint AS micros
			FROM revision_branches b WHERE %s
			GROUP BY b.repo, b.revision HAVING %s
			ORDER BY 3 DESC, 1 DESC, 2 DESC LIMIT %s
		)
		SELECT p.repo, p.revision, p.first_seen, p.micros,
		       (SELECT array_agg(rb.branch ORDER BY rb.branch) FROM revision_branches rb
		        WHERE rb.repo = p.repo AND rb.revision = p.revision AND rb.branch <> '') AS branches,
		       coalesce(c.message, '') AS message, coalesce(c.author, '') AS author, c.pull_request,
		       v.repo IS NOT NULL AS judged, coalesce(v.status, '') AS status, coalesce(v.tests, 0) AS tests,
		       coalesce(v.new, 0) AS new, coalesce(v.broken, 0) AS broken, coalesce(v.flaky, 0) AS flaky,
		       coalesce(v.known, 0) AS known, coalesce(v.infra, 0) AS infra
		FROM page p
		LEFT JOIN revisions c ON c.repo = p.repo AND c.sha = p.revision
		LEFT JOIN revision_verdicts v ON v.repo = p.repo AND v.revision = p.revision
		ORDER BY p.first_seen DESC, p.repo DESC, p.revision DESC`, w, having, a.add(limit))
	rows, _ := s.pool.Query(ctx, sql, a...)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[RevisionRow])
	if err != nil {
		return nil, fmt.Errorf("list revisions: %w", err)
	}
	for i := range out {
		if out[i].Branches == nil {
			out[i].Branches = []string{}
		}
	}
	return out, nil
}

// RevisionBranches lists the branches a commit was seen on ("" for
// uploads that named none).
func (s *Store) RevisionBranches(ctx context.Context, repo, revision string) ([]string, error) {
	rows, _ := s.pool.Query(ctx, `SELECT branch FROM revision_branches WHERE repo = $1 AND revision = $2 ORDER BY branch`, repo, revision)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("branches of %s@%s: %w", repo, revision, err)
	}
	return out, nil
}

// TestFailures lists a test's latest failures, newest first, with the CI
// job of each, through the index of failing results.
func (s *Store) TestFailures(ctx context.Context, testID int64, limit int) ([]FailureRef, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT x.id AS result_id, t.name AS test, x.created_at AS at, x.outcome, x.revision, coalesce(u.branch, '') AS branch,
		       x.builder, x.runner_os, coalesce(u.url, '') AS url, coalesce(x.signature_id, 0) AS signature_id,
		       coalesce(sg.title, '') AS title
		FROM (SELECT * FROM results WHERE test_id = $1 AND outcome IN ('fail', 'error') ORDER BY created_at DESC LIMIT $2) x
		JOIN tests t ON t.id = x.test_id
		LEFT JOIN upload_batches u ON u.id = x.batch_id LEFT JOIN signatures sg ON sg.id = x.signature_id
		ORDER BY x.created_at DESC`, testID, limit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[FailureRef])
	if err != nil {
		return nil, fmt.Errorf("test %d failures: %w", testID, err)
	}
	return out, nil
}

// FailureKey names a commit's failures of one test on one OS with one
// signature.
type FailureKey struct {
	TestID      int64
	RunnerOS    string
	SignatureID int64
}

// RevisionFailureRefs returns, for each test × OS × signature failing on
// a commit outside campaigns, its latest failure with the CI job it came
// from.
func (s *Store) RevisionFailureRefs(ctx context.Context, repo, revision string) (map[FailureKey]FailureRef, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT DISTINCT ON (x.test_id, x.runner_os, coalesce(x.signature_id, 0))
		       x.test_id, x.id AS result_id, '' AS test, x.created_at AS at, x.outcome, x.revision, coalesce(u.branch, '') AS branch,
		       x.builder, x.runner_os, coalesce(u.url, '') AS url, coalesce(x.signature_id, 0) AS signature_id, '' AS title
		FROM results x LEFT JOIN upload_batches u ON u.id = x.batch_id
		WHERE x.repo = $1 AND x.revision = $2 AND x.outcome IN ('fail', 'error') AND x.campaign_id IS NULL
		ORDER BY x.test_id, x.runner_os, coalesce(x.signature_id, 0), x.created_at DESC`, repo, revision)
	type ref struct {
		TestID int64 `db:"test_id"`
		FailureRef
	}
	found, err := pgx.CollectRows(rows, pgx.RowToStructByName[ref])
	if err != nil {
		return nil, fmt.Errorf("failures of %s@%s: %w", repo, revision, err)
	}
	out := make(map[FailureKey]FailureRef, len(found))
	for _, r := range found {
		out[FailureKey{TestID: r.TestID, RunnerOS: r.RunnerOS, SignatureID: r.SignatureID}] = r.FailureRef
	}
	return out, nil
}
