package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/owner"
)

// Change is who changes something, and why.
type Change struct {
	Actor string
	Why   string
}

// subjectRef fills an audit entry's reference to a subject.
func subjectRef(e *AuditEntry, kind owner.Kind, id int64) {
	switch kind {
	case owner.Test:
		e.TestID = &id
	case owner.Signature:
		e.SignatureID = &id
	case owner.Group:
		e.GroupID = &id
	}
}

// subjectExists reports ErrNotFound when the subject does not exist.
func subjectExists(ctx context.Context, tx pgx.Tx, kind owner.Kind, id int64) error {
	table := map[owner.Kind]string{owner.Test: "tests", owner.Signature: "signatures", owner.Group: "groups"}[kind]
	if table == "" {
		return fmt.Errorf("%w: subject %q", ErrNotFound, kind)
	}
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+` WHERE id = $1)`, id).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return ErrNotFound
	}
	return nil
}

// SetOwner makes who the owner of a subject, or clears its owner when who
// is empty, and records the change. An unknown subject is ErrNotFound.
func (s *Store) SetOwner(ctx context.Context, kind owner.Kind, id int64, who string, c Change) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if err := subjectExists(ctx, tx, kind, id); err != nil {
			return err
		}
		var before string
		err := tx.QueryRow(ctx, `SELECT owner FROM owners WHERE subject = $1 AND subject_id = $2 FOR UPDATE`, kind, id).Scan(&before)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if before == who {
			return nil
		}
		if who == "" {
			_, err = tx.Exec(ctx, `DELETE FROM owners WHERE subject = $1 AND subject_id = $2`, kind, id)
		} else {
			_, err = tx.Exec(ctx, `
				INSERT INTO owners (subject, subject_id, owner, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (subject, subject_id) DO UPDATE SET owner = excluded.owner, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
				kind, id, who, c.Actor, s.Now())
		}
		if err != nil {
			return err
		}
		e := AuditEntry{Actor: c.Actor, Action: AuditOwner, Why: c.Why, Detail: ownerChange(before, who)}
		subjectRef(&e, kind, id)
		return s.audit(ctx, tx, e)
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("set owner of %s %d: %w", kind, id, err)
	}
	return err
}

func ownerChange(before, after string) string {
	switch {
	case before == "":
		return "owner: " + after
	case after == "":
		return "no owner (was " + before + ")"
	}
	return "owner: " + after + " (was " + before + ")"
}

// Owner returns a subject's owner, or "" when it has none.
func (s *Store) Owner(ctx context.Context, kind owner.Kind, id int64) (string, error) {
	var who string
	err := s.pool.QueryRow(ctx, `SELECT owner FROM owners WHERE subject = $1 AND subject_id = $2`, kind, id).Scan(&who)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("owner of %s %d: %w", kind, id, err)
	}
	return who, nil
}

// Owners returns the owners of several subjects of one kind, by id.
func (s *Store) Owners(ctx context.Context, kind owner.Kind, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, _ := s.pool.Query(ctx, `SELECT subject_id, owner FROM owners WHERE subject = $1 AND subject_id = ANY($2)`, kind, ids)
	var id int64
	var who string
	_, err := pgx.ForEachRow(rows, []any{&id, &who}, func() error { out[id] = who; return nil })
	if err != nil {
		return nil, fmt.Errorf("owners: %w", err)
	}
	return out, nil
}

// AddLink links a subject to an issue and records the change. The same
// URL twice on one subject is ErrConflict.
func (s *Store) AddLink(ctx context.Context, l owner.Link, c Change) (owner.Link, error) {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if err := subjectExists(ctx, tx, l.Kind, l.SubjectID); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `
			INSERT INTO links (subject, subject_id, url, github_repo, github_number, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+linkColumns,
			l.Kind, l.SubjectID, l.URL, l.GitHubRepo, l.GitHubNumber, c.Actor, s.Now())
		var err error
		if l, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[owner.Link]); err != nil {
			return err
		}
		e := AuditEntry{Actor: c.Actor, Action: AuditLinkAdd, Why: c.Why, Detail: l.URL}
		subjectRef(&e, l.Kind, l.SubjectID)
		return s.audit(ctx, tx, e)
	})
	if err != nil {
		err = translate(err)
		if !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrConflict) {
			err = fmt.Errorf("link %s %d: %w", l.Kind, l.SubjectID, err)
		}
		return owner.Link{}, err
	}
	return l, nil
}

