package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/campaign"
)

// ErrNoRunners is returned for a campaign that must run on each matching
// runner when no enabled runner has its labels.
var ErrNoRunners = errors.New("no enabled runner has the campaign's labels")

const campaignColumns = `id, name, kind, scenario, proactor, backend, params, command, format, labels,
	iterations, parallel, stop_rule, stop_target, each_runner, repo, revision, branch, created_by, test,
	state, reason, planned, runs, failures, tested_revision, untested_jobs, created_at, started_at, finished_at`

// scanCampaign reads a row of campaignColumns by column name.
var scanCampaign = pgx.RowToStructByName[campaign.Campaign]

// CreateCampaign stores a validated campaign and splits it into jobs of at
// most campaign.JobSize iterations: for each matching runner when
// EachRunner is set, otherwise once, for any matching runner to lease.
func (s *Store) CreateCampaign(ctx context.Context, spec campaign.Spec) (campaign.Campaign, error) {
	var c campaign.Campaign
	err := s.InTx(ctx, func(tx pgx.Tx) (err error) {
		c, err = s.createCampaign(ctx, tx, spec)
		return err
	})
	if err != nil {
		return campaign.Campaign{}, fmt.Errorf("create campaign: %w", translate(err))
	}
	return c, nil
}

// createCampaign is CreateCampaign in the caller's transaction. With a
// repo and revision it also records the commit's status, which may say
// "pending" while the campaign runs.
func (s *Store) createCampaign(ctx context.Context, tx pgx.Tx, spec campaign.Spec) (campaign.Campaign, error) {
	var c campaign.Campaign
	rows, _ := tx.Query(ctx, `
		INSERT INTO campaigns (name, kind, scenario, proactor, backend, params, command, format, labels,
			iterations, parallel, stop_rule, stop_target, each_runner, repo, revision, branch, created_by, test)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
		RETURNING `+campaignColumns,
		spec.Name, spec.Kind, spec.Scenario, spec.Proactor, spec.Backend, spec.Params, spec.Command, spec.Format,
		spec.Labels, spec.Iterations, spec.Parallel, spec.Stop, spec.StopTarget, spec.EachRunner, spec.Repo, spec.Revision,
		spec.Branch, spec.CreatedBy, spec.Test)
	var err error
	if c, err = pgx.CollectExactlyOneRow(rows, scanCampaign); err != nil {
		return c, err
	}
	targets := []*int64{nil}
	if spec.EachRunner {
		rows, _ := tx.Query(ctx, `SELECT id FROM runners WHERE NOT disabled AND labels @> $1 ORDER BY id`, spec.Labels)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return c, err
		}
		if len(ids) == 0 {
			return c, ErrNoRunners
		}
		targets = targets[:0]
		for _, id := range ids {
			targets = append(targets, &id)
		}
	}
	// Each runner's share has iteration numbers of its own (runner k runs
	// k×N to (k+1)×N−1), since an iteration is stored once per campaign.
	batch := &pgx.Batch{}
	for k, runner := range targets {
		base := k * spec.Iterations
		for first := 0; first < spec.Iterations; first += campaign.JobSize {
			batch.Queue(`INSERT INTO jobs (campaign_id, first_iteration, iterations, pinned_runner_id) VALUES ($1, $2, $3, $4)`,
				c.ID, base+first, min(campaign.JobSize, spec.Iterations-first), runner)
		}
	}
	c.Planned = len(targets) * spec.Iterations
	batch.Queue(`UPDATE campaigns SET planned = $2 WHERE id = $1`, c.ID, c.Planned)
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return c, err
	}
	return c, markDirty(ctx, tx, c.Repo, c.Revision, nil)
}

// CampaignByID returns one campaign.
func (s *Store) CampaignByID(ctx context.Context, id int64) (campaign.Campaign, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE id = $1`, id)
	c, err := pgx.CollectExactlyOneRow(rows, scanCampaign)
	if err != nil {
		return campaign.Campaign{}, fmt.Errorf("campaign %d: %w", id, translate(err))
	}
	return c, nil
}

// FinishCampaign ends a campaign that is still queued or running with state
// (done, cancelled or failed) and reason, and cancels its unfinished jobs;
// runners holding them learn it at their next heartbeat. It reports whether
// the campaign was still open.
func (s *Store) FinishCampaign(ctx context.Context, id int64, state campaign.State, reason string) (bool, error) {
	var open bool
	err := s.InTx(ctx, func(tx pgx.Tx) (err error) {
		open, err = s.finishCampaign(ctx, tx, id, state, reason)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("finish campaign %d: %w", id, err)
	}
	return open, nil
}

// finishCampaign is FinishCampaign in the caller's transaction.
func (s *Store) finishCampaign(ctx context.Context, tx pgx.Tx, id int64, state campaign.State, reason string) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE campaigns SET state = $2, reason = $3, finished_at = now()
		WHERE id = $1 AND state IN ('queued', 'running')`, id, state, reason)
	if err != nil || tag.RowsAffected() == 0 {
		return false, err
	}
	_, err = tx.Exec(ctx, `UPDATE jobs SET state = 'cancelled', updated_at = now()
		WHERE campaign_id = $1 AND state IN ('queued', 'leased')`, id)
	if err != nil {
		return true, err
	}
	return true, markCampaignEnded(ctx, tx, id)
}

// RunnerProgress is one runner's share of a campaign.
type RunnerProgress struct {
	RunnerID int64  `json:"runner_id" db:"runner_id"`
	Runner   string `json:"runner" db:"runner"`
	OS       string `json:"os" db:"os"`
	Runs     int    `json:"runs" db:"runs"`
	Failures int    `json:"failures" db:"failures"`
}

// CampaignRunners counts a campaign's iterations per runner.
func (s *Store) CampaignRunners(ctx context.Context, id int64) ([]RunnerProgress, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT r.id AS runner_id, r.name AS runner, r.os, count(*)::int AS runs, count(*) FILTER (WHERE i.failed)::int AS failures
		FROM (SELECT runner_id, iteration, bool_or(outcome IN ('fail', 'error')) AS failed
		      FROM results WHERE campaign_id = $1 GROUP BY runner_id, iteration) i
		JOIN runners r ON r.id = i.runner_id
		GROUP BY r.id ORDER BY r.name`, id)
	ps, err := pgx.CollectRows(rows, pgx.RowToStructByName[RunnerProgress])
	if err != nil {
		return nil, fmt.Errorf("campaign %d runners: %w", id, err)
	}
	return ps, nil
}
