package store_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/store"
)

// TestNameSearchUsesTheTrigramIndex searches 150,000 test names for a
// substring and checks, with EXPLAIN ANALYZE, that every page of the test
// list finds them through the trigram index rather than a scan.
func TestNameSearchUsesTheTrigramIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	// 150 of the names hold "Lookup"; the others are module paths with
	// hashes, as big suites have.
	if _, err := st.Pool().Exec(ctx, `
		INSERT INTO tests (repo, name)
		SELECT 'golang/go', 'pkg' || (i % 997) || '/sub' || (i % 13) || '.Test' ||
		       CASE WHEN i % 1000 = 0 THEN 'Lookup' ELSE '' END || md5(i::text)
		FROM generate_series(1, 150000) i`); err != nil {
		t.Fatal(err)
	}
	b := batch("b1", "abc1234", store.ResultRow{Test: "pkg1/sub1.TestLookupFlaky", Outcome: "fail", Signature: sig("s1"), FailureText: "boom"},
		store.ResultRow{Test: "pkg1/sub1.TestLookupFlaky", Outcome: "pass"})
	if _, _, err := st.IngestBatch(ctx, b, echo); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Pool().Exec(ctx, `VACUUM ANALYZE tests, rollups, results`); err != nil {
		t.Fatal(err)
	}
	fold(t, st)
	mark, err := st.ResultMark(ctx)
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	f := store.ListFilter{Q: "lookup", From: today.AddDate(0, 0, -13), To: today, Mark: mark, Today: today, HalfLife: 3}
	execTime := regexp.MustCompile(`Execution Time: ([0-9.]+) ms`)
	removedFromTests := regexp.MustCompile(`on tests t .*\n.*Filter: .*\n\s*Rows Removed by Filter: (\d+)`)
	for _, tc := range []struct {
		name    string
		sort    string
		failing bool
	}{
		{"failing tests by failures", store.SortFailures, true},
		{"the others, by id", store.SortFailures, false},
		{"by name", store.SortName, false},
	} {
		plan, err := st.ExplainTestPage(ctx, f, tc.sort, 51, tc.failing)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		// The planner may read tests in key order and stop at the page's
		// last match rather than take the trigram index (it guesses 1% of
		// names match; 0.1% do): either way it must not read them all.
		if m := removedFromTests.FindStringSubmatch(plan); !tc.failing && !strings.Contains(plan, "tests_name_trgm") && (m == nil || atoi(m[1]) >= 150000) {
			t.Errorf("%s: the plan neither uses the trigram index nor stops early:\n%s", tc.name, plan)
		}
		if strings.Contains(plan, "Seq Scan on tests") {
			t.Errorf("%s: the plan scans tests:\n%s", tc.name, plan)
		}
		ms := "?"
		if m := execTime.FindStringSubmatch(plan); m != nil {
			ms = m[1]
		}
		t.Logf("%s: %s ms", tc.name, ms)
		if testing.Verbose() {
			t.Log(plan)
		}
	}
	rows, err := st.Tests(ctx, f, store.SortFailures, nil, 500)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 151 || rows[0].Name != "pkg1/sub1.TestLookupFlaky" || rows[0].Failures != 1 {
		t.Errorf("search found %d tests, first %+v", len(rows), rows[0])
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
