package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// BuilderRow is a builder (the host or CI job named by uploads) with its
// latest batch and its batches in the window.
type BuilderRow struct {
	Name         string    `json:"name" db:"name"`
	RunnerOS     string    `json:"runner_os" db:"runner_os"`
	LastSeen     time.Time `json:"last_seen" db:"last_seen"`
	LastRepo     string    `json:"last_repo" db:"last_repo"`
	LastRevision string    `json:"last_revision" db:"last_revision"`
	LastBranch   string    `json:"last_branch" db:"last_branch"`
	LastURL      string    `json:"last_url" db:"last_url"`
	Batches      int       `json:"batches" db:"batches"`
	InfraBatches int       `json:"infra_batches" db:"infra_batches"`
	Results      int       `json:"results" db:"results"`
	Failures     int       `json:"failures" db:"failures"`
	Skips        int       `json:"skips" db:"skips"`
	// Worst are the tests that failed most on it in the window.
	Worst []Count `json:"worst_tests" db:"-"`
}

// batchWhere narrows upload batches u to the filter's window (Since,
// Until), repo, branches and OS.
func batchWhere(f ListFilter, a *sqlArgs) string {
	w := fmt.Sprintf("u.created_at >= %s AND u.created_at < %s", a.add(f.Since), a.add(f.Until))
	if f.Repo != "" {
		w += " AND u.repo = " + a.add(f.Repo)
	}
	if f.Branches != nil {
		w += " AND u.branch = ANY(" + a.add(f.Branches) + "::text[])"
	}
	if f.OS != "" {
		w += " AND u.runner_os = " + a.add(f.OS)
	}
	return w
}

// Builders lists builders by name after the one named after, with their
// figures in the window (f.Since to f.Until). The names come from a skip
// scan of the batches' builder index, so the cost follows the builders
// listed, not the batches stored. With f.Ran, only builders with batches
// in the window under the filter are listed.
func (s *Store) Builders(ctx context.Context, f ListFilter, after string, worst, limit int) ([]BuilderRow, error) {
	var a sqlArgs
	names := fmt.Sprintf(`names AS (
			(SELECT builder FROM upload_batches WHERE builder > %s ORDER BY builder LIMIT 1)
			UNION ALL
			SELECT (SELECT u.builder FROM upload_batches u WHERE u.builder > n.builder ORDER BY u.builder LIMIT 1)
			FROM names n WHERE n.builder IS NOT NULL
		)`, a.add(after))
	out, err := s.builders(ctx, f, &a, names, limit)
	if err != nil {
		return nil, fmt.Errorf("list builders: %w", err)
	}
	for i := range out {
		if out[i].Failures == 0 || worst == 0 {
			continue
		}
		if out[i].Worst, err = s.builderWorst(ctx, f, out[i].Name, worst); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// BuilderByName returns one builder with its figures in the window; one
// that never uploaded is ErrNotFound.
func (s *Store) BuilderByName(ctx context.Context, f ListFilter, name string) (BuilderRow, error) {
	var a sqlArgs
	f.Q, f.Ran = "", false
	out, err := s.builders(ctx, f, &a, fmt.Sprintf("names AS (SELECT %s::text AS builder)", a.add(name)), 1)
	switch {
	case err != nil:
		return BuilderRow{}, fmt.Errorf("builder %s: %w", name, err)
	case len(out) == 0:
		return BuilderRow{}, fmt.Errorf("builder %s: %w", name, ErrNotFound)
	}
	return out[0], nil
}

// builders reads the builders a CTE called names lists, in name order.
func (s *Store) builders(ctx context.Context, f ListFilter, a *sqlArgs, names string, limit int) ([]BuilderRow, error) {
	where := "n.builder IS NOT NULL"
	if f.Q != "" {
		where += " AND n.builder ILIKE " + a.add(likePattern(f.Q))
	}
	if f.Ran {
		where += " AND fig.batches > 0"
	}
	sql := fmt.Sprintf(`
		WITH RECURSIVE %[1]s
		SELECT n.builder AS name, last.runner_os, last.created_at AS last_seen, last.repo AS last_repo, last.revision AS last_revision,
		       last.branch AS last_branch, last.url AS last_url, fig.batches, fig.infra_batches, fig.results, fig.failures, fig.skips
		FROM names n
		CROSS JOIN LATERAL (
			SELECT runner_os, created_at, repo, revision, branch, url FROM upload_batches
			WHERE builder = n.builder ORDER BY created_at DESC LIMIT 1) last
		CROSS JOIN LATERAL (
			SELECT count(*)::int AS batches, (count(*) FILTER (WHERE u.infra))::int AS infra_batches,
			       coalesce(sum(u.results), 0)::int AS results, coalesce(sum(u.failures), 0)::int AS failures,
			       coalesce(sum(u.skips), 0)::int AS skips
			FROM upload_batches u WHERE u.builder = n.builder AND %[2]s) fig
		WHERE %[3]s
		ORDER BY n.builder LIMIT %[4]s`, names, batchWhere(f, a), where, a.add(limit))
	rows, _ := s.pool.Query(ctx, sql, *a...)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[BuilderRow])
	for i := range out {
		out[i].Worst = []Count{}
	}
	return out, err
}

// builderWorst counts a builder's failures per test in the window, through
// the index of failing results per batch.
func (s *Store) builderWorst(ctx context.Context, f ListFilter, name string, limit int) ([]Count, error) {
	var a sqlArgs
	sql := fmt.Sprintf(`
		SELECT t.id, t.name AS key, t.repo AS extra, 0 AS runs, count(*)::int AS failures, max(u.created_at) AS seen
		FROM upload_batches u JOIN results x ON x.batch_id = u.id AND x.outcome IN ('fail', 'error')
		JOIN tests t ON t.id = x.test_id
		WHERE u.builder = %s AND %s
		GROUP BY t.id ORDER BY 5 DESC, t.id LIMIT %s`, a.add(name), batchWhere(f, &a), a.add(limit))
	rows, _ := s.pool.Query(ctx, sql, a...)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Count])
	if err != nil {
		return nil, fmt.Errorf("worst tests of %s: %w", name, err)
	}
	return out, nil
}

