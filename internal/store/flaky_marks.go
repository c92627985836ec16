package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// FlakyMark is an admin's word that failures of a test with a signature are
// a known flake: flaky evidence for the classifier.
type FlakyMark struct {
	ID          int64     `json:"id" db:"id"`
	TestID      int64     `json:"test_id" db:"test_id"`
	SignatureID int64     `json:"signature_id" db:"signature_id"`
	Reason      string    `json:"reason" db:"reason"`
	CreatedBy   string    `json:"created_by" db:"created_by"`
	CreatedAt   time.Time `json:"created_at" db:"created_at"`
}

// MarkFlaky records an admin's mark, or renews a removed one, and marks the
// test's latest commits for new statuses. An unknown test or signature is
// ErrNotFound.
func (s *Store) MarkFlaky(ctx context.Context, m FlakyMark) (FlakyMark, error) {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `
			INSERT INTO flaky_marks (test_id, signature_id, reason, created_by)
			SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM tests WHERE id = $1) AND EXISTS (SELECT 1 FROM signatures WHERE id = $2)
			ON CONFLICT (test_id, signature_id) DO UPDATE
			SET reason = excluded.reason, created_by = excluded.created_by, created_at = now(), removed_at = NULL
			RETURNING id, test_id, signature_id, reason, created_by, created_at`, m.TestID, m.SignatureID, m.Reason, m.CreatedBy)
		var err error
		if m, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[FlakyMark]); err != nil {
			return err
		}
		return markTestCommits(ctx, tx, m.TestID)
	})
	if err != nil {
		return FlakyMark{}, fmt.Errorf("mark test %d flaky: %w", m.TestID, translate(err))
	}
	return m, nil
}

// UnmarkFlaky removes an admin's mark.
func (s *Store) UnmarkFlaky(ctx context.Context, testID, signatureID int64) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE flaky_marks SET removed_at = now() WHERE test_id = $1 AND signature_id = $2 AND removed_at IS NULL`,
			testID, signatureID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return markTestCommits(ctx, tx, testID)
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("unmark test %d: %w", testID, err)
	}
	return err
}

// FlakyMarks lists a test's marks in force.
func (s *Store) FlakyMarks(ctx context.Context, testID int64) ([]FlakyMark, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, test_id, signature_id, reason, created_by, created_at FROM flaky_marks
		WHERE test_id = $1 AND removed_at IS NULL ORDER BY id`, testID)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[FlakyMark])
	if err != nil {
		return nil, fmt.Errorf("flaky marks of test %d: %w", testID, err)
	}
	return out, nil
}

// markTestCommits marks the test's latest commit per runner OS for a new
// status and verdict, since the test's evidence changed.
func markTestCommits(ctx context.Context, tx pgx.Tx, testID int64) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO status_dirty (repo, revision)
		SELECT DISTINCT ON (runner_os) repo, revision FROM revision_rollups
		WHERE test_id = $1 AND revision ~ '^[0-9a-fA-F]{7,64}$' ORDER BY runner_os, last_seen DESC`, testID)
	return err
}
