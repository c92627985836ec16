package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/triaged/triaged/migrations"
)

// migrationLockID is the Postgres advisory lock key that serialises
// migrations, so that replicas starting at once do not race.
const migrationLockID = 0x7472696167656400 // "triaged\0"

// ErrSchemaTooNew means the database was migrated by a newer triaged than this
// binary: running would risk misreading data, so the server refuses to start.
var ErrSchemaTooNew = errors.New("database schema is newer than this binary")

// SchemaStatus describes where a database stands against the embedded
// migrations.
type SchemaStatus struct {
	Current int64 // version applied in the database
	Latest  int64 // newest version this binary knows
}

// Migrate applies every pending migration under an advisory lock and returns
// the resulting status. Applying twice is a no-op.
func (s *Store) Migrate(ctx context.Context, log *slog.Logger) (SchemaStatus, error) {
	var st SchemaStatus
	err := s.withProvider(func(p *goose.Provider) error {
		var err error
		if st, err = status(ctx, p); err != nil {
			return err
		}
		if st.Current > st.Latest {
			return fmt.Errorf("%w: database is at version %d, this binary knows up to %d; upgrade triaged", ErrSchemaTooNew, st.Current, st.Latest)
		}
		results, err := p.Up(ctx)
		if err != nil {
			return fmt.Errorf("apply migrations: %w", err)
		}
		for _, r := range results {
			log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
		}
		st.Current = st.Latest
		return nil
	})
	return st, err
}

// MigrateTo applies pending migrations up to version, for staged upgrades
// and for tests of a migration against data written by the schema before it.
func (s *Store) MigrateTo(ctx context.Context, version int64) error {
	return s.withProvider(func(p *goose.Provider) error {
		if _, err := p.UpTo(ctx, version); err != nil {
			return fmt.Errorf("apply migrations up to %d: %w", version, err)
		}
		return nil
	})
}

// Schema reports the applied and latest schema versions without changing
// anything.
func (s *Store) Schema(ctx context.Context) (SchemaStatus, error) {
	var st SchemaStatus
	err := s.withProvider(func(p *goose.Provider) error {
		var err error
		st, err = status(ctx, p)
		return err
	})
	return st, err
}

func status(ctx context.Context, p *goose.Provider) (SchemaStatus, error) {
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		return SchemaStatus{}, fmt.Errorf("read schema version: %w", err)
	}
	srcs := p.ListSources()
	return SchemaStatus{Current: cur, Latest: srcs[len(srcs)-1].Version}, nil
}

func (s *Store) withProvider(fn func(*goose.Provider) error) error {
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	p, err := newProvider(db)
	if err != nil {
		return err
	}
	return fn(p)
}

func newProvider(db *sql.DB) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrationLockID), lock.WithLockTimeout(1, 600))
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS,
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true),
	)
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return p, nil
}
