package report

import (
	"errors"
	"testing"
)

func TestParseFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want Format
		ok   bool
	}{
		{"regrtest", FormatRegrtest, true}, {"gotest", FormatGoTest, true}, {"junit", FormatJUnit, true},
		{"json", FormatJSON, true}, {"auto", FormatAuto, true}, {" JUnit ", FormatJUnit, true},
		{"junit=out.xml", "", false}, {"xml", "", false}, {"", "", false},
	}
	for _, tt := range tests {
		got, err := ParseFormat(tt.name)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q, ok=%v", tt.name, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("ParseFormat(%q) error %v does not wrap ErrUnknownFormat", tt.name, err)
		}
	}
}

func TestFormatForContentType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ct   string
		want Format
	}{
		{"application/xml", FormatJUnit},
		{"text/xml; charset=utf-8", FormatJUnit},
		{"application/x-ndjson", FormatGoTest},
		{"text/x-go-test-json", FormatGoTest},
		{"text/x-regrtest; charset=UTF-8", FormatRegrtest},
		{"Application/JSON", FormatJSON},
		{"text/plain", ""},
		{"application/octet-stream", ""},
		{"", ""},
		{"not a media type;;", ""},
	}
	for _, tt := range tests {
		got, err := FormatForContentType(tt.ct)
		if got != tt.want {
			t.Errorf("FormatForContentType(%q) = %q, want %q", tt.ct, got, tt.want)
		}
		if tt.want == "" && !errors.Is(err, ErrUnsupportedContentType) {
			t.Errorf("FormatForContentType(%q) error = %v, want ErrUnsupportedContentType", tt.ct, err)
		}
	}
}

func TestSniff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc, in string
		want     Format
	}{
		{"xml declaration", `<?xml version="1.0"?><testsuites>`, FormatJUnit},
		{"bare testsuite with BOM", "\xef\xbb\xbf\n  <testsuite name=\"x\">", FormatJUnit},
		{"test2json", `{"Time":"2026-01-01T00:00:00Z","Action":"start","Package":"p"}`, FormatGoTest},
		{"test2json build event", `{"ImportPath":"p [p.test]","Action":"build-output","Output":"x"}`, FormatGoTest},
		{"test2json after stderr noise", "go: downloading x v1\n{\"Time\":\"t\",\"Action\":\"run\"}\n", FormatGoTest},
		{"native", `{"results":[]}`, FormatJSON},
		{"native pretty with version", "{\n  \"version\": 1,\n  \"results\": []}", FormatJSON},
		{"unittest line", "test_x (m.C.test_x) ... ok\n", FormatRegrtest},
		{"old unittest line", "test_x (m.C) ... FAIL\n", FormatRegrtest},
		{"regrtest banner", "== CPython 3.11.7 (main)\n== Linux\n", FormatRegrtest},
		{"unittest summary only", "noise\nRan 0 tests in 0.000s\n\nOK\n", FormatRegrtest},
		{"empty", "  \n", ""},
		{"html", "<html><body>502</body></html>", ""},
		{"other json", `{"foo": 1}`, ""},
		{"plain go test", "=== RUN   TestX\n--- FAIL: TestX (0.00s)\n", ""},
		{"prose", "hello world\n", ""},
	}
	for _, tt := range tests {
		got, err := Sniff([]byte(tt.in))
		if got != tt.want {
			t.Errorf("%s: Sniff = %q, %v; want %q", tt.desc, got, err, tt.want)
		}
		if tt.want == "" && !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("%s: error %v does not wrap ErrUnknownFormat", tt.desc, err)
		}
	}
}
