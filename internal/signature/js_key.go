package signature

import "strings"

// jsFailure handles JavaScript and TypeScript test reports: node's TAP
// (its own test.py and node:test), jest, mocha and node:test's spec
// reporter, and a bare Node crash. The reason is the error and the first
// frame of the project's code (else of Node itself, where a socket error
// is raised); the test joins it for assertions and for failures that say
// only that they failed (a timeout, a crash).
func (k *key) jsFailure() bool {
	test, testAt, next := jsTest(k.lines)
	from := next
	if testAt < 0 {
		from = 0
	}
	var f jsFail
	f.scan(k.lines, from, testAt >= 0)
	if testAt < 0 && (f.msgAt < 0 || f.frameAt < 0 || f.typ == "") {
		return false
	}
	k.kind = "js"
	msg := f.msg
	if f.typ != "" {
		msg = f.typ + ": " + msg
	}
	test = nodeTest(test)
	_, env := envCause(f.msg)
	withTest := test != "" && (f.msgAt < 0 || f.assertion() || contentFree(f.msg) || hasCause(f.msg) && !env)
	if withTest {
		k.add("test", testAt, test)
	}
	if f.msgAt < 0 || (withTest && f.typ == "" && contentFree(f.msg)) {
		// "timeout", "CRASHED (Signal: 12)", or the report was cut
		// before its message: all that is known is which test failed,
		// and a cut report of a timeout is still that timeout.
		k.title = test + ": failed"
		if f.msgAt >= 0 {
			k.title = test + ": " + f.msg
		}
		return true
	}
	k.title = k.addMsg("exception", f.msgAt, msg)
	if f.moreAt >= 0 {
		k.addMsg("", f.moreAt, strings.TrimSpace(k.lines[f.moreAt]))
	}
	if f.frameAt >= 0 && (withTest || whereMatters(f.typ, f.msg)) {
		k.add("at", f.frameAt, f.frame)
	}
	return true
}

// jsFail is what jsFailure found in one test's block.
type jsFail struct {
	typ, msg      string
	msgAt, moreAt int
	frame         string
	frameAt       int
}

func (f *jsFail) assertion() bool {
	return f.typ == "AssertionError" || strings.HasPrefix(f.msg, "expect(") || strings.HasPrefix(f.msg, "Expected") ||
		strings.HasPrefix(f.msg, "Failed asserting") || strings.HasPrefix(f.msg, "Failure/Error:") // PHPUnit, RSpec
}

