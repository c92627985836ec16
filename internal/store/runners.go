package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Runner is a registered host that runs campaign jobs.
type Runner struct {
	ID         int64      `json:"id" db:"id"`
	Name       string     `json:"name" db:"name"`
	OS         string     `json:"os" db:"os"`
	Arch       string     `json:"arch" db:"arch"`
	Labels     []string   `json:"labels" db:"labels"`
	Version    string     `json:"version" db:"version"`
	Disabled   bool       `json:"disabled" db:"disabled"`
	CreatedAt  time.Time  `json:"created_at" db:"created_at"`
	LastSeen   *time.Time `json:"last_seen" db:"last_seen"`
	CurrentJob *int64     `json:"current_job" db:"current_job"`
	// Repos are the only repos whose campaigns the runner leases and
	// reports on (from its registration token); empty: any.
	Repos []string `json:"repos" db:"repos"`
}

// NewRunner is what a runner says of itself when it registers.
type NewRunner struct {
	Name, OS, Arch, Version string
	Labels                  []string
	// Repos the runner is bound to: its registration token's.
	Repos []string
}

const runnerColumns = `r.id, r.name, r.os, r.arch, r.labels, r.version, r.disabled, r.created_at, r.last_seen, r.repos,
	(SELECT min(j.id) FROM jobs j WHERE j.runner_id = r.id AND j.state = 'leased') AS current_job`

// RegisterRunner stores a new runner with the hash of its token. A name that
// is taken gives ErrConflict.
func (s *Store) RegisterRunner(ctx context.Context, nr NewRunner, tokenHash []byte) (Runner, error) {
	repos := nr.Repos
	if repos == nil {
		repos = []string{}
	}
	rows, _ := s.pool.Query(ctx, `
		WITH r AS (
			INSERT INTO runners (name, os, arch, labels, version, token_hash, last_seen, repos)
			VALUES ($1, $2, $3, $4, $5, $6, now(), $7) RETURNING *
		) SELECT `+runnerColumns+` FROM r`, nr.Name, nr.OS, nr.Arch, nr.Labels, nr.Version, tokenHash, repos)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Runner])
	if err != nil {
		return Runner{}, fmt.Errorf("register runner %q: %w", nr.Name, translate(err))
	}
	return r, nil
}

// Runners lists every runner by name.
func (s *Store) Runners(ctx context.Context) ([]Runner, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+runnerColumns+` FROM runners r ORDER BY r.name`)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Runner])
	if err != nil {
		return nil, fmt.Errorf("list runners: %w", err)
	}
	return rs, nil
}

// RunnerByID returns one runner.
func (s *Store) RunnerByID(ctx context.Context, id int64) (Runner, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+runnerColumns+` FROM runners r WHERE r.id = $1`, id)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Runner])
	if err != nil {
		return Runner{}, fmt.Errorf("runner %d: %w", id, translate(err))
	}
	return r, nil
}

// SetRunnerDisabled disables or re-enables a runner. A disabled runner's
// token is refused and the jobs it holds go back to the queue.
func (s *Store) SetRunnerDisabled(ctx context.Context, id int64, disabled bool) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE runners SET disabled = $2 WHERE id = $1`, id, disabled)
		if err != nil {
			return fmt.Errorf("disable runner: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		if disabled {
			_, err = tx.Exec(ctx, `UPDATE jobs SET state = 'queued', runner_id = NULL, lease_expires_at = NULL,
				last_error = 'runner disabled', updated_at = now() WHERE runner_id = $1 AND state = 'leased'`, id)
		}
		return err
	})
}

// Heartbeat records that a runner is alive, renews the leases it holds for
// another leaseFor, and returns the ids of its jobs that it should stop
// (cancelled, or finished by a stop rule).
func (s *Store) Heartbeat(ctx context.Context, runnerID int64, leaseFor time.Duration) ([]int64, error) {
	var stop []int64
	err := s.inLeaseTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE runners SET last_seen = now() WHERE id = $1`, runnerID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE jobs SET lease_expires_at = now() + $2::interval, updated_at = now()
			WHERE runner_id = $1 AND state = 'leased'`, runnerID, leaseFor); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT id FROM jobs WHERE runner_id = $1 AND state = 'cancelled'
			AND updated_at > now() - interval '1 hour'`, runnerID)
		var err error
		stop, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("heartbeat: %w", err)
	}
	return stop, nil
}
