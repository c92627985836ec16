package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ListFilter narrows a list to what a person asked for. The view package
// builds it from the URL, checked; here it only becomes SQL. Zero fields
// do not narrow.
type ListFilter struct {
	// Q is a substring of the name (a test's, a signature's title, a
	// campaign's, a builder's), matched case-insensitively through a
	// trigram index.
	Q    string
	Repo string
	// Branches are the branches whose batches count; nil counts every
	// branch. "" among them is the batches that named no branch.
	Branches []string
	Builder  string
	OS       string
	// Class is a test's stored verdict (flaky, broken, new, stable): the
	// worst over its OSes, or on OS when OS is set.
	Class string
	// From and To are the days counted, both included (UTC dates).
	From, To time.Time
	// Since and Until bound lists of things with a time of their own
	// (campaigns, batches, revisions): Since <= t < Until; zero is open.
	Since, Until time.Time
	// Ran keeps only what ran under the filters in the window; otherwise
	// everything that matches Q, Repo and Class is listed, with its figures
	// in the window.
	Ran bool
	// Mark is the newest result counted: results stored after it (after
	// the first page of a list was read) are left out, so later pages rank
	// by the same figures as the first and no row moves between pages.
	Mark int64
	// Today is the day impact is reckoned from; failures halve in weight
	// every HalfLife days before it.
	Today    time.Time
	HalfLife float64
}

// end is the instant after the last day counted.
func (f ListFilter) end() time.Time { return f.To.AddDate(0, 0, 1) }

