package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrDisabled is returned for the token of a disabled runner or a revoked
// token: the caller is known but may not act.
var ErrDisabled = errors.New("disabled")

// Token is an admin-created API token; only its hash is stored.
type Token struct {
	ID         int64      `json:"id" db:"id"`
	Name       string     `json:"name" db:"name"`
	Kind       string     `json:"kind" db:"kind"`
	CreatedAt  time.Time  `json:"created_at" db:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at" db:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at" db:"revoked_at"`
	// Repos are the only repos an upload or registration token may write
	// (and runners registered with it); empty: any.
	Repos []string `json:"repos" db:"repos"`
}

const tokenColumns = `id, name, kind, created_at, last_used_at, revoked_at, repos`

// Principal is who a presented token belongs to.
type Principal struct {
	Kind     string // admin, upload, register, runner
	Name     string
	TokenID  int64 // for admin-created tokens
	RunnerID int64 // for runner tokens
	RunnerOS string
	Labels   []string // a runner's labels
	// Repos bound to the token or runner: the only ones it may write; empty:
	// any.
	Repos []string
}

// CreateToken stores the hash of a new token, bound to repos if any are
// given.
func (s *Store) CreateToken(ctx context.Context, name, kind string, hash []byte, repos ...string) (Token, error) {
	if repos == nil {
		repos = []string{}
	}
	rows, _ := s.pool.Query(ctx, `
		INSERT INTO tokens (name, kind, hash, repos) VALUES ($1, $2, $3, $4)
		RETURNING `+tokenColumns, name, kind, hash, repos)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Token])
	if err != nil {
		return Token{}, fmt.Errorf("create token: %w", translate(err))
	}
	return t, nil
}

// Tokens lists admin-created tokens, newest first.
func (s *Store) Tokens(ctx context.Context) ([]Token, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY id DESC`)
	ts, err := pgx.CollectRows(rows, pgx.RowToStructByName[Token])
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return ts, nil
}

// RevokeToken makes a token unusable and ends the browser sessions opened
// with it. Revoking twice is not an error.
func (s *Store) RevokeToken(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, `
		WITH ended AS (DELETE FROM sessions WHERE token_id = $1)
		UPDATE tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// PrincipalByTokenHash finds who holds the token with the given hash: an
// admin-created token or a runner's own token.
func (s *Store) PrincipalByTokenHash(ctx context.Context, hash []byte) (Principal, error) {
	var p Principal
	var revoked bool
	err := s.pool.QueryRow(ctx, `
		WITH t AS (
			UPDATE tokens SET last_used_at = now()
			WHERE hash = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
			RETURNING id
		)
		SELECT kind, name, id, 0::bigint, '', '{}'::text[], repos, revoked_at IS NOT NULL FROM tokens WHERE hash = $1
		UNION ALL
		SELECT 'runner', name, 0, id, os, labels, repos, disabled FROM runners WHERE token_hash = $1`, hash,
	).Scan(&p.Kind, &p.Name, &p.TokenID, &p.RunnerID, &p.RunnerOS, &p.Labels, &p.Repos, &revoked)
	if err != nil {
		return Principal{}, translate(err)
	}
	if revoked {
		return p, ErrDisabled
	}
	return p, nil
}
