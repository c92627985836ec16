package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/store"
)

func sig(h string) *store.SignatureRow {
	return &store.SignatureRow{Algorithm: 1, Hash: h, Title: "AssertionError: " + h, Normalized: h}
}

func batch(id, rev string, rows ...store.ResultRow) store.Batch {
	return store.Batch{ID: id, Principal: "token:1", Repo: "python/cpython", Revision: rev, Builder: "b1", RunnerOS: "windows",
		Since: time.Now().Add(-time.Hour), Results: rows}
}

func echo(store.Stored) (any, error) { return map[string]bool{"stored": true}, nil }

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
	b := batch("ci-1", "aaa1111",
		store.ResultRow{Test: "t.a", Outcome: "pass", DurationUS: 10},
		store.ResultRow{Test: "t.b", Outcome: "fail", Signature: sig("s1"), FailureText: "boom", Detector: []byte(`{"lost":1}`)},
		store.ResultRow{Test: "t.b", Outcome: "pass"},
		store.ResultRow{Test: "t.c", Outcome: "skip"},
	)
	var got store.Stored
	first, dup, err := st.IngestBatch(ctx, b, func(s store.Stored) (any, error) { got = s; return map[string]int{"n": 1}, nil })
	if err != nil || dup {
		t.Fatalf("first: dup=%v err=%v", dup, err)
	}
	// The history of the failing test, this batch included, as the
	// classifier gets it: a pass and a failure on this revision.
	h := got.Histories[got.TestIDs["t.b"]]
	if len(h.Revisions) != 1 || h.Revisions[0].Runs != 2 || h.Revisions[0].Passes != 1 || h.Revisions[0].Failures != 1 ||
		!h.FlakySignatures[got.SignatureIDs["s1"]] {
		t.Errorf("t.b history: got %+v", h)
	}
	second, dup, err := st.IngestBatch(ctx, b, func(store.Stored) (any, error) { t.Fatal("respond called for a duplicate"); return nil, nil })
	if err != nil || !dup || !sameJSON(second, first) {
		t.Fatalf("retry: dup=%v err=%v answer %s, want the first answer %s", dup, err, second, first)
	}
	if n := count(t, st, `SELECT count(*) FROM failure_texts`); n != 1 {
		t.Errorf("failure texts: got %d, want 1", n)
	}
	if n := count(t, st, `SELECT count(*) FROM results`); n != 4 {
		t.Errorf("results: got %d, want 4", n)
	}
	fold(t, st)
	// A skip is counted, never as a run.
	if n := count(t, st, `SELECT coalesce(sum(runs), 0) FROM rollups`); n != 3 {
		t.Errorf("rollup runs: got %d, want 3", n)
	}
	if n := count(t, st, `SELECT coalesce(sum(skips), 0) FROM revision_rollups WHERE runs = 0`); n != 1 {
		t.Errorf("revision rollup skips of the skipped test: got %d, want 1", n)
	}
	if n := count(t, st, `SELECT count(*) FROM status_dirty WHERE revision = 'aaa1111'`); n != 1 {
		t.Errorf("the commit was not marked for a new status")
	}
	if n := count(t, st, `SELECT coalesce(sum(failures), 0) FROM rollups WHERE signature_id <> 0`); n != 1 {
		t.Errorf("rollup failures with a signature: got %d, want 1", n)
	}

	// On the next revision the history has both.
	_, _, err = st.IngestBatch(ctx, batch("ci-2", "bbb2222", store.ResultRow{Test: "t.b", Outcome: "fail", Signature: sig("s1")}),
		func(s store.Stored) (any, error) { got = s; return map[string]int{}, nil })
	if err != nil {
		t.Fatal(err)
	}
	if h := got.Histories[got.TestIDs["t.b"]]; len(h.Revisions) != 2 || h.Revisions[0].Revision != "bbb2222" {
		t.Errorf("t.b history on the next revision: %+v", h)
	}
}

