package signature

import "strings"

// goMessage splits a t.Errorf line "file_test.go:12: message".
func goMessage(t string) (file, msg string, ok bool) {
	k := strings.Index(t, ".go:")
	if k <= 0 || strings.ContainsAny(t[:k], " \t") {
		return "", "", false
	}
	rest := t[k+4:]
	d := digits(rest, 9)
	if d == 0 || d >= len(rest) || rest[d] != ':' {
		return "", "", false
	}
	return t[:k+3], strings.TrimSpace(rest[d+1:]), true
}

// goTest handles go test output: the failing test and its first message,
// with up to two continuation lines (testify's "Error:" block).
func (k *key) goTest(lines []string) bool {
	test, running := "", ""
	msgAt := -1
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if msgAt < 0 && (strings.HasPrefix(t, "=== RUN ") || strings.HasPrefix(t, "=== CONT ")) {
			// With -v the messages come before "--- FAIL", which a
			// cut log may lack: the test that ran last is theirs.
			running = trimCPU(strings.TrimSpace(t[len("=== RUN "):]))
		}
		if strings.HasPrefix(t, "--- FAIL: ") {
			if msgAt < 0 || test == "" {
				name := t[len("--- FAIL: "):]
				if sp := strings.IndexByte(name, ' '); sp > 0 {
					name = name[:sp]
				}
				test = trimCPU(name)
			}
			if msgAt >= 0 {
				break
			}
			continue
		}
		if _, _, ok := goMessage(t); ok && msgAt < 0 {
			msgAt = i
			if test != "" {
				break
			}
		}
	}
	if test == "" && msgAt < 0 {
		return false
	}
	if test == "" {
		test = running
	}
	k.kind = "go-test"
	// The test name stands where a Python traceback has the test
	// function: a t.Errorf line carries only a file and a line number,
	// and the line is masked, so two tests of one file printing the same
	// message would otherwise be one bug.
	if test != "" {
		k.add("test", baseTest(test))
	}
	if msgAt < 0 {
		k.genericLines(lines, 1)
		if k.title == "" {
			k.titleFrom(0)
		}
		return true
	}
	msgAt = failingMessage(lines, msgAt)
	file, msg, _ := goMessage(strings.TrimSpace(lines[msgAt]))
	k.add("message", file+": "+msg)
	k.titleFrom(len(k.lines) - 1)
	if test != "" {
		// The title names the test as the key does, so that every
		// failure with this signature shows the same title.
		k.title = k.lines[0][len("test: "):] + ": " + k.title
	}
	if msg == "" {
		// testify and cmd/go's script tests print an empty first line
		// and the failure below it: key on the first line there that
		// says what went wrong, and the line after it.
		var cont []string
		for _, l := range lines[msgAt+1:] {
			t := strings.TrimSpace(l)
			if !indented(l) || strings.HasPrefix(t, "--- ") || strings.HasPrefix(t, "=== ") || len(cont) == 40 {
				break
			}
			if _, _, ok := goMessage(t); ok {
				break
			}
			if t != "" && !strings.HasPrefix(t, "Error Trace:") && !strings.HasPrefix(t, "Test:") {
				cont = append(cont, t)
			}
		}
		at := 0
		for i, t := range cont {
			if hasErrorWord(t) {
				at = i
				break
			}
		}
		for i := at; i < len(cont) && i < at+2; i++ {
			k.add("", cont[i])
			if i == at {
				k.title += " " + k.lines[len(k.lines)-1]
			}
		}
	}
	return true
}

// baseTest reduces a test name to the test function: subtests
// (TestScript/mod_symlink) and variants (TestX_h2, TestPattern_c0h1)
// are usually one table or one parametrized body, and the message tells
// their failures apart.
func baseTest(name string) string {
	if k := strings.IndexByte(name, '/'); k > 0 {
		name = name[:k]
	}
	if k := strings.IndexByte(name, '_'); k > 0 {
		name = name[:k]
	}
	return name
}

// trimCPU drops the "-4" that go test appends to a test name for
// -cpu=4 (and always did before Go 1.5): the CPU count is the host's.
func trimCPU(name string) string {
	i := len(name)
	for i > 0 && isDigit(name[i-1]) {
		i--
	}
	if i > 1 && i < len(name) && name[i-1] == '-' {
		return name[:i-1]
	}
	return name
}

// failWords mark a t.Errorf line among t.Logf lines ("gdb version 7.12"
// is logged before "could not find … in backtrace"). Go tests word their
// failures as "got X, want Y", "expected", "could not".
var failWords = [...]string{"want", "expected", "got ", "could not", "cannot", "can't", "unable",
	"should", "mismatch", "missing", "wrong", "invalid", "didn't", "did not", "never", "bad "}

// failingMessage returns the index of the first message line of the test
// whose message at first reads like a failure, or first when none does.
func failingMessage(lines []string, first int) int {
	for i := first; i < len(lines) && i < first+200; i++ {
		t := strings.TrimSpace(lines[i])
		if strings.HasPrefix(t, "--- ") || strings.HasPrefix(t, "=== ") {
			break
		}
		_, msg, ok := goMessage(t)
		if !ok {
			continue
		}
		// An empty message opens a testify report.
		if msg == "" || hasErrorWord(msg) {
			return i
		}
		for _, w := range failWords {
			if containsFold(msg, w) {
				return i
			}
		}
	}
	return first
}
