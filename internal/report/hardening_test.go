package report

import (
	"errors"
	"strings"
	"testing"
)

// TestRefusesControlCharactersInIDs covers issue #14: an id with a control
// character is invisible on a page, and NUL cannot be stored; every parser
// refuses it with a position instead of dropping or storing the test.
func TestRefusesControlCharactersInIDs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc   string
		format Format
		in     string
		line   int
	}{
		{"regrtest NUL in the id", FormatRegrtest, "test_a (m.C.test_a) ... ok\ntest_x (m.C.te\x00st_x) ... ok\n", 2},
		{"regrtest NUL in a block header", FormatRegrtest, sep1 + "\nFAIL: test_x (m.C\x00.test_x)\n" + sep2 + "\nboom\n", 2},
		{"junit tab from a character reference", FormatJUnit, "<testsuite>\n<testcase classname=\"m\" name=\"a&#9;b\"/></testsuite>", 2},
		{"junit escape character", FormatJUnit, "<testsuite><testcase classname=\"m\" name=\"a\u0085b\"/></testsuite>", 1},
		{"go test -json BEL", FormatGoTest, ev("run", "p", "T\\u0007x", "") + ev("pass", "p", "T\\u0007x", ""), 2},
		{"go test plain ESC", FormatGoTest, "--- FAIL: TestA\x1b (0.00s)\nFAIL\tp\t0.1s\n", 1},
	}
	for _, tt := range tests {
		rs, err := parseString(t, tt.format, tt.in, Options{})
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "control character") {
			t.Errorf("%s: %d results, error %v; want a control character ParseError", tt.desc, len(rs), err)
			continue
		}
		if pe.Line != tt.line {
			t.Errorf("%s: at line %d, want %d (%v)", tt.desc, pe.Line, tt.line, pe)
		}
	}
	_, err := parseString(t, FormatJSON, `{"results":[{"test":"a\u0001b","outcome":"pass"}]}`, Options{})
	if err == nil || !strings.Contains(err.Error(), "control character") {
		t.Errorf("native: error %v, want a control character refusal", err)
	}
}

// TestJUnitDecimalComma covers issue #14: time="1,5" was read as 15 s. A
// comma that is not a thousands separator is refused; see parseSeconds.
func TestJUnitDecimalComma(t *testing.T) {
	t.Parallel()
	for _, tm := range []string{"1,5", "0,123", "1,2345", ",5", "1,234,5"} {
		in := `<testsuite><testcase classname="m" name="t" time="` + tm + `"/></testsuite>`
		rs, err := parseString(t, FormatJUnit, in, Options{})
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "comma") {
			t.Errorf("time=%q: %v, %v; want a ParseError about the comma", tm, rs, err)
		}
	}
	for tm, want := range map[string]float64{"1,234.5": 1234.5, "12,345": 12345, "1.5": 1.5, "": 0, " 2 ": 2} {
		in := `<testsuite><testcase classname="m" name="t" time="` + tm + `"/></testsuite>`
		rs, err := parseString(t, FormatJUnit, in, Options{})
		if err != nil || len(rs) != 1 || rs[0].Duration.Seconds() != want {
			t.Errorf("time=%q: %v, %v; want %gs", tm, rs, err, want)
		}
	}
}

// TestJUnitIllegalCharacterOffset covers issue #14: encoding/xml reports
// an illegal character where it stopped reading, past the character.
func TestJUnitIllegalCharacterOffset(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc, in string
		bad      string
		line     int
	}{
		{"in text", "<testsuite>\n<testcase name=\"ab\"><failure>x\x01yz</failure></testcase></testsuite>", "\x01", 2},
		{"in an attribute", "<testsuite>\n<testcase name=\"a\x02b\"/></testsuite>", "\x02", 2},
		{"invalid UTF-8", "<testsuite>\n<testcase name=\"ab\"><failure>xy\xff\n</failure></testcase></testsuite>", "\xff", 2},
		{"lines into a text", "<testsuite><testcase name=\"ab\"><failure>\none\ntwo\x0b\nthree</failure></testcase></testsuite>", "\x0b", 3},
		{"in CDATA", "<testsuite>\n<testcase name=\"ab\"><system-out><![CDATA[x\x1b]]></system-out></testcase></testsuite>", "\x1b", 2},
		{"after a long text", "<testsuite><testcase name=\"ab\"><failure>" + strings.Repeat("y", 10000) + "\x01</failure></testcase></testsuite>", "\x01", 1},
	}
	for _, tt := range tests {
		_, err := parseString(t, FormatJUnit, tt.in, Options{})
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v, want a ParseError", tt.desc, err)
			continue
		}
		if want := int64(strings.Index(tt.in, tt.bad)); pe.Offset != want || pe.Line != tt.line {
			t.Errorf("%s: at line %d byte %d, want line %d byte %d (%v)", tt.desc, pe.Line, pe.Offset, tt.line, want, pe)
		}
	}
}

// TestRefusesAbsurdNumbers covers issue #14: numbers out of range are
// refused with a clear error instead of wrapping or silently becoming 0.
func TestRefusesAbsurdNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc   string
		format Format
		in     string
		msg    string
	}{
		{"native iteration over int32", FormatJSON, `{"results":[{"test":"a","outcome":"pass","iteration":99999999999}]}`, "at most 2147483647"},
		{"native attempt over int32", FormatJSON, `{"results":[{"test":"a","outcome":"pass","attempt":2147483648}]}`, "at most 2147483647"},
		{"native iteration over int64", FormatJSON, `{"results":[{"test":"a","outcome":"pass","iteration":99999999999999999999}]}`, "cannot unmarshal"},
		{"native seed over int64", FormatJSON, `{"results":[{"test":"a","outcome":"pass","seed":9223372036854775808}]}`, "cannot unmarshal"},
		{"native duration over a week", FormatJSON, `{"results":[{"test":"a","outcome":"pass","duration_seconds":1e8}]}`, "longer than"},
		{"go test -json Elapsed", FormatGoTest, `{"Action":"pass","Package":"p","Test":"T","Elapsed":1e12}` + "\n", "longer than"},
		{"go test -json negative Elapsed", FormatGoTest, `{"Action":"pass","Package":"p","Test":"T","Elapsed":-1}` + "\n", "negative"},
		{"go test plain", FormatGoTest, "--- PASS: TestA (99999999999.00s)\nok  \tp\t0.1s\n", "longer than"},
		{"regrtest timing", FormatRegrtest, "test_a (m.C.test_a) ... ok (99999999999.000s)\n", "out of range"},
		{"junit time", FormatJUnit, `<testsuite><testcase classname="m" name="t" time="1e300"/></testsuite>`, "longer than"},
		{"junit negative time", FormatJUnit, `<testsuite><testcase classname="m" name="t" time="-1"/></testsuite>`, "negative"},
		{"junit time not a number", FormatJUnit, `<testsuite><testcase classname="m" name="t" time="NaN"/></testsuite>`, "not a decimal"},
	}
	for _, tt := range tests {
		rs, err := parseString(t, tt.format, tt.in, Options{})
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.Contains(pe.Error(), tt.msg) {
			t.Errorf("%s: %v, %v; want a ParseError saying %q", tt.desc, rs, err, tt.msg)
		}
	}
}