// BatchRow is one upload batch as a builder's history shows it.
type BatchRow struct {
	ID        string    `json:"id" db:"id"`
	Repo      string    `json:"repo" db:"repo"`
	Revision  string    `json:"revision" db:"revision"`
	Branch    string    `json:"branch" db:"branch"`
	Builder   string    `json:"builder" db:"builder"`
	RunnerOS  string    `json:"runner_os" db:"runner_os"`
	URL       string    `json:"url" db:"url"`
	Results   int       `json:"results" db:"results"`
	Failures  int       `json:"failures" db:"failures"`
	Skips     int       `json:"skips" db:"skips"`
	Infra     bool      `json:"infra" db:"infra"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
	// Micros is CreatedAt in microseconds, exact, for a cursor.
	Micros int64 `json:"-" db:"micros"`
}

const batchColumns = `u.id, u.repo, u.revision, u.branch, u.builder, u.runner_os, u.url, u.results, u.failures, u.skips, u.infra,
	u.created_at, (extract(epoch FROM u.created_at) * 1000000)::bigint AS micros`

// BuilderBatches lists a builder's batches in the window, newest first,
// after the one at after (nil: from the newest).
func (s *Store) BuilderBatches(ctx context.Context, name string, f ListFilter, after *ListKey, limit int) ([]BatchRow, error) {
	var a sqlArgs
	w := "u.builder = " + a.add(name) + " AND " + batchWhere(f, &a)
	if after != nil {
		us, err := strconv.ParseInt(after.Key, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("batches of %s: bad key %q", name, after.Key)
		}
		w += fmt.Sprintf(" AND ((extract(epoch FROM u.created_at) * 1000000)::bigint, u.id) < (%s::bigint, %s::text)", a.add(us), a.add(after.Tie))
	}
	rows, _ := s.pool.Query(ctx, `SELECT `+batchColumns+` FROM upload_batches u WHERE `+w+`
		ORDER BY u.created_at DESC, u.id DESC LIMIT `+a.add(limit), a...)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[BatchRow])
	if err != nil {
		return nil, fmt.Errorf("batches of %s: %w", name, err)
	}
	return out, nil
}

// RevisionBatches lists the batches uploaded for a commit, newest first.
func (s *Store) RevisionBatches(ctx context.Context, repo, revision string, limit int) ([]BatchRow, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+batchColumns+` FROM upload_batches u WHERE u.repo = $1 AND u.revision = $2
		ORDER BY u.created_at DESC, u.id DESC LIMIT $3`, repo, revision, limit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[BatchRow])
	if err != nil {
		return nil, fmt.Errorf("batches of %s@%s: %w", repo, revision, err)
	}
	return out, nil
}
