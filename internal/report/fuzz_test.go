package report

import (
	"bytes"
	"errors"
	"testing"
	"unicode/utf8"
)

// fuzzOpts are small limits, so the fuzzer reaches them.
var fuzzOpts = Options{MaxResults: 50, MaxFailureText: 256, MaxLineLength: 4096}

// checkParse asserts what every parser promises for any input: no panic,
// errors that are *ParseError with a position, and bounded, valid results.
func checkParse(t *testing.T, f Format, data []byte) {
	rs, err := Parse(bytes.NewReader(data), f, fuzzOpts)
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error %T %v is not a *ParseError", err, err)
		}
		if pe.Line <= 0 && pe.Offset < 0 {
			t.Fatalf("error without a position: %v", pe)
		}
		if pe.Offset > int64(len(data)) || pe.Line > bytes.Count(data, []byte("\n"))+1 {
			t.Fatalf("position line %d byte %d outside the %d-byte input: %v", pe.Line, pe.Offset, len(data), pe)
		}
		if rs != nil {
			t.Fatalf("results returned with an error")
		}
		return
	}
	if len(rs) > fuzzOpts.MaxResults {
		t.Fatalf("%d results, limit %d", len(rs), fuzzOpts.MaxResults)
	}
	// Two capped parts (several blocks of one test) plus their markers.
	const slack = 128
	for _, r := range rs {
		if r.Outcome < Pass || r.Outcome > Skip {
			t.Fatalf("invalid outcome %d for %q", r.Outcome, r.Test)
		}
		if _, ctl := controlChar(r.Test); r.Test == "" || len(r.Test) > MaxTestIDLen || !utf8.ValidString(r.Test) || ctl {
			t.Fatalf("bad test id %q", r.Test)
		}
		if r.Duration < 0 || r.Duration > MaxDuration {
			t.Fatalf("duration %v of %q out of range", r.Duration, r.Test)
		}
		for _, s := range []string{r.FailureText, r.Output} {
			if len(s) > 2*fuzzOpts.MaxFailureText+slack || !utf8.ValidString(s) || bytes.IndexByte([]byte(s), 0) >= 0 {
				t.Fatalf("text of %q not bounded or not storable: %d bytes", r.Test, len(s))
			}
		}
		if !r.Outcome.Failed() && (r.FailureText != "" || r.Output != "") {
			t.Fatalf("%s result %q carries failure text", r.Outcome, r.Test)
		}
	}
}

func addSamples(f *testing.F, names ...string) {
	for _, n := range names {
		s := readSample(f, n)
		f.Add([]byte(s[:min(len(s), 3000)]))
	}
}

func FuzzJUnit(f *testing.F) {
	addSamples(f, "surefire-flaky.xml", "junit-nested.xml", "pytest-employee.xml", "junit-xxe.xml")
	f.Add([]byte(`<testsuite><testcase classname="a" name="b"><failure message="m">x</failure><system-out>o</system-out></testcase></testsuite>`))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, FormatJUnit, data) })
}

func FuzzGoTest(f *testing.F) {
	addSamples(f, "gotest.json")
	f.Add([]byte(ev("run", "p", "T", "") + ev("output", "p", "T", "panic: x\n") + "plain\n" + ev("fail", "p", "", "")))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, FormatGoTest, data) })
}

func FuzzRegrtest(f *testing.F) {
	addSamples(f, "unittest-flaky.txt")
	f.Add([]byte("test_a (m.C) ... test_b (m.C) ... ok\n" + sep1 + "\nFAIL: test_a (m.C) (i=1)\n" + sep2 + "\nx\n" + sep2 + "\nRan 2 tests\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, FormatRegrtest, data) })
}

func FuzzNative(f *testing.F) {
	f.Add([]byte(`{"version":1,"results":[{"test":"a","outcome":"fail","failure_text":"x","detector":{"k":1}}]}`))
	f.Add([]byte(`{"results":[{"test":"a","outcome":"pass","duration_seconds":1e300}]}`))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, FormatJSON, data) })
}

