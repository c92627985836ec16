package report

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPlainCases covers what the recorded runs do not: reruns, crashes,
// cut output and the less common shapes of each runner's output.
func TestPlainCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc   string
		format Format
		in     string
		want   []string // brief(results)
	}{
		{"go: -count=2 runs a test twice", FormatGoTest,
			"=== RUN   TestA\n--- PASS: TestA (0.00s)\n=== RUN   TestA\n--- FAIL: TestA (0.00s)\nFAIL\tp\t0.1s\n",
			[]string{"pass/0 p.TestA", "fail/0 p.TestA"}},
		{"go: a panic in a goroutine kills the running test", FormatGoTest,
			"=== RUN   TestA\n=== RUN   TestA/sub\npanic: boom\n\ngoroutine 7 [running]:\nFAIL\tp\t0.1s\n",
			[]string{"error/0 p.TestA", "error/0 p.TestA/sub"}},
		{"go: without -v a goroutine panic is the package's", FormatGoTest,
			"panic: boom\n\ngoroutine 7 [running]:\nFAIL\tp\t0.1s\nok  \tq\t0.2s\n",
			[]string{"error/0 p"}},
		{"go: TestMain exits", FormatGoTest, "setup failed\nFAIL\tp\t0.01s\n", []string{"error/0 p"}},
		{"go: output cut while a test runs", FormatGoTest, "=== RUN   TestA\n    waiting\n", []string{"error/0 TestA"}},
		{"go: a test binary run by hand", FormatGoTest, "--- FAIL: TestA (0.00s)\n    x\nFAIL\n", []string{"fail/0 TestA"}},
		{"pytest: reruns are attempts", FormatPytest,
			"t.py::test_a RERUN [ 50%]\nt.py::test_a RERUN [ 50%]\nt.py::test_a PASSED [ 50%]\nt.py::test_b[a b] FAILED [100%]\n",
			[]string{"fail/0 t.test_a", "fail/1 t.test_a", "pass/2 t.test_a", "fail/0 t.test_b[a b]"}},
		{"pytest: xdist lines", FormatPytest,
			"[gw0] [ 50%] PASSED t.py::test_a \n[gw1] [100%] ERROR t.py::C::test_b \n",
			[]string{"pass/0 t.test_a", "error/0 t.C.test_b"}},
		{"pytest: a block without a summary keeps its title", FormatPytest,
			"==== FAILURES ====\n____ test_x ____\nE   boom\n==== 1 failed in 0.01s ====\n",
			[]string{"fail/0 test_x"}},
		{"cargo: a binary killed by a signal", FormatCargo,
			"     Running unittests src/lib.rs (target/debug/deps/c-1)\n\nrunning 2 tests\ntest a ... ok\n" +
				"error: test failed, to rerun pass `--lib`\n\nCaused by:\n  process didn't exit successfully: (signal: 11, SIGSEGV)\n",
			[]string{"pass/0 src/lib.rs::a", "error/0 src/lib.rs"}},
		{"cargo: --nocapture puts output before the verdict", FormatCargo,
			"running 1 test\ntest a ... hello\nFAILED\n\ntest result: FAILED. 0 passed; 1 failed\n",
			[]string{"fail/0 a"}},
		{"cargo: a compile error", FormatCargo,
			"error[E0308]: mismatched types\nerror: could not compile `c` (lib test) due to 1 previous error\n",
			[]string{"error/0 c"}},
		{"tap: nested points without announcements", FormatTAP,
			"TAP version 14\n    ok 1 - kid\n    not ok 2 - kid2\nnot ok 1 - parent\nok 2 - other # skip no db\n1..2\n",
			[]string{"pass/0 kid", "fail/0 kid2", "skip/0 other"}},
		{"tap: a parent failing on its own", FormatTAP,
			"# Subtest: p\n    ok 1 - kid\nnot ok 1 - p\n  ---\n  failureType: 'hookFailed'\n  ...\n",
			[]string{"pass/0 p > kid", "fail/0 p"}},
		{"tap: escaped hash in a name", FormatTAP, "ok 1 - issue \\#42\n", []string{"pass/0 issue #42"}},
		{"jest: the failing-tests recap is not read twice", FormatJest,
			"FAIL a.test.js\n  ● t\n\n    boom\n\nSummary of all failing tests\nFAIL a.test.js\n  ● t\n\n    boom\n",
			[]string{"fail/0 t"}},
		{"jest: colours", FormatJest, "\x1b[1m\x1b[31mFAIL\x1b[39m\x1b[22m a.test.js\n  \x1b[31m✕\x1b[39m t (2 ms)\n",
			[]string{"fail/0 t"}},
		{"mocha: a root-level test", FormatMocha,
			"\n  1) fails\n\n  0 passing (5ms)\n  1 failing\n\n  1) fails:\n     Error: x\n",
			[]string{"fail/0 fails"}},
	}
	for _, tt := range tests {
		rs, err := parseString(t, tt.format, tt.in, Options{})
		if err != nil {
			t.Errorf("%s: %v", tt.desc, err)
			continue
		}
		if diff := cmp.Diff(tt.want, brief(rs)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.desc, diff)
		}
	}
}
