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
		if r.Test == "" || len(r.Test) > MaxTestIDLen || !utf8.ValidString(r.Test) {
			t.Fatalf("bad test id %q", r.Test)
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
	addSamples(f, "gotest.json", "regrtest-sslproto.txt", "gotestsum.xml")
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
