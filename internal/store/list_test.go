package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/store"
)

// TestListsAgreeAcrossPaths checks the test list's figures read from the
// rollups (by branch and OS) against the same figures read from a
// builder's batches, and that keyset pages in every sort cover the list
// once.
func TestListsAgreeAcrossPaths(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	for i, br := range []string{"main", "main", "feature/x", ""} {
		var rows []store.ResultRow
		for k := range 12 {
			outcome := "pass"
			if k%(i+2) == 0 {
				outcome = "fail"
			}
			r := store.ResultRow{Test: fmt.Sprintf("test_mod.T.test_%02d", k), Outcome: outcome}
			if outcome == "fail" {
				r.Signature, r.FailureText = sig(fmt.Sprintf("s%d", k%3)), "boom"
			}
			rows = append(rows, r)
		}
		b := batch(fmt.Sprintf("b%d", i), fmt.Sprintf("%07x", 0xabc0000+i), rows...)
		b.Branch, b.Builder, b.URL = br, fmt.Sprintf("builder-%d", i%2), "https://ci.example/"+fmt.Sprint(i)
		if _, _, err := st.IngestBatch(ctx, b, echo); err != nil {
			t.Fatal(err)
		}
	}
	fold(t, st)
	mark, err := st.ResultMark(ctx)
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	f := store.ListFilter{From: today.AddDate(0, 0, -13), To: today, Mark: mark, Today: today, HalfLife: 3}
	for _, sort := range []string{store.SortFailures, store.SortRate, store.SortImpact, store.SortName} {
		all, err := st.Tests(ctx, f, sort, nil, 100)
		if err != nil {
			t.Fatalf("%s: %v", sort, err)
		}
		if len(all) != 12 {
			t.Fatalf("%s: %d tests, want 12", sort, len(all))
		}
		var paged []store.TestRow
		var after *store.ListKey
		for range 10 {
			page, err := st.Tests(ctx, f, sort, after, 5)
			if err != nil {
				t.Fatalf("%s page: %v", sort, err)
			}
			paged = append(paged, page...)
			if len(page) < 5 {
				break
			}
			last := page[len(page)-1]
			after = &store.ListKey{Seg: last.Seg, Key: last.Key, ID: last.ID}
		}
		for i := range all {
			if i >= len(paged) || paged[i].ID != all[i].ID {
				t.Fatalf("%s: paged order differs at %d: %v vs %v", sort, i, ids(paged), ids(all))
			}
		}
		t.Logf("%s: %v", sort, ids(all))
	}
	main := f
	main.Branches = []string{"main"}
	main.Ran = true
	rolled, err := st.Tests(ctx, main, store.SortFailures, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	byBuilder := main
	byBuilder.Builder = "builder-0"
	built, err := st.Tests(ctx, byBuilder, store.SortFailures, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	// builder-0 ran batches 0 and 2: only batch 0 is on main.
	for _, r := range built {
		if r.Runs != 1 {
			t.Errorf("builder-0 on main: %s ran %d times, want 1", r.Name, r.Runs)
		}
	}
	if len(rolled) != 12 || rolled[0].Runs != 2 || rolled[0].Last == nil || rolled[0].Last.URL == "" {
		t.Errorf("main: %+v", rolled[0])
	}
}

func ids(rows []store.TestRow) []int64 {
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}
