package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Sorts of the test list: by failures, rate or impact in the window (tests
// without a failure follow, by id), or by name.
const (
	SortFailures = "failures"
	SortRate     = "rate"
	SortImpact   = "impact"
	SortName     = "name"
)

// ListKey is where a page of a list starts: after the row with these keys.
type ListKey struct {
	// Seg is 0 for rows with failures in the window, 1 for the rest,
	// which follow them.
	Seg int
	// Key is the sort value as text: a number (exact, so a cursor never
	// falls between two equal rows), a name or a time.
	Key string
	ID  int64
	// Tie breaks ties between rows with equal keys and no numeric id (a
	// revision's repo and commit id, a batch's id).
	Tie string
}

// FailureRef is one failing result, with where it came from.
type FailureRef struct {
	ResultID    int64     `json:"result_id" db:"result_id"`
	Test        string    `json:"test" db:"test"`
	At          time.Time `json:"at" db:"at"`
	Outcome     string    `json:"outcome" db:"outcome"`
	Revision    string    `json:"revision" db:"revision"`
	Branch      string    `json:"branch" db:"branch"`
	Builder     string    `json:"builder" db:"builder"`
	RunnerOS    string    `json:"runner_os" db:"runner_os"`
	URL         string    `json:"url" db:"url"`
	SignatureID int64     `json:"signature_id" db:"signature_id"`
	Title       string    `json:"title" db:"title"`
}

// TestRow is a test in the list, with its figures in the window and its
// latest failure under the filters.
type TestRow struct {
	ID       int64       `db:"id"`
	Repo     string      `db:"repo"`
	Name     string      `db:"name"`
	Class    string      `db:"class"`
	Since    string      `db:"since"`
	Runs     int         `db:"runs"`
	Failures int         `db:"failures"`
	Impact   float64     `db:"impact"`
	Seg      int         `db:"seg"`
	Key      string      `db:"key"`
	Last     *FailureRef `db:"-"`
}

// Tests lists the tests the filter selects, sorted, from after on, at
// most limit of them. Sorted by figures, tests that failed in the window
// come first (found through the failing rows of the rollups), then the
// others by id.
func (s *Store) Tests(ctx context.Context, f ListFilter, sort string, after *ListKey, limit int) ([]TestRow, error) {
	var out []TestRow
	var err error
	switch {
	case f.Builder != "" || sort == SortName:
		out, err = s.testPage(ctx, f, sort, after, limit, false)
	case after == nil || after.Seg == 0:
		if out, err = s.testPage(ctx, f, sort, after, limit, true); err == nil && len(out) < limit {
			var quiet []TestRow
			quiet, err = s.testPage(ctx, f, sort, &ListKey{Seg: 1}, limit-len(out), false)
			out = append(out, quiet...)
		}
	default:
		out, err = s.testPage(ctx, f, sort, after, limit, false)
	}
	if err != nil {
		return nil, fmt.Errorf("list tests: %w", err)
	}
	return out, nil
}

// classJoin is the test's stored verdict: the worst over its OSes, or on
// the filter's OS.
func classJoin(f ListFilter, a *sqlArgs, t string) string {
	w := ""
	if f.OS != "" {
		w = " AND tv.runner_os = " + a.add(f.OS)
	}
	return fmt.Sprintf(`LEFT JOIN LATERAL (
			SELECT class, since_revision FROM test_verdicts tv WHERE tv.test_id = %s.id%s
			ORDER BY array_position(ARRAY['new', 'broken', 'flaky', 'stable'], tv.class) LIMIT 1) v ON true`, t, w)
}

// testWhere narrows tests t by name, repo and class.
func testWhere(f ListFilter, a *sqlArgs, t string) string {
	w := "true"
	if f.Q != "" {
		w += fmt.Sprintf(" AND %s.name ILIKE %s", t, a.add(likePattern(f.Q)))
	}
	if f.Repo != "" {
		w += fmt.Sprintf(" AND %s.repo = %s", t, a.add(f.Repo))
	}
	if f.Class != "" {
		c := a.add(f.Class)
		w += fmt.Sprintf(" AND coalesce(v.class, 'stable') = %s", c)
		if f.Class != "stable" {
			// Lets the planner start from the few tests with that verdict.
			os := ""
			if f.OS != "" {
				os = " AND tv2.runner_os = " + a.add(f.OS)
			}
			w += fmt.Sprintf(" AND EXISTS (SELECT 1 FROM test_verdicts tv2 WHERE tv2.test_id = %s.id AND tv2.class = %s%s)", t, c, os)
		}
	}
	return w
}

// sortKey is the sort value of a row with counts runs, failures and
// impact, as exact text-comparable numeric.
func sortKey(sort, runs, failures, impact string) string {
	switch sort {
	case SortRate:
		return fmt.Sprintf("round(coalesce(%s::numeric / nullif(%s, 0), 0), %d)", failures, runs, keyRound)
	case SortImpact:
		return fmt.Sprintf("round(%s::numeric, %d)", impact, keyRound)
	}
	return fmt.Sprintf("%s::numeric", failures)
}

// afterKey is the keyset condition for rows p after k in the order (seg,
// key DESC, id) or, for names, (key, id); idDesc orders ids the other way.
func afterKey(a *sqlArgs, sort string, k *ListKey, idDesc bool) string {
	if k == nil {
		return "true"
	}
	if sort == SortName {
		return fmt.Sprintf("(p.key, p.id) > (%s::text, %s::bigint)", a.add(k.Key), a.add(k.ID))
	}
	seg, id := a.add(k.Seg), a.add(k.ID)
	next := "p.id > " + id
	if idDesc {
		next = "p.id < " + id
	}
	if k.Key == "" {
		return fmt.Sprintf("(p.seg > %[1]s OR (p.seg = %[1]s AND %[2]s))", seg, next)
	}
	key := a.add(k.Key)
	return fmt.Sprintf("(p.seg > %[1]s OR (p.seg = %[1]s AND (p.key::numeric < %[2]s::numeric OR (p.key::numeric = %[2]s::numeric AND %[3]s))))",
		seg, key, next)
}

// testPage reads one page of the test list. failing reads only tests that
// failed in the window, through the rollups' failing rows; otherwise every
// test that matches is a candidate, ordered by id after the failing ones
// (or by name), each with its figures from its own rollups.
func (s *Store) testPage(ctx context.Context, f ListFilter, sort string, after *ListKey, limit int, failing bool) ([]TestRow, error) {
	sql, a := testPageSQL(f, sort, after, limit, failing)
	rows, _ := s.pool.Query(ctx, sql, a...)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByNameLax[TestRow])
	if err != nil {
		return nil, err
	}
	return out, s.lastFailures(ctx, f, out)
}

