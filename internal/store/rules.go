package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/quarantine"
	"github.com/triaged/triaged/internal/rule"
)

// ruleEpochLock is the advisory lock between saving a rule (exclusive)
// and storing a batch matched against the rules (shared).
const ruleEpochLock = 0x7472696167656401 // "triaged\1"

// ErrRulesChanged means the rules changed between matching a batch and
// storing it: match it against the new rules and store it again.
var ErrRulesChanged = errors.New("the rules changed while the batch was matched")

// ruleSelect reads rule versions as rule.Rule, with the group's name.
const ruleSelect = `
	SELECT v.rule_id, ru.name, v.version, v.expr, v.action, coalesce(g.name, ''), v.q_owner, v.q_reason, v.q_expires_at,
	       v.author, v.why, v.created_at
	FROM rule_versions v
	JOIN rules ru ON ru.id = v.rule_id
	LEFT JOIN groups g ON g.id = v.group_id`

func scanRule(row pgx.CollectableRow) (rule.Rule, error) {
	var r rule.Rule
	var kind string
	err := row.Scan(&r.ID, &r.Name, &r.Version, &r.Expr, &kind, &r.Action.Group, &r.Action.Owner, &r.Action.Reason,
		&r.Action.ExpiresAt, &r.Author, &r.Why, &r.CreatedAt)
	r.Action.Kind = rule.ActionKind(kind)
	return r, err
}

// SaveRule saves r as the newest version of the rule named r.Name
// (creating the rule), for r.Author: the rule set's epoch moves on, the
// version is queued to be applied to the failures since since, a
// quarantining version replaces the rule's quarantine, and the change is
// recorded. It returns the version saved. The expression and action are
// the caller's to check (rule.Parse, rule.Action.Check).
func (s *Store) SaveRule(ctx context.Context, r rule.Rule, since time.Time) (rule.Rule, error) {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		// Wait for batches matched against the old rules to be stored, and
		// keep new ones out until this commits: the application below
		// then sees every result the new version must cover.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(ruleEpochLock)); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `
			INSERT INTO rules (name, version) VALUES ($1, 1)
			ON CONFLICT (name) DO UPDATE SET version = rules.version + 1 RETURNING id, version`, r.Name).Scan(&r.ID, &r.Version); err != nil {
			return err
		}
		var groupID *int64
		if r.Action.Kind == rule.ActionGroup {
			if err := tx.QueryRow(ctx, `
				INSERT INTO groups (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id`,
				r.Action.Group).Scan(&groupID); err != nil {
				return err
			}
		}
		err := tx.QueryRow(ctx, `
			INSERT INTO rule_versions (rule_id, version, expr, action, group_id, q_owner, q_reason, q_expires_at, author, why, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING created_at`,
			r.ID, r.Version, r.Expr, string(r.Action.Kind), groupID, r.Action.Owner, r.Action.Reason, r.Action.ExpiresAt,
			r.Author, r.Why, s.Now()).Scan(&r.CreatedAt)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE rule_epoch SET epoch = epoch + 1`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE rule_applications SET state = 'superseded', finished_at = $2 WHERE rule_id = $1 AND state = 'pending'`,
			r.ID, s.Now()); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO rule_applications (rule_id, version, since, upto_id)
			SELECT $1, $2, $3, coalesce(max(id), 0) FROM results`, r.ID, r.Version, since); err != nil {
			return err
		}
		if err := s.replaceRuleQuarantine(ctx, tx, r); err != nil {
			return err
		}
		e := AuditEntry{Actor: r.Author, Action: AuditRuleSave, RuleID: &r.ID, GroupID: groupID, Why: r.Why,
			Detail: fmt.Sprintf("%s v%d: %s → %s", r.Name, r.Version, r.Expr, describeAction(r.Action))}
		return s.audit(ctx, tx, e)
	})
	if err != nil {
		return r, fmt.Errorf("save rule %q: %w", r.Name, translate(err))
	}
	return r, nil
}

