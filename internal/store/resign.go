package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// Signer computes the signature of a stored failure: from its data-loss
// detector report when it has one, else from its failure text.
type Signer func(text string, detector []byte) SignatureRow

// ResignBatch re-signs up to limit failing results whose signature was
// computed by an algorithm other than version, in one transaction: new
// signatures are created, the results and the daily rollups move to them,
// and each old signature points (superseded_by) at the new one most of its
// results went to, so the grouping history survives. It returns how many
// results it re-signed; zero means none are left.
func (s *Store) ResignBatch(ctx context.Context, version, limit int, sign Signer) (int, error) {
	// Re-signing moves rollup rows: fold what uploads appended first.
	if _, err := s.FoldRollups(ctx); err != nil {
		return 0, err
	}
	type old struct {
		ID       int64     `db:"id"`
		TestID   int64     `db:"test_id"`
		RunnerOS string    `db:"runner_os"`
		Branch   string    `db:"branch"`
		Day      time.Time `db:"day"`
		Repo     string    `db:"repo"`
		Revision string    `db:"revision"`
		OldSig   int64     `db:"signature_id"`
		Outcome  string    `db:"outcome"`
		Text     *string   `db:"text"`
		Detector []byte    `db:"detector"`
	}
	n := 0
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `
			SELECT r.id, r.test_id, r.runner_os, coalesce(u.branch, '') AS branch, (r.created_at AT TIME ZONE 'UTC')::date AS day,
			       r.repo, r.revision, r.signature_id, r.outcome, ft.text, r.detector
			FROM results r
			JOIN signatures s ON s.id = r.signature_id AND s.algorithm <> $1
			LEFT JOIN failure_texts ft ON ft.result_id = r.id AND ft.created_at = r.created_at
			LEFT JOIN upload_batches u ON u.id = r.batch_id
			ORDER BY r.id LIMIT $2
			FOR UPDATE OF r`, version, limit)
		olds, err := pgx.CollectRows(rows, pgx.RowToStructByName[old])
		if err != nil || len(olds) == 0 {
			return err
		}
		n = len(olds)
		newIDs := map[string]int64{}
		votes := map[int64]map[int64]int{} // old signature -> new signature -> results
		type key struct {
			day  time.Time
			test int64
			sig  int64
			os   string
			br   string
		}
		type delta struct {
			key
			runs, failed int32
		}
		deltas := map[key]*delta{}
		add := func(k key, runs, failed int32) {
			d := deltas[k]
			if d == nil {
				d = &delta{key: k}
				deltas[k] = d
			}
			d.runs += runs
			d.failed += failed
		}
		for _, o := range olds {
			text := ""
			if o.Text != nil {
				text = *o.Text
			}
			sig := sign(text, o.Detector)
			id, ok := newIDs[sig.Hash]
			if !ok {
				if err := tx.QueryRow(ctx, `
					INSERT INTO signatures (algorithm, hash, title, normalized, first_repo, first_revision)
					VALUES ($1, $2, $3, $4, $5, $6)
					ON CONFLICT (algorithm, hash) DO UPDATE SET algorithm = excluded.algorithm
					RETURNING id`, sig.Algorithm, sig.Hash, sig.Title, sig.Normalized, o.Repo, o.Revision).Scan(&id); err != nil {
					return fmt.Errorf("insert signature: %w", err)
				}
				newIDs[sig.Hash] = id
			}
			if _, err := tx.Exec(ctx, `UPDATE results SET signature_id = $2 WHERE id = $1`, o.ID, id); err != nil {
				return err
			}
			if votes[o.OldSig] == nil {
				votes[o.OldSig] = map[int64]int{}
			}
			votes[o.OldSig][id]++
			f := int32(0)
			if failed(o.Outcome) {
				f = 1
			}
			add(key{day: o.Day, test: o.TestID, sig: o.OldSig, os: o.RunnerOS, br: o.Branch}, -1, -f)
			add(key{day: o.Day, test: o.TestID, sig: id, os: o.RunnerOS, br: o.Branch}, 1, f)
		}
		keys := make([]*delta, 0, len(deltas))
		for _, d := range deltas {
			keys = append(keys, d)
		}
		// A fixed order keeps concurrent writers from deadlocking on rollups.
		slices.SortFunc(keys, func(a, b *delta) int {
			return cmp.Or(a.day.Compare(b.day), cmp.Compare(a.test, b.test), cmp.Compare(a.sig, b.sig), cmp.Compare(a.os, b.os), cmp.Compare(a.br, b.br))
		})
		for _, d := range keys {
			if _, err := tx.Exec(ctx, `
				INSERT INTO rollups (day, test_id, signature_id, runner_os, branch, runs, failures) VALUES ($1, $2, $3, $4, $7, $5, $6)
				ON CONFLICT (day, test_id, signature_id, runner_os, branch)
				DO UPDATE SET runs = rollups.runs + excluded.runs, failures = rollups.failures + excluded.failures`,
				d.day, d.test, d.sig, d.os, d.runs, d.failed, d.br); err != nil {
				return fmt.Errorf("move rollups: %w", err)
			}
			if d.runs < 0 {
				if _, err := tx.Exec(ctx, `DELETE FROM rollups WHERE day = $1 AND test_id = $2 AND signature_id = $3
					AND runner_os = $4 AND branch = $5 AND runs = 0`, d.day, d.test, d.sig, d.os, d.br); err != nil {
					return err
				}
			}
		}
		for oldSig, to := range votes {
			var best int64
			for id, c := range to {
				if best == 0 || c > to[best] || c == to[best] && id < best {
					best = id
				}
			}
			if _, err := tx.Exec(ctx, `UPDATE signatures SET superseded_by = $2 WHERE id = $1`, oldSig, best); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("re-sign failures: %w", err)
	}
	return n, nil
}

// PendingResign counts failing results whose signature came from an
// algorithm other than version.
func (s *Store) PendingResign(ctx context.Context, version int) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM results r JOIN signatures s ON s.id = r.signature_id WHERE s.algorithm <> $1`, version).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count results to re-sign: %w", err)
	}
	return n, nil
}
