package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"strings"
)

// Format names a report format. The values are the CLI names of
// `triaged stress exec --format`.
type Format string

// The formats Parse understands. FormatAuto sniffs the first bytes.
const (
	FormatAuto     Format = "auto"
	FormatJUnit    Format = "junit"
	FormatGoTest   Format = "gotest"
	FormatRegrtest Format = "regrtest"
	FormatJSON     Format = "json"
)

// SniffLen is how many leading bytes Sniff looks at and Parse peeks for
// FormatAuto: enough to get past regrtest's header and a Surefire preamble.
const SniffLen = 8 << 10

// ParseFormat maps a CLI format name ("auto", "regrtest", "gotest", "junit",
// "json") to a Format. The `junit=PATH` form of the CLI is the caller's to
// split; pass only "junit" here.
func ParseFormat(name string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(name))); f {
	case FormatAuto, FormatJUnit, FormatGoTest, FormatRegrtest, FormatJSON:
		return f, nil
	}
	return "", fmt.Errorf("%w %q: want auto, regrtest, gotest, junit or json", ErrUnknownFormat, name)
}

// FormatForContentType maps an HTTP Content-Type to a Format: application/xml
// and text/xml are JUnit; application/x-ndjson and text/x-go-test-json are
// `go test -json`; text/x-regrtest is regrtest verbose output; application/json
// is the native document. Anything else wraps ErrUnsupportedContentType
// (answer 415).
func FormatForContentType(contentType string) (Format, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", fmt.Errorf("%w %q: %v", ErrUnsupportedContentType, contentType, err)
	}
	switch mt {
	case "application/xml", "text/xml":
		return FormatJUnit, nil
	case "application/x-ndjson", "text/x-go-test-json":
		return FormatGoTest, nil
	case "text/x-regrtest":
		return FormatRegrtest, nil
	case "application/json":
		return FormatJSON, nil
	}
	return "", fmt.Errorf("%w %q: want application/xml, text/xml, application/x-ndjson, text/x-go-test-json, text/x-regrtest or application/json",
		ErrUnsupportedContentType, mt)
}

// test2jsonKeys are the field names a test2json event can start with.
var test2jsonKeys = map[string]bool{
	"Time": true, "Action": true, "Package": true, "Test": true,
	"ImportPath": true, "Output": true, "Elapsed": true, "FailedBuild": true,
}

// Sniff guesses the format of a report from its first bytes (up to SniffLen).
// It never returns FormatAuto; an unrecognised prefix wraps ErrUnknownFormat
// with a hint of what was seen.
func Sniff(prefix []byte) (Format, error) {
	p := bytes.TrimLeft(bytes.TrimPrefix(prefix, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(p) == 0 {
		return "", fmt.Errorf("%w: empty input", ErrUnknownFormat)
	}
	switch p[0] {
	case '<':
		if bytes.Contains(p, []byte("<testsuite")) {
			return FormatJUnit, nil
		}
		return "", fmt.Errorf("%w: XML without a <testsuites> or <testsuite> element", ErrUnknownFormat)
	case '{':
		dec := json.NewDecoder(bytes.NewReader(p))
		if _, err := dec.Token(); err == nil {
			if key, err := dec.Token(); err == nil {
				if k, ok := key.(string); ok {
					if test2jsonKeys[k] {
						return FormatGoTest, nil
					}
					if k == "results" || k == "version" {
						return FormatJSON, nil
					}
					return "", fmt.Errorf("%w: JSON object starting with key %q is neither test2json nor a triaged results document", ErrUnknownFormat, k)
				}
			}
		}
	}
	if hasTest2JSON(p) {
		return FormatGoTest, nil
	}
	if looksLikeRegrtest(p) {
		return FormatRegrtest, nil
	}
	if bytes.Contains(p, []byte("=== RUN")) || bytes.Contains(p, []byte("--- FAIL:")) || bytes.Contains(p, []byte("--- PASS:")) {
		return "", fmt.Errorf("%w: plain `go test` output; run go test -json", ErrUnknownFormat)
	}
	return "", fmt.Errorf("%w: not JUnit XML, go test -json, regrtest/unittest verbose output or a triaged JSON document", ErrUnknownFormat)
}

// hasTest2JSON finds a test2json event line; `go test -json 2>&1` can start
// with plain lines such as "go: downloading".
func hasTest2JSON(p []byte) bool {
	for _, line := range bytes.Split(p, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if bytes.HasPrefix(line, []byte(`{"Time":`)) || bytes.HasPrefix(line, []byte(`{"Action":`)) ||
			bytes.HasPrefix(line, []byte(`{"ImportPath":`)) {
			return true
		}
	}
	return false
}

// looksLikeRegrtest finds regrtest's banner or progress lines, unittest's
// summary, or a unittest verbose result line.
func looksLikeRegrtest(p []byte) bool {
	if bytes.Contains(p, []byte("== CPython ")) || bytes.Contains(p, []byte("Run tests sequentially")) {
		return true
	}
	for _, line := range strings.Split(string(p), "\n") {
		line = strings.TrimRight(line, "\r")
		if isRanLine(line) || isProgressLine(line) || strings.HasPrefix(line, "Using random seed") {
			return true
		}
		if tl, ok := parseTestLine(line); ok && tl.hasDots {
			return true
		}
	}
	return false
}
