package report

import (
	"bytes"
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
	FormatGoTest   Format = "gotest"   // go test -json or plain go test, -v or not
	FormatRegrtest Format = "regrtest" // CPython regrtest or unittest -v
	FormatJSON     Format = "json"     // triaged's own document
	FormatPytest   Format = "pytest"
	FormatCargo    Format = "cargo" // cargo test (libtest)
	FormatTAP      Format = "tap"   // TAP 13/14, as node --test prints off a terminal
	FormatNode     Format = "node"  // node --test: its spec reporter, or TAP
	FormatJest     Format = "jest"
	FormatMocha    Format = "mocha" // mocha's spec reporter
)

// FormatInfo describes a format for a CLI's help and an API's answer.
type FormatInfo struct {
	Format Format
	// Reads says what output the format reads.
	Reads string
	// ContentType is the media type an upload names it by, if any.
	ContentType string
}

// Formats lists every format Parse reads, FormatAuto first, in the order
// Sniff prefers them.
func Formats() []FormatInfo {
	return []FormatInfo{
		{FormatAuto, "any of these, recognised from the output", "text/plain"},
		{FormatJUnit, "JUnit XML (pytest, regrtest, gotestsum, Surefire, jest-junit)", "application/xml"},
		{FormatJSON, "triaged's results document", "application/json"},
		{FormatGoTest, "go test -json, or plain go test with or without -v", "text/x-go-test"},
		{FormatRegrtest, "CPython regrtest or unittest -v", "text/x-regrtest"},
		{FormatPytest, "pytest, with or without -v", "text/x-pytest"},
		{FormatCargo, "cargo test", "text/x-cargo-test"},
		{FormatTAP, "TAP, as node --test prints it when not on a terminal", "text/x-tap"},
		{FormatNode, "node --test, spec reporter or TAP", ""},
		{FormatJest, "jest, default or --verbose", ""},
		{FormatMocha, "mocha's spec reporter", ""},
	}
}

// SniffLen is how many leading bytes Sniff looks at and Parse peeks for
// FormatAuto: enough to get past a build's chatter and a Surefire preamble.
const SniffLen = 64 << 10

// ParseFormat maps a CLI format name (see Formats) to a Format. The
// `junit=PATH` form of the CLI is the caller's to split; pass only "junit"
// here.
func ParseFormat(name string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(name)))
	var names []string
	for _, fi := range Formats() {
		if fi.Format == f {
			return f, nil
		}
		names = append(names, string(fi.Format))
	}
	return "", fmt.Errorf("%w %q: want one of %s", ErrUnknownFormat, name, strings.Join(names, ", "))
}

// FormatForContentType maps an HTTP Content-Type to a Format:
// application/xml and text/xml are JUnit; application/x-ndjson,
// text/x-go-test-json and text/x-go-test are go test; text/x-regrtest,
// text/x-pytest, text/x-cargo-test and text/x-tap name their runners;
// application/json is the native document; text/plain is FormatAuto.
// Anything else wraps ErrUnsupportedContentType (answer 415).
func FormatForContentType(contentType string) (Format, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", fmt.Errorf("%w %q: %v", ErrUnsupportedContentType, contentType, err)
	}
	switch mt {
	case "text/xml":
		return FormatJUnit, nil
	case "application/x-ndjson", "text/x-go-test-json":
		return FormatGoTest, nil
	}
	var types []string
	for _, fi := range Formats() {
		if fi.ContentType == mt {
			return fi.Format, nil
		}
		if fi.ContentType != "" {
			types = append(types, fi.ContentType)
		}
	}
	return "", fmt.Errorf("%w %q: want %s, text/xml, application/x-ndjson or text/x-go-test-json",
		ErrUnsupportedContentType, mt, strings.Join(types, ", "))
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