// testPageSQL builds the statement of testPage.
func testPageSQL(f ListFilter, sort string, after *ListKey, limit int, failing bool) (string, sqlArgs) {
	var a sqlArgs
	var sql string
	order := "p.seg, nullif(p.key, '')::numeric DESC, p.id"
	if sort == SortName {
		order = "p.key, p.id"
	}
	switch {
	case f.Builder != "":
		// The builder's batches in the window hold every test it ran.
		src := figureSource(f, &a, "test_id", false)
		key := sortKey(sort, "src.runs", "src.failures", "src.impact")
		if sort == SortName {
			key = "t.name"
		}
		sql = fmt.Sprintf(`WITH %s
			SELECT * FROM (
				SELECT t.id, t.repo, t.name, coalesce(v.class, 'stable') AS class, coalesce(v.since_revision, '') AS since,
				       src.runs::int AS runs, src.failures::int AS failures, (src.impact / 1e9)::float8 AS impact,
				       CASE WHEN src.failures > 0 OR %[2]t THEN 0 ELSE 1 END AS seg, (%[3]s)::text AS key
				FROM src JOIN tests t ON t.id = src.key %[4]s
				WHERE %[5]s) p`, src, sort == SortName, key, classJoin(f, &a, "t"), testWhere(f, &a, "t"))
	case failing:
		src := figureSource(f, &a, "test_id", true)
		runs := "NULL::bigint"
		join := ""
		if sort == SortRate {
			join = "CROSS JOIN LATERAL (SELECT coalesce(sum(r.runs), 0) AS runs FROM rollups r WHERE r.test_id = t.id AND " +
				rollupWhere(f, &a, "r") + ") rr LEFT JOIN late l ON l.key = t.id"
			runs = "rr.runs - coalesce(l.runs, 0)"
		}
		sql = fmt.Sprintf(`WITH %[1]s
			SELECT * FROM (
				SELECT t.id, t.repo, t.name, coalesce(v.class, 'stable') AS class, coalesce(v.since_revision, '') AS since,
				       (%[2]s)::int AS runs, src.failures::int AS failures, (src.impact / 1e9)::float8 AS impact,
				       0 AS seg, (%[3]s)::text AS key
				FROM src JOIN tests t ON t.id = src.key %[4]s %[5]s
				WHERE src.failures > 0 AND %[6]s) p`,
			src, runs, sortKey(sort, runs, "src.failures", "src.impact"), classJoin(f, &a, "t"), join, testWhere(f, &a, "t"))
	default:
		// Figures of each candidate from its rollups, less what came after
		// the mark. A test is quiet when it has no failure in the window.
		late := lateCounts(f, &a, "test_id")
		cond := "true"
		if sort != SortName {
			cond = "rr.failures = coalesce(l.failures, 0)"
		}
		if f.Ran {
			cond += " AND rr.seen > coalesce(l.seen, 0)"
		}
		key, seg := "''::text", "1"
		if sort == SortName {
			key, seg = "t.name", "0"
		}
		sql = fmt.Sprintf(`WITH late AS (%[1]s)
			SELECT * FROM (
				SELECT t.id, t.repo, t.name, coalesce(v.class, 'stable') AS class, coalesce(v.since_revision, '') AS since,
				       (rr.runs - coalesce(l.runs, 0))::int AS runs, (rr.failures - coalesce(l.failures, 0))::int AS failures,
				       ((rr.impact - coalesce(l.impact, 0)) / 1e9)::float8 AS impact, %[2]s AS seg, %[3]s AS key
				FROM tests t %[4]s
				LEFT JOIN late l ON l.key = t.id
				CROSS JOIN LATERAL (
					SELECT coalesce(sum(r.runs), 0) AS runs, coalesce(sum(r.failures), 0) AS failures,
					       coalesce(sum(r.failures * %[5]s), 0) AS impact, coalesce(sum(r.runs + r.skips), 0) AS seen
					FROM rollups r WHERE r.test_id = t.id AND %[6]s) rr
				WHERE %[7]s AND %[8]s) p`,
			late, seg, key, classJoin(f, &a, "t"), impactTerm(f, &a, "r.day"), rollupWhere(f, &a, "r"), testWhere(f, &a, "t"), cond)
		if sort != SortName {
			order = "p.id"
		}
	}
	sql += " WHERE " + afterKey(&a, sort, after, false) + " ORDER BY " + order + " LIMIT " + a.add(limit)
	if failing && sort != SortRate {
		// Runs only for the rows of the page.
		sql = fmt.Sprintf(`WITH page AS (%s), late_runs AS (%s)
			SELECT page.id, page.repo, page.name, page.class, page.since, (rr.runs - coalesce(l.runs, 0))::int AS runs,
			       page.failures, page.impact, page.seg, page.key
			FROM page LEFT JOIN late_runs l ON l.key = page.id CROSS JOIN LATERAL (
				SELECT coalesce(sum(r.runs), 0) AS runs FROM rollups r WHERE r.test_id = page.id AND %s) rr
			ORDER BY page.seg, nullif(page.key, '')::numeric DESC, page.id`, sql, lateCounts(f, &a, "test_id"), rollupWhere(f, &a, "r"))
	}
	return sql, a
}

