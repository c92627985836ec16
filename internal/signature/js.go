package signature

import "strings"

// jsFrame parses a V8 stack frame, "at fn (file:///x/y.js:3:9)" or
// "at /x/y.js:3:9", into the function and the file's basename; builtin
// reports a module of Node itself ("node:internal/timers", "events.js").
func jsFrame(t string) (fn, file string, builtin, ok bool) {
	rest, ok := strings.CutPrefix(t, "at ")
	if !ok {
		return "", "", false, false
	}
	rest = strings.TrimPrefix(rest, "async ")
	loc := rest
	if p := strings.LastIndex(rest, " ("); p > 0 && strings.HasSuffix(rest, ")") {
		fn, loc = rest[:p], rest[p+2:len(rest)-1]
	}
	// file:line:col, with a Windows drive or a URL scheme before it.
	c := strings.LastIndexByte(loc, ':')
	if c < 0 || !allDigits(loc[c+1:]) {
		if loc == "<anonymous>" || loc == "native" || strings.HasPrefix(loc, "node:") {
			return fn, loc, true, true
		}
		return "", "", false, false
	}
	loc = loc[:c]
	if c := strings.LastIndexByte(loc, ':'); c >= 0 && allDigits(loc[c+1:]) {
		loc = loc[:c]
	}
	builtin = strings.HasPrefix(loc, "node:") || strings.HasPrefix(loc, "internal/") || !strings.ContainsAny(loc, `/\`)
	file = baseName(loc)
	if builtin {
		// "internal/timers.js" (Node ≤ 14) is "node:internal/timers" now.
		file = strings.TrimSuffix(file, ".js")
	}
	return fn, file, builtin, true
}

// jsFramework reports whether a frame is in a test runner or an assertion
// library, whose frames every failure shares.
func jsFramework(t string) bool {
	if !strings.Contains(t, "node_modules") {
		return false
	}
	for _, p := range [...]string{"node_modules/jest", "node_modules/@jest", "node_modules/mocha", "node_modules/expect",
		"node_modules/chai", "node_modules/jasmine", "node_modules/vitest", "node_modules/@vitest", "node_modules/tap",
		`node_modules\jest`, `node_modules\mocha`, `node_modules\expect`, `node_modules\chai`} {
		if strings.Contains(t, p) {
			return true
		}
	}
	return false
}

// jsExcType splits "TypeError: x is not a function" or "AssertionError
// [ERR_ASSERTION]: …" into type and message, or returns "" when the line
// is not an error.
func jsExcType(t string) (typ, msg string) {
	end := 0
	for end < len(t) && (isWord(t[end]) || t[end] == '$' || t[end] == '.') {
		end++
	}
	name := t[:end]
	rest := t[end:]
	if strings.HasPrefix(rest, " [") {
		// Node's error code: "AssertionError [ERR_ASSERTION]".
		if c := strings.IndexByte(rest, ']'); c > 0 {
			rest = rest[c+1:]
		}
	}
	if !strings.HasPrefix(rest, ":") && rest != "" {
		return "", ""
	}
	if name != "Error" && !strings.HasSuffix(name, "Error") && !strings.HasSuffix(name, "Exception") {
		return "", ""
	}
	return name[strings.LastIndexByte(name, '.')+1:], strings.TrimSpace(strings.TrimPrefix(rest, ":"))
}

// jsTest finds the failing test of a JavaScript runner's report: node's
// TAP ("not ok 12 parallel/test-x", "not ok 1 - name"), jest ("● a › b"),
// mocha ("1) suite" and its wrapped title lines) and node:test's spec
// reporter ("✖ name"). It returns the name and the line after it.
func jsTest(lines []string) (name string, at, next int) {
	for i, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "not ok "):
			rest := strings.TrimLeft(t[len("not ok "):], "0123456789")
			rest = strings.TrimPrefix(strings.TrimSpace(rest), "- ")
			if h := strings.Index(rest, " # "); h >= 0 {
				rest = rest[:h]
			}
			return rest, i, i + 1
		case strings.HasPrefix(t, "● ") && !strings.HasPrefix(t, "● Test suite failed"):
			return strings.TrimSpace(t[len("● "):]), i, i + 1
		case strings.HasPrefix(t, "✖ ") && !strings.HasPrefix(t, "✖ failing tests"):
			n := t[len("✖ "):]
			if p := strings.LastIndex(n, " ("); p > 0 {
				n = n[:p]
			}
			return n, i, i + 1
		case mochaNumbered(t):
			// The title may be wrapped, and ends with ":".
			var b strings.Builder
			b.WriteString(t[strings.IndexByte(t, ')')+2:])
			// A wrapped title is indented deeper than its number.
			indent := len(l) - len(strings.TrimLeft(l, " "))
			j := i + 1
			for ; !strings.HasSuffix(b.String(), ":") && j < len(lines) && j < i+5; j++ {
				if len(lines[j])-len(strings.TrimLeft(lines[j], " ")) <= indent || strings.TrimSpace(lines[j]) == "" {
					break
				}
				b.WriteByte(' ')
				b.WriteString(strings.TrimSpace(lines[j]))
			}
			return strings.TrimSuffix(b.String(), ":"), i, j
		}
	}
	return "", -1, 0
}

// mochaNumbered reports whether t opens a mocha failure, "1) suite".
func mochaNumbered(t string) bool {
	d := digits(t, 4)
	return d > 0 && len(t) > d+2 && t[d] == ')' && t[d+1] == ' '
}

// contentFree reports whether a failure's only message says that it
// failed, not why: a runner's timeout boilerplate ("Timeout of 2000ms
// exceeded", "Exceeded timeout of 5000 ms for a test"), a bare "timeout",
// a crash or an exit code. Such a failure is only meaningful with its
// test. "Timeout: get element '.panel' after 20 seconds" says why.
func contentFree(msg string) bool {
	m := strings.ToLower(strings.TrimSpace(msg))
	m = strings.TrimPrefix(strings.TrimPrefix(m, "error: "), "thrown: \"")
	for _, p := range [...]string{"timeout of ", "exceeded timeout", "test timed out", "test execution timed out",
		"failed: timeout", "test exceeded"} {
		if strings.HasPrefix(m, p) {
			return true
		}
	}
	if len(strings.Fields(m)) > 4 {
		return false
	}
	for _, w := range [...]string{"timeout", "timed out", "crashed", "exit code", "exitcode", "signal", "killed"} {
		if strings.Contains(m, w) {
			return true
		}
	}
	return m == ""
}
