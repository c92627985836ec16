package store_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/store"
)

// TestPartitioningMovesEveryRow writes results and failure texts over a
// year into the unpartitioned tables of the schema before partitioning,
// then migrates: every row lands in the month it belongs to, none lost or
// changed, and the indexes, the id sequence and the trigger work after.
func TestPartitioningMovesEveryRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.NewEmptyDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.MigrateTo(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Pool().Exec(ctx, `
		INSERT INTO tests (repo, name) SELECT 'o/r', 't.' || i FROM generate_series(1, 50) i;
		INSERT INTO signatures (algorithm, hash, title, normalized) VALUES (2, 'h1', 'E', 'E');
		INSERT INTO results (batch_id, test_id, outcome, repo, revision, builder, runner_os, signature_id, created_at)
		SELECT 'b' || (i % 97), (SELECT min(id) FROM tests) + i % 50, CASE WHEN i % 10 = 0 THEN 'fail' ELSE 'pass' END,
		       'o/r', to_hex(i % 300 + 1000000), 'ci', 'linux', CASE WHEN i % 10 = 0 THEN (SELECT id FROM signatures) END,
		       now() - (i % 365) * interval '1 day'
		FROM generate_series(1, 20000) i;
		INSERT INTO failure_texts (result_id, text) SELECT id, 'boom ' || id FROM results WHERE outcome = 'fail';`); err != nil {
		t.Fatal(err)
	}
	const sums = `SELECT count(*), sum(id), sum(hashtext(batch_id || outcome || revision || created_at::text)),
		(SELECT count(*) FROM failure_texts), (SELECT sum(hashtext(text)) FROM failure_texts) FROM results`
	var before, after [5]int64
	if err := st.Pool().QueryRow(ctx, sums).Scan(&before[0], &before[1], &before[2], &before[3], &before[4]); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	if err := st.Pool().QueryRow(ctx, sums).Scan(&after[0], &after[1], &after[2], &after[3], &after[4]); err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Fatalf("rows before the migration %v, after %v", before, after)
	}
	if n := count(t, st, `SELECT count(*) FROM results_pdefault`); n != 0 {
		t.Errorf("%d rows fell into the default partition", n)
	}
	if n := count(t, st, `SELECT count(*) FROM pg_inherits WHERE inhparent = 'results'::regclass`); n < 13 {
		t.Errorf("%d partitions for a year of results", n)
	}
	if n := count(t, st, `SELECT count(*) FROM failure_texts f JOIN results r ON r.id = f.result_id AND r.created_at = f.created_at`); n != int(before[3]) {
		t.Errorf("%d failure texts meet their result, want %d", n, before[3])
	}
	// Writing after the move: ids continue, the trigger counts.
	b := batch("after", "aaa1111", store.ResultRow{Test: "t.1", Outcome: "fail", Signature: sig("s2"), FailureText: "x"})
	if _, _, err := st.IngestBatch(ctx, b, echo); err != nil {
		t.Fatal(err)
	}
	if n := count(t, st, `SELECT count(*) FROM results WHERE id > $1`, before[1]/before[0]); n == 0 {
		t.Errorf("new result ids do not continue the sequence")
	}
	if n := count(t, st, `SELECT count(*) FROM signature_revision_deltas WHERE revision = 'aaa1111'`); n != 1 {
		t.Errorf("the trigger did not follow the table: %d deltas", n)
	}
	if n := count(t, st, `SELECT count(*) FROM pg_indexes WHERE tablename = 'results'`); n < 7 {
		t.Errorf("indexes on results after the move: %d", n)
	}
}