// replaceRuleQuarantine ends the rule's quarantine in force, and starts
// one on the version's terms if it quarantines.
func (s *Store) replaceRuleQuarantine(ctx context.Context, tx pgx.Tx, r rule.Rule) error {
	c := Change{Actor: r.Author, Why: fmt.Sprintf("rule %s saved as v%d", r.Name, r.Version)}
	if r.Action.Kind == rule.ActionQuarantine {
		// createQuarantine ends the one in force.
		_, err := s.createQuarantine(ctx, tx, quarantine.Quarantine{RuleID: r.ID, Owner: r.Action.Owner, Reason: r.Action.Reason,
			ExpiresAt: *r.Action.ExpiresAt}, c)
		return err
	}
	rows, _ := tx.Query(ctx, `UPDATE quarantines SET ended_at = $2, ended_by = $3, end_reason = $4
		WHERE rule_id = $1 AND ended_at IS NULL RETURNING id`, r.ID, s.Now(), r.Author, "the rule no longer quarantines")
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ids) == 0 {
		return err
	}
	return markQuarantined(ctx, tx, quarantine.Quarantine{RuleID: r.ID}, s.Now())
}

func describeAction(a rule.Action) string {
	switch a.Kind {
	case rule.ActionGroup:
		return "group " + a.Group
	case rule.ActionQuarantine:
		return fmt.Sprintf("quarantine (owner %s, until %s: %s)", a.Owner, a.ExpiresAt.UTC().Format(time.DateOnly), a.Reason)
	}
	return string(a.Kind)
}

// Rules lists the version in force of every rule, by name.
func (s *Store) Rules(ctx context.Context) ([]rule.Rule, error) {
	rows, _ := s.pool.Query(ctx, ruleSelect+` WHERE v.version = ru.version ORDER BY ru.name`)
	out, err := pgx.CollectRows(rows, scanRule)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	return out, nil
}

// RuleVersions lists every version of a rule, newest first. An unknown
// rule is ErrNotFound.
func (s *Store) RuleVersions(ctx context.Context, id int64) ([]rule.Rule, error) {
	rows, _ := s.pool.Query(ctx, ruleSelect+` WHERE v.rule_id = $1 ORDER BY v.version DESC`, id)
	out, err := pgx.CollectRows(rows, scanRule)
	if err != nil {
		return nil, fmt.Errorf("rule %d: %w", id, err)
	}
	if len(out) == 0 {
		return nil, ErrNotFound
	}
	return out, nil
}

// RuleSet returns the rule set's epoch and the version in force of every
// rule: what ingest matches uploads against.
func (s *Store) RuleSet(ctx context.Context) (int64, []rule.Rule, error) {
	var epoch int64
	var rules []rule.Rule
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT epoch FROM rule_epoch`).Scan(&epoch); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, ruleSelect+` WHERE v.version = ru.version ORDER BY ru.id`)
		var err error
		rules, err = pgx.CollectRows(rows, scanRule)
		return err
	})
	if err != nil {
		return 0, nil, fmt.Errorf("rule set: %w", err)
	}
	return epoch, rules, nil
}

// RuleApplication is a saved rule version's application to the failures
// already stored.
type RuleApplication struct {
	ID         int64      `json:"id" db:"id"`
	RuleID     int64      `json:"rule_id" db:"rule_id"`
	Version    int        `json:"version" db:"version"`
	Since      time.Time  `json:"since" db:"since"`
	Scanned    int64      `json:"scanned" db:"scanned"`
	Matched    int64      `json:"matched" db:"matched"`
	State      string     `json:"state" db:"state"`
	CreatedAt  time.Time  `json:"created_at" db:"created_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty" db:"finished_at"`
}

// RuleApplications lists a rule's applications, newest first.
func (s *Store) RuleApplications(ctx context.Context, ruleID int64, limit int) ([]RuleApplication, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, rule_id, version, since, scanned, matched, state, created_at, finished_at
		FROM rule_applications WHERE rule_id = $1 ORDER BY id DESC LIMIT $2`, ruleID, limit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[RuleApplication])
	if err != nil {
		return nil, fmt.Errorf("applications of rule %d: %w", ruleID, err)
	}
	return out, nil
}

// checkRuleEpoch holds the rule set still for the rest of tx (shared)
// and reports ErrRulesChanged when it moved on from epoch. Epoch 0 means
// the caller matched no rules: nothing to check.
func checkRuleEpoch(ctx context.Context, tx pgx.Tx, epoch int64) error {
	if epoch == 0 {
		return nil
	}
	// Two statements: a statement's snapshot is taken before it waits for
	// the lock, so reading the epoch in the same one could see the epoch
	// from before a save it waited for.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock_shared($1)`, int64(ruleEpochLock)); err != nil {
		return fmt.Errorf("rule epoch: %w", err)
	}
	var now int64
	if err := tx.QueryRow(ctx, `SELECT epoch FROM rule_epoch`).Scan(&now); err != nil {
		return fmt.Errorf("rule epoch: %w", err)
	}
	if now != epoch {
		return ErrRulesChanged
	}
	return nil
}
