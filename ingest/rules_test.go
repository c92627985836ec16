package ingest_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/report"
	"github.com/triaged/triaged/internal/rule"
	"github.com/triaged/triaged/internal/store"
)

// TestRuleSavedDuringUploadsMissesNothing saves a rule while uploads of
// failures it matches go on in parallel: each failure is matched either
// at ingest or by the rule's application to what was stored before it,
// so once the application is done every one of them is matched, once.
func TestRuleSavedDuringUploadsMissesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	in := ingest.New(st, ingest.Limits{})
	const uploaders, batches = 4, 15
	var wg sync.WaitGroup
	errs := make(chan error, uploaders*batches+1)
	for u := range uploaders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range batches {
				b := store.Batch{ID: fmt.Sprintf("u%d-%d", u, i), Principal: "test", Repo: "o/r", Revision: fmt.Sprintf("%07x", 0xabc0000+i),
					Builder: "ci", RunnerOS: "linux"}
				results := []report.Result{
					{Test: fmt.Sprintf("t.test_%d", u), Outcome: report.Fail, FailureText: "ConnectionResetError: boom"},
					{Test: "t.test_ok", Outcome: report.Pass},
				}
				if _, _, err := in.Store(ctx, b, results); err != nil {
					errs <- err
				}
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	saved, err := st.SaveRule(ctx, rule.Rule{Name: "resets", Expr: `text ~ "ConnectionResetError"`, Author: "test",
		Action: rule.Action{Kind: rule.ActionGroup, Group: "resets"}}, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for {
		n, err := in.ApplyRules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	var failures, matched, distinct int
	if err := st.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM results WHERE signature_id IS NOT NULL),
		(SELECT count(*) FROM rule_matches WHERE rule_id = $1), (SELECT count(DISTINCT result_id) FROM rule_matches WHERE rule_id = $1)`,
		saved.ID).Scan(&failures, &matched, &distinct); err != nil {
		t.Fatal(err)
	}
	if failures != uploaders*batches || matched != failures || distinct != failures {
		t.Errorf("%d failures, %d matches (%d distinct): want every failure matched once", failures, matched, distinct)
	}
}
