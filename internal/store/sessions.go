package store

import (
	"context"
	"fmt"
	"time"
)

// Session is a logged-in browser session. Only the hash of its cookie is
// stored, so a database dump does not hand out sessions.
//
// A session lasts only as long as the token that opened it: TokenID names an
// admin-created token, whose revocation ends the session; a session opened
// with the bootstrap admin token has TokenID 0 and BootstrapProof, which
// SessionByHash must be shown again (see auth.BootstrapProof).
type Session struct {
	Principal      string
	CSRF           string
	ExpiresAt      time.Time
	TokenID        int64
	BootstrapProof []byte
}

// CreateSession stores a session under the hash of its cookie value and
// drops sessions that have expired.
func (s *Store) CreateSession(ctx context.Context, hash []byte, sess Session) error {
	_, err := s.pool.Exec(ctx, `
		WITH gone AS (DELETE FROM sessions WHERE expires_at < now())
		INSERT INTO sessions (hash, csrf, principal, expires_at, token_id, bootstrap_proof)
		VALUES ($1, $2, $3, $4, nullif($5, 0), $6)`,
		hash, sess.CSRF, sess.Principal, sess.ExpiresAt, sess.TokenID, sess.BootstrapProof)
	if err != nil {
		return fmt.Errorf("create session: %w", translate(err))
	}
	return nil
}

// SessionByHash returns the unexpired session with the given cookie hash
// whose token still holds: an admin-created admin token not revoked, or the
// bootstrap token that bootstrapProof (nil without one) proves. Otherwise
// ErrNotFound.
func (s *Store) SessionByHash(ctx context.Context, hash, bootstrapProof []byte) (Session, error) {
	var sess Session
	err := s.pool.QueryRow(ctx, `
		SELECT s.principal, s.csrf, s.expires_at, coalesce(s.token_id, 0), s.bootstrap_proof
		FROM sessions s LEFT JOIN tokens t ON t.id = s.token_id
		WHERE s.hash = $1 AND s.expires_at > now()
		  AND (s.token_id IS NOT NULL AND t.revoked_at IS NULL AND t.kind = 'admin'
		       OR s.token_id IS NULL AND s.bootstrap_proof = $2)`, hash, bootstrapProof,
	).Scan(&sess.Principal, &sess.CSRF, &sess.ExpiresAt, &sess.TokenID, &sess.BootstrapProof)
	if err != nil {
		return Session{}, fmt.Errorf("session: %w", translate(err))
	}
	return sess, nil
}

// DeleteSession ends a session. Ending one that does not exist is not an
// error.
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE hash = $1`, hash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}