func FuzzSniff(f *testing.F) {
	addSamples(f, "gotest.json", "regrtest-sslproto.txt", "gotestsum.xml", "gotest.txt", "pytest.txt", "cargo.txt", "node-tap.txt", "node-spec.txt", "jest.txt", "mocha.txt")
	f.Add([]byte(`{"results":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Sniff(data)
		if (err == nil) == (got == "") || got == FormatAuto {
			t.Fatalf("Sniff = %q, %v", got, err)
		}
		if err != nil && !errors.Is(err, ErrUnknownFormat) {
			t.Fatalf("error %v does not wrap ErrUnknownFormat", err)
		}
		// Whatever Sniff picks, parsing must keep the parser's promises.
		checkParse(t, FormatAuto, data)
	})
}

func FuzzGoTestText(f *testing.F) {
	addSamples(f, "gotest.txt", "gotest-v.txt")
	f.Add([]byte("=== RUN   TestA\n    a_test.go:1: x\npanic: test timed out after 1s\n\trunning tests:\n\t\tTestA (1s)\nFAIL\tp\t1.0s\n"))
	f.Add([]byte("# p\n./x.go:1: bad\nFAIL\tp [build failed]\n--- FAIL: TestB (0.00s)\n    --- FAIL: TestB/s (0.00s)\n        x\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, FormatGoTest, data) })
}

func FuzzPytest(f *testing.F) {
	addSamples(f, "pytest.txt", "pytest-v.txt")
	f.Add([]byte("t.py::test_a RERUN\nt.py::test_a PASSED [ 50%]\n[gw0] [100%] FAILED t.py::test_b\n=== FAILURES ===\n___ test_b ___\nE   boom\n--- Captured stdout call ---\nout\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, FormatPytest, data) })
}

func FuzzCargo(f *testing.F) {
	addSamples(f, "cargo-no-fail-fast.txt")
	f.Add([]byte("     Running tests/a.rs (target/debug/deps/a-1)\nrunning 2 tests\ntest x ... \nout\nok\ntest y ... FAILED\n\nfailures:\n\n---- y stdout ----\nboom\n\nfailures:\n    y\n\n     Running target/debug/deps/b-2\nrunning 1 test\n"))
	f.Add([]byte("error[E0308]: mismatched types\nerror: could not compile `c` (lib test) due to 1 previous error\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, FormatCargo, data) })
}

func FuzzTAP(f *testing.F) {
	addSamples(f, "node-tap.txt")
	f.Add([]byte("1..3\nok 1 - a \\# b # SKIP why\n    not ok 1 - kid\nnot ok 2 - parent\n  ---\n  failureType: 'hookFailed'\n  duration_ms: 1e3\n  ...\nBail out! stop\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, FormatTAP, data) })
}

func FuzzNodeSpec(f *testing.F) {
	addSamples(f, "node-spec.txt")
	f.Add([]byte("▶ g\n  ✖ t (1ms)\n    'test timed out after 1ms'\n✖ g (2ms)\n  own error\n﹣ s (0.1ms) # why\nℹ tests 2\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, FormatNode, data) })
}

func FuzzJest(f *testing.F) {
	addSamples(f, "jest.txt", "jest-verbose.txt")
	f.Add([]byte("FAIL src/a.test.ts (5.1 s)\n  d\n    ✕ t (3 ms)\n    ○ skipped s\n\n  ● d › t\n\n    boom\n\n  ● Test suite failed to run\n\n    x\nTests:       1 failed\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, FormatJest, data) })
}

func FuzzMocha(f *testing.F) {
	addSamples(f, "mocha.txt")
	f.Add([]byte("  s\n    ✔ a (5ms)\n    1) b\n    - c\n\n  1 passing (9ms)\n  1 failing\n\n  1) s\n       b:\n     Error: Timeout of 2ms exceeded.\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, FormatMocha, data) })
}
