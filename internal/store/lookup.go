package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestIDByName returns the id of the test named name in repo.
func (s *Store) TestIDByName(ctx context.Context, repo, name string) (int64, error) {
	var id int64
	if err := s.pool.QueryRow(ctx, `SELECT id FROM tests WHERE repo = $1 AND name = $2`, repo, name).Scan(&id); err != nil {
		return 0, fmt.Errorf("test %q in %s: %w", name, repo, translate(err))
	}
	return id, nil
}

// SignatureIDByHash returns the id of the newest signature with hash (of
// the newest algorithm that has it).
func (s *Store) SignatureIDByHash(ctx context.Context, hash string) (int64, error) {
	var id int64
	if err := s.pool.QueryRow(ctx, `SELECT id FROM signatures WHERE hash = $1 ORDER BY algorithm DESC LIMIT 1`, hash).Scan(&id); err != nil {
		return 0, fmt.Errorf("signature %q: %w", hash, translate(err))
	}
	return id, nil
}

// Group is a named group of failures that rules fill.
type Group struct {
	ID   int64  `json:"id" db:"id"`
	Name string `json:"name" db:"name"`
}

// GroupByName returns the group with name.
func (s *Store) GroupByName(ctx context.Context, name string) (Group, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, name FROM groups WHERE name = $1`, name)
	g, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Group])
	if err != nil {
		return g, fmt.Errorf("group %q: %w", name, translate(err))
	}
	return g, nil
}

// Groups lists the groups by name.
func (s *Store) Groups(ctx context.Context) ([]Group, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, name FROM groups ORDER BY name`)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Group])
	if err != nil {
		return nil, fmt.Errorf("groups: %w", err)
	}
	return out, nil
}

// GroupCount is a test's or a signature's matched failures in a group.
type GroupCount struct {
	ID       int64  `json:"id" db:"id"`
	Name     string `json:"name" db:"name"`
	Failures int    `json:"failures" db:"failures"`
}

// GroupFigures are a group's failures since a time, by test and by
// signature, with the runs of the tests they hit.
type GroupFigures struct {
	Failures   int          `json:"failures"`
	Runs       int          `json:"runs"`
	Tests      []GroupCount `json:"tests"`
	Signatures []GroupCount `json:"signatures"`
}

// GroupFigures counts the distinct failures the group's rules (their
// versions in force) matched since since, by test and by signature (at
// most limit of each, most failures first), and the runs of the tests
// they hit since then.
func (s *Store) GroupFigures(ctx context.Context, groupID int64, since time.Time, limit int) (GroupFigures, error) {
	g := GroupFigures{Tests: []GroupCount{}, Signatures: []GroupCount{}}
	const matched = `
		WITH m AS (
			SELECT DISTINCT ON (m.result_id) m.result_id, m.test_id, m.signature_id FROM rule_matches m
			JOIN rules ru ON ru.id = m.rule_id
			JOIN rule_versions v ON v.rule_id = ru.id AND v.version = ru.version
			WHERE v.group_id = $1 AND m.created_at >= $2)`
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, matched+`
			SELECT count(*)::int,
			       (SELECT coalesce(sum(runs), 0)::int FROM rollups WHERE test_id IN (SELECT test_id FROM m) AND day >= $2::date)
			FROM m`, groupID, since).Scan(&g.Failures, &g.Runs); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, matched+`
			SELECT t.id, t.name, count(*)::int AS failures FROM m JOIN tests t ON t.id = m.test_id
			GROUP BY 1, 2 ORDER BY 3 DESC, 2 LIMIT $3`, groupID, since, limit)
		var err error
		if g.Tests, err = pgx.CollectRows(rows, pgx.RowToStructByName[GroupCount]); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, matched+`
			SELECT sg.id, sg.title AS name, count(*)::int AS failures FROM m JOIN signatures sg ON sg.id = m.signature_id
			GROUP BY 1, 2 ORDER BY 3 DESC, 2 LIMIT $3`, groupID, since, limit)
		g.Signatures, err = pgx.CollectRows(rows, pgx.RowToStructByName[GroupCount])
		return err
	})
	if err != nil {
		return g, fmt.Errorf("group %d figures: %w", groupID, err)
	}
	return g, nil
}
