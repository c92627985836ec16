package report

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from what the parsers give")

// plainSamples are the real runner outputs testdata/gen/plain.sh records,
// with the format each must be read and sniffed as.
var plainSamples = []struct {
	file   string
	format Format
	counts Counts // the runner's own summary, per test as triaged counts
}{
	// go test prints passing tests only with -v; the counts are the
	// -json run's, less what plain output does not show.
	{"gotest.txt", FormatGoTest, Counts{6, 0, 4, 2, 0}},
	{"gotest-v.txt", FormatGoTest, Counts{17, 10, 4, 2, 1}},
	// "5 failed, 5 passed, 1 skipped, 1 xfailed, 1 xpassed, 3 errors": an
	// xfail is a skip, an xpass a pass; test_teardown_error passed, then
	// its teardown failed, which is one errored test. Without -v the
	// summary names only failures and errors.
	{"pytest.txt", FormatPytest, Counts{8, 0, 5, 3, 0}},
	{"pytest-v.txt", FormatPytest, Counts{15, 5, 5, 3, 2}},
	{"pytest-collect-error.txt", FormatPytest, Counts{1, 0, 0, 1, 0}},
	// "3 passed; 2 failed; 1 ignored": cargo stops at the first failing
	// binary unless --no-fail-fast, which adds "1 passed", "1 passed; 1
	// failed; 1 ignored", "1 passed; 1 failed" and the doc-tests' "2
	// passed; 1 failed; 1 ignored".
	{"cargo.txt", FormatCargo, Counts{6, 3, 2, 0, 1}},
	{"cargo-no-fail-fast.txt", FormatCargo, Counts{16, 8, 5, 0, 3}},
	{"cargo-backtrace.txt", FormatCargo, Counts{6, 3, 2, 0, 1}},
	// "tests 11, suites 2, pass 4, fail 4, cancelled 1, skipped 1, todo 1":
	// node counts "suite of subtests" (failed by its subtest) among its
	// tests and fails; triaged reports the subtest only.
	{"node-tap.txt", FormatTAP, Counts{10, 4, 3, 1, 2}},
	{"node-spec.txt", FormatNode, Counts{10, 4, 3, 1, 2}},
	// "Tests: 3 failed, 1 skipped, 1 todo, 3 passed, 8 total", plus the
	// suite that failed to run.
	{"jest.txt", FormatJest, Counts{4, 0, 3, 1, 0}},
	{"jest-verbose.txt", FormatJest, Counts{9, 3, 3, 1, 2}},
	// "2 passing, 1 pending, 4 failing"; the hook and the timeout are errors.
	{"mocha.txt", FormatMocha, Counts{7, 2, 2, 2, 1}},
}

// render writes results as a golden file: one header line per result,
// then its failure text and output, indented.
func render(rs []Result) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "%s/%d %s (%v)\n", r.Outcome, r.Attempt, r.Test, r.Duration)
		for _, part := range []struct{ name, text string }{{"text", r.FailureText}, {"output", r.Output}} {
			if part.text == "" {
				continue
			}
			fmt.Fprintf(&b, "  %s:\n", part.name)
			for _, l := range strings.Split(strings.TrimRight(part.text, "\n"), "\n") {
				b.WriteString(strings.TrimRight("    "+l, " ") + "\n")
			}
		}
	}
	return b.String()
}

func TestGoldenPlainOutputs(t *testing.T) {
	t.Parallel()
	for _, tt := range plainSamples {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			rs := parseFile(t, tt.file, tt.format)
			if got := Count(rs); got != tt.counts {
				t.Errorf("Count = %+v, want %+v", got, tt.counts)
			}
			got := render(rs)
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(tt.file, filepath.Ext(tt.file))+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("results differ from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// TestSniffSamples checks that every sample is recognised as its own
// format, and that reading it with FormatAuto gives what the format gives.
func TestSniffSamples(t *testing.T) {
	t.Parallel()
	want := map[string]Format{
		"gotest.json": FormatGoTest, "gotest-ids.json": FormatGoTest,
		"regrtest-flaky-rerun.txt": FormatRegrtest, "regrtest-j2.txt": FormatRegrtest,
		"regrtest-sslproto.txt": FormatRegrtest, "unittest-flaky.txt": FormatRegrtest,
	}
	for _, s := range plainSamples {
		want[s.file] = s.format
	}
	files, err := filepath.Glob("testdata/*.*")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		if strings.HasSuffix(name, ".xml") {
			want[name] = FormatJUnit
		}
		if _, ok := want[name]; !ok && !strings.HasSuffix(name, ".md") {
			t.Errorf("%s: no expected format; add it to this test", name)
		}
	}
	// The XXE sample is refused whichever way it comes.
	delete(want, "junit-xxe.xml")
	for name, f := range want {
		got, err := Sniff([]byte(readSample(t, name)))
		if got != f {
			t.Errorf("Sniff(%s) = %q, %v; want %q", name, got, err, f)
		}
		if diff := cmp.Diff(render(parseFile(t, name, f)), render(parseFile(t, name, FormatAuto))); diff != "" {
			t.Errorf("%s: FormatAuto differs from %s (-declared +auto):\n%s", name, f, diff)
		}
	}
}

// ids returns the sorted ids of rs, with only failing ones if failing.
func ids(rs []Result, failing bool) []string {
	var out []string
	for _, r := range rs {
		if !failing || r.Outcome.Failed() {
			out = append(out, r.Outcome.String()+" "+r.Test)
		}
	}
	slices.Sort(out)
	return out
}

// TestSameIDsWhicheverWay checks that the ways one runner can print a run
// name its tests alike: plain go test and go test -json of the same run,
// node's TAP and spec reporters, -v and not for pytest and jest.
func TestSameIDsWhicheverWay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b    string
		fa, fb  Format
		failing bool // compare only failures: one of the two prints no passes
	}{
		{"gotest-v.txt", "gotest-ids.json", FormatGoTest, FormatGoTest, false},
		{"gotest.txt", "gotest-ids.json", FormatGoTest, FormatGoTest, true},
		{"node-tap.txt", "node-spec.txt", FormatTAP, FormatNode, false},
		{"pytest.txt", "pytest-v.txt", FormatPytest, FormatPytest, true},
		{"jest.txt", "jest-verbose.txt", FormatJest, FormatJest, true},
		{"cargo.txt", "cargo-backtrace.txt", FormatCargo, FormatCargo, false},
	}
	for _, tt := range tests {
		a, b := ids(parseFile(t, tt.a, tt.fa), tt.failing), ids(parseFile(t, tt.b, tt.fb), tt.failing)
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("%s and %s name tests differently (-%s +%s):\n%s", tt.a, tt.b, tt.a, tt.b, diff)
		}
	}
}

