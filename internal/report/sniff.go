package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

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
	if f, ok := sniffText(p); ok {
		return f, nil
	}
	return "", fmt.Errorf("%w: not the output of a test runner triaged reads (%s)", ErrUnknownFormat, formatNames())
}

// formatNames lists the formats Sniff can recognise, for messages.
func formatNames() string {
	var names []string
	for _, fi := range Formats()[1:] {
		names = append(names, string(fi.Format))
	}
	return strings.Join(names, ", ")
}

// Text formats are recognised by scoring each line: a runner's banner or
// summary line is strong evidence, a result line weaker, since one line of
// a test's own output can look like another runner's. The best score of at
// least sniffMin wins; ties go to the earlier format in Formats.
const (
	sniffStrong = 10
	sniffLine   = 3
	sniffMin    = 5
)

// sniffText recognises the plain-text formats.
func sniffText(p []byte) (Format, bool) {
	score := map[Format]int{}
	for _, raw := range strings.Split(string(p), "\n") {
		line := stripANSI(strings.TrimRight(raw, "\r"))
		trimmed := strings.TrimLeft(line, " ")
		sniffLine1(score, line, trimmed)
	}
	best, bestScore := Format(""), sniffMin-1
	for _, fi := range Formats() {
		if s := score[fi.Format]; s > bestScore {
			best, bestScore = fi.Format, s
		}
	}
	return best, best != ""
}

// sniffLine1 adds one line's score for each text format to s.
func sniffLine1(s map[Format]int, line, trimmed string) {
	// regrtest and unittest
	switch {
	case strings.HasPrefix(line, "== CPython ") || strings.Contains(line, "Run tests sequentially") || isRanLine(line):
		s[FormatRegrtest] += sniffStrong
	case isProgressLine(line) || strings.HasPrefix(line, "Using random seed"):
		s[FormatRegrtest] += sniffMin
	}
	if tl, ok := parseTestLine(line); ok && tl.hasDots {
		s[FormatRegrtest] += sniffMin
	}
	// go test
	if _, _, _, ok := parseGoSummary(line); ok {
		s[FormatGoTest] += sniffStrong
	}
	if verb, _, ok := parseGoFraming(line); ok && verb == "RUN" {
		s[FormatGoTest] += sniffMin
	}
	if _, _, _, _, ok, _ := parseGoVerdict(line); ok {
		s[FormatGoTest] += sniffMin
	}
	// pytest
	if title, ok := ruleTitle(line, '='); ok && (strings.Contains(title, "test session starts") ||
		title == "short test summary info" || title == "FAILURES" || title == "ERRORS") {
		s[FormatPytest] += sniffStrong
	}
	if _, _, ok := parsePytestLine(line); ok {
		s[FormatPytest] += sniffLine
	}
	// cargo test
	switch {
	case strings.HasPrefix(line, "test result: ") || len(line) > len(trimmed) &&
		(strings.HasPrefix(trimmed, "Running unittests ") || strings.HasPrefix(trimmed, "Doc-tests ")):
		s[FormatCargo] += sniffStrong
	case isCargoRunning(line):
		s[FormatCargo] += sniffLine
	}
	if _, status, _, ok := parseCargoLine(line); ok && status != "" {
		s[FormatCargo] += sniffLine
	}
	// TAP
	if strings.HasPrefix(line, "TAP version ") {
		s[FormatTAP] += sniffStrong
	}
	if _, _, _, isPoint := parseTAPPoint(trimmed); isPoint && strings.HasPrefix(strings.TrimPrefix(trimmed, "not "), "ok ") {
		s[FormatTAP] += sniffLine
	}
	// node --test spec reporter
	switch {
	case strings.HasPrefix(line, "ℹ tests ") || trimmed == "✖ failing tests:":
		s[FormatNode] += sniffStrong
	case strings.HasPrefix(trimmed, "▶ "):
		s[FormatNode] += sniffLine
	case strings.HasPrefix(trimmed, "✔ ") || strings.HasPrefix(trimmed, "✖ "):
		if _, _, _, ok, _ := parseNodeVerdict(trimmed[len("✔ "):]); ok {
			s[FormatNode] += sniffLine
		}
	}
	// jest
	switch {
	case strings.HasPrefix(line, "Test Suites: ") || strings.HasPrefix(line, "Tests:  "):
		s[FormatJest] += sniffStrong
	case strings.HasPrefix(line, "  ● "):
		s[FormatJest] += sniffLine
	}
	if _, ok := jestFileLine(line); ok {
		s[FormatJest] += sniffMin
	}
	if strings.HasPrefix(trimmed, "✓ ") || strings.HasPrefix(trimmed, "✕ ") {
		s[FormatJest] += sniffLine
	}
	// mocha
	if isMochaCount(trimmed, "passing") || isMochaCount(trimmed, "failing") {
		s[FormatMocha] += sniffStrong
	}
}
