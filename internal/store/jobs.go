package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/campaign"
)

// ErrNotHeld is returned when a runner acts on a job whose lease it does not
// hold (expired and given to another runner, or never its own).
var ErrNotHeld = errors.New("job not held by this runner")

// LeaseJob hands the oldest queued job that the runner may run to it, for
// leaseFor. Concurrent leasers skip each other's locked rows, so two runners
// never get the same job. No job: ErrNotFound.
func (s *Store) LeaseJob(ctx context.Context, runnerID int64, labels []string, leaseFor time.Duration) (campaign.Job, error) {
	var j campaign.Job
	err := s.inLeaseTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			WITH pick AS (
				SELECT j.id FROM jobs j JOIN campaigns c ON c.id = j.campaign_id
				WHERE j.state = 'queued' AND c.state IN ('queued', 'running') AND c.labels <@ $2
				  AND (j.pinned_runner_id IS NULL OR j.pinned_runner_id = $1)
				  AND (c.repo = '' OR (SELECT cardinality(r.repos) = 0 OR c.repo = ANY (r.repos) FROM runners r WHERE r.id = $1))
				ORDER BY j.id LIMIT 1
				FOR UPDATE OF j SKIP LOCKED
			)
			UPDATE jobs SET state = 'leased', runner_id = $1, lease_expires_at = now() + $3::interval,
				attempts = attempts + 1, updated_at = now()
			FROM pick WHERE jobs.id = pick.id
			RETURNING jobs.id, jobs.campaign_id, jobs.first_iteration, jobs.iterations, jobs.attempts, jobs.lease_expires_at`,
			runnerID, labels, leaseFor,
		).Scan(&j.ID, &j.CampaignID, &j.FirstIteration, &j.Iterations, &j.Attempt, &j.LeaseExpires)
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `
			WITH started AS (
				UPDATE campaigns SET state = 'running', started_at = now() WHERE id = $1 AND state = 'queued'
			)
			SELECT `+campaignColumns+` FROM campaigns WHERE id = $1`, j.CampaignID)
		if j.Campaign, err = pgx.CollectExactlyOneRow(rows, scanCampaign); err != nil {
			return err
		}
		j.Campaign.State = campaign.Running
		if j.Checkout, err = jobCheckout(ctx, tx, &j.Campaign); err != nil {
			return err
		}
		if j.Attempt > 1 {
			rows, _ := tx.Query(ctx, `SELECT DISTINCT iteration FROM results
				WHERE campaign_id = $1 AND iteration >= $2 AND iteration < $2 + $3 ORDER BY 1`,
				j.CampaignID, j.FirstIteration, j.Iterations)
			if j.Done, err = pgx.CollectRows(rows, pgx.RowTo[int]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return campaign.Job{}, fmt.Errorf("lease job: %w", translate(err))
	}
	return j, nil
}

// HeldJob returns the job if runnerID holds it, or held it when it was
// cancelled or completed (a late upload of its results is still welcome).
func (s *Store) HeldJob(ctx context.Context, runnerID, jobID int64) (campaign.Job, error) {
	var j campaign.Job
	var holder *int64
	var state string
	err := s.pool.QueryRow(ctx, `SELECT id, campaign_id, first_iteration, iterations, attempts, runner_id, state
		FROM jobs WHERE id = $1`, jobID).Scan(&j.ID, &j.CampaignID, &j.FirstIteration, &j.Iterations, &j.Attempt, &holder, &state)
	if err != nil {
		return campaign.Job{}, fmt.Errorf("job %d: %w", jobID, translate(err))
	}
	if holder == nil || *holder != runnerID || state == "queued" {
		return campaign.Job{}, fmt.Errorf("job %d: %w", jobID, ErrNotHeld)
	}
	return j, nil
}

// CompleteJob ends a job the runner holds: done, or failed with errText. When
// it was the campaign's last open job the campaign ends too; the returned
// campaign state says how ("" while jobs remain).
func (s *Store) CompleteJob(ctx context.Context, runnerID, jobID int64, errText string) (campaign.State, error) {
	var campaignState campaign.State
	err := s.inLeaseTx(ctx, func(tx pgx.Tx) error {
		state := "done"
		if errText != "" {
			state = "failed"
		}
		var campaignID int64
		err := tx.QueryRow(ctx, `UPDATE jobs SET state = $3, last_error = $4, lease_expires_at = NULL, updated_at = now()
			WHERE id = $1 AND runner_id = $2 AND state IN ('leased', 'cancelled', 'done')
			RETURNING campaign_id`, jobID, runnerID, state, errText).Scan(&campaignID)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotHeld
		}
		if err != nil {
			return err
		}
		campaignState, err = s.closeCampaignIfDone(ctx, tx, campaignID)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("complete job %d: %w", jobID, translate(err))
	}
	return campaignState, nil
}

// inLeaseTx runs lease bookkeeping (lease, complete, heartbeat) in a
// transaction whose commit does not wait for the disk. A crash can lose the
// last few milliseconds of it, which costs at most a re-run of a job whose
// iterations are then stored once anyway (IngestBatch drops iterations
// already stored); results themselves are always committed synchronously.
func (s *Store) inLeaseTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			return err
		}
		return fn(tx)
	})
}

// ReleaseJob hands a job the runner holds back to the queue unfinished, as
// a runner does when it is stopped; the attempt does not count.
func (s *Store) ReleaseJob(ctx context.Context, runnerID, jobID int64) error {
	tag, err := s.pool.Exec(ctx, `UPDATE jobs SET state = 'queued', runner_id = NULL, lease_expires_at = NULL,
		attempts = greatest(attempts - 1, 0), last_error = 'released by its runner', updated_at = now()
		WHERE id = $1 AND runner_id = $2 AND state = 'leased'`, jobID, runnerID)
	if err != nil {
		return fmt.Errorf("release job %d: %w", jobID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("release job %d: %w", jobID, ErrNotHeld)
	}
	return nil
}

// closeCampaignIfDone ends a running campaign with no open jobs left: done,
// or failed with the first job error; an ended campaign on a commit records
// its GitHub status.
func (s *Store) closeCampaignIfDone(ctx context.Context, tx pgx.Tx, campaignID int64) (campaign.State, error) {
	var state campaign.State
	err := tx.QueryRow(ctx, `
		UPDATE campaigns c SET
			state = CASE WHEN f.err IS NULL THEN 'done' ELSE 'failed' END,
			reason = coalesce(f.err, c.reason), finished_at = now()
		FROM (SELECT (SELECT last_error FROM jobs WHERE campaign_id = $1 AND state = 'failed' ORDER BY id LIMIT 1) AS err) f
		WHERE c.id = $1 AND c.state IN ('queued', 'running')
		  AND NOT EXISTS (SELECT 1 FROM jobs WHERE campaign_id = $1 AND state IN ('queued', 'leased'))
		RETURNING c.state`, campaignID).Scan(&state)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return state, markCampaignEnded(ctx, tx, campaignID)
}

// RequeueExpired returns jobs whose lease ran out to the queue, or fails
// them once they have been leased maxAttempts times, with the reason. It
// returns how many jobs it requeued and failed.
func (s *Store) RequeueExpired(ctx context.Context, maxAttempts int) (requeued, failed int, err error) {
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `
			UPDATE jobs SET
				state = CASE WHEN attempts >= $1 THEN 'failed' ELSE 'queued' END,
				last_error = CASE WHEN attempts >= $1
					THEN format('lease expired %s times; last held by runner %s', attempts, runner_id)
					ELSE format('lease of runner %s expired', runner_id) END,
				runner_id = CASE WHEN attempts >= $1 THEN runner_id END,
				lease_expires_at = NULL, updated_at = now()
			WHERE state = 'leased' AND lease_expires_at < now()
			RETURNING campaign_id, state`, maxAttempts)
		type change struct {
			Campaign int64
			State    string
		}
		changes, err := pgx.CollectRows(rows, pgx.RowToStructByPos[change])
		if err != nil {
			return err
		}
		for _, c := range changes {
			if c.State == "failed" {
				failed++
				if _, err := s.closeCampaignIfDone(ctx, tx, c.Campaign); err != nil {
					return err
				}
			} else {
				requeued++
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("requeue expired leases: %w", err)
	}
	return requeued, failed, nil
}
