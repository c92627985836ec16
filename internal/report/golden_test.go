package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// brief renders a result as "outcome/attempt id" for compact golden lists.
func brief(rs []Result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Outcome.String() + "/" + string(rune('0'+r.Attempt)) + " " + r.Test
	}
	return out
}

func parseFile(t *testing.T, name string, f Format) []Result {
	t.Helper()
	fh, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rs, err := Parse(fh, f, Options{})
	if err != nil {
		t.Fatalf("Parse(%s, %s): %v", name, f, err)
	}
	return rs
}

// The expectations below were checked by reading each sample; the comments
// quote the tool's own summary where it prints one.
func TestGoldenSamples(t *testing.T) {
	t.Parallel()
	const (
		ut  = "test_flaky.ArithmeticTests."
		ch  = "test_flaky.ChainedTests.test_chained"
		gom = "example.com/flaky/"
	)
	// unittest: "Ran 9 tests … FAILED (failures=3, errors=2, skipped=1,
	// expected failures=1, unexpected successes=1)". unittest's failures=3
	// counts test_fail and two failing subtests of test_subtests; per test,
	// that is test_fail, test_subtests and the unexpected success.
	unittestRun := []string{
		"error/0 " + ut + "test_error", "pass/0 " + ut + "test_expected_failure",
		"fail/0 " + ut + "test_fail", "pass/0 " + ut + "test_pass", "skip/0 " + ut + "test_skip",
		"pass/0 " + ut + "test_stderr_noise", "fail/0 " + ut + "test_subtests",
		"fail/0 " + ut + "test_unexpected_success", "error/0 " + ch,
	}
	sslproto := func(skips, passes string) []string {
		var out []string
		for _, n := range strings.Fields(skips) {
			out = append(out, "skip/0 test.test_asyncio.test_sslproto.ProactorStartTLSTests."+n)
		}
		for _, n := range strings.Fields(passes) {
			out = append(out, "pass/0 test.test_asyncio.test_sslproto."+n)
		}
		return out
	}
	proactor := "test_buf_feed_data test_create_connection_memory_leak test_create_connection_ssl_failed_certificate " +
		"test_create_connection_ssl_slow_handshake test_handshake_timeout test_start_tls_client_buf_proto_1 " +
		"test_start_tls_client_corrupted_ssl test_start_tls_client_reg_proto_1 test_start_tls_server_1 " +
		"test_start_tls_slow_client_cancel test_start_tls_wrong_args"
	var selector []string
	for _, n := range strings.Fields(proactor) {
		selector = append(selector, "SelectorStartTLSTests."+n)
	}
	for _, n := range strings.Fields("test_close_during_handshake test_connection_lost test_data_received_after_closing " +
		"test_eof_received_waiter test_fatal_error_no_name_error test_get_extra_info_on_closed_connection " +
		"test_handshake_timeout_negative test_handshake_timeout_zero test_set_new_app_protocol test_write_after_closing") {
		selector = append(selector, "SslProtoHandshakeTests."+n)
	}
	// regrtest: "Total tests: run=32 skipped=11".
	sslprotoWant := sslproto(proactor, strings.Join(selector, " "))

	tests := []struct {
		file   string
		format Format
		want   []string
		counts Counts
	}{
		{"unittest-flaky.txt", FormatRegrtest, unittestRun, Counts{9, 3, 3, 2, 1}},
		{
			// regrtest -w: "Total tests: run=13 … skipped=1"; the re-run
			// repeats the four failing tests as attempt 1.
			"regrtest-flaky-rerun.txt", FormatRegrtest,
			append(append([]string{}, unittestRun...),
				"error/1 "+ut+"test_error", "fail/1 "+ut+"test_fail", "fail/1 "+ut+"test_subtests", "error/1 "+ch),
			Counts{13, 3, 5, 4, 1},
		},
		{"regrtest-sslproto.txt", FormatRegrtest, sslprotoWant, Counts{32, 21, 0, 0, 11}},
		{"regrtest-sslproto.xml", FormatJUnit, sslprotoWant, Counts{32, 21, 0, 0, 11}},
		{
			// regrtest's XML has an empty <testcase/> where test_subtests
			// should be, and knows nothing of attempts.
			"regrtest-flaky.xml", FormatJUnit,
			[]string{
				"error/0 " + ut + "test_error", "pass/0 " + ut + "test_expected_failure", "fail/0 " + ut + "test_fail",
				"pass/0 " + ut + "test_pass", "skip/0 " + ut + "test_skip", "pass/0 " + ut + "test_stderr_noise",
				"fail/0 " + ut + "test_unexpected_success", "error/0 " + ch,
				"error/0 " + ut + "test_error", "fail/0 " + ut + "test_fail", "error/0 " + ch,
			},
			Counts{11, 3, 3, 4, 1},
		},
		{
			"gotest.json", FormatGoTest,
			[]string{
				"error/0 " + gom + "broken",
				"pass/0 " + gom + "calc.TestPass", "fail/0 " + gom + "calc.TestFail", "skip/0 " + gom + "calc.TestSkip",
				"pass/0 " + gom + "calc.TestSub/n=1", "fail/0 " + gom + "calc.TestSub/n=2", "pass/0 " + gom + "calc.TestSub/n=3",
				"pass/0 " + gom + "calc.TestSub/nested/deep", "pass/0 " + gom + "calc.TestSub/nested",
				"fail/0 " + gom + "calc.TestSub", "pass/0 " + gom + "calc.TestParallel/a",
				"pass/0 " + gom + "calc.TestParallel/b", "pass/0 " + gom + "calc.TestParallel",
				"pass/0 " + gom + "crash.TestBefore", "fail/0 " + gom + "crash.TestPanic",
				"pass/0 " + gom + "hang.TestQuick", "error/0 " + gom + "hang.TestHang",
			},
			Counts{17, 10, 4, 2, 1},
		},
		{
			// gotestsum: "DONE 16 tests, 1 skipped, 7 failures, 1 error";
			// its XML turns the build error and the timeout into TestMain
			// cases and counts TestHang as a failure.
			"gotestsum.xml", FormatJUnit,
			[]string{
				"fail/0 " + gom + "broken.TestMain",
				"fail/0 " + gom + "calc.TestFail", "fail/0 " + gom + "calc.TestSub/n=2", "fail/0 " + gom + "calc.TestSub",
				"skip/0 " + gom + "calc.TestSkip", "pass/0 " + gom + "calc.TestPass", "pass/0 " + gom + "calc.TestSub/n=1",
				"pass/0 " + gom + "calc.TestSub/n=3", "pass/0 " + gom + "calc.TestSub/nested/deep",
				"pass/0 " + gom + "calc.TestSub/nested", "pass/0 " + gom + "calc.TestParallel/a",
				"pass/0 " + gom + "calc.TestParallel/b", "pass/0 " + gom + "calc.TestParallel",
				"fail/0 " + gom + "crash.TestPanic", "pass/0 " + gom + "crash.TestBefore",
				"fail/0 " + gom + "hang.TestMain", "fail/0 " + gom + "hang.TestHang", "pass/0 " + gom + "hang.TestQuick",
			},
			Counts{18, 10, 7, 0, 1},
		},
		{
			// Surefire with rerunFailingTestsCount=3: failed twice, then passed.
			"surefire-flaky.xml", FormatJUnit,
			[]string{"fail/0 io.olamy.FlakyTest.testApp", "fail/1 io.olamy.FlakyTest.testApp", "pass/2 io.olamy.FlakyTest.testApp"},
			Counts{3, 1, 2, 0, 0},
		},
		{
			"surefire-rerun.xml", FormatJUnit,
			[]string{
				"fail/0 io.olamy.AlwaysFailTest.testApp", "fail/1 io.olamy.AlwaysFailTest.testApp",
				"fail/2 io.olamy.AlwaysFailTest.testApp", "fail/3 io.olamy.AlwaysFailTest.testApp",
			},
			Counts{4, 0, 4, 0, 0},
		},
		{
			"junit-nested.xml", FormatJUnit,
			[]string{"pass/0 test.fs.FileSystemTest.testPrefix", "error/0 test.3rdlevel", "pass/0 test.db.DatabaseTest.testTable"},
			Counts{3, 2, 0, 1, 0},
		},
		{
			// pytest: errors="0" failures="1" skipped="3" tests="10".
			"pytest-employee.xml", FormatJUnit,
			[]string{
				"pass/0 test_employee.test_init", "pass/0 test_employee.test_forename", "pass/0 test_employee.test_surname",
				"pass/0 test_employee.test_no_surname", "pass/0 test_employee.test_birthday_party",
				"skip/0 test_employee.test_invalid_short_email", "skip/0 test_employee.test_invalid_no_at_email",
				"pass/0 test_employee.test_salary_raise", "skip/0 test_employee.test_negative_salary_raise",
				"fail/0 test_employee.test_fail",
			},
			Counts{10, 6, 1, 0, 3},
		},
		{
			"jest-todo.xml", FormatJUnit,
			[]string{"skip/0 my-todos should render the header text", "skip/0 my-todos todo management should create a new todo"},
			Counts{2, 0, 0, 0, 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			rs := parseFile(t, tt.file, tt.format)
			if diff := cmp.Diff(tt.want, brief(rs)); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
			if got := Count(rs); got != tt.counts {
				t.Errorf("Count = %+v, want %+v", got, tt.counts)
			}
			// Auto-detection must agree with the declared format.
			auto := parseFile(t, tt.file, FormatAuto)
			if diff := cmp.Diff(brief(rs), brief(auto)); diff != "" {
				t.Errorf("FormatAuto differs (-declared +auto):\n%s", diff)
			}
		})
	}
}

