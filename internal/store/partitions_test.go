package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/store"
)

// TestPartitionsAheadAndRetention: months are made ahead; a row that
// arrived before its month had a partition is moved into it, not lost; an
// expired month is dropped, keeping its signatures' newest example, while
// newer months and the rollups stay.
func TestPartitionsAheadAndRetention(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	now := time.Now().UTC()

	// A signature and a failure far ahead of every partition: it lands in
	// the default partition.
	b := batch("b1", "aaa1111", store.ResultRow{Test: "t.a", Outcome: "fail", Signature: sig("s1"), FailureText: "boom"})
	if _, _, err := st.IngestBatch(ctx, b, echo); err != nil {
		t.Fatal(err)
	}
	future := now.AddDate(0, 7, 0)
	old := now.AddDate(0, -9, 0)
	for _, at := range []time.Time{future, old} {
		if _, err := st.Pool().Exec(ctx, `
			WITH r AS (INSERT INTO results (batch_id, test_id, outcome, repo, revision, builder, signature_id, created_at)
				SELECT 'x', test_id, 'fail', repo, revision, builder, signature_id, $1 FROM results LIMIT 1 RETURNING id, created_at)
			INSERT INTO failure_texts (result_id, text, created_at) SELECT id, 'text from ' || $1::text, created_at FROM r`, at); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, st, `SELECT count(*) FROM results_pdefault`); n != 2 {
		t.Fatalf("rows in the default partition: %d, want 2", n)
	}

	// Partitions ahead, twice: the second run makes none.
	made, err := st.EnsurePartitions(ctx, future, 1)
	if err != nil || made != 4 {
		t.Fatalf("EnsurePartitions: made %d, %v; want 4 (two months of two tables)", made, err)
	}
	if made, err := st.EnsurePartitions(ctx, future, 1); err != nil || made != 0 {
		t.Fatalf("EnsurePartitions again: made %d, %v", made, err)
	}
	if _, err := st.EnsurePartitions(ctx, old, 0); err != nil {
		t.Fatal(err)
	}
	if n := count(t, st, `SELECT count(*) FROM results_pdefault`); n != 0 {
		t.Errorf("rows left in the default partition: %d", n)
	}
	if n := count(t, st, `SELECT count(*) FROM results`); n != 3 {
		t.Errorf("results: %d, want 3: none lost moving them", n)
	}

	// Retention: the old month goes, its example stays.
	fold(t, st)
	var sigID int64
	st.Pool().QueryRow(ctx, `SELECT id FROM signatures`).Scan(&sigID)
	st.Pool().Exec(ctx, `DELETE FROM results WHERE created_at BETWEEN now() - interval '1 day' AND now() + interval '1 day'`)
	dropped, err := st.ExpireResults(ctx, now.AddDate(0, 0, -180))
	if err != nil || len(dropped) != 1 || dropped[0] != "results_p"+old.Format("2006_01") {
		t.Fatalf("ExpireResults: %v, %v; want the month of %s", dropped, err, old.Format("2006-01"))
	}
	if n := count(t, st, `SELECT count(*) FROM results`); n != 1 {
		t.Errorf("results after retention: %d, want the future one", n)
	}
	var kept time.Time
	if err := st.Pool().QueryRow(ctx, `SELECT created_at FROM signature_examples WHERE signature_id = $1 AND test = 't.a'`, sigID).Scan(&kept); err != nil ||
		kept.Format("2006-01") != old.Format("2006-01") {
		t.Errorf("example kept from the dropped month: %v, %v", kept, err)
	}
	// The future failure is the newest; without it the kept one shows.
	st.Pool().Exec(ctx, `DELETE FROM results`)
	if ex, err := st.SignatureExample(ctx, sigID); err != nil || ex.CreatedAt.Format("2006-01") != old.Format("2006-01") {
		t.Errorf("signature example once every result is gone: %+v, %v", ex, err)
	}
	if n := count(t, st, `SELECT count(*) FROM rollups`); n == 0 {
		t.Errorf("retention of results dropped the rollups")
	}
	if _, err := st.ExpireRollups(ctx, now.AddDate(0, 0, 1), now.AddDate(0, 0, -180)); err != nil {
		t.Fatal(err)
	}
	if n := count(t, st, `SELECT count(*) FROM rollups`); n != 0 {
		t.Errorf("rollups older than their cutoff: %d left", n)
	}
}
