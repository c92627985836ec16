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

// NewSignatures lists signatures first seen after since, newest first.
func (s *Store) NewSignatures(ctx context.Context, since time.Time, limit int) ([]SignatureBrief, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT s.id, s.title, s.first_seen, s.last_seen,
		       coalesce(sum(r.failures), 0)::bigint AS failures, count(DISTINCT r.test_id) AS tests
		FROM (SELECT * FROM signatures WHERE first_seen > $1 AND superseded_by IS NULL
		      ORDER BY first_seen DESC LIMIT $2) s
		LEFT JOIN rollups r ON r.signature_id = s.id AND r.signature_id <> 0
		GROUP BY s.id, s.title, s.first_seen, s.last_seen
		ORDER BY s.first_seen DESC`, since, limit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[SignatureBrief])
	if err != nil {
		return nil, fmt.Errorf("new signatures: %w", err)
	}
	return out, nil
}

// TestTrends reads the failing rollup rows of the last days days (up to
// today, UTC) and returns, for every test that failed in them, its runs and
// failures then: in the recent window (the last recentDays days) and in the
// baseline before it. Impact weighs each failure by its age, halving every
// halfLife days, so a test that fails a lot now outranks one that failed a
// lot last month.
func (s *Store) TestTrends(ctx context.Context, today time.Time, days, recentDays int, halfLife float64) ([]TestTrend, error) {
	from := today.AddDate(0, 0, -(days - 1))
	recent := today.AddDate(0, 0, -(recentDays - 1))
	rows, _ := s.pool.Query(ctx, `
		WITH failing AS (
			SELECT test_id, sum(failures * power(0.5, ($2::date - day) / $4::float8)) AS impact
			FROM rollups WHERE failures > 0 AND day >= $1
			GROUP BY test_id
		)
		SELECT t.id AS test_id, t.repo, t.name, c.runs::int AS runs, c.fails::int AS failures,
		       c.recent_runs::int AS recent_runs, c.recent_fails::int AS recent_failures,
		       (c.runs - c.recent_runs)::int AS baseline_runs, (c.fails - c.recent_fails)::int AS baseline_failures, f.impact,
		       coalesce(v.class, 'stable') AS class, coalesce(v.since_revision, '') AS since
		FROM failing f
		JOIN tests t ON t.id = f.test_id
		LEFT JOIN LATERAL (
			SELECT class, since_revision FROM test_verdicts tv WHERE tv.test_id = f.test_id
			ORDER BY array_position(ARRAY['new', 'broken', 'flaky', 'stable'], tv.class) LIMIT 1
		) v ON true,
		LATERAL (
			SELECT sum(r.runs) AS runs, sum(r.failures) AS fails,
			       coalesce(sum(r.runs) FILTER (WHERE r.day >= $3), 0) AS recent_runs,
			       coalesce(sum(r.failures) FILTER (WHERE r.day >= $3), 0) AS recent_fails
			FROM rollups r WHERE r.test_id = f.test_id AND r.day >= $1
		) c`,
		from, today, recent, halfLife)
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