// TestGoldenFailureTexts checks that the text a signature is computed from is
// the right text, not just that some text is there.
func TestGoldenFailureTexts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, test string
		attempt    int
		format     Format
		contains   []string
		absent     []string
	}{
		{"unittest-flaky.txt", "test_flaky.ChainedTests.test_chained", 0, FormatRegrtest,
			[]string{"KeyError: 'missing'", "During handling of the above exception", "ValueError: lookup failed"},
			[]string{"=====", "FAIL: test_fail"}},
		{"unittest-flaky.txt", "test_flaky.ArithmeticTests.test_subtests", 0, FormatRegrtest,
			[]string{"(i=1)", "(i=3)", "AssertionError: 1 == 1"}, nil},
		{"regrtest-flaky-rerun.txt", "test_flaky.ArithmeticTests.test_fail", 1, FormatRegrtest,
			[]string{"AssertionError: 2 != 3 : arithmetic is broken"}, []string{"Ran 4 tests"}},
		{"gotest.json", "example.com/flaky/crash.TestPanic", 0, FormatGoTest,
			[]string{"panic: assignment to entry in nil map", "crash_test.go:9"}, []string{"=== RUN"}},
		{"gotest.json", "example.com/flaky/hang.TestHang", 0, FormatGoTest,
			[]string{"waiting for a Future", "panic: test timed out after 3s"}, nil},
		{"gotest.json", "example.com/flaky/broken", 0, FormatGoTest,
			[]string{"cannot use \"not an int\""}, nil},
		{"surefire-flaky.xml", "io.olamy.FlakyTest.testApp", 1, FormatJUnit,
			[]string{"AssertionFailedError: try one more time maybe", "FlakyTest.java:32"}, nil},
		{"regrtest-flaky.xml", "test_flaky.ArithmeticTests.test_fail", 0, FormatJUnit,
			[]string{"AssertionError: 2 != 3 : arithmetic is broken"}, nil},
		{"pytest-employee.xml", "test_employee.test_fail", 0, FormatJUnit,
			[]string{">       pytest.fail()", "test_employee.py:70: Failed"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.test, func(t *testing.T) {
			t.Parallel()
			var found *Result
			rs := parseFile(t, tt.file, tt.format)
			for i := range rs {
				if rs[i].Test == tt.test && rs[i].Attempt == tt.attempt {
					found = &rs[i]
					break
				}
			}
			if found == nil {
				t.Fatalf("no result for %s attempt %d", tt.test, tt.attempt)
			}
			for _, s := range tt.contains {
				if !strings.Contains(found.FailureText, s) {
					t.Errorf("failure text lacks %q:\n%s", s, found.FailureText)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(found.FailureText, s) {
					t.Errorf("failure text contains %q:\n%s", s, found.FailureText)
				}
			}
		})
	}
}

// TestGoldenRegrtestParallel checks a `python -m test -j2 -v` run of three
// test files against regrtest's own figures: "Ran 42 tests", "Ran 89 tests",
// "Ran 10 tests", "Total tests: run=141", all OK.
func TestGoldenRegrtestParallel(t *testing.T) {
	t.Parallel()
	rs := parseFile(t, "regrtest-j2.txt", FormatRegrtest)
	perFile := map[string]int{}
	for _, r := range rs {
		if r.Outcome != Pass || r.Attempt != 0 {
			t.Errorf("%s: %s attempt %d, want pass attempt 0", r.Test, r.Outcome, r.Attempt)
		}
		for _, mod := range []string{"test.test_bisect.", "test.test_contextlib.", "test.test_asyncio.test_pep492."} {
			if strings.HasPrefix(r.Test, mod) {
				perFile[mod]++
			}
		}
	}
	want := map[string]int{"test.test_bisect.": 42, "test.test_contextlib.": 89, "test.test_asyncio.test_pep492.": 10}
	if diff := cmp.Diff(want, perFile); diff != "" || len(rs) != 141 {
		t.Errorf("%d results; per file (-want +got):\n%s", len(rs), diff)
	}
}
