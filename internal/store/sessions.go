package store

import (
	"context"
	"fmt"
	"time"
)

// Session is a logged-in browser session. Only the hash of its cookie is
// stored, so a database dump does not hand out sessions.
type Session struct {
	Principal string
	CSRF      string
	ExpiresAt time.Time
}

// CreateSession stores a session under the hash of its cookie value and
// drops sessions that have expired.
func (s *Store) CreateSession(ctx context.Context, hash []byte, sess Session) error {
	_, err := s.pool.Exec(ctx, `
		WITH gone AS (DELETE FROM sessions WHERE expires_at < now())
		INSERT INTO sessions (hash, csrf, principal, expires_at) VALUES ($1, $2, $3, $4)`,
		hash, sess.CSRF, sess.Principal, sess.ExpiresAt)
	if err != nil {
		return fmt.Errorf("create session: %w", translate(err))
	}
	return nil
}

// SessionByHash returns the unexpired session with the given cookie hash, or
// ErrNotFound.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (Session, error) {
	var sess Session
	err := s.pool.QueryRow(ctx, `SELECT principal, csrf, expires_at FROM sessions
		WHERE hash = $1 AND expires_at > now()`, hash).Scan(&sess.Principal, &sess.CSRF, &sess.ExpiresAt)
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
