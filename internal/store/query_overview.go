package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/campaign"
)

// SignatureBrief is a signature as lists show it.
type SignatureBrief struct {
	ID        int64     `json:"id" db:"id"`
	Title     string    `json:"title" db:"title"`
	FirstSeen time.Time `json:"first_seen" db:"first_seen"`
	LastSeen  time.Time `json:"last_seen" db:"last_seen"`
	Failures  int64     `json:"failures" db:"failures"`
	Tests     int64     `json:"tests" db:"tests"`
}

// TestTrend is a test's failures in a recent window against a baseline
// window before it, with a recency-weighted impact score.
type TestTrend struct {
	TestID       int64   `json:"test_id" db:"test_id"`
	Repo         string  `json:"repo" db:"repo"`
	Name         string  `json:"name" db:"name"`
	Runs         int     `json:"runs" db:"runs"`
	Failures     int     `json:"failures" db:"failures"`
	RecentRuns   int     `json:"recent_runs" db:"recent_runs"`
	RecentFails  int     `json:"recent_failures" db:"recent_failures"`
	BaselineRuns int     `json:"baseline_runs" db:"baseline_runs"`
	BaselineFail int     `json:"baseline_failures" db:"baseline_failures"`
	Impact       float64 `json:"impact" db:"impact"`
	// Class is the test's stored verdict, the worst over its runner OSes
	// (stable when none is stored); Since dates a broken test's streak.
	Class string `json:"class" db:"class"`
	Since string `json:"since,omitempty" db:"since"`
}

// NewSignatures lists signatures first seen after since, newest first,
// with their failures since then under the filter (f.Repo, f.Branches,
// f.OS, f.Builder). With any of those set, only signatures that failed
// under it are listed.
func (s *Store) NewSignatures(ctx context.Context, f ListFilter, since time.Time, limit int) ([]SignatureBrief, error) {
	var a sqlArgs
	f.From = since.UTC().Truncate(24 * time.Hour)
	if f.To.IsZero() || f.To.Before(f.From) {
		f.To = time.Now().UTC().Truncate(24 * time.Hour)
	}
	var counts string
	if f.Builder != "" {
		w := resultWhere(f, &a, "x", "u")
		if f.Repo != "" {
			w += " AND x.repo = " + a.add(f.Repo)
		}
		counts = fmt.Sprintf(`SELECT count(*) AS failures, count(DISTINCT x.test_id) AS tests
			FROM results x JOIN upload_batches u ON u.id = x.batch_id WHERE x.signature_id = s.id AND %s`, w)
	} else {
		from := "rollups r"
		if f.Repo != "" {
			from += " JOIN tests rt ON rt.id = r.test_id AND rt.repo = " + a.add(f.Repo)
		}
		counts = fmt.Sprintf(`SELECT coalesce(sum(r.failures), 0) AS failures, count(DISTINCT r.test_id) AS tests
			FROM %s WHERE r.signature_id = s.id AND r.signature_id <> 0 AND %s`, from, rollupWhere(f, &a, "r"))
	}
	cond := "true"
	if f.Repo != "" || f.Branches != nil || f.OS != "" || f.Builder != "" {
		cond = "c.failures > 0"
	}
	rows, _ := s.pool.Query(ctx, fmt.Sprintf(`
		SELECT s.id, s.title, s.first_seen, s.last_seen, c.failures::bigint AS failures, c.tests
		FROM (SELECT * FROM signatures WHERE first_seen > %s AND superseded_by IS NULL ORDER BY first_seen DESC) s
		CROSS JOIN LATERAL (%s) c
		WHERE %s ORDER BY s.first_seen DESC LIMIT %s`, a.add(since), counts, cond, a.add(limit)), a...)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[SignatureBrief])
	if err != nil {
		return nil, fmt.Errorf("new signatures: %w", err)
	}
	return out, nil
}