// TestPlainFailureTexts spells out, for one failure of each runner, what
// its text must hold: the part a person reads, and none of the framing.
func TestPlainFailureTexts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, test string
		contains   []string
		absent     []string
	}{
		{"gotest.txt", "example.com/flaky/calc.TestSub/n=2", []string{"calc_test.go:24: bad n 2"}, []string{"TestFail"}},
		{"gotest.txt", "example.com/flaky/crash.TestPanic", []string{"panic: assignment to entry in nil map", "crash_test.go:9"}, []string{"FAIL\texample.com"}},
		{"gotest.txt", "example.com/flaky/hang.TestHang", []string{"panic: test timed out after 3s", "TestHang (3s)"}, nil},
		{"gotest-v.txt", "example.com/flaky/hang.TestHang", []string{"waiting for a Future", "panic: test timed out"}, []string{"=== RUN"}},
		{"gotest-v.txt", "example.com/flaky/broken", []string{`cannot use "not an int"`, "[build failed]"}, nil},
		{"pytest.txt", "test_flaky.test_fail", []string{"AssertionError: arithmetic is broken", "test_flaky.py:14: AssertionError"}, []string{"Captured stdout call", "____"}},
		{"pytest-v.txt", "test_flaky.test_teardown_error", []string{"RuntimeError: teardown exploded"}, nil},
		{"pytest.txt", "test_collect_error", []string{"No module named 'not_a_module_that_exists'"}, nil},
		{"cargo-no-fail-fast.txt", "tests/cli.rs::cli_unwrap", []string{"panicked at tests/cli.rs:7:7", "no config file"}, []string{"----", "failures:"}},
		{"cargo-no-fail-fast.txt", "Doc-tests flaky::src/lib.rs - add (line 10)", []string{"doc arithmetic"}, nil},
		{"cargo-backtrace.txt", "src/lib.rs::tests::fails", []string{"one and one", "flaky::tests::fails"}, []string{"tests::panics"}},
		{"node-tap.txt", "suite of subtests > inner fails", []string{"Expected values to be strictly deep-equal", "math.test.js:25:12"}, []string{"duration_ms"}},
		{"node-spec.txt", "fails an assertion", []string{"arithmetic is broken", "math.test.js:11:10"}, []string{"✖"}},
		{"jest.txt", "math division throws on zero", []string{"RangeError: division by zero", "math.test.js:12:13"}, []string{"●"}},
		{"jest.txt", "broken.test.js", []string{"Cannot find module './does-not-exist'"}, nil},
		{"mocha.txt", "math fails an assertion", []string{"arithmetic is broken", "math.spec.js:10:12"}, []string{"1) math"}},
	}
	for _, tt := range tests {
		var found *Result
		var format Format
		for _, s := range plainSamples {
			if s.file == tt.file {
				format = s.format
			}
		}
		rs := parseFile(t, tt.file, format)
		for i := range rs {
			if rs[i].Test == tt.test {
				found = &rs[i]
			}
		}
		if found == nil {
			t.Errorf("%s: no result for %q", tt.file, tt.test)
			continue
		}
		for _, s := range tt.contains {
			if !strings.Contains(found.FailureText, s) {
				t.Errorf("%s %s: failure text lacks %q:\n%s", tt.file, tt.test, s, found.FailureText)
			}
		}
		for _, s := range tt.absent {
			if strings.Contains(found.FailureText, s) {
				t.Errorf("%s %s: failure text contains %q:\n%s", tt.file, tt.test, s, found.FailureText)
			}
		}
	}
}