// ResultMark returns the id of the newest stored result, 0 with none: the
// mark of a list's first page.
func (s *Store) ResultMark(ctx context.Context) (int64, error) {
	var id int64
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM results`).Scan(&id); err != nil {
		return 0, fmt.Errorf("newest result: %w", err)
	}
	return id, nil
}

// sqlArgs collects the arguments of a statement built from pieces.
type sqlArgs []any

// add appends v and returns its placeholder.
func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// likePattern is a substring pattern for ILIKE with q's wildcards escaped.
func likePattern(q string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
}

// rollupWhere narrows rollups r to the filter's days, branches and OS.
func rollupWhere(f ListFilter, a *sqlArgs, r string) string {
	w := fmt.Sprintf("%[1]s.day BETWEEN %[2]s::date AND %[3]s::date", r, a.add(f.From), a.add(f.To))
	if f.Branches != nil {
		w += fmt.Sprintf(" AND %s.branch = ANY(%s::text[])", r, a.add(f.Branches))
	}
	if f.OS != "" {
		w += fmt.Sprintf(" AND %s.runner_os = %s", r, a.add(f.OS))
	}
	return w
}

// resultWhere narrows results x (with their batches u) as rollupWhere
// narrows rollups, and to the builder.
func resultWhere(f ListFilter, a *sqlArgs, x, u string) string {
	w := fmt.Sprintf("%[1]s.created_at >= %[2]s AND %[1]s.created_at < %[3]s", x, a.add(f.From), a.add(f.end()))
	if f.Branches != nil {
		w += fmt.Sprintf(" AND %s.branch = ANY(%s::text[])", u, a.add(f.Branches))
	}
	if f.OS != "" {
		w += fmt.Sprintf(" AND %s.runner_os = %s", x, a.add(f.OS))
	}
	if f.Builder != "" {
		w += fmt.Sprintf(" AND %s.builder = %s", x, a.add(f.Builder))
	}
	return w
}

// impactTerm is the weight of failures on day d in billionths, an
// integer: sums of it are exact whatever their order, so a sum minus the
// same terms is exactly the sum without them, and a cursor's key never
// falls between two equal rows. Impact is the sum over 1e9.
func impactTerm(f ListFilter, a *sqlArgs, d string) string {
	return fmt.Sprintf("round(1e9 * power(0.5::float8, (%s::date - %s)::float8 / %s::float8))::bigint", a.add(f.Today), d, a.add(f.HalfLife))
}

// figureSource is a CTE named "src" with the filtered counts per key
// (test_id or signature_id) in the window: runs, failures, impact, seen
// (results and skips). Without a builder it reads the daily rollups and
// takes away what came after the mark; with one, it reads that builder's
// batches in the window and their results up to the mark, through
// indexes.
func figureSource(f ListFilter, a *sqlArgs, key string, failingOnly bool) string {
	if f.Builder != "" {
		w := fmt.Sprintf("u.builder = %s AND u.created_at >= %s AND u.created_at < %s", a.add(f.Builder), a.add(f.From), a.add(f.end()))
		if f.Branches != nil {
			w += fmt.Sprintf(" AND u.branch = ANY(%s::text[])", a.add(f.Branches))
		}
		xw := fmt.Sprintf("x.id <= %s", a.add(f.Mark))
		if f.OS != "" {
			xw += fmt.Sprintf(" AND x.runner_os = %s", a.add(f.OS))
		}
		if key == "signature_id" {
			xw += " AND x.signature_id IS NOT NULL"
			if f.Repo != "" {
				xw += " AND x.repo = " + a.add(f.Repo)
			}
		}
		if failingOnly {
			xw += " AND x.outcome IN ('fail', 'error')"
		}
		return fmt.Sprintf(`src AS (
			SELECT x.%[1]s AS key, count(*) FILTER (WHERE x.outcome <> 'skip') AS runs,
			       count(*) FILTER (WHERE x.outcome IN ('fail', 'error')) AS failures,
			       coalesce(sum(%[2]s) FILTER (WHERE x.outcome IN ('fail', 'error')), 0) AS impact, count(*) AS seen,
			       count(DISTINCT x.test_id) AS tests
			FROM upload_batches u JOIN results x ON x.batch_id = u.id
			WHERE %[3]s AND %[4]s
			GROUP BY x.%[1]s)`, key, impactTerm(f, a, "(x.created_at AT TIME ZONE 'UTC')::date"), w, xw)
	}
	rw := rollupWhere(f, a, "r")
	from := "rollups r"
	if key == "signature_id" {
		rw += " AND r.signature_id <> 0"
		if f.Repo != "" {
			from += " JOIN tests rt ON rt.id = r.test_id AND rt.repo = " + a.add(f.Repo)
		}
	}
	if failingOnly {
		rw += " AND r.failures > 0"
	}
	return fmt.Sprintf(`late AS (%[1]s),
		rolled AS (
			SELECT r.%[2]s AS key, sum(r.runs) AS runs, sum(r.failures) AS failures,
			       sum(r.failures * %[3]s) AS impact, sum(r.runs + r.skips) AS seen, count(DISTINCT r.test_id) AS tests
			FROM %[5]s WHERE %[4]s GROUP BY r.%[2]s),
		src AS (
			SELECT o.key, o.runs - coalesce(l.runs, 0) AS runs, o.failures - coalesce(l.failures, 0) AS failures,
			       o.impact - coalesce(l.impact, 0) AS impact, o.seen - coalesce(l.seen, 0) AS seen, o.tests
			FROM rolled o LEFT JOIN late l ON l.key = o.key)`,
		lateCounts(f, a, key), key, impactTerm(f, a, "r.day"), rw, from)
}

// lateCounts is a query of the counts per key of the results stored after
// the mark that the filter would count: what the rollups hold beyond the
// first page's view. It reads the results table by primary key from the
// mark on, so it costs what arrived since.
func lateCounts(f ListFilter, a *sqlArgs, key string) string {
	join := ""
	if f.Branches != nil {
		join = "JOIN upload_batches u ON u.id = x.batch_id"
	}
	w := fmt.Sprintf("x.id > %s AND ", a.add(f.Mark)) + resultWhere(f, a, "x", "u")
	if key == "signature_id" {
		w += " AND x.signature_id IS NOT NULL"
		if f.Repo != "" {
			w += " AND x.repo = " + a.add(f.Repo)
		}
	}
	return fmt.Sprintf(`
		SELECT x.%[1]s AS key, count(*) FILTER (WHERE x.outcome <> 'skip') AS runs,
		       count(*) FILTER (WHERE x.outcome IN ('fail', 'error')) AS failures,
		       coalesce(sum(%[2]s) FILTER (WHERE x.outcome IN ('fail', 'error')), 0) AS impact, count(*) AS seen
		FROM results x %[3]s WHERE %[4]s GROUP BY x.%[1]s`, key, impactTerm(f, a, "(x.created_at AT TIME ZONE 'UTC')::date"), join, w)
}

// keyRound is the precision list keys are compared at: impacts and rates
// are numeric, and a cursor carries them as text.
const keyRound = 9
