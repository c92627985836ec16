package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/quarantine"
)

// quarantineSelect reads quarantines with the name of what they cover.
const quarantineSelect = `
	SELECT q.id, q.repo, coalesce(q.test_id, 0) AS test_id, coalesce(q.signature_id, 0) AS signature_id,
	       coalesce(q.rule_id, 0) AS rule_id, q.owner, q.reason, q.expires_at, q.created_by, q.created_at,
	       q.ended_at, q.ended_by, q.end_reason, coalesce(t.name, sg.title, ru.name, '') AS name
	FROM quarantines q
	LEFT JOIN tests t ON t.id = q.test_id
	LEFT JOIN signatures sg ON sg.id = q.signature_id
	LEFT JOIN rules ru ON ru.id = q.rule_id`

// CreateQuarantine quarantines a test or a signature in a repo (or what a
// rule matches) on q's terms, ending any quarantine in force on the same
// thing, records the change, and marks the commits whose status it
// changes. A test not in the repo, or an unknown signature, is
// ErrNotFound. The terms are the caller's to check (quarantine.Terms).
func (s *Store) CreateQuarantine(ctx context.Context, q quarantine.Quarantine, c Change) (quarantine.Quarantine, error) {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		q, err = s.createQuarantine(ctx, tx, q, c)
		return err
	})
	if err != nil {
		err = translate(err)
		if !errors.Is(err, ErrNotFound) {
			err = fmt.Errorf("quarantine: %w", err)
		}
		return quarantine.Quarantine{}, err
	}
	return q, nil
}

