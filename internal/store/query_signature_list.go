package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// SortNew orders signatures newest first.
const SortNew = "new"

// SignatureListRow is a signature in the list, with its failures in the
// window under the filter, the tests they hit, and its latest failure.
type SignatureListRow struct {
	ID        int64       `json:"id" db:"id"`
	Title     string      `json:"title" db:"title"`
	FirstSeen time.Time   `json:"first_seen" db:"first_seen"`
	LastSeen  time.Time   `json:"last_seen" db:"last_seen"`
	Failures  int64       `json:"failures" db:"failures"`
	Tests     int64       `json:"tests" db:"tests"`
	Seg       int         `json:"-" db:"seg"`
	Key       string      `json:"-" db:"key"`
	Last      *FailureRef `json:"last_failure" db:"-"`
}

// SignatureList lists current signatures: by failures in the window
// (those without any follow, newest first), or newest first (SortNew).
// With f.Ran, or a repo, only signatures that failed in the window under
// the filter are listed.
func (s *Store) SignatureList(ctx context.Context, f ListFilter, sort string, after *ListKey, limit int) ([]SignatureListRow, error) {
	var out []SignatureListRow
	var err error
	switch {
	case f.Builder != "" || sort == SortNew:
		out, err = s.signaturePage(ctx, f, sort, after, limit, false)
	case after == nil || after.Seg == 0:
		if out, err = s.signaturePage(ctx, f, sort, after, limit, true); err == nil && len(out) < limit && !f.Ran && f.Repo == "" {
			var quiet []SignatureListRow
			quiet, err = s.signaturePage(ctx, f, sort, &ListKey{Seg: 1, ID: 1 << 62}, limit-len(out), false)
			out = append(out, quiet...)
		}
	case !f.Ran && f.Repo == "":
		out, err = s.signaturePage(ctx, f, sort, after, limit, false)
	}
	if err != nil {
		return nil, fmt.Errorf("list signatures: %w", err)
	}
	return out, nil
}

func (s *Store) signaturePage(ctx context.Context, f ListFilter, sort string, after *ListKey, limit int, failing bool) ([]SignatureListRow, error) {
	var a sqlArgs
	var sql string
	where := "s.superseded_by IS NULL"
	if f.Q != "" {
		where += " AND s.title ILIKE " + a.add(likePattern(f.Q))
	}
	order := "p.seg, nullif(p.key, '')::numeric DESC, p.id DESC"
	switch {
	case f.Builder != "" || failing:
		src := figureSource(f, &a, "signature_id", failing)
		key := "src.failures::numeric::text"
		if sort == SortNew {
			key, order = "''::text", "p.id DESC"
		}
		sql = fmt.Sprintf(`WITH %s
			SELECT * FROM (
				SELECT s.id, s.title, s.first_seen, s.last_seen, src.failures::bigint AS failures, src.tests::bigint AS tests,
				       0 AS seg, %s AS key
				FROM src JOIN signatures s ON s.id = src.key
				WHERE src.failures > 0 AND %s) p`, src, key, where)
	default:
		late := lateCounts(f, &a, "signature_id")
		from := "rollups r"
		if f.Repo != "" {
			from += " JOIN tests rt ON rt.id = r.test_id AND rt.repo = " + a.add(f.Repo)
		}
		cond := "rr.failures = coalesce(l.failures, 0)"
		seg := "1"
		if sort == SortNew {
			cond, seg, order = "true", "0", "p.id DESC"
			if f.Ran || f.Repo != "" {
				cond = "rr.failures > coalesce(l.failures, 0)"
			}
		}
		sql = fmt.Sprintf(`WITH late AS (%s)
			SELECT * FROM (
				SELECT s.id, s.title, s.first_seen, s.last_seen, (rr.failures - coalesce(l.failures, 0))::bigint AS failures,
				       rr.tests::bigint AS tests, %s AS seg, ''::text AS key
				FROM signatures s LEFT JOIN late l ON l.key = s.id
				CROSS JOIN LATERAL (
					SELECT coalesce(sum(r.failures), 0) AS failures, count(DISTINCT r.test_id) AS tests
					FROM %s WHERE r.signature_id = s.id AND r.failures > 0 AND %s) rr
				WHERE %s AND %s) p`, late, seg, from, rollupWhere(f, &a, "r"), where, cond)
	}
	sql += " WHERE " + afterKey(&a, sort, after, true) + " ORDER BY " + order + " LIMIT " + a.add(limit)
	rows, _ := s.pool.Query(ctx, sql, a...)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[SignatureListRow])
	if err != nil {
		return nil, err
	}
	return out, s.signatureLastFailures(ctx, f, out)
}

// signatureLastFailures sets each row's latest failure under the filter,
// through the index of results by signature.
func (s *Store) signatureLastFailures(ctx context.Context, f ListFilter, rows []SignatureListRow) error {
	if len(rows) == 0 {
		return nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var a sqlArgs
	w := fmt.Sprintf("x.signature_id = sg.id AND x.created_at < %s", a.add(f.end()))
	if f.Branches != nil {
		w += " AND u.branch = ANY(" + a.add(f.Branches) + "::text[])"
	}
	if f.OS != "" {
		w += " AND x.runner_os = " + a.add(f.OS)
	}
	if f.Builder != "" {
		w += " AND x.builder = " + a.add(f.Builder)
	}
	if f.Repo != "" {
		w += " AND x.repo = " + a.add(f.Repo)
	}
	sql := fmt.Sprintf(`
		SELECT sg.id AS key_id, lf.* FROM unnest(%s::bigint[]) AS sg(id)
		CROSS JOIN LATERAL (
			SELECT x.id AS result_id, t.name AS test, x.created_at AS at, x.outcome, x.revision, coalesce(u.branch, '') AS branch,
			       x.builder, x.runner_os, coalesce(u.url, '') AS url, sg.id AS signature_id, s.title
			FROM results x LEFT JOIN upload_batches u ON u.id = x.batch_id JOIN tests t ON t.id = x.test_id
			JOIN signatures s ON s.id = sg.id
			WHERE %s ORDER BY x.created_at DESC LIMIT 1) lf`, a.add(ids), w)
	pgRows, _ := s.pool.Query(ctx, sql, a...)
	type last struct {
		KeyID int64 `db:"key_id"`
		FailureRef
	}
	found, err := pgx.CollectRows(pgRows, pgx.RowToStructByName[last])
	if err != nil {
		return fmt.Errorf("last failures: %w", err)
	}
	byID := make(map[int64]FailureRef, len(found))
	for _, l := range found {
		byID[l.KeyID] = l.FailureRef
	}
	for i := range rows {
		if l, ok := byID[rows[i].ID]; ok {
			rows[i].Last = &l
		}
	}
	return nil
}