const linkColumns = `id, subject, subject_id, url, github_repo, github_number, state, state_checked_at, created_by, created_at`

// RemoveLink removes a link and records the change.
func (s *Store) RemoveLink(ctx context.Context, id int64, c Change) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `UPDATE links SET removed_at = $2 WHERE id = $1 AND removed_at IS NULL RETURNING `+linkColumns, id, s.Now())
		l, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[owner.Link])
		if err != nil {
			return translate(err)
		}
		e := AuditEntry{Actor: c.Actor, Action: AuditLinkRemove, Why: c.Why, Detail: l.URL}
		subjectRef(&e, l.Kind, l.SubjectID)
		return s.audit(ctx, tx, e)
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("remove link %d: %w", id, err)
	}
	return err
}

// Links lists a subject's links, oldest first.
func (s *Store) Links(ctx context.Context, kind owner.Kind, id int64) ([]owner.Link, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+linkColumns+` FROM links WHERE subject = $1 AND subject_id = $2 AND removed_at IS NULL ORDER BY id`, kind, id)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[owner.Link])
	if err != nil {
		return nil, fmt.Errorf("links of %s %d: %w", kind, id, err)
	}
	return out, nil
}

// StaleGitHubLinks lists GitHub issue links whose state was read longest
// ago (or never), for the worker that refreshes them.
func (s *Store) StaleGitHubLinks(ctx context.Context, olderThan time.Duration, limit int) ([]owner.Link, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+linkColumns+` FROM links
		WHERE removed_at IS NULL AND github_number > 0 AND (state_checked_at IS NULL OR state_checked_at < $1)
		ORDER BY state_checked_at NULLS FIRST LIMIT $2`, s.Now().Add(-olderThan), limit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[owner.Link])
	if err != nil {
		return nil, fmt.Errorf("stale links: %w", err)
	}
	return out, nil
}

// SetLinkState records a GitHub issue link's state as just read.
func (s *Store) SetLinkState(ctx context.Context, id int64, state string) error {
	_, err := s.pool.Exec(ctx, `UPDATE links SET state = $2, state_checked_at = $3 WHERE id = $1`, id, state, s.Now())
	if err != nil {
		return fmt.Errorf("link %d state: %w", id, err)
	}
	return nil
}

// Owned is a subject with its owner, for the ownership list.
type Owned struct {
	Kind      owner.Kind `json:"kind" db:"subject"`
	ID        int64      `json:"id" db:"subject_id"`
	Name      string     `json:"name" db:"name"`
	Repo      string     `json:"repo" db:"repo"`
	Owner     string     `json:"owner" db:"owner"`
	Failures  int        `json:"failures" db:"failures"`
	UpdatedAt *time.Time `json:"updated_at,omitempty" db:"updated_at"`
}

// OwnedBy lists tests and signatures that failed since since, most
// failures first: those owned by who (case-insensitive), or with
// unowned set those without an owner.
func (s *Store) OwnedBy(ctx context.Context, who string, unowned bool, since time.Time, limit int) ([]Owned, error) {
	rows, _ := s.pool.Query(ctx, `
		WITH recent AS (
			SELECT test_id, signature_id, sum(failures)::int AS failures FROM rollups
			WHERE day >= $1::date AND failures > 0 GROUP BY 1, 2
		), subjects AS (
			SELECT 'test' AS subject, test_id AS subject_id, sum(failures)::int AS failures FROM recent GROUP BY 2
			UNION ALL
			SELECT 'signature', signature_id, sum(failures)::int FROM recent WHERE signature_id <> 0 GROUP BY 2
		)
		SELECT x.subject, x.subject_id, coalesce(t.name, sg.title) AS name, coalesce(t.repo, sg.first_repo) AS repo,
		       coalesce(o.owner, '') AS owner, x.failures, o.updated_at
		FROM subjects x
		LEFT JOIN owners o ON o.subject = x.subject AND o.subject_id = x.subject_id
		LEFT JOIN tests t ON x.subject = 'test' AND t.id = x.subject_id
		LEFT JOIN signatures sg ON x.subject = 'signature' AND sg.id = x.subject_id
		WHERE CASE WHEN $3 THEN o.owner IS NULL ELSE lower(o.owner) = lower($2) OR lower(o.owner) = lower('@' || $2) END
		ORDER BY x.failures DESC, x.subject, x.subject_id LIMIT $4`, since, who, unowned, limit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Owned])
	if err != nil {
		return nil, fmt.Errorf("owned by %q: %w", who, err)
	}
	return out, nil
}
