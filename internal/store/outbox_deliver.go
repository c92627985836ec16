package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// StatusKey names one status line on GitHub: a commit and a context.
type StatusKey struct {
	Repo     string `db:"repo"`
	Revision string `db:"revision"`
	Context  string `db:"context"`
}

// PendingStatus is an outbox row the worker is about to post.
type PendingStatus struct {
	ID       int64
	Key      StatusKey
	State    string
	Desc     string
	URL      string
	Attempts int // attempts before this one
}

// Delivery is what came of posting a status.
type Delivery struct {
	// GitHubID is set when GitHub accepted the status.
	GitHubID int64
	// Err is the reason it was not accepted: kept on the row for admins.
	Err string
	// Permanent marks an answer that retrying cannot change (404, 422).
	Permanent bool
	// RetryAfter is when to try a transient failure again.
	RetryAfter time.Duration
}

// DueStatusKeys lists commits and contexts with a status to post whose next
// attempt is due, oldest first, skipping rows created more than maxAge ago.
func (s *Store) DueStatusKeys(ctx context.Context, maxAge time.Duration, limit int) ([]StatusKey, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT repo, revision, context FROM status_outbox
		WHERE delivered_at IS NULL AND NOT dead AND covered_by IS NULL
		  AND next_attempt_at <= now() AND created_at > now() - $1::interval
		GROUP BY repo, revision, context ORDER BY min(id) LIMIT $2`, maxAge, limit)
	keys, err := pgx.CollectRows(rows, pgx.RowToStructByName[StatusKey])
	if err != nil {
		return nil, fmt.Errorf("due statuses: %w", err)
	}
	return keys, nil
}

// DeliverStatus posts the newest pending status of key with post and records
// the outcome, all under a transaction-scoped lock on the key, so that
// replicas never post the same line at once and never post an older status
// after a newer one. Older pending rows are marked covered by the newest; a
// newest row identical to the status last posted is marked covered by that
// one instead of being posted again. It reports whether post was called.
//
// post runs inside the transaction with ctx: it should bound its own time.
// The transaction itself is not cancelled with ctx, so a shutdown while
// GitHub answers still records the answer. If the process dies after GitHub
// accepted a status but before the commit, the status is posted again;
// GitHub keeps both, and nothing else differs.
func (s *Store) DeliverStatus(ctx context.Context, key StatusKey, post func(context.Context, PendingStatus) Delivery) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	postCtx := ctx
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	posted := false
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var locked bool
		err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock(hashtextextended('status delivery ' || $1 || ' ' || $2 || ' ' || $3, 0))`,
			key.Repo, key.Revision, key.Context).Scan(&locked)
		if err != nil || !locked {
			return err // another replica is on it
		}
		p := PendingStatus{Key: key}
		var due bool
		err = tx.QueryRow(ctx, `
			SELECT id, state, description, target_url, attempts, next_attempt_at <= now() FROM status_outbox
			WHERE repo = $1 AND revision = $2 AND context = $3 AND delivered_at IS NULL AND NOT dead AND covered_by IS NULL
			ORDER BY id DESC LIMIT 1 FOR UPDATE`, key.Repo, key.Revision, key.Context).Scan(&p.ID, &p.State, &p.Desc, &p.URL, &p.Attempts, &due)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !due) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE status_outbox SET covered_by = $4
			WHERE repo = $1 AND revision = $2 AND context = $3 AND id < $4
			  AND delivered_at IS NULL AND NOT dead AND covered_by IS NULL`, key.Repo, key.Revision, key.Context, p.ID); err != nil {
			return err
		}
		var same int64
		err = tx.QueryRow(ctx, `
			SELECT id FROM (SELECT id, state, description, target_url FROM status_outbox
				WHERE repo = $1 AND revision = $2 AND context = $3 AND github_id IS NOT NULL
				ORDER BY delivered_at DESC, id DESC LIMIT 1) last
			WHERE state = $4 AND description = $5 AND target_url = $6`,
			key.Repo, key.Revision, key.Context, p.State, p.Desc, p.URL).Scan(&same)
		switch {
		case err == nil:
			_, err = tx.Exec(ctx, `UPDATE status_outbox SET covered_by = $2 WHERE id = $1`, p.ID, same)
			return err
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		posted = true
		return recordDelivery(ctx, tx, p.ID, post(postCtx, p))
	})
	if err != nil {
		return posted, fmt.Errorf("deliver status %s for %s@%s: %w", key.Context, key.Repo, key.Revision, err)
	}
	return posted, nil
}

func recordDelivery(ctx context.Context, tx pgx.Tx, id int64, d Delivery) error {
	var err error
	switch {
	case d.Err == "":
		_, err = tx.Exec(ctx, `UPDATE status_outbox SET delivered_at = now(), github_id = $2, attempts = attempts + 1, last_error = ''
			WHERE id = $1`, id, d.GitHubID)
	case d.Permanent:
		_, err = tx.Exec(ctx, `UPDATE status_outbox SET dead = true, attempts = attempts + 1, last_error = $2 WHERE id = $1`, id, d.Err)
	default:
		_, err = tx.Exec(ctx, `UPDATE status_outbox SET attempts = attempts + 1, last_error = $2,
			next_attempt_at = now() + $3::interval WHERE id = $1`, id, d.Err, d.RetryAfter)
	}
	return err
}

// ExpireStatuses gives up on statuses still undelivered maxAge after they
// were recorded, keeping their last error, and reports how many.
func (s *Store) ExpireStatuses(ctx context.Context, maxAge time.Duration) (int, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE status_outbox SET dead = true,
		last_error = left(format('not delivered within %s; last error: %s', $1::interval, coalesce(nullif(last_error, ''), 'none')), 2000)
		WHERE delivered_at IS NULL AND NOT dead AND covered_by IS NULL AND created_at <= now() - $1::interval`, maxAge)
	if err != nil {
		return 0, fmt.Errorf("expire statuses: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
