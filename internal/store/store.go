// Package store owns every SQL statement triaged runs. Other packages call its
// methods with plain Go values; pgx errors are translated here, once, so that
// callers see ErrNotFound and ErrConflict rather than driver details.
package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNotFound is returned when a requested row does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write collides with existing data, such as a
// second runner with the same name.
var ErrConflict = errors.New("conflict")

// Store is a handle on triaged's database. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time // nil: time.Now; see WithClock
}

// Open connects to the database at url and checks that it answers. It does
// not apply migrations; see Migrate.
func Open(ctx context.Context, url string) (*Store, error) {
	return open(ctx, url, "triaged", false)
}

// OpenReader connects to a read-only copy of the database, such as a
// streaming standby, for the views to read from. Its sessions are read-only
// even if url names the primary, so no write can go there by mistake, and
// they show as triaged-reader in pg_stat_activity.
func OpenReader(ctx context.Context, url string) (*Store, error) {
	return open(ctx, url, "triaged-reader", true)
}

func open(ctx context.Context, url, name string, readOnly bool) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, &ConfigError{Err: fmt.Errorf("parse database URL: %w", redactURLError(err))}
	}
	if !strings.Contains(url, "pool_max_conns") {
		// pgxpool's default (4 on this kind of machine) starves a server with
		// dozens of runners and uploaders; a URL may still set its own.
		cfg.MaxConns = 32
	}
	params := cfg.ConnConfig.RuntimeParams
	if params["application_name"] == "" {
		params["application_name"] = name
	}
	if readOnly {
		params["default_transaction_read_only"] = "on"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, &ConfigError{Err: fmt.Errorf("open database: %w", err)}
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, &ConfigError{Err: fmt.Errorf("connect to database at %s: %w", describeHost(cfg.ConnConfig), err)}
	}
	return &Store{pool: pool}, nil
}

// Close releases every connection.
func (s *Store) Close() { s.pool.Close() }

// Pool exposes the connection pool to tests and benchmarks that need raw
// access (for example a COPY baseline). Application code uses methods.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// ReplayLag is how far a standby's replay trails what it has received from
// its primary, as the age of the last transaction it replayed; zero on a
// primary, or on a standby that has replayed all it received.
func (s *Store) ReplayLag(ctx context.Context) (time.Duration, error) {
	var secs float64
	err := s.pool.QueryRow(ctx, `
		SELECT CASE WHEN pg_is_in_recovery() AND pg_last_wal_receive_lsn() IS DISTINCT FROM pg_last_wal_replay_lsn()
		            THEN coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)::float8
		            ELSE 0 END`).Scan(&secs)
	return time.Duration(secs * float64(time.Second)), err
}

// InTx runs fn in a transaction that commits when fn returns nil and rolls
// back otherwise.
func (s *Store) InTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// ConfigError means the database could not be reached or used as configured:
// a wrong URL, an unreachable host, a refused login. The command exits 2.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// translate maps driver errors to the package's sentinel errors.
func translate(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return fmt.Errorf("%w: %s", ErrConflict, pgErr.Detail)
	}
	return err
}

func describeHost(c *pgx.ConnConfig) string {
	if len(c.Host) > 0 && c.Host[0] == '/' {
		return fmt.Sprintf("%s (socket, port %d)", c.Host, c.Port)
	}
	return fmt.Sprintf("%s:%d", c.Host, c.Port)
}

// redactURLError keeps a password in a malformed URL out of error messages.
func redactURLError(err error) error {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		return errors.New("malformed connection string (expected postgres://user@host:port/db or key=value pairs)")
	}
	return err
}

// IsUnavailable reports whether err means the database could not be reached
// or is restarting, so the caller should answer 503 and the client retry,
// rather than blame the request.
func IsUnavailable(err error) bool {
	var connErr *pgconn.ConnectError
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &connErr), pgconn.SafeToRetry(err):
		return true
	case errors.As(err, &pgErr):
		// Class 08 is connection exceptions; 57P0x are shutdowns and start-ups.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P")
	}
	var netErr interface{ Timeout() bool }
	return errors.As(err, &netErr) || strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "connection refused")
}
