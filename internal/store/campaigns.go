package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNoRunners is returned for a campaign that must run on each matching
// runner when no enabled runner has its labels.
var ErrNoRunners = errors.New("no enabled runner has the campaign's labels")

// CampaignSpec is what a campaign asks for; ingest validates it.
type CampaignSpec struct {
	Name       string          `json:"name"`
	Kind       string          `json:"kind"` // scenario or exec
	Scenario   string          `json:"scenario"`
	Proactor   string          `json:"proactor"`
	Backend    string          `json:"backend"`
	Params     json.RawMessage `json:"params"`
	Command    []string        `json:"command"`
	Format     string          `json:"format"`
	Labels     []string        `json:"labels"`
	Iterations int             `json:"iterations"`
	Parallel   int             `json:"parallel"`
	Stop       string          `json:"stop"`
	StopTarget float64         `json:"stop_target"`
	EachRunner bool            `json:"each_runner"`
	Repo       string          `json:"repo"`
	Revision   string          `json:"revision"`
}

// Campaign is a stored campaign with its live counters.
type Campaign struct {
	ID int64 `json:"id"`
	CampaignSpec
	State  string `json:"state"`
	Reason string `json:"reason"`
	// Planned is the iterations of all its jobs: Iterations, or Iterations
	// times the runners of an each-runner campaign.
	Planned    int        `json:"planned"`
	Runs       int        `json:"runs"`
	Failures   int        `json:"failures"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

const campaignColumns = `id, name, kind, scenario, proactor, backend, params, command, format, labels,
	iterations, parallel, stop_rule, stop_target, each_runner, repo, revision,
	state, reason, planned, runs, failures, created_at, started_at, finished_at`

func scanCampaign(row pgx.CollectableRow) (Campaign, error) {
	var c Campaign
	err := row.Scan(&c.ID, &c.Name, &c.Kind, &c.Scenario, &c.Proactor, &c.Backend, &c.Params, &c.Command, &c.Format,
		&c.Labels, &c.Iterations, &c.Parallel, &c.Stop, &c.StopTarget, &c.EachRunner, &c.Repo, &c.Revision,
		&c.State, &c.Reason, &c.Planned, &c.Runs, &c.Failures, &c.CreatedAt, &c.StartedAt, &c.FinishedAt)
	return c, err
}

// CreateCampaign stores a campaign and splits it into jobs of at most
// jobSize iterations: for each matching runner when EachRunner is set,
// otherwise once, for any matching runner to lease.
func (s *Store) CreateCampaign(ctx context.Context, spec CampaignSpec, jobSize int) (Campaign, error) {
	var c Campaign
	err := s.InTx(ctx, func(tx pgx.Tx) (err error) {
		c, err = s.createCampaign(ctx, tx, spec, jobSize)
		return err
	})
	if err != nil {
		return Campaign{}, fmt.Errorf("create campaign: %w", translate(err))
	}
	return c, nil
}

// createCampaign is CreateCampaign in the caller's transaction. With a
// repo and revision it also records the commit's status, which may say
// "pending" while the campaign runs.
func (s *Store) createCampaign(ctx context.Context, tx pgx.Tx, spec CampaignSpec, jobSize int) (Campaign, error) {
	var c Campaign
	params := spec.Params
	if len(params) == 0 {
		params = json.RawMessage(`{}`)
	}
	rows, _ := tx.Query(ctx, `
		INSERT INTO campaigns (name, kind, scenario, proactor, backend, params, command, format, labels,
			iterations, parallel, stop_rule, stop_target, each_runner, repo, revision)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
		RETURNING `+campaignColumns,
		spec.Name, spec.Kind, spec.Scenario, spec.Proactor, spec.Backend, params, spec.Command, spec.Format,
		spec.Labels, spec.Iterations, spec.Parallel, spec.Stop, spec.StopTarget, spec.EachRunner, spec.Repo, spec.Revision)
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
		for first := 0; first < spec.Iterations; first += jobSize {
			batch.Queue(`INSERT INTO jobs (campaign_id, first_iteration, iterations, pinned_runner_id) VALUES ($1, $2, $3, $4)`,
				c.ID, base+first, min(jobSize, spec.Iterations-first), runner)
		}
	}
	c.Planned = len(targets) * spec.Iterations
	batch.Queue(`UPDATE campaigns SET planned = $2 WHERE id = $1`, c.ID, c.Planned)
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return c, err
	}
	return c, s.enqueueCampaignStart(ctx, tx, c)
}

// CampaignByID returns one campaign.
func (s *Store) CampaignByID(ctx context.Context, id int64) (Campaign, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE id = $1`, id)
	c, err := pgx.CollectExactlyOneRow(rows, scanCampaign)
	if err != nil {
		return Campaign{}, fmt.Errorf("campaign %d: %w", id, translate(err))
	}
	return c, nil
}

// Campaigns lists the newest campaigns first.
func (s *Store) Campaigns(ctx context.Context, limit int) ([]Campaign, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+campaignColumns+` FROM campaigns ORDER BY id DESC LIMIT $1`, limit)
	cs, err := pgx.CollectRows(rows, scanCampaign)
	if err != nil {
		return nil, fmt.Errorf("list campaigns: %w", err)
	}
	return cs, nil
}

// FinishCampaign ends a campaign that is still queued or running with state
// (done, cancelled or failed) and reason, and cancels its unfinished jobs;
// runners holding them learn it at their next heartbeat. It reports whether
// the campaign was still open.
func (s *Store) FinishCampaign(ctx context.Context, id int64, state, reason string) (bool, error) {
	var open bool
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE campaigns SET state = $2, reason = $3, finished_at = now()
			WHERE id = $1 AND state IN ('queued', 'running')`, id, state, reason)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		open = true
		_, err = tx.Exec(ctx, `UPDATE jobs SET state = 'cancelled', updated_at = now()
			WHERE campaign_id = $1 AND state IN ('queued', 'leased')`, id)
		if err != nil {
			return err
		}
		return s.enqueueCampaignEnd(ctx, tx, id)
	})
	if err != nil {
		return false, fmt.Errorf("finish campaign %d: %w", id, err)
	}
	return open, nil
}

// RunnerProgress is one runner's share of a campaign.
type RunnerProgress struct {
	RunnerID int64  `json:"runner_id"`
	Runner   string `json:"runner"`
	OS       string `json:"os"`
	Runs     int    `json:"runs"`
	Failures int    `json:"failures"`
}

// CampaignRunners counts a campaign's iterations per runner.
func (s *Store) CampaignRunners(ctx context.Context, id int64) ([]RunnerProgress, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT r.id, r.name, r.os, count(*)::int, count(*) FILTER (WHERE i.failed)::int
		FROM (SELECT runner_id, iteration, bool_or(outcome IN ('fail', 'error')) AS failed
		      FROM results WHERE campaign_id = $1 GROUP BY runner_id, iteration) i
		JOIN runners r ON r.id = i.runner_id
		GROUP BY r.id ORDER BY r.name`, id)
	ps, err := pgx.CollectRows(rows, pgx.RowToStructByPos[RunnerProgress])
	if err != nil {
		return nil, fmt.Errorf("campaign %d runners: %w", id, err)
	}
	return ps, nil
}
