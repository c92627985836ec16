package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/quarantine"
	"github.com/triaged/triaged/internal/rule"
	"github.com/triaged/triaged/internal/verdict"
)

// judgeAct fills in what admins said of a commit's failures: the rule
// that classes them infra (rule.InfraRule) and the quarantine in force at
// now that covers them (quarantine.Covering). matched[i] are the rules
// that matched failures[i]. The decisions are the domain's; this only
// fetches the rules and quarantines they concern.
func judgeAct(ctx context.Context, q querier, repo string, failures []verdict.CommitFailure, matched [][]int64, now time.Time) error {
	if len(failures) == 0 {
		return nil
	}
	var tests, sigs, ruleIDs []int64
	for i, f := range failures {
		tests, sigs = append(tests, f.Test.TestID), append(sigs, f.Signature)
		ruleIDs = append(ruleIDs, matched[i]...)
	}
	slices.Sort(ruleIDs)
	ruleIDs = slices.Compact(ruleIDs)
	var rules []rule.Rule
	if len(ruleIDs) > 0 {
		rows, _ := q.Query(ctx, ruleSelect+` WHERE v.rule_id = ANY($1) AND v.version = ru.version`, ruleIDs)
		var err error
		if rules, err = pgx.CollectRows(rows, scanRule); err != nil {
			return fmt.Errorf("rules: %w", err)
		}
	}
	qs, err := quarantinesInForce(ctx, q, repo, tests, sigs, ruleIDs, now)
	if err != nil {
		return err
	}
	for i := range failures {
		f := &failures[i]
		f.InfraRule = rule.InfraRule(rules, matched[i])
		f.Quarantine = quarantine.Covering(qs, repo, f.Test.TestID, f.Signature, matched[i], now)
	}
	return nil
}

// quarantinesInForce reads the quarantines in force at now on any of the
// tests or signatures in repo, or on any of the rules.
func quarantinesInForce(ctx context.Context, q querier, repo string, tests, sigs, rules []int64, now time.Time) ([]quarantine.Quarantine, error) {
	rows, _ := q.Query(ctx, quarantineSelect+`
		WHERE q.ended_at IS NULL AND q.expires_at > $1
		  AND (q.repo = $2 AND (q.test_id = ANY($3) OR q.signature_id = ANY($4)) OR q.rule_id = ANY($5))`,
		now, repo, tests, sigs, rules)
	qs, err := pgx.CollectRows(rows, pgx.RowToStructByName[quarantine.Quarantine])
	if err != nil {
		return nil, fmt.Errorf("quarantines in force: %w", err)
	}
	return qs, nil
}
