package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/triaged/triaged/stress"
)

func TestStressExecCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		wantCode int
		check    func(t *testing.T, out map[string]any)
	}{
		{
			name:     "flaky command",
			args:     []string{"stress", "exec", "--iterations", "6", "--parallel", "2", "--json", "--failures-dir", "{tmp}", "--", "sh", "-c", `[ $((TRIAGED_ITERATION % 2)) -eq 0 ]`},
			wantCode: exitFailures,
			check: func(t *testing.T, out map[string]any) {
				if out["iterations"] != 6.0 || out["failures"] != 3.0 || out["repro_rate"] != 0.5 {
					t.Errorf("got %v", out)
				}
				for _, k := range []string{"command", "ci95_low", "ci95_high", "elapsed_seconds", "tests", "whole_command", "note", "failures_dir"} {
					if _, ok := out[k]; !ok {
						t.Errorf("no %q in %v", k, out)
					}
				}
				// Plain output: said once, not once per iteration.
				if note, _ := out["note"].(string); out["whole_command"] != true || strings.Count(note, "whole-command verdict") != 1 ||
					!strings.Contains(note, "--format") || !strings.Contains(note, "junit=PATH") {
					t.Errorf("whole_command %v, note %q; want one note on how to get per-test results", out["whole_command"], note)
				}
				if out["failure_files"] != 3.0 {
					t.Errorf("failure_files: got %v, want 3", out["failure_files"])
				}
			},
		},
		{
			name:     "clean command",
			args:     []string{"stress", "exec", "--iterations", "3", "--json", "--", "true"},
			wantCode: exitOK,
			check: func(t *testing.T, out map[string]any) {
				if out["failures"] != 0.0 || out["zero_failure_upper"] == nil {
					t.Errorf("got %v", out)
				}
			},
		},
		{name: "missing command", args: []string{"stress", "exec", "--", "no-such-command-xyz"}, wantCode: exitUsage},
		{name: "no command", args: []string{"stress", "exec"}, wantCode: exitUsage},
		{name: "zero iterations", args: []string{"stress", "exec", "--iterations", "0", "--", "true"}, wantCode: exitUsage},
		{name: "bad format", args: []string{"stress", "exec", "--format", "xml", "--", "true"}, wantCode: exitUsage},
		{name: "bare junit format", args: []string{"stress", "exec", "--format", "junit", "--", "true"}, wantCode: exitUsage},
		{name: "unknown subcommand", args: []string{"stress", "hammer"}, wantCode: exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			args := slices.Clone(tt.args)
			if i := slices.Index(args, "{tmp}"); i >= 0 {
				args[i] = t.TempDir()
			}
			err := run(context.Background(), args, stdio{in: strings.NewReader(""), out: &out, err: &errb, getenv: func(string) string { return "" }})
			if code := exitCode(err, &errb); code != tt.wantCode {
				t.Fatalf("exit %d, want %d (err %v; stderr %s)", code, tt.wantCode, err, errb.String())
			}
			if tt.check != nil {
				var m map[string]any
				if err := json.Unmarshal(out.Bytes(), &m); err != nil {
					t.Fatalf("stdout is not one JSON object: %v\n%s", err, out.String())
				}
				tt.check(t, m)
			}
		})
	}
}

// gomod is a small real Go module whose tests fail: TestFail, TestSub/n=2.
const gomod = "../../internal/report/testdata/src/gomod"

// TestStressExecGoTestPerTest: `stress exec -- go test -run 'X|Y' pkg`, the
// plain output of a real go test, gives a row per test (per failing test
// without -v, which names only those), keeps each failing iteration's
// output in a file of its own and quotes the first one.
func TestStressExecGoTestPerTest(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		flags []string
		want  map[string]int // test → failures of 2 runs
	}{
		{"plain", nil, map[string]int{"example.com/flaky/calc.TestFail": 2}},
		{"verbose", []string{"-v"}, map[string]int{"example.com/flaky/calc.TestFail": 2, "example.com/flaky/calc.TestPass": 0}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			var out, errb bytes.Buffer
			args := []string{"stress", "exec", "--iterations", "2", "--json", "--failures-dir", dir, "--", "go", "-C", gomod, "test", "-count=1"}
			args = append(append(args, tt.flags...), "-run", "TestFail|TestPass", "./calc")
			err := run(context.Background(), args, stdio{in: strings.NewReader(""), out: &out, err: &errb, getenv: func(string) string { return "" }})
			if code := exitCode(err, &errb); code != exitFailures {
				t.Fatalf("exit %d, want %d; stderr %s", code, exitFailures, errb.String())
			}
			var got struct {
				Tests        map[string]stress.TestTally
				WholeCommand bool   `json:"whole_command"`
				Note         string `json:"note"`
				FailuresDir  string `json:"failures_dir"`
				FailureFiles int    `json:"failure_files"`
				First        *struct {
					Iteration int
					File      string
					Tail      string
				} `json:"first_failure"`
			}
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			if len(got.Tests) != len(tt.want) {
				t.Errorf("tests: got %v, want a row for each of %v", got.Tests, tt.want)
			}
			for id, fails := range tt.want {
				if r, ok := got.Tests[id]; !ok || r.Runs != 2 || r.Failures != fails {
					t.Errorf("test %s: got %+v, want %d of 2 failed", id, r, fails)
				}
			}
			if got.WholeCommand || got.Note != "" {
				t.Errorf("per-test output reported as whole-command: %v %q", got.WholeCommand, got.Note)
			}
			files, _ := filepath.Glob(filepath.Join(dir, "*"))
			if got.FailuresDir != dir || got.FailureFiles != 2 || len(files) != 2 {
				t.Errorf("failures dir %q with %d files (%v); want %q with one file per failing iteration", got.FailuresDir, got.FailureFiles, files, dir)
			}
			if got.First == nil || got.First.Iteration != 0 || !strings.Contains(got.First.Tail, "--- FAIL: TestFail") {
				t.Fatalf("first failure: %+v; want iteration 0 quoting go test's output", got.First)
			}
			if b, err := os.ReadFile(got.First.File); err != nil || !strings.Contains(string(b), "calc_test.go:13: got 2, want 3") {
				t.Errorf("the first failure's file %s: %v\n%s", got.First.File, err, b)
			}
		})
	}
}

// TestStressExecSummary: the summary names the directory of failing
// output, quotes the first failure's tail, and says once that plain output
// only gives a whole-command verdict.
func TestStressExecSummary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out, errb bytes.Buffer
	args := []string{"stress", "exec", "--iterations", "4", "--failures-dir", dir, "--", "sh", "-c", `echo "boom in $TRIAGED_ITERATION"; exit 3`}
	err := run(context.Background(), args, stdio{in: strings.NewReader(""), out: &out, err: &errb, getenv: func(string) string { return "" }})
	if code := exitCode(err, &errb); code != exitFailures {
		t.Fatalf("exit %d; stderr %s", code, errb.String())
	}
	s := out.String()
	for _, want := range []string{"failing output: 4 files in " + dir, "first failure, iteration 0 (seed 1)", "    boom in 0", "replay it with --seed 1 --iterations 1"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	if n := strings.Count(s, "whole-command verdict"); n != 1 {
		t.Errorf("the whole-command note appears %d times, want once:\n%s", n, s)
	}
}
