//go:build unix

package stress

import (
	"context"
	"os/exec"
	"regexp"
	"strconv"
	"testing"

	"github.com/triaged/triaged/internal/report"
)

// TestExecCPythonRegrtest stresses a real CPython test module and checks
// that the per-test counts agree with regrtest's own summary.
func TestExecCPythonRegrtest(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 with its test suite is needed (CPython's regrtest is the real-world check here)")
	}
	c := Command{Argv: []string{"python3", "-m", "test", "test_asyncio.test_sslproto", "-v"}, Dir: t.TempDir(), Format: report.FormatAuto}
	const iterations = 2
	var recs []Record
	sum := Run(context.Background(), Options{Iterations: iterations, Parallel: iterations, OnRecord: func(r Record) { recs = append(recs, r) }}, c.Iteration(1))
	if sum.Runs != iterations {
		t.Fatalf("runs: got %d, want %d", sum.Runs, iterations)
	}
	// regrtest's own verdict: "Total tests: run=32 skipped=11".
	out, _ := exec.Command("python3", "-m", "test", "test_asyncio.test_sslproto").CombinedOutput()
	m := regexp.MustCompile(`Total tests: run=(\d+)(?: failures=(\d+))?(?: skipped=(\d+))?`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no regrtest summary in:\n%s", out)
	}
	wantRun, _ := strconv.Atoi(string(m[1]))
	wantSkipped, _ := strconv.Atoi(string(m[3]))
	tally := Tally{}
	for _, r := range recs {
		tally.Add(r)
		skipped := 0
		for _, res := range r.Results {
			if res.Outcome == report.Skip {
				skipped++
			}
		}
		if len(r.Results) != wantRun || skipped != wantSkipped {
			t.Errorf("iteration %d: %d results, %d skipped; regrtest says run=%d skipped=%d", r.Iteration, len(r.Results), skipped, wantRun, wantSkipped)
		}
	}
	for id, tt := range tally {
		if tt.Runs != iterations {
			t.Errorf("%s: %d runs, want %d", id, tt.Runs, iterations)
		}
	}
}
