package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The tables partitioned by month of created_at; each month's partition is
// named <table>_pYYYY_MM, and <table>_pdefault takes any row outside them.
var partitioned = []string{"results", "failure_texts"}

// partitionName is the name of table's partition for the month of t.
func partitionName(table string, t time.Time) string {
	return table + "_p" + t.UTC().Format("2006_01")
}

// month is the first instant of t's month, UTC.
func month(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// EnsurePartitions makes sure results and failure_texts have a partition
// for every month from now's to ahead months later, and returns how many it
// created. A month is made as a table of its own, given the rows the
// default partition holds for it, then attached, so it never fails because
// a row arrived before its month did. Replicas may all run it.
func (s *Store) EnsurePartitions(ctx context.Context, now time.Time, ahead int) (int, error) {
	created := 0
	for m := month(now); !m.After(month(now).AddDate(0, ahead, 0)); m = m.AddDate(0, 1, 0) {
		for _, table := range partitioned {
			made, err := s.ensurePartition(ctx, table, m)
			if err != nil {
				return created, err
			}
			if made {
				created++
			}
		}
	}
	return created, nil
}

func (s *Store) ensurePartition(ctx context.Context, table string, m time.Time) (bool, error) {
	name := partitionName(table, m)
	made := false
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		// One maker at a time per table; another replica's attempt waits
		// and then finds the partition there.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('partition ' || $1, 0))`, table); err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, name).Scan(&exists); err != nil || exists {
			return err
		}
		lo, hi := m, m.AddDate(0, 1, 0)
		ident := pgx.Identifier{name}.Sanitize()
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`CREATE TABLE ` + ident + ` (LIKE ` + table + ` INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`, nil},
			{`WITH moved AS (DELETE FROM ` + pgx.Identifier{table + "_pdefault"}.Sanitize() + ` WHERE created_at >= $1 AND created_at < $2 RETURNING *)
			  INSERT INTO ` + ident + ` SELECT * FROM moved`, []any{lo, hi}},
			{`ALTER TABLE ` + table + ` ATTACH PARTITION ` + ident +
				` FOR VALUES FROM ('` + lo.Format(time.RFC3339) + `') TO ('` + hi.Format(time.RFC3339) + `')`, nil},
		} {
			if _, err := tx.Exec(ctx, q.sql, q.args...); err != nil {
				return fmt.Errorf("create partition %s: %w", name, err)
			}
		}
		made = true
		return nil
	})
	return made, err
}

// ExpireResults drops the months of results and failure_texts that ended
// before cutoff, oldest first, and returns their names. Before a month
// goes, each signature's newest failure in it is kept in
// signature_examples, so a signature's page still shows a real failure;
// rollups are untouched (see ExpireRollups). Replicas may all run it.
func (s *Store) ExpireResults(ctx context.Context, cutoff time.Time) ([]string, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'results'::regclass AND c.relname ~ '^results_p[0-9]{4}_[0-9]{2}$' ORDER BY 1`)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list partitions: %w", err)
	}
	var dropped []string
	for _, name := range names {
		m, err := time.Parse("2006_01", name[len("results_p"):])
		if err != nil || m.AddDate(0, 1, 0).After(cutoff) {
			continue // a month that had not ended by cutoff
		}
		if err := s.dropMonth(ctx, m); err != nil {
			return dropped, err
		}
		dropped = append(dropped, name)
	}
	return dropped, nil
}

// dropMonth keeps the month's newest example of each signature, then drops
// its results and failure texts.
func (s *Store) dropMonth(ctx context.Context, m time.Time) error {
	results, texts := pgx.Identifier{partitionName("results", m)}.Sanitize(), pgx.Identifier{partitionName("failure_texts", m)}.Sanitize()
	return s.InTx(ctx, func(tx pgx.Tx) error {
		var locked bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock(hashtextextended('partition results', 0))`).Scan(&locked); err != nil || !locked {
			return err
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, partitionName("results", m)).Scan(&exists); err != nil || !exists {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO signature_examples AS e (signature_id, result_id, test, builder, repo, revision, runner_os, created_at, text, truncated, output)
			SELECT DISTINCT ON (r.signature_id) r.signature_id, r.id, t.name, r.builder, r.repo, r.revision, r.runner_os, r.created_at,
			       f.text, f.truncated, f.output
			FROM `+results+` r JOIN `+texts+` f ON f.result_id = r.id AND f.created_at = r.created_at JOIN tests t ON t.id = r.test_id
			WHERE r.signature_id IS NOT NULL
			ORDER BY r.signature_id, r.created_at DESC
			ON CONFLICT (signature_id) DO UPDATE SET result_id = excluded.result_id, test = excluded.test, builder = excluded.builder,
				repo = excluded.repo, revision = excluded.revision, runner_os = excluded.runner_os, created_at = excluded.created_at,
				text = excluded.text, truncated = excluded.truncated, output = excluded.output
			WHERE e.created_at < excluded.created_at`); err != nil {
			return fmt.Errorf("keep examples of %s: %w", results, err)
		}
		for _, q := range []string{`DROP TABLE ` + texts, `DROP TABLE ` + results} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("drop month %s: %w", m.Format("2006-01"), err)
			}
		}
		// Rule matches name results: those of the month go with it.
		if _, err := tx.Exec(ctx, `DELETE FROM rule_matches WHERE created_at < $1`, m.AddDate(0, 1, 0)); err != nil {
			return fmt.Errorf("drop month %s: rule matches: %w", m.Format("2006-01"), err)
		}
		return nil
	})
}

// ExpireRollups deletes rollup rows (daily, per revision, per signature
// and revision) last counted before cutoff, and upload batches and
// delivered statuses older than the results they described (resultsCutoff).
// It returns how many rows it deleted.
func (s *Store) ExpireRollups(ctx context.Context, cutoff, resultsCutoff time.Time) (int64, error) {
	var n int64
	for _, q := range []struct {
		sql string
		at  time.Time
	}{
		{`DELETE FROM rollups WHERE day < $1::date`, cutoff},
		{`DELETE FROM revision_rollups WHERE last_seen < $1`, cutoff},
		{`DELETE FROM signature_revisions WHERE last_seen < $1`, cutoff},
		{`DELETE FROM upload_batches WHERE created_at < $1`, resultsCutoff},
		{`DELETE FROM status_outbox WHERE created_at < $1 AND (delivered_at IS NOT NULL OR dead OR covered_by IS NOT NULL)`, resultsCutoff},
	} {
		if q.at.IsZero() {
			continue
		}
		tag, err := s.pool.Exec(ctx, q.sql, q.at)
		if err != nil {
			return n, fmt.Errorf("expire: %w", err)
		}
		n += tag.RowsAffected()
	}
	return n, nil
}
