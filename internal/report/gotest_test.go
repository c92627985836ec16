package report

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// ev builds one test2json line.
func ev(action, pkg, test, output string) string {
	s := `{"Action":"` + action + `","Package":"` + pkg + `"`
	if test != "" {
		s += `,"Test":"` + test + `"`
	}
	if output != "" {
		s += `,"Output":` + strings.ReplaceAll(strings.ReplaceAll(`"`+output+`"`, "\n", `\n`), "\t", `\t`)
	}
	return s + "}\n"
}

func TestGoTestCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc, in string
		want     []Result
	}{
		{
			desc: "stream cut while a test runs",
			in: ev("start", "p", "", "") + ev("run", "p", "TestA", "") + ev("output", "p", "TestA", "=== RUN   TestA\n") +
				ev("output", "p", "TestA", "dialing\n"),
			want: []Result{{Test: "p.TestA", Outcome: Error,
				FailureText: "dialing\n\n[triaged: test output ended before the test reported a result]\n"}},
		},
		{
			desc: "package failure without a failing test (TestMain exit)",
			in: ev("start", "p", "", "") + ev("run", "p", "TestA", "") + ev("pass", "p", "TestA", "") +
				ev("output", "p", "", "setup failed: no database\n") + ev("output", "p", "", "FAIL\tp\t0.01s\n") +
				ev("fail", "p", "", ""),
			want: []Result{{Test: "p.TestA", Outcome: Pass}, {Test: "p", Outcome: Error,
				FailureText: "setup failed: no database\nFAIL\tp\t0.01s\n"}},
		},
		{
			desc: "pre-1.24 build failure on stderr",
			in: "# p\n./x_test.go:3:1: syntax error\n" + ev("output", "p", "", "FAIL\tp [build failed]\n") +
				`{"Action":"fail","Package":"p","Elapsed":0,"FailedBuild":"p [p.test]"}` + "\n",
			want: []Result{{Test: "p", Outcome: Error,
				FailureText: "# p\n./x_test.go:3:1: syntax error\nFAIL\tp [build failed]\n"}},
		},
		{
			desc: "build-fail with no package events",
			in: `{"ImportPath":"q [q.test]","Action":"build-output","Output":"q/x.go:1: bad\n"}` + "\n" +
				`{"ImportPath":"q [q.test]","Action":"build-fail"}` + "\n",
			want: []Result{{Test: "q", Outcome: Error, FailureText: "q/x.go:1: bad\n"}},
		},
		{
			desc: "repeated runs with -count=2, elapsed time, skip",
			in: ev("run", "p", "TestA", "") + `{"Action":"pass","Package":"p","Test":"TestA","Elapsed":1.5}` + "\n" +
				ev("run", "p", "TestA", "") + ev("output", "p", "TestA", "    a_test.go:9: flaked\n") + ev("fail", "p", "TestA", "") +
				ev("run", "p", "TestB", "") + ev("skip", "p", "TestB", "") + ev("pass", "p", "", ""),
			want: []Result{{Test: "p.TestA", Outcome: Pass, Duration: 1500 * time.Millisecond},
				{Test: "p.TestA", Outcome: Fail, FailureText: "    a_test.go:9: flaked\n"}, {Test: "p.TestB", Outcome: Skip}},
		},
		{
			desc: "no-test-files package and blank lines",
			in:   "\n" + ev("start", "p", "", "") + ev("output", "p", "", "?\tp\t[no test files]\n") + ev("skip", "p", "", ""),
			want: nil,
		},
	}
	for _, tt := range tests {
		got, err := parseString(t, FormatGoTest, tt.in, Options{})
		if err != nil {
			t.Errorf("%s: %v", tt.desc, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.desc, diff)
		}
	}
}

func TestGoTestErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc, in string
		opts     Options
		line     int
		offset   int64
		is       error
	}{
		{"malformed event", ev("run", "p", "TestA", "") + `{"Action":"pass",` + "\n", Options{}, 2, 46, nil},
		{"wrong field type", ev("run", "p", "TestA", "") + `{"Action":1}` + "\n", Options{}, 2, 46, nil},
		{"neither -json nor plain go test output", "hello\n", Options{}, 1, 0, nil},
		{"line too long", ev("run", "p", "TestA", "") + `{"Action":"output","Output":"` + strings.Repeat("x", 200) + "\"}\n",
			Options{MaxLineLength: 100}, 2, 46, ErrLineTooLong},
		{"too many results", ev("run", "p", "A", "") + ev("run", "p", "B", "") + ev("run", "p", "C", ""),
			Options{MaxResults: 2}, 3, 84, ErrTooManyResults},
	}
	for _, tt := range tests {
		_, err := parseString(t, FormatGoTest, tt.in, tt.opts)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v, want *ParseError", tt.desc, err)
			continue
		}
		if pe.Line != tt.line || pe.Offset != tt.offset {
			t.Errorf("%s: at line %d byte %d, want line %d byte %d (%v)", tt.desc, pe.Line, pe.Offset, tt.line, tt.offset, pe)
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("%s: %v does not wrap %v", tt.desc, err, tt.is)
		}
	}
}
