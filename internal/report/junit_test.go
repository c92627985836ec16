package report

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func parseString(t *testing.T, f Format, in string, opts Options) ([]Result, error) {
	t.Helper()
	return Parse(strings.NewReader(in), f, opts)
}

func TestJUnitCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc, in string
		want     []Result
	}{
		{
			desc: "empty classname takes the suite name",
			in:   `<testsuite name="pkg"><testcase classname="" name="TestMain"><failure message="Failed">boom</failure></testcase></testsuite>`,
			want: []Result{{Test: "pkg.TestMain", Outcome: Fail, FailureText: "boom"}},
		},
		{
			desc: "dotted name without classname is a full id",
			in:   `<testsuites><testsuite name="pytest"><testcase classname="" name="tests.test_broken"><error message="collection failure">ImportError: x</error></testcase></testsuite></testsuites>`,
			want: []Result{{Test: "tests.test_broken", Outcome: Error, FailureText: "collection failure\nImportError: x"}},
		},
		{
			desc: "failure plus teardown error is an error with both texts",
			in: `<testsuite><testcase classname="m" name="t" time="1,234.5">` +
				`<failure message="assert 1 == 2" type="AssertionError">assert 1 == 2</failure>` +
				`<error message="teardown" type="RuntimeError"/></testcase></testsuite>`,
			want: []Result{{Test: "m.t", Outcome: Error, Duration: 1234500 * 1e6, FailureText: "assert 1 == 2\n\nRuntimeError: teardown"}},
		},
		{
			desc: "skipped and system-out on a passing case",
			in: `<testsuite><testcase classname="m" name="s"><skipped message="no db"/></testcase>` +
				`<testcase classname="m" name="p"><system-out>hello</system-out></testcase></testsuite>`,
			want: []Result{{Test: "m.s", Outcome: Skip}, {Test: "m.p", Outcome: Pass}},
		},
		{
			desc: "system-out and system-err are kept for a failure",
			in: `<testsuite><testcase classname="m" name="f"><failure>bad</failure>` +
				`<system-out><![CDATA[out line]]></system-out><system-err>err line</system-err></testcase></testsuite>`,
			want: []Result{{Test: "m.f", Outcome: Fail, FailureText: "bad", Output: "out line\nerr line"}},
		},
		{
			desc: "properties are ignored",
			in: `<testsuite><properties><property name="a" value="b"/></properties>` +
				`<testcase classname="m" name="t"><properties><property name="c" value="d"/></properties></testcase></testsuite>`,
			want: []Result{{Test: "m.t", Outcome: Pass}},
		},
		{
			desc: "latin-1 declaration",
			in:   "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><testsuite><testcase classname=\"m\" name=\"caf\xe9\"/></testsuite>",
			want: []Result{{Test: "m.café", Outcome: Pass}},
		},
		{
			desc: "flakyError then pass",
			in:   `<testsuite><testcase classname="C" name="t"><flakyError message="oom" type="E"><stackTrace>E: oom</stackTrace></flakyError></testcase></testsuite>`,
			want: []Result{{Test: "C.t", Outcome: Error, FailureText: "E: oom"}, {Test: "C.t", Outcome: Pass, Attempt: 1}},
		},
		{
			desc: "unexpected success from regrtest",
			in:   `<testsuites><testsuite><testcase name="m.C.t"><outcome>UNEXPECTED_SUCCESS</outcome></testcase><testcase/></testsuite></testsuites>`,
			want: []Result{{Test: "m.C.t", Outcome: Fail, FailureText: "unexpected success"}},
		},
	}
	for _, tt := range tests {
		got, err := parseString(t, FormatJUnit, tt.in, Options{})
		if err != nil {
			t.Errorf("%s: %v", tt.desc, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.desc, diff)
		}
	}
}

func TestJUnitRefuses(t *testing.T) {
	t.Parallel()
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>` +
		`<testsuite><testcase classname="a" name="&lol2;"/></testsuite>`
	tests := []struct {
		desc, in, msg string
		line          int
	}{
		{"billion laughs DTD", laughs, "DTDs", 1},
		{"undeclared entity", `<testsuite><testcase classname="a" name="&xxe;"/></testsuite>`, "malformed XML", 1},
		{"wrong root", `<html><body/></html>`, "root element is <html>", 1},
		{"unclosed", "<testsuite>\n<testcase classname=\"a\" name=\"b\">\n", "malformed XML", 3},
		{"mismatched tags", "<testsuite>\n<testcase></testsuite>", "malformed XML", 2},
		{"nested testcase", `<testsuite><testcase name="a"><testcase name="b"/></testcase></testsuite>`, "inside <testcase>", 1},
		{"no root", `<?xml version="1.0"?>`, "no <testsuites>", 1},
		{"too deep", strings.Repeat("<testsuite>", 100), "nested deeper", 1},
		{"unknown charset", `<?xml version="1.0" encoding="EBCDIC"?><testsuite/>`, "EBCDIC", 1},
	}
	for _, tt := range tests {
		_, err := parseString(t, FormatJUnit, tt.in, Options{})
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v, want *ParseError", tt.desc, err)
			continue
		}
		if !strings.Contains(pe.Error(), tt.msg) || pe.Line != tt.line || pe.Format != FormatJUnit {
			t.Errorf("%s: got %q (line %d), want %q at line %d", tt.desc, pe.Error(), pe.Line, tt.msg, tt.line)
		}
	}
}

func TestJUnitXXESample(t *testing.T) {
	t.Parallel()
	_, err := Parse(strings.NewReader(readSample(t, "junit-xxe.xml")), FormatJUnit, Options{})
	var pe *ParseError
	if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "DTD") {
		t.Fatalf("XXE sample: error %v, want a DTD refusal", err)
	}
}

func TestJUnitMaxResults(t *testing.T) {
	t.Parallel()
	in := "<testsuite>" + strings.Repeat(`<testcase classname="a" name="b"/>`, 11) + "</testsuite>"
	_, err := parseString(t, FormatJUnit, in, Options{MaxResults: 10})
	if !errors.Is(err, ErrTooManyResults) {
		t.Fatalf("error %v, want ErrTooManyResults", err)
	}
	rs, err := parseString(t, FormatJUnit, in, Options{MaxResults: 11})
	if err != nil || len(rs) != 11 {
		t.Fatalf("at the limit: %d results, %v", len(rs), err)
	}
}

func TestJUnitCapsFailureText(t *testing.T) {
	t.Parallel()
	in := `<testsuite><testcase classname="a" name="b"><failure message="m">` +
		"Traceback\n" + strings.Repeat("x", 5000) + "\nValueError: end</failure></testcase></testsuite>"
	rs, err := parseString(t, FormatJUnit, in, Options{MaxFailureText: 1000})
	if err != nil {
		t.Fatal(err)
	}
	ft := rs[0].FailureText
	if len(ft) > 1100 || !strings.Contains(ft, "… [truncated ") ||
		!strings.HasPrefix(ft, "m\nTraceback") || !strings.HasSuffix(ft, "ValueError: end") {
		t.Errorf("capped text (%d bytes) lost its shape: %.200q…", len(ft), ft)
	}
}
