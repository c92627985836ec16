package report

import (
	"strings"
	"time"
)

// testLine is a unittest verbose result line, such as
//
//	test_x (pkg.mod.Class.test_x) ... ok
//	  test_x (pkg.mod.Class.test_x) (i=1) ... FAIL
//
// or the bare description that precedes a docstring line.
type testLine struct {
	name    string
	id      string // canonical module.Class.method
	sub     string // subtest description ("(i=1)", "[msg] (i=1)"), if any
	indent  bool
	hasDots bool   // the line has the " ... " status separator
	modern  bool   // Python 3.11+ form: the parenthesised id ends in the name
	status  string // what follows " ... ", trimmed
}

// parseTestLine recognises a unittest result line without regular
// expressions; it runs on every line of a large log.
func parseTestLine(line string) (testLine, bool) {
	var tl testLine
	s := strings.TrimLeft(line, " ")
	tl.indent = len(s) < len(line)
	i := 0
	for i < len(s) && isIdentByte(s[i]) {
		i++
	}
	if i == 0 || !strings.HasPrefix(s[i:], " (") {
		return tl, false
	}
	tl.name = s[:i]
	rest := s[i+2:]
	j := 0
	for j < len(rest) && (isIdentByte(rest[j]) || rest[j] == '.') {
		j++
	}
	if j == 0 || j >= len(rest) || rest[j] != ')' || strings.IndexByte(rest[:j], '.') < 0 {
		return tl, false
	}
	tl.id = rest[:j]
	// Python 3.11+ prints module.Class.method; older versions module.Class.
	tl.modern = strings.HasSuffix(tl.id, "."+tl.name)
	if !tl.modern {
		tl.id += "." + tl.name
	}
	rest = rest[j+1:]
	if len(rest) >= 2 && rest[0] == ' ' && (rest[1] == '(' || rest[1] == '[') {
		end := strings.Index(rest, ") ... ")
		if e := strings.Index(rest, "] ... "); end < 0 || (e >= 0 && e < end) {
			end = e
		}
		switch {
		case end >= 0:
			tl.sub, rest = rest[1:end+1], rest[end+1:]
		case strings.HasSuffix(rest, " ..."):
			tl.sub, rest = rest[1:len(rest)-4], " ..."
		default:
			tl.sub, rest = rest[1:], ""
		}
	}
	switch {
	case rest == "":
	case strings.HasPrefix(rest, " ..."):
		tl.hasDots = true
		tl.status = strings.TrimSpace(rest[4:])
	default:
		return tl, false
	}
	return tl, true
}

// namesTestWithControl reports a result line or block header that fails
// to parse only because of control characters in it: a test whose id has
// them, which is refused rather than silently dropped.
func namesTestWithControl(line string) bool {
	if tl, ok := parseTestLine(line); ok && tl.hasDots {
		return false
	}
	if _, _, ok := blockHeader(line); ok {
		return false
	}
	clean := strings.Map(func(r rune) rune {
		if _, bad := controlChar(string(r)); bad {
			return -1
		}
		return r
	}, line)
	if tl, ok := parseTestLine(clean); ok && tl.hasDots {
		return true
	}
	_, _, ok := blockHeader(clean)
	return ok
}

func isIdentByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// badDuration marks a timing out of range; the caller refuses it.
const badDuration time.Duration = -1

// parseStatus reads a unittest verdict: "ok", "FAIL", "ERROR", "skipped
// 'why'", "expected failure" (the test behaved as declared, so a pass) or
// "unexpected success" (unittest counts it as a failure). A trailing
// "(0.123s)" timing, which some runners append, becomes the duration.
func parseStatus(s string) (Outcome, time.Duration, bool) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if strings.HasSuffix(s, "s)") {
		if k := strings.LastIndex(s, " ("); k >= 0 {
			if num := s[k+2 : len(s)-2]; isDecimal(num) {
				var err error
				if d, err = parseDuration(num, time.Second); err != nil {
					d = badDuration
				}
				s = s[:k]
			}
		}
	}
	switch {
	case s == "ok":
		return Pass, d, true
	case s == "FAIL":
		return Fail, d, true
	case s == "ERROR":
		return Error, d, true
	case s == "expected failure":
		return Pass, d, true
	case s == "unexpected success":
		return Fail, d, true
	case s == "skipped" || strings.HasPrefix(s, "skipped "):
		return Skip, d, true
	}
	return 0, 0, false
}

// blockHeader parses "FAIL: desc", "ERROR: desc" or "UNEXPECTED SUCCESS:
// desc", the first line of unittest's failure report blocks.
func blockHeader(line string) (Outcome, testLine, bool) {
	var kind Outcome
	var desc string
	switch {
	case strings.HasPrefix(line, "FAIL: "):
		kind, desc = Fail, line[len("FAIL: "):]
	case strings.HasPrefix(line, "ERROR: "):
		kind, desc = Error, line[len("ERROR: "):]
	case strings.HasPrefix(line, "UNEXPECTED SUCCESS: "):
		kind, desc = Fail, line[len("UNEXPECTED SUCCESS: "):]
	default:
		return 0, testLine{}, false
	}
	tl, ok := parseTestLine(desc)
	return kind, tl, ok && !tl.hasDots
}

// isSeparator reports unittest's 70-character rules of c ('=' or '-').
func isSeparator(line string, c byte) bool {
	if len(line) != 70 {
		return false
	}
	for i := 0; i < len(line); i++ {
		if line[i] != c {
			return false
		}
	}
	return true
}

// isRanLine matches unittest's "Ran 9 tests in 0.003s" summary.
func isRanLine(line string) bool {
	return strings.HasPrefix(line, "Ran ") && len(line) > 4 && line[4] >= '0' && line[4] <= '9'
}

// isProgressLine matches regrtest's "0:00:01 load avg: 0.29 [1/3] test_x"
// (the clock and load are optional), which starts a new test file. It is
// strict about the prefix, because "a[1/2] " can appear in a traceback.
func isProgressLine(line string) bool {
	i := strings.IndexByte(line, '[')
	if i < 0 || strings.Trim(line[:i], "0123456789:. loadvg") != "" {
		return false
	}
	// The index is right-aligned: "[ 3/40]".
	j, digits, slashes := i+1, 0, 0
	for j < len(line) && line[j] == ' ' {
		j++
	}
	for ; j < len(line) && (line[j] >= '0' && line[j] <= '9' || line[j] == '/'); j++ {
		if line[j] == '/' {
			slashes++
		} else {
			digits++
		}
	}
	return digits > 0 && slashes > 0 && strings.HasPrefix(line[j:], "] test")
}