// lastFailures sets each row's latest failure under the filter (up to the
// end of the window), found newest first through the index of failing
// results.
func (s *Store) lastFailures(ctx context.Context, f ListFilter, rows []TestRow) error {
	if len(rows) == 0 {
		return nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var a sqlArgs
	w := fmt.Sprintf("x.test_id = t.id AND x.outcome IN ('fail', 'error') AND x.created_at < %s", a.add(f.end()))
	if f.Branches != nil {
		w += " AND u.branch = ANY(" + a.add(f.Branches) + "::text[])"
	}
	if f.OS != "" {
		w += " AND x.runner_os = " + a.add(f.OS)
	}
	if f.Builder != "" {
		w += " AND x.builder = " + a.add(f.Builder)
	}
	sql := fmt.Sprintf(`
		SELECT t.id AS test_id, lf.* FROM unnest(%s::bigint[]) AS t(id)
		CROSS JOIN LATERAL (
			SELECT x.id AS result_id, tt.name AS test, x.created_at AS at, x.outcome, x.revision, coalesce(u.branch, '') AS branch, x.builder,
			       x.runner_os, coalesce(u.url, '') AS url, coalesce(x.signature_id, 0) AS signature_id, coalesce(sg.title, '') AS title
			FROM results x LEFT JOIN upload_batches u ON u.id = x.batch_id LEFT JOIN signatures sg ON sg.id = x.signature_id
			JOIN tests tt ON tt.id = x.test_id
			WHERE %s ORDER BY x.created_at DESC LIMIT 1) lf`, a.add(ids), w)
	pgRows, _ := s.pool.Query(ctx, sql, a...)
	type last struct {
		TestID int64 `db:"test_id"`
		FailureRef
	}
	found, err := pgx.CollectRows(pgRows, pgx.RowToStructByName[last])
	if err != nil {
		return fmt.Errorf("last failures: %w", err)
	}
	byTest := make(map[int64]FailureRef, len(found))
	for _, l := range found {
		byTest[l.TestID] = l.FailureRef
	}
	for i := range rows {
		if l, ok := byTest[rows[i].ID]; ok {
			rows[i].Last = &l
		}
	}
	return nil
}
