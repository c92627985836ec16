package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// FailedIteration is one failing result of a campaign, with the detector's
// report as stored (any shape).
type FailedIteration struct {
	Iteration   int             `json:"iteration" db:"iteration"`
	Test        string          `json:"test" db:"test"`
	Outcome     string          `json:"outcome" db:"outcome"`
	Builder     string          `json:"builder" db:"builder"`
	RunnerOS    string          `json:"runner_os" db:"runner_os"`
	SignatureID *int64          `json:"signature_id" db:"signature_id"`
	Title       string          `json:"title" db:"title"`
	Detector    json.RawMessage `json:"detector" db:"detector"`
	CreatedAt   time.Time       `json:"created_at" db:"created_at"`
}

// CampaignFailures lists a campaign's failing results by iteration, through
// the campaign's results index.
func (s *Store) CampaignFailures(ctx context.Context, id int64, limit int) ([]FailedIteration, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT coalesce(r.iteration, 0) AS iteration, t.name AS test, r.outcome, r.builder, r.runner_os, r.signature_id,
		       coalesce(s.title, '') AS title, r.detector, r.created_at
		FROM results r JOIN tests t ON t.id = r.test_id LEFT JOIN signatures s ON s.id = r.signature_id
		WHERE r.campaign_id = $1 AND r.outcome IN ('fail', 'error')
		ORDER BY r.iteration, r.id LIMIT $2`, id, limit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[FailedIteration])
	if err != nil {
		return nil, fmt.Errorf("campaign %d failures: %w", id, err)
	}
	return out, nil
}
