package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuditEntry is one change someone made: who, when, what and why.
type AuditEntry struct {
	ID           int64     `json:"id" db:"id"`
	At           time.Time `json:"at" db:"at"`
	Actor        string    `json:"actor" db:"actor"`
	Action       string    `json:"action" db:"action"`
	Repo         string    `json:"repo,omitempty" db:"repo"`
	TestID       *int64    `json:"test_id,omitempty" db:"test_id"`
	SignatureID  *int64    `json:"signature_id,omitempty" db:"signature_id"`
	GroupID      *int64    `json:"group_id,omitempty" db:"group_id"`
	RuleID       *int64    `json:"rule_id,omitempty" db:"rule_id"`
	QuarantineID *int64    `json:"quarantine_id,omitempty" db:"quarantine_id"`
	Why          string    `json:"why" db:"why"`
	Detail       string    `json:"detail" db:"detail"`
}

// The actions the audit trail records.
const (
	AuditOwner           = "owner"
	AuditLinkAdd         = "link added"
	AuditLinkRemove      = "link removed"
	AuditQuarantine      = "quarantined"
	AuditQuarantineLift  = "quarantine lifted"
	AuditQuarantineEnd   = "quarantine expired"
	AuditRuleSave        = "rule saved"
	AuditIssueOpen       = "issue opened"
	AuditIssueClose      = "issue closed"
	AuditIssueRecur      = "issue reopened"
	AuditIssueComment    = "issue commented"
	AuditIssueRouteAdded = "issue route added"
)

// audit records e in tx, at the store's clock.
func (s *Store) audit(ctx context.Context, tx pgx.Tx, e AuditEntry) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO audit_log (at, actor, action, repo, test_id, signature_id, group_id, rule_id, quarantine_id, why, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, left($11, 4000))`,
		s.Now(), e.Actor, e.Action, e.Repo, e.TestID, e.SignatureID, e.GroupID, e.RuleID, e.QuarantineID, e.Why, e.Detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

const auditColumns = `id, at, actor, action, repo, test_id, signature_id, group_id, rule_id, quarantine_id, why, detail`

// TestAudit lists the newest changes concerning a test: its own, and
// those of the signatures it failed with.
func (s *Store) TestAudit(ctx context.Context, testID int64, limit int) ([]AuditEntry, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT `+auditColumns+` FROM audit_log WHERE test_id = $1
		UNION
		SELECT `+auditColumns+` FROM audit_log
		WHERE signature_id IN (SELECT DISTINCT signature_id FROM rollups WHERE test_id = $1 AND signature_id <> 0)
		ORDER BY id DESC LIMIT $2`, testID, limit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[AuditEntry])
	if err != nil {
		return nil, fmt.Errorf("audit of test %d: %w", testID, err)
	}
	return out, nil
}

// SignatureAudit lists the newest changes concerning a signature.
func (s *Store) SignatureAudit(ctx context.Context, signatureID int64, limit int) ([]AuditEntry, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE signature_id = $1 ORDER BY id DESC LIMIT $2`,
		signatureID, limit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[AuditEntry])
	if err != nil {
		return nil, fmt.Errorf("audit of signature %d: %w", signatureID, err)
	}
	return out, nil
}

// RuleAudit lists the newest changes concerning a rule or a group.
func (s *Store) RuleAudit(ctx context.Context, ruleID, groupID int64, limit int) ([]AuditEntry, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE rule_id = $1 OR group_id = $2 ORDER BY id DESC LIMIT $3`,
		ruleID, groupID, limit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[AuditEntry])
	if err != nil {
		return nil, fmt.Errorf("audit of rule %d: %w", ruleID, err)
	}
	return out, nil
}