// scan reads the block from line from on: in TAP, the YAML fields
// error, name and stack; elsewhere, the first line below the test's title
// and the frames under it.
func (f *jsFail) scan(lines []string, from int, inTest bool) {
	f.msgAt, f.moreAt, f.frameAt = -1, -1, -1
	builtinFrame, builtinAt := "", -1
	inStack, tapError := false, false
	for i := from; i < len(lines) && i < from+120; i++ {
		t := strings.TrimSpace(lines[i])
		if i > from && (strings.HasPrefix(t, "not ok ") || strings.HasPrefix(t, "ok ") || strings.HasPrefix(t, "● ") ||
			strings.HasPrefix(t, "✖ ") || strings.HasPrefix(t, "# Subtest") || (inTest && mochaNumbered(t))) {
			break
		}
		field, value, isField := yamlField(t)
		switch {
		case isField && field == "error" || isField && field == "message":
			if value == "|-" || value == "|" || value == ">-" {
				for j := i + 1; j < len(lines) && j < i+6; j++ {
					if v := strings.TrimSpace(lines[j]); v != "" {
						f.msg, f.msgAt = v, j
						f.more(lines, j)
						break
					}
				}
			} else if f.msgAt < 0 {
				f.msg, f.msgAt = unquote(value), i
			}
			tapError = true
			continue
		case isField && field == "name":
			f.typ = unquote(value)
			continue
		case isField && field == "stack":
			inStack = true
			continue
		case isField:
			continue
		case t == "" || t == "---" || t == "..." || t == "^" || strings.HasPrefix(t, "(node:"):
			continue
		}
		// A frame; the last one is followed by " {" when the error has
		// properties (code, errno) that Node prints after it.
		t = strings.TrimSuffix(t, " {")
		if strings.HasPrefix(t, "at ") || inStack && strings.HasSuffix(t, ")") && strings.Contains(t, " (") {
			ft := t
			if !strings.HasPrefix(ft, "at ") {
				ft = "at " + ft // node:test's TAP prints frames bare
			}
			if fn, file, builtin, ok := jsFrame(ft); ok && !jsFramework(ft) {
				loc := strings.TrimSpace(file + " " + fn)
				switch {
				case !builtin && f.frameAt < 0:
					f.frame, f.frameAt = loc, i
				case builtin && builtinAt < 0:
					builtinFrame, builtinAt = loc, i
				}
			}
			continue
		}
		if f.frameAt >= 0 {
			continue
		}
		if typ, msg := jsExcType(t); typ != "" && (f.msgAt < 0 || inStack) {
			f.typ, f.msg, f.msgAt = typ, msg, i
			f.more(lines, i)
			continue
		}
		if f.msgAt < 0 && (inTest || inStack) && !strings.HasSuffix(t, ".js") && !isSourceExcerpt(t) && !noiseLine(t) {
			f.msg, f.msgAt = t, i
			f.more(lines, i)
		}
	}
	if f.frameAt < 0 && builtinAt >= 0 {
		f.frame, f.frameAt = builtinFrame, builtinAt
	}
	if f.typ == "" && f.msgAt >= 0 {
		if typ, msg := jsExcType(f.msg); typ != "" {
			f.typ, f.msg = typ, msg
		} else if tapError {
			// node:test's TAP names the type only when it is not a
			// plain Error, which its spec reporter prints as "Error:".
			f.typ = "Error"
		}
	}
}

// more keeps the line after a message that ends in a colon when it is
// code ("assert.ok(x > 1)") rather than values ("4 !== 75").
func (f *jsFail) more(lines []string, at int) {
	if !strings.HasSuffix(f.msg, ":") {
		return
	}
	for j := at + 1; j < len(lines) && j < at+4; j++ {
		v := strings.TrimSpace(lines[j])
		if v == "" {
			continue
		}
		if strings.Contains(v, "(") && !strings.HasPrefix(v, "at ") {
			f.moreAt = j
		}
		return
	}
}

// isSourceExcerpt reports whether t is a line Node prints above an
// uncaught error: "/x/y.js:12", "events.js:167", "throw er; // Unhandled".
func isSourceExcerpt(t string) bool {
	if c := strings.LastIndexByte(t, ':'); c > 0 && allDigits(t[c+1:]) && !strings.Contains(t, " ") {
		return true
	}
	return strings.HasPrefix(t, "throw ") || strings.HasPrefix(t, "node:internal")
}

// yamlField splits a TAP YAML line "key: value"; keys are lower-case words.
// Issue trackers show the same fields as a table, "key | value" or
// "key<TAB>value".
func yamlField(t string) (key, value string, ok bool) {
	c := 0
	for c < len(t) && c <= 20 && t[c] != ':' && t[c] != '|' && t[c] != '\t' {
		c++
	}
	if c == 0 || c > 20 || c == len(t) {
		return "", "", false
	}
	if k := strings.TrimRight(t[:c], " "); len(k) < c {
		t = k + t[c:]
		c = len(k)
	}
	for i := 0; i < c; i++ {
		if ch := t[i]; !(ch >= 'a' && ch <= 'z') && ch != '_' && !(ch >= 'A' && ch <= 'Z') {
			return "", "", false
		}
	}
	switch t[:c] {
	case "duration_ms", "severity", "exitcode", "stack", "error", "message", "name", "code", "location",
		"failureType", "expected", "actual", "operator", "type", "errno", "syscall", "address", "port", "generatedMessage":
		return t[:c], strings.TrimSpace(t[c+1:]), true
	}
	return "", "", false
}

// unquote removes the quotes YAML put around a scalar.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}
