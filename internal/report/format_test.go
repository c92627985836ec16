package report

import (
	"errors"
	"strings"
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
		{"pytest", FormatPytest, true}, {"cargo", FormatCargo, true}, {"tap", FormatTAP, true},
		{"node", FormatNode, true}, {"jest", FormatJest, true}, {"mocha", FormatMocha, true},
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
		{"text/plain", FormatAuto},
		{"text/plain; charset=utf-8", FormatAuto},
		{"text/x-go-test", FormatGoTest},
		{"text/x-pytest", FormatPytest},
		{"text/x-cargo-test", FormatCargo},
		{"text/x-tap", FormatTAP},
		{"text/html", ""},
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
		{"plain go test", "=== RUN   TestX\n--- FAIL: TestX (0.00s)\n", FormatGoTest},
		{"go test package line", "PASS\nok  \tp\t0.1s\n", FormatGoTest},
		{"cargo", "running 1 test\ntest a::b ... ok\n\ntest result: ok. 1 passed\n", FormatCargo},
		{"pytest -v line", "t.py::test_a PASSED   [ 50%]\nt.py::test_b FAILED   [100%]\n", FormatPytest},
		{"tap", "TAP version 13\nok 1 - a\n", FormatTAP},
		{"tap without a version", "1..2\nok 1 - a\nnot ok 2 - b\n", FormatTAP},
		{"node spec", "✔ adds (1.6ms)\nℹ tests 1\n", FormatNode},
		{"jest", "PASS ./a.test.js\n  ✓ adds (2 ms)\n\nTests:       1 passed, 1 total\n", FormatJest},
		{"mocha", "  math\n    ✔ adds\n\n  1 passing (3ms)\n", FormatMocha},
		{"make output", "make: *** [all] Error 2\n", ""},
		{"one tap-like line", "ok 1 - a\n", ""},
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

// TestFormatsListed checks that every format a CLI can list parses, and
// that every content type maps back to its format.
func TestFormatsListed(t *testing.T) {
	t.Parallel()
	seen := map[Format]bool{}
	for _, fi := range Formats() {
		if seen[fi.Format] {
			t.Errorf("%s listed twice", fi.Format)
		}
		seen[fi.Format] = true
		if got, err := ParseFormat(string(fi.Format)); err != nil || got != fi.Format {
			t.Errorf("ParseFormat(%q) = %q, %v", fi.Format, got, err)
		}
		if fi.ContentType != "" {
			if got, err := FormatForContentType(fi.ContentType); err != nil || got != fi.Format {
				t.Errorf("FormatForContentType(%q) = %q, %v; want %q", fi.ContentType, got, err, fi.Format)
			}
		}
		if fi.Format != FormatAuto {
			if _, err := Parse(strings.NewReader(""), fi.Format, Options{}); errors.Is(err, ErrUnknownFormat) {
				t.Errorf("Parse does not know %s: %v", fi.Format, err)
			}
		}
	}
}
