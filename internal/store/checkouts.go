package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/checkout"
	"github.com/triaged/triaged/internal/protocol"
)

// ErrWrongCommit is returned when a runner reports a checkout of another
// commit than its job's campaign names.
var ErrWrongCommit = errors.New("checked out another commit than the campaign names")

// jobCheckout is what the runner of a job of c checks out: for an exec
// campaign naming a revision of a registered repository, that revision
// (and, for a bisection's bad end, the history the bisection needs).
// A campaign naming a revision of a repository that is not registered
// runs without a checkout, and is marked so: its runs do not test the
// revision it names.
func jobCheckout(ctx context.Context, tx pgx.Tx, c *campaign.Campaign) (*checkout.Spec, error) {
	if c.Kind != campaign.KindExec || c.Revision == "" {
		return nil, nil
	}
	r, err := repoByName(ctx, tx, c.Repo)
	if errors.Is(err, ErrNotFound) {
		c.UntestedJobs++
		_, err := tx.Exec(ctx, `UPDATE campaigns SET untested_jobs = untested_jobs + 1 WHERE id = $1`, c.ID)
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	spec := r.Checkout(c.Revision)
	err = tx.QueryRow(ctx, `SELECT b.good FROM bisection_steps s JOIN bisections b ON b.id = s.bisection_id
		WHERE s.campaign_id = $1 AND s.role = 'bad-end' AND b.history IS NULL AND b.history_error = ''`, c.ID).Scan(&spec.HistoryFrom)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	return &spec, nil
}

// RecordCheckout stores what the runner holding a job checked out: the
// commit, which must be the one the campaign names (an abbreviated
// revision is a prefix of it), on the job and the campaign; and the
// history a bisection's bad end asked for.
func (s *Store) RecordCheckout(ctx context.Context, runnerID, jobID int64, r protocol.CheckoutReport) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var campaignID int64
		var revision string
		err := tx.QueryRow(ctx, `SELECT j.campaign_id, c.revision FROM jobs j JOIN campaigns c ON c.id = j.campaign_id
			WHERE j.id = $1 AND j.runner_id = $2 AND j.state = 'leased' FOR UPDATE OF j`, jobID, runnerID).Scan(&campaignID, &revision)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotHeld
		}
		if err != nil {
			return err
		}
		if revision == "" || !strings.HasPrefix(r.Commit, strings.ToLower(revision)) {
			return fmt.Errorf("%w: %s, not %s", ErrWrongCommit, r.Commit, revision)
		}
		if _, err := tx.Exec(ctx, `UPDATE jobs SET tested_revision = $2, updated_at = now() WHERE id = $1`, jobID, r.Commit); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE campaigns SET tested_revision = $2 WHERE id = $1 AND tested_revision IN ('', $2)`, campaignID, r.Commit)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%w: %s, where another job of the campaign tested another", ErrWrongCommit, r.Commit)
		}
		if r.History == nil && r.HistoryError == "" {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE bisections b SET history = $2, history_base = $3, history_error = $4
			FROM bisection_steps s
			WHERE s.campaign_id = $1 AND s.role = 'bad-end' AND b.id = s.bisection_id AND b.history IS NULL AND b.history_error = ''`,
			campaignID, r.History, r.HistoryBase, r.HistoryError)
		return err
	})
	if err != nil {
		return fmt.Errorf("record checkout of job %d: %w", jobID, err)
	}
	return nil
}
