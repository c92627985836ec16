package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/bisect"
	"github.com/triaged/triaged/internal/campaign"
)

const bisectionColumns = `id, repo, good, bad, command, test, format, labels, max_runs_per_step, parallel,
	state, reason, first_bad, history, history_base, history_error, created_by, created_at, finished_at`

var scanBisection = pgx.RowToStructByName[bisect.Bisection]

// CreateBisection stores a validated bisection request and starts its
// first step, in one transaction.
func (s *Store) CreateBisection(ctx context.Context, r bisect.Request, createdBy string) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO bisections (repo, good, bad, command, test, format, labels, max_runs_per_step, parallel, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			r.Repo, r.Good, r.Bad, r.Command, r.Test, r.Format, r.Labels, r.MaxRunsPerStep, r.Parallel, createdBy).Scan(&id)
		if err != nil {
			return err
		}
		_, err = s.advanceBisection(ctx, tx, id, false)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("create bisection: %w", translate(err))
	}
	return id, nil
}

// BisectionByID returns a bisection with its steps and their figures,
// judged.
func (s *Store) BisectionByID(ctx context.Context, id int64) (bisect.Bisection, error) {
	var b bisect.Bisection
	err := s.InTx(ctx, func(tx pgx.Tx) (err error) {
		b, err = loadBisection(ctx, tx, id, "")
		return err
	})
	if err != nil {
		return b, fmt.Errorf("bisection %d: %w", id, translate(err))
	}
	b.Judge()
	return b, nil
}

// Bisections lists the newest bisections, without their steps.
func (s *Store) Bisections(ctx context.Context, limit int) ([]bisect.Bisection, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+bisectionColumns+` FROM bisections ORDER BY id DESC LIMIT $1`, limit)
	bs, err := pgx.CollectRows(rows, scanBisection)
	if err != nil {
		return nil, fmt.Errorf("list bisections: %w", err)
	}
	return bs, nil
}

// RunningBisections lists the bisections still running, oldest first.
func (s *Store) RunningBisections(ctx context.Context, limit int) ([]int64, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id FROM bisections WHERE state = 'running' ORDER BY id LIMIT $1`, limit)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("running bisections: %w", err)
	}
	return ids, nil
}

// AdvanceBisection takes a running bisection's next step, in one
// transaction: it locks the bisection (a replica that finds it locked
// skips it), reads its steps' figures, asks bisect.Next, and applies the
// decision: start a step's campaign, end the bad end's campaign once it
// has enough failures, or finish. It returns what it decided; Wait when
// there was nothing to do or another replica holds the bisection.
func (s *Store) AdvanceBisection(ctx context.Context, id int64) (bisect.Decision, error) {
	var d bisect.Decision
	err := s.InTx(ctx, func(tx pgx.Tx) (err error) {
		d, err = s.advanceBisection(ctx, tx, id, true)
		return err
	})
	if err != nil {
		return d, fmt.Errorf("advance bisection %d: %w", id, err)
	}
	return d, nil
}

func (s *Store) advanceBisection(ctx context.Context, tx pgx.Tx, id int64, skipLocked bool) (bisect.Decision, error) {
	lock := "FOR UPDATE"
	if skipLocked {
		lock = "FOR UPDATE SKIP LOCKED"
	}
	b, err := loadBisection(ctx, tx, id, lock)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && b.State != bisect.Running {
		return bisect.Decision{Action: bisect.Wait}, nil
	}
	if err != nil {
		return bisect.Decision{}, err
	}
	d := bisect.Next(b)
	switch d.Action {
	case bisect.Run:
		spec, err := d.Spec.Validate()
		if err != nil {
			d = bisect.Decision{Action: bisect.Finish, State: bisect.Failed, Reason: "cannot start a step: " + err.Error()}
			return d, finishBisection(ctx, tx, id, d)
		}
		c, err := s.createCampaign(ctx, tx, spec)
		if err != nil {
			return d, err
		}
		_, err = tx.Exec(ctx, `INSERT INTO bisection_steps (bisection_id, seq, role, revision, position, needed, campaign_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, d.Step.Seq, d.Step.Role, d.Step.Revision, d.Step.Position, d.Step.Needed, c.ID)
		return d, err
	case bisect.EndStep:
		_, err := s.finishCampaign(ctx, tx, d.Step.CampaignID, campaign.Done, "bisection: "+d.Reason)
		return d, err
	case bisect.Finish:
		return d, finishBisection(ctx, tx, id, d)
	}
	return d, nil
}

func finishBisection(ctx context.Context, tx pgx.Tx, id int64, d bisect.Decision) error {
	var firstBad *string
	if d.FirstBad != "" {
		firstBad = &d.FirstBad
	}
	_, err := tx.Exec(ctx, `UPDATE bisections SET state = $2, reason = $3, first_bad = $4, finished_at = now() WHERE id = $1`,
		id, d.State, d.Reason, firstBad)
	return err
}

// loadBisection reads a bisection (with lock, a row-locking clause) and
// its steps with their campaigns' figures.
func loadBisection(ctx context.Context, tx pgx.Tx, id int64, lock string) (bisect.Bisection, error) {
	rows, _ := tx.Query(ctx, `SELECT `+bisectionColumns+` FROM bisections WHERE id = $1 `+lock, id)
	b, err := pgx.CollectExactlyOneRow(rows, scanBisection)
	if err != nil {
		return b, err
	}
	rows, _ = tx.Query(ctx, `
		SELECT s.seq, s.role, s.revision, s.position, s.needed, s.campaign_id, c.runs, c.failures,
		       c.state AS campaign_state, c.reason AS campaign_reason, c.tested_revision
		FROM bisection_steps s JOIN campaigns c ON c.id = s.campaign_id
		WHERE s.bisection_id = $1 ORDER BY s.seq`, id)
	b.Steps, err = pgx.CollectRows(rows, pgx.RowToStructByName[bisect.Step])
	return b, err
}
