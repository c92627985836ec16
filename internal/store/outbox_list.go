package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// OutboxEntry is a status in the outbox, as admins see it.
type OutboxEntry struct {
	ID            int64      `json:"id" db:"id"`
	Repo          string     `json:"repo" db:"repo"`
	Revision      string     `json:"revision" db:"revision"`
	Context       string     `json:"context" db:"context"`
	State         string     `json:"state" db:"state"`
	Description   string     `json:"description" db:"description"`
	TargetURL     string     `json:"target_url" db:"target_url"`
	CreatedAt     time.Time  `json:"created_at" db:"created_at"`
	NextAttemptAt time.Time  `json:"next_attempt_at" db:"next_attempt_at"`
	Attempts      int        `json:"attempts" db:"attempts"`
	LastError     string     `json:"last_error" db:"last_error"`
	DeliveredAt   *time.Time `json:"delivered_at" db:"delivered_at"`
	Dead          bool       `json:"dead" db:"dead"`
	CoveredBy     *int64     `json:"covered_by" db:"covered_by"`
	GitHubID      *int64     `json:"github_id" db:"github_id"`
}

// Delivery values of an OutboxEntry.
const (
	DeliveryPosted   = "posted"   // GitHub accepted it
	DeliveryCovered  = "covered"  // not posted: a newer or identical status made it pointless
	DeliveryFailed   = "failed"   // GitHub refused it for good (LastError says why), or it expired
	DeliveryRetrying = "retrying" // an attempt failed; another is scheduled
	DeliveryPending  = "pending"  // not attempted yet (always so without a GitHub token)
)

// Delivery says where the entry is on its way to GitHub.
func (e OutboxEntry) Delivery() string {
	switch {
	case e.DeliveredAt != nil:
		return DeliveryPosted
	case e.CoveredBy != nil:
		return DeliveryCovered
	case e.Dead:
		return DeliveryFailed
	case e.Attempts > 0:
		return DeliveryRetrying
	}
	return DeliveryPending
}

// OutboxQuery filters OutboxEntries; empty fields match everything.
type OutboxQuery struct {
	Repo, Revision string
	// Failed keeps only statuses GitHub refused for good.
	Failed bool
	Limit  int // default 100
}

// OutboxEntries lists outbox statuses, newest first.
func (s *Store) OutboxEntries(ctx context.Context, q OutboxQuery) ([]OutboxEntry, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT id, repo, revision, context, state, description, target_url, created_at, next_attempt_at,
		       attempts, last_error, delivered_at, dead, covered_by, github_id
		FROM status_outbox
		WHERE ($1 = '' OR repo = $1) AND ($2 = '' OR revision = $2) AND (NOT $3 OR (dead AND covered_by IS NULL))
		ORDER BY id DESC LIMIT $4`, q.Repo, q.Revision, q.Failed, q.Limit)
	es, err := pgx.CollectRows(rows, pgx.RowToStructByName[OutboxEntry])
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return es, nil
}