// TestTrends returns, for every test that failed under the filter in its
// days (f.From to f.To), its runs and failures then: from recentFrom on
// (recent) and before (baseline). Impact weighs each failure by its age,
// halving every f.HalfLife days before f.Today, so a test that fails a lot
// now outranks one that failed a lot last month. Without a builder it
// reads the failing rows of the rollups, then each such test's own; with
// one, that builder's batches in the window.
func (s *Store) TestTrends(ctx context.Context, f ListFilter, recentFrom time.Time) ([]TestTrend, error) {
	var a sqlArgs
	var src string
	if f.Builder != "" {
		w := fmt.Sprintf("u.builder = %s AND u.created_at >= %s AND u.created_at < %s", a.add(f.Builder), a.add(f.From), a.add(f.end()))
		if f.Branches != nil {
			w += " AND u.branch = ANY(" + a.add(f.Branches) + "::text[])"
		}
		if f.OS != "" {
			w += " AND x.runner_os = " + a.add(f.OS)
		}
		recent := a.add(recentFrom)
		src = fmt.Sprintf(`src AS (
			SELECT x.test_id, count(*) FILTER (WHERE x.outcome <> 'skip') AS runs, count(*) FILTER (WHERE x.outcome IN ('fail', 'error')) AS fails,
			       count(*) FILTER (WHERE x.outcome <> 'skip' AND x.created_at >= %[1]s) AS recent_runs,
			       count(*) FILTER (WHERE x.outcome IN ('fail', 'error') AND x.created_at >= %[1]s) AS recent_fails,
			       coalesce(sum(power(0.5, (%[2]s::date - (x.created_at AT TIME ZONE 'UTC')::date) / %[3]s::float8))
			                FILTER (WHERE x.outcome IN ('fail', 'error')), 0) AS impact
			FROM upload_batches u JOIN results x ON x.batch_id = u.id
			WHERE %[4]s GROUP BY x.test_id HAVING count(*) FILTER (WHERE x.outcome IN ('fail', 'error')) > 0)`,
			recent, a.add(f.Today), a.add(f.HalfLife), w)
	} else {
		recent := a.add(recentFrom)
		src = fmt.Sprintf(`failing AS (
			SELECT r.test_id, sum(r.failures * power(0.5, (%[1]s::date - r.day) / %[2]s::float8)) AS impact
			FROM rollups r WHERE r.failures > 0 AND %[3]s GROUP BY r.test_id
		), src AS (
			SELECT f.test_id, f.impact, c.* FROM failing f, LATERAL (
				SELECT sum(r.runs) AS runs, sum(r.failures) AS fails,
				       coalesce(sum(r.runs) FILTER (WHERE r.day >= %[4]s::date), 0) AS recent_runs,
				       coalesce(sum(r.failures) FILTER (WHERE r.day >= %[4]s::date), 0) AS recent_fails
				FROM rollups r WHERE r.test_id = f.test_id AND %[5]s) c
		)`, a.add(f.Today), a.add(f.HalfLife), rollupWhere(f, &a, "r"), recent, rollupWhere(f, &a, "r"))
	}
	repo := ""
	if f.Repo != "" {
		repo = " AND t.repo = " + a.add(f.Repo)
	}
	rows, _ := s.pool.Query(ctx, fmt.Sprintf(`WITH %s
		SELECT t.id AS test_id, t.repo, t.name, c.runs::int AS runs, c.fails::int AS failures,
		       c.recent_runs::int AS recent_runs, c.recent_fails::int AS recent_failures,
		       (c.runs - c.recent_runs)::int AS baseline_runs, (c.fails - c.recent_fails)::int AS baseline_failures, c.impact::float8 AS impact,
		       coalesce(v.class, 'stable') AS class, coalesce(v.since_revision, '') AS since
		FROM src c JOIN tests t ON t.id = c.test_id%s %s`, src, repo, classJoin(f, &a, "t")), a...)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[TestTrend])
	if err != nil {
		return nil, fmt.Errorf("test trends: %w", err)
	}
	return out, nil
}

// ActiveCampaigns lists queued and running campaigns.
func (s *Store) ActiveCampaigns(ctx context.Context) ([]campaign.Campaign, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+campaignColumns+` FROM campaigns
		WHERE state IN ('queued', 'running') ORDER BY id DESC LIMIT 50`)
	cs, err := pgx.CollectRows(rows, scanCampaign)
	if err != nil {
		return nil, fmt.Errorf("active campaigns: %w", err)
	}
	return cs, nil
}

// exactResultsBelow is where the overview stops counting results exactly
// and shows the planner's estimate, which costs nothing at any size.
const exactResultsBelow = 100_000

// OverviewCounts is Summarize for the front page: the same counts, except
// that past exactResultsBelow results the count is the planner's estimate
// (estimated is then true), so the page costs the same at any size.
func (s *Store) OverviewCounts(ctx context.Context) (sum Summary, estimated bool, err error) {
	err = s.pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM runners),
		       (SELECT count(*) FROM campaigns),
		       (SELECT count(*) FROM tests),
		       (SELECT count(*) FROM (SELECT 1 FROM results LIMIT $1) r),
		       (SELECT count(*) FROM signatures WHERE superseded_by IS NULL)`, exactResultsBelow,
	).Scan(&sum.Runners, &sum.Campaigns, &sum.Tests, &sum.Results, &sum.Signatures)
	if err != nil {
		return Summary{}, false, fmt.Errorf("overview counts: %w", translate(err))
	}
	if sum.Results < exactResultsBelow {
		return sum, false, nil
	}
	err = s.pool.QueryRow(ctx, `SELECT greatest($1::bigint, reltuples::bigint) FROM pg_class WHERE oid = 'results'::regclass`,
		sum.Results).Scan(&sum.Results)
	return sum, true, err
}