// TestBatchIDsBelongToTheirUploader: a batch id is scoped to who uploads
// it; sent again by the same uploader with other content it is refused with
// what differs.
func TestBatchIDsBelongToTheirUploader(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	b := batch("job-77", "aaa1111", store.ResultRow{Test: "t.a", Outcome: "pass"})
	b.Fingerprint = []byte("one")
	if _, dup, err := st.IngestBatch(ctx, b, echo); err != nil || dup {
		t.Fatalf("first: %v %v", dup, err)
	}
	other := b
	other.Principal = "token:2"
	if _, dup, err := st.IngestBatch(ctx, other, echo); err != nil || dup {
		t.Errorf("the same id from another uploader: dup=%v err=%v, want a batch of its own", dup, err)
	}
	for _, tc := range []struct {
		name   string
		change func(*store.Batch)
		want   string
	}{
		{"another revision", func(b *store.Batch) { b.Revision = "bbb2222" }, "revision"},
		{"another repo", func(b *store.Batch) { b.Repo = "golang/go" }, "repo"},
		{"another builder", func(b *store.Batch) { b.Builder = "b2" }, "builder"},
		{"another body", func(b *store.Batch) { b.Fingerprint = []byte("two") }, "body"},
	} {
		c := b
		tc.change(&c)
		_, _, err := st.IngestBatch(ctx, c, echo)
		if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want a conflict about the %s", tc.name, err, tc.want)
		}
	}
	if _, dup, err := st.IngestBatch(ctx, b, echo); err != nil || !dup {
		t.Errorf("a true retry: dup=%v err=%v", dup, err)
	}
	// A conflicting reuse creates nothing, not even its tests' names.
	c := b
	c.Fingerprint, c.Results = []byte("three"), []store.ResultRow{{Test: "t.new", Outcome: "fail", Signature: sig("new")}}
	if _, _, err := st.IngestBatch(ctx, c, echo); !errors.Is(err, store.ErrConflict) {
		t.Errorf("reuse with other results: %v, want a conflict", err)
	}
	if n := count(t, st, `SELECT count(*) FROM tests WHERE name = 't.new'`) + count(t, st, `SELECT count(*) FROM signatures`); n != 0 {
		t.Errorf("a refused reuse created %d tests or signatures", n)
	}
	if n := count(t, st, `SELECT count(*) FROM results`); n != 2 {
		t.Errorf("results: got %d, want 2", n)
	}
}

// TestInfraBatchesAreNotHistory: results of a batch that failed as a whole
// are kept and counted apart, never as runs the classifier reads.
func TestInfraBatchesAreNotHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	b := batch("outage", "aaa1111", store.ResultRow{Test: "t.a", Outcome: "fail", Signature: sig("dns")},
		store.ResultRow{Test: "t.b", Outcome: "pass"})
	b.Infra = true
	if _, _, err := st.IngestBatch(ctx, b, echo); err != nil {
		t.Fatal(err)
	}
	fold(t, st)
	if n := count(t, st, `SELECT coalesce(sum(runs), 0) + coalesce(sum(failures), 0) FROM revision_rollups`); n != 0 {
		t.Errorf("infrastructure results counted as runs: %d", n)
	}
	if n := count(t, st, `SELECT coalesce(sum(infra), 0) FROM revision_rollups`); n != 2 {
		t.Errorf("infrastructure results counted: %d, want 2", n)
	}
	if n := count(t, st, `SELECT coalesce(sum(infra), 0) FROM signature_revisions`); n != 1 {
		t.Errorf("infrastructure failures per signature: %d, want 1", n)
	}
}

func TestIngestBatchRollsBackOnError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	b := batch("bad", "aaa1111", store.ResultRow{Test: "t.a", Outcome: "pass"})
	if _, _, err := st.IngestBatch(ctx, b, func(store.Stored) (any, error) { return nil, fmt.Errorf("refused") }); err == nil {
		t.Fatal("got nil error")
	}
	// The test's name stays (names are created ahead of the batch, for its
	// retry); nothing it ran is counted.
	for _, table := range []string{"upload_batches", "results", "rollups", "revision_rollups", "rollup_deltas", "revision_rollup_deltas"} {
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
				_, _, err := st.IngestBatch(ctx, batch(fmt.Sprint("w", w), "aaa1111", rows...), echo)
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
	fold(t, st)
	if n := count(t, st, `SELECT count(*) FROM results`); n != workers*tests {
		t.Errorf("results: got %d, want %d", n, workers*tests)
	}
	if n := count(t, st, `SELECT coalesce(sum(runs), 0) FROM revision_rollups`); n != workers*tests {
		t.Errorf("revision rollup runs: got %d, want %d", n, workers*tests)
	}
}

// fold adds the deltas uploads appended into the rollups, as the server's
// folder does shortly after.
func fold(t *testing.T, st *store.Store) {
	t.Helper()
	if _, err := st.FoldRollups(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func sameJSON(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}
