package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/store"
)

func sig(h string) *store.SignatureRow {
	return &store.SignatureRow{Algorithm: 1, Hash: h, Title: "AssertionError: " + h, Normalized: h}
}

func batch(id, rev string, rows ...store.ResultRow) store.Batch {
	return store.Batch{ID: id, Repo: "python/cpython", Revision: rev, Builder: "b1", RunnerOS: "windows", Results: rows}
}

func echo(s store.Stored) (any, error) { return s, nil }

func count(t *testing.T, st *store.Store, q string, args ...any) int {
	t.Helper()
	var n int
	if err := st.Pool().QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIngestBatchStoresOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	b := batch("ci-1", "aaa",
		store.ResultRow{Test: "t.a", Outcome: "pass", DurationUS: 10},
		store.ResultRow{Test: "t.b", Outcome: "fail", Signature: sig("s1"), FailureText: "boom", Detector: []byte(`{"lost":1}`)},
		store.ResultRow{Test: "t.b", Outcome: "pass"},
	)
	first, dup, err := st.IngestBatch(ctx, b, echo)
	if err != nil || dup {
		t.Fatalf("first: dup=%v err=%v", dup, err)
	}
	var got store.Stored
	json.Unmarshal(first, &got)
	if c := got.Revision["t.b"]; c != (store.RevisionCounts{Runs: 2, Passes: 1, Failures: 1}) {
		t.Errorf("t.b revision counts: got %+v", c)
	}
	if got.KnownElsewhere["s1"] {
		t.Errorf("s1 known elsewhere on its first appearance")
	}
	second, dup, err := st.IngestBatch(ctx, b, func(store.Stored) (any, error) { t.Fatal("respond called for a duplicate"); return nil, nil })
	if err != nil || !dup || !sameJSON(second, first) {
		t.Fatalf("retry: dup=%v err=%v answer %s, want the first answer %s", dup, err, second, first)
	}
	if n := count(t, st, `SELECT count(*) FROM results`); n != 3 {
		t.Errorf("results: got %d, want 3", n)
	}
	if n := count(t, st, `SELECT count(*) FROM failure_texts`); n != 1 {
		t.Errorf("failure texts: got %d, want 1", n)
	}
	if n := count(t, st, `SELECT coalesce(sum(runs), 0) FROM rollups`); n != 3 {
		t.Errorf("rollup runs: got %d, want 3", n)
	}
	if n := count(t, st, `SELECT coalesce(sum(failures), 0) FROM rollups WHERE signature_id <> 0`); n != 1 {
		t.Errorf("rollup failures with a signature: got %d, want 1", n)
	}

	// The same signature on another revision is known there.
	next, _, err := st.IngestBatch(ctx, batch("ci-2", "bbb", store.ResultRow{Test: "t.b", Outcome: "fail", Signature: sig("s1")}), echo)
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(next, &got)
	if !got.KnownElsewhere["s1"] {
		t.Errorf("s1 not known on a second revision")
	}
}

func TestIngestBatchRollsBackOnError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	b := batch("bad", "aaa", store.ResultRow{Test: "t.a", Outcome: "pass"})
	if _, _, err := st.IngestBatch(ctx, b, func(store.Stored) (any, error) { return nil, fmt.Errorf("refused") }); err == nil {
		t.Fatal("got nil error")
	}
	for _, table := range []string{"upload_batches", "results", "tests", "rollups", "revision_rollups"} {
		if n := count(t, st, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%s: %d rows left after a failed batch", table, n)
		}
	}
}

// TestIngestConcurrentOverlappingBatches sends batches that share tests and
// signatures from many goroutines, each twice: nothing deadlocks, nothing is
// stored twice.
func TestIngestConcurrentOverlappingBatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	const workers, tests = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, 2*workers)
	for w := range workers {
		var rows []store.ResultRow
		for i := range tests {
			// Each worker lists tests in a different order.
			name := fmt.Sprintf("t.%02d", (i*7+w*13)%tests)
			r := store.ResultRow{Test: name, Outcome: "pass"}
			if i%5 == 0 {
				r = store.ResultRow{Test: name, Outcome: "fail", Signature: sig(fmt.Sprint("s", i%3))}
			}
			rows = append(rows, r)
		}
		for range 2 {
			wg.Go(func() {
				_, _, err := st.IngestBatch(ctx, batch(fmt.Sprint("w", w), "aaa", rows...), echo)
				errs <- err
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := count(t, st, `SELECT count(*) FROM results`); n != workers*tests {
		t.Errorf("results: got %d, want %d", n, workers*tests)
	}
	if n := count(t, st, `SELECT coalesce(sum(runs), 0) FROM revision_rollups`); n != workers*tests {
		t.Errorf("revision rollup runs: got %d, want %d", n, workers*tests)
	}
}

func sameJSON(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}