func (s *Store) createQuarantine(ctx context.Context, tx pgx.Tx, q quarantine.Quarantine, c Change) (quarantine.Quarantine, error) {
	now := s.Now()
	var exists bool
	var err error
	switch {
	case q.TestID != 0:
		err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM tests WHERE id = $1 AND repo = $2)`, q.TestID, q.Repo).Scan(&exists)
	case q.SignatureID != 0:
		err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM signatures WHERE id = $1)`, q.SignatureID).Scan(&exists)
	case q.RuleID != 0:
		err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM rules WHERE id = $1)`, q.RuleID).Scan(&exists)
	}
	if err != nil {
		return q, err
	}
	if !exists {
		return q, ErrNotFound
	}
	var id int64
	err = tx.QueryRow(ctx, `
		INSERT INTO quarantines (repo, test_id, signature_id, rule_id, owner, reason, expires_at, created_by, created_at)
		VALUES ($1, nullif($2, 0::bigint), nullif($3, 0::bigint), nullif($4, 0::bigint), $5, $6, $7, $8, $9) RETURNING id`,
		q.Repo, q.TestID, q.SignatureID, q.RuleID, q.Owner, q.Reason, q.ExpiresAt, c.Actor, now).Scan(&id)
	if err != nil {
		return q, err
	}
	// One quarantine in force per thing: the new one replaces the old.
	rows, _ := tx.Query(ctx, `
		UPDATE quarantines SET ended_at = $2, ended_by = $3, end_reason = $4
		WHERE ended_at IS NULL AND id <> $1 AND repo = $5
		  AND (test_id = nullif($6, 0::bigint) OR signature_id = nullif($7, 0::bigint) OR rule_id = nullif($8, 0::bigint))
		RETURNING id`, id, now, c.Actor, "replaced by quarantine #"+strconv.FormatInt(id, 10), q.Repo, q.TestID, q.SignatureID, q.RuleID)
	if _, err := pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		return q, err
	}
	if q, err = quarantineByID(ctx, tx, id); err != nil {
		return q, err
	}
	e := AuditEntry{Actor: c.Actor, Action: AuditQuarantine, Repo: q.Repo, QuarantineID: &q.ID, Why: q.Reason,
		Detail: fmt.Sprintf("owner %s, until %s", q.Owner, q.Until())}
	refQuarantine(&e, q)
	if err := s.audit(ctx, tx, e); err != nil {
		return q, err
	}
	return q, markQuarantined(ctx, tx, q, s.Now())
}

func refQuarantine(e *AuditEntry, q quarantine.Quarantine) {
	switch {
	case q.TestID != 0:
		e.TestID = &q.TestID
	case q.SignatureID != 0:
		e.SignatureID = &q.SignatureID
	case q.RuleID != 0:
		e.RuleID = &q.RuleID
	}
}

// markQuarantined marks the commits whose status a quarantine's start or
// end changes: the latest commit per runner OS of each test it covers.
func markQuarantined(ctx context.Context, tx pgx.Tx, q quarantine.Quarantine, now time.Time) error {
	var err error
	switch {
	case q.TestID != 0:
		return markTestCommits(ctx, tx, q.TestID)
	case q.SignatureID != 0:
		_, err = tx.Exec(ctx, `
			INSERT INTO status_dirty (repo, revision)
			SELECT DISTINCT ON (test_id, runner_os) repo, revision FROM signature_revisions
			WHERE signature_id = $1 AND repo = $2 AND revision ~ '^[0-9a-fA-F]{7,64}$'
			ORDER BY test_id, runner_os, last_seen DESC`, q.SignatureID, q.Repo)
	case q.RuleID != 0:
		_, err = tx.Exec(ctx, `
			INSERT INTO status_dirty (repo, revision)
			SELECT DISTINCT repo, revision FROM (
				SELECT repo, revision FROM rule_matches WHERE rule_id = $1 AND created_at >= $2
				ORDER BY created_at DESC LIMIT 1000) m
			WHERE revision ~ '^[0-9a-fA-F]{7,64}$'`, q.RuleID, now.Add(-7*24*time.Hour))
	}
	return err
}

func quarantineByID(ctx context.Context, q querier, id int64) (quarantine.Quarantine, error) {
	rows, _ := q.Query(ctx, quarantineSelect+` WHERE q.id = $1`, id)
	return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[quarantine.Quarantine])
}

// QuarantineByID returns one quarantine.
func (s *Store) QuarantineByID(ctx context.Context, id int64) (quarantine.Quarantine, error) {
	q, err := quarantineByID(ctx, s.pool, id)
	if err != nil {
		return q, translate(err)
	}
	return q, nil
}

// QuarantineFilter selects quarantines to list.
type QuarantineFilter struct {
	// Ended lists ended quarantines too.
	Ended bool
	// Repo, TestID and SignatureID narrow the list when set; a test's
	// list includes the quarantines of the signatures it failed with.
	Repo        string
	TestID      int64
	SignatureID int64
	Limit       int
}

// Quarantines lists quarantines, those ending soonest first.
func (s *Store) Quarantines(ctx context.Context, f QuarantineFilter) ([]quarantine.Quarantine, error) {
	if f.Limit <= 0 {
		f.Limit = 500
	}
	rows, _ := s.pool.Query(ctx, quarantineSelect+`
		WHERE ($1 OR q.ended_at IS NULL) AND ($2 = '' OR q.repo = $2)
		  AND ($3 = 0 OR q.test_id = $3 OR q.repo = (SELECT repo FROM tests WHERE id = $3) AND q.signature_id IN
		       (SELECT DISTINCT signature_id FROM rollups WHERE test_id = $3 AND signature_id <> 0))
		  AND ($4 = 0 OR q.signature_id = $4)
		ORDER BY q.ended_at IS NOT NULL, coalesce(q.ended_at, q.expires_at) DESC, q.id DESC LIMIT $5`,
		f.Ended, f.Repo, f.TestID, f.SignatureID, f.Limit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[quarantine.Quarantine])
	if err != nil {
		return nil, fmt.Errorf("quarantines: %w", err)
	}
	return out, nil
}

// ExpiringQuarantines lists quarantines in force that end before until,
// soonest first: what the overview warns owners about.
func (s *Store) ExpiringQuarantines(ctx context.Context, until time.Time, limit int) ([]quarantine.Quarantine, error) {
	rows, _ := s.pool.Query(ctx, quarantineSelect+` WHERE q.ended_at IS NULL AND q.expires_at < $1 ORDER BY q.expires_at LIMIT $2`,
		until, limit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[quarantine.Quarantine])
	if err != nil {
		return nil, fmt.Errorf("expiring quarantines: %w", err)
	}
	return out, nil
}

// LiftQuarantine ends a quarantine early and records who and why. An
// unknown or already ended quarantine is ErrNotFound.
func (s *Store) LiftQuarantine(ctx context.Context, id int64, c Change) (quarantine.Quarantine, error) {
	var q quarantine.Quarantine
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE quarantines SET ended_at = $2, ended_by = $3, end_reason = $4 WHERE id = $1 AND ended_at IS NULL`,
			id, s.Now(), c.Actor, "lifted: "+c.Why)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		if q, err = quarantineByID(ctx, tx, id); err != nil {
			return err
		}
		e := AuditEntry{Actor: c.Actor, Action: AuditQuarantineLift, Repo: q.Repo, QuarantineID: &q.ID, Why: c.Why,
			Detail: fmt.Sprintf("owner %s, was until %s", q.Owner, q.Until())}
		refQuarantine(&e, q)
		if err := s.audit(ctx, tx, e); err != nil {
			return err
		}
		return markQuarantined(ctx, tx, q, s.Now())
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return q, fmt.Errorf("lift quarantine %d: %w", id, err)
	}
	return q, err
}

// ExpireQuarantines ends every quarantine whose expiry has passed by the
// store's clock, records it, and marks the commits whose status changes.
// Every replica runs it; a quarantine expires once.
func (s *Store) ExpireQuarantines(ctx context.Context) ([]quarantine.Quarantine, error) {
	var ended []quarantine.Quarantine
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		now := s.Now()
		rows, _ := tx.Query(ctx, `
			UPDATE quarantines SET ended_at = expires_at, ended_by = 'triaged', end_reason = 'expired'
			WHERE id IN (SELECT id FROM quarantines WHERE ended_at IS NULL AND expires_at <= $1 ORDER BY id FOR UPDATE SKIP LOCKED)
			RETURNING id`, now)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		for _, id := range ids {
			q, err := quarantineByID(ctx, tx, id)
			if err != nil {
				return err
			}
			e := AuditEntry{Actor: "triaged", Action: AuditQuarantineEnd, Repo: q.Repo, QuarantineID: &q.ID,
				Why: "its expiry passed", Detail: fmt.Sprintf("owner %s, until %s", q.Owner, q.Until())}
			refQuarantine(&e, q)
			if err := s.audit(ctx, tx, e); err != nil {
				return err
			}
			if err := markQuarantined(ctx, tx, q, now); err != nil {
				return err
			}
			ended = append(ended, q)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("expire quarantines: %w", err)
	}
	return ended, nil
}
