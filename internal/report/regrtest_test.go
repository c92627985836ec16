package report

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	sep1 = strings.Repeat("=", 70)
	sep2 = strings.Repeat("-", 70)
)

func TestRegrtestCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc, in string
		want     []Result
	}{
		{
			desc: "Python 3.10 ids and an old-style subtest parent sharing a line",
			in: "test_a (m.C) ... ok\n" +
				"test_sub (m.C) ... test_z (m.C) ... ok\n" +
				"\n" + sep1 + "\nFAIL: test_sub (m.C) (i=1)\n" + sep2 + "\nTraceback:\nAssertionError: 1 == 1\n\n" +
				sep2 + "\nRan 3 tests in 0.001s\n\nFAILED (failures=1)\n",
			want: []Result{{Test: "m.C.test_a", Outcome: Pass},
				{Test: "m.C.test_sub", Outcome: Fail, FailureText: "FAIL: test_sub (m.C) (i=1)\nTraceback:\nAssertionError: 1 == 1\n\n"},
				{Test: "m.C.test_z", Outcome: Pass}},
		},
		{
			desc: "docstring descriptions and --durations timings",
			in: "test_doc (m.C.test_doc)\nCheck the frobnicator. ... ok (0.250s)\n" +
				"test_skip (m.C.test_skip) ... skipped 'needs network'\n",
			want: []Result{{Test: "m.C.test_doc", Outcome: Pass, Duration: 250 * time.Millisecond},
				{Test: "m.C.test_skip", Outcome: Skip}},
		},
		{
			desc: "a crash leaves the running test without a verdict",
			in: "0:00:01 [1/2] test_m\ntest_ok (m.C.test_ok) ... ok\ntest_hang (m.C.test_hang) ... \n" +
				"Timeout (0:00:05)!\nThread 0x1 (most recent call first):\n" +
				"0:00:06 [2/2/1] test_n\ntest_after (n.C.test_after) ... ok\n",
			want: []Result{{Test: "m.C.test_ok", Outcome: Pass},
				{Test: "m.C.test_hang", Outcome: Error, FailureText: "Timeout (0:00:05)!\nThread 0x1 (most recent call first):\n" +
					"[triaged: no result reported for this test]\n"},
				{Test: "n.C.test_after", Outcome: Pass}},
		},
		{
			desc: "setUpClass error has no result line, only a block",
			in: "setUpClass (m.C) ... ERROR\n\n" + sep1 + "\nERROR: setUpClass (m.C)\n" + sep2 +
				"\nTraceback:\nOSError: port in use\n\n" + sep2 + "\nRan 0 tests in 0.000s\n",
			want: []Result{{Test: "m.C.setUpClass", Outcome: Error, FailureText: "Traceback:\nOSError: port in use\n\n"}},
		},
		{
			desc: "a block that was never announced, and a body with a dashed rule",
			in:   sep1 + "\nERROR: test_q (m.C.test_q)\n" + sep2 + "\nline one\n" + sep2 + "\nline two\n",
			want: []Result{{Test: "m.C.test_q", Outcome: Error, FailureText: "line one\n" + sep2 + "\nline two\n"}},
		},
		{
			desc: "test output that looks like a description does not start a test",
			in:   "test_a (m.C.test_a) ... \nError (socket.timeout)\nok\n",
			want: []Result{{Test: "m.C.test_a", Outcome: Pass}},
		},
		{
			desc: "CRLF line endings",
			in:   "test_a (m.C.test_a) ... FAIL\r\n\r\n" + sep1 + "\r\nFAIL: test_a (m.C.test_a)\r\n" + sep2 + "\r\nboom\r\n",
			want: []Result{{Test: "m.C.test_a", Outcome: Fail, FailureText: "boom\n"}},
		},
	}
	for _, tt := range tests {
		got, err := parseString(t, FormatRegrtest, tt.in, Options{})
		if err != nil {
			t.Errorf("%s: %v", tt.desc, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.desc, diff)
		}
	}
}

func TestRegrtestLimits(t *testing.T) {
	t.Parallel()
	in := strings.Repeat("test_a (m.C.test_a) ... ok\n", 5)
	_, err := parseString(t, FormatRegrtest, in, Options{MaxResults: 4})
	var pe *ParseError
	if !errors.As(err, &pe) || !errors.Is(err, ErrTooManyResults) || pe.Line != 5 {
		t.Errorf("MaxResults: %v, want ErrTooManyResults at line 5", err)
	}
	_, err = parseString(t, FormatRegrtest, "ok\n"+strings.Repeat("x", 300)+"\n", Options{MaxLineLength: 256})
	if !errors.As(err, &pe) || !errors.Is(err, ErrLineTooLong) || pe.Line != 2 || pe.Offset != 3 {
		t.Errorf("MaxLineLength: %v, want ErrLineTooLong at line 2 byte 3", err)
	}
}

func TestParseTestLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line string
		want testLine
		ok   bool
	}{
		{"test_x (a.b.C.test_x) ... ok", testLine{name: "test_x", id: "a.b.C.test_x", hasDots: true, modern: true, status: "ok"}, true},
		{"test_x (a.C) ... ", testLine{name: "test_x", id: "a.C.test_x", hasDots: true}, true},
		{"  test_x (a.C.test_x) [msg] (i=1) ... FAIL",
			testLine{name: "test_x", id: "a.C.test_x", sub: "[msg] (i=1)", indent: true, hasDots: true, modern: true, status: "FAIL"}, true},
		{"test_x (a.C.test_x) (<subtest>)", testLine{name: "test_x", id: "a.C.test_x", sub: "(<subtest>)", modern: true}, true},
		{"test_x (nodots) ... ok", testLine{}, false},
		{"hello world", testLine{}, false},
		{"test_x (a.C.test_x) trailing", testLine{}, false},
		{"(a.b) ... ok", testLine{}, false},
	}
	for _, tt := range tests {
		got, ok := parseTestLine(tt.line)
		if ok != tt.ok || ok && got != tt.want {
			t.Errorf("parseTestLine(%q) = %+v, %v; want %+v, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}

func TestIsProgressLine(t *testing.T) {
	t.Parallel()
	tests := map[string]bool{
		"0:00:00 load avg: 0.29 [1/1] test_flaky":                     true,
		"0:00:00 load avg: 7.28 [2/3] test_contextlib passed":         true,
		"0:00:00 load avg: 0.29 [1/1/1] test_flaky failed (2 errors)": true,
		"[ 3/40] test_os":                 true,
		"[3/40] test_os":                  true,
		"    y = a[1/2] + test":           false,
		"0:00:00 Run 1 test sequentially": false,
		"[1/2] notatest":                  false,
	}
	for line, want := range tests {
		if got := isProgressLine(line); got != want {
			t.Errorf("isProgressLine(%q) = %v, want %v", line, got, want)
		}
	}
}
