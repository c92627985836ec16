package store_test

import (
	"context"
	"testing"

	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/store"
)

func TestResignMovesResultsAndKeepsHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	old := func(h string) *store.SignatureRow {
		return &store.SignatureRow{Algorithm: 0, Hash: h, Title: "old " + h, Normalized: h}
	}
	// Under the old algorithm two texts of one bug were split in two
	// signatures; the new one groups them by the text's first word.
	b := batch("b1", "r1",
		store.ResultRow{Test: "t.a", Outcome: "fail", Signature: old("x1"), FailureText: "timeout 1"},
		store.ResultRow{Test: "t.a", Outcome: "fail", Signature: old("x2"), FailureText: "timeout 2"},
		store.ResultRow{Test: "t.a", Outcome: "error", Signature: old("y"), FailureText: "crash"},
		store.ResultRow{Test: "t.a", Outcome: "pass"},
	)
	if _, _, err := st.IngestBatch(ctx, b, echo); err != nil {
		t.Fatal(err)
	}
	sign := func(text string, _ []byte) store.SignatureRow {
		word := text
		for i, c := range text {
			if c == ' ' {
				word = text[:i]
				break
			}
		}
		return store.SignatureRow{Algorithm: 1, Hash: "new-" + word, Title: word, Normalized: word}
	}
	total := 0
	for {
		n, err := st.ResignBatch(ctx, 1, 2, sign)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		total += n
	}
	if total != 3 {
		t.Errorf("re-signed %d results, want 3", total)
	}
	if n := count(t, st, `SELECT count(*) FROM results r JOIN signatures s ON s.id = r.signature_id WHERE s.algorithm = 0`); n != 0 {
		t.Errorf("%d results still on the old algorithm", n)
	}
	if n := count(t, st, `SELECT count(DISTINCT signature_id) FROM results WHERE signature_id IS NOT NULL`); n != 2 {
		t.Errorf("%d signatures in use, want 2 (timeout, crash)", n)
	}
	if n := count(t, st, `SELECT count(*) FROM signatures WHERE algorithm = 0 AND superseded_by IS NOT NULL`); n != 3 {
		t.Errorf("%d old signatures point to their successor, want 3", n)
	}
	// Rollups still add up, now under the new signatures.
	if n := count(t, st, `SELECT sum(runs) FROM rollups`); n != 4 {
		t.Errorf("rollup runs: %d, want 4", n)
	}
	if n := count(t, st, `SELECT coalesce(sum(failures), 0) FROM rollups r JOIN signatures s ON s.id = r.signature_id WHERE s.algorithm = 1`); n != 3 {
		t.Errorf("rollup failures under new signatures: %d, want 3", n)
	}
	if n := count(t, st, `SELECT count(*) FROM rollups r JOIN signatures s ON s.id = r.signature_id WHERE s.algorithm = 0`); n != 0 {
		t.Errorf("%d rollup rows left on old signatures", n)
	}
}
