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

// goTest handles go test output: the failing test and the message that
// says why it failed. The reason is the message; the test's name joins it
// only when the message is the test's own assertion (a *_test.go line)
// and not an environment error that any test can hit (see envCause).
func (k *key) goTest() bool {
	lines := k.lines
	test, running := "", ""
	testAt, msgAt := -1, -1
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if msgAt < 0 && (strings.HasPrefix(t, "=== RUN ") || strings.HasPrefix(t, "=== CONT ")) {
			// With -v the messages come before "--- FAIL", which a
			// cut log may lack: the test that ran last is theirs.
			running = trimCPU(strings.TrimSpace(t[len("=== RUN "):]))
			testAt = i
		}
		if strings.HasPrefix(t, "--- FAIL: ") {
			if msgAt < 0 || test == "" {
				name := t[len("--- FAIL: "):]
				if sp := strings.IndexByte(name, ' '); sp > 0 {
					name = name[:sp]
				}
				test, testAt = trimCPU(name), i
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
	if msgAt < 0 {
		// A parent test failing because its subtests did, or a test
		// with no message: the test is all there is to go by.
		if test != "" {
			k.title = k.add("test", testAt, baseTest(test))
		}
		k.genericLines(1)
		return true
	}
	msgAt = failingMessage(lines, msgAt)
	if test == "" && k.on(ruleTestID) {
		test, testAt = testifyTest(lines, msgAt)
	}
	file, msg, _ := goMessage(strings.TrimSpace(lines[msgAt]))
	if test != "" {
		// The test's name inside its own message ("-test.run=^TestX$")
		// is the test, not the reason.
		msg = strings.ReplaceAll(msg, test, "TEST")
		msg = strings.ReplaceAll(msg, baseTest(test), "TEST")
	}
	if cause, ok := envCause(msg); ok {
		k.kind = "go-env"
		k.title = k.addMsg("error", msgAt, cause)
		return true
	}
	own := strings.HasSuffix(file, "_test.go")
	if own && test != "" {
		k.add("test", testAt, baseTest(test))
	}
	k.values = own && test != ""
	if chain := causeChain(msg); chain != "" && chain != msg {
		// The test's own failure with an operating-system or network
		// error: the error is the reason, what the test wrote around it
		// (a request's method, an iteration) is not.
		k.addMsg("message", msgAt, file+": "+chain)
		k.title = k.maskOnly(file + ": " + msg)
	} else {
		k.title = k.addMsg("message", msgAt, file+": "+msg)
	}
	k.values = false
	if own && test != "" {
		k.title = baseTest(test) + ": " + k.title
	}
	if msg == "" {
		k.goContinuation(msgAt)
	}
	return true
}

// goContinuation keys testify's and cmd/go script tests' reports, whose
// first line is empty: the first line below it that says what went
// wrong, and the line after it.
func (k *key) goContinuation(msgAt int) {
	lines := k.lines
	var cont []int
	for i := msgAt + 1; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimSpace(l)
		if !indented(l) || strings.HasPrefix(t, "--- ") || strings.HasPrefix(t, "=== ") || len(cont) == 40 {
			break
		}
		if _, _, ok := goMessage(t); ok {
			break
		}
		if t != "" && !strings.HasPrefix(t, "Error Trace:") && !strings.HasPrefix(t, "Test:") {
			cont = append(cont, i)
		}
	}
	at := 0
	for i, c := range cont {
		if hasErrorWord(lines[c]) {
			at = i
			break
		}
	}
	for i := at; i < len(cont) && i < at+2; i++ {
		l := k.addMsg("", cont[i], strings.TrimSpace(lines[cont[i]]))
		if i == at {
			k.title += " " + l
		}
	}
}

// testifyTest reads the test that testify's report at line at names in
// its "Test:" field, for a report pasted without go test's lines.
func testifyTest(lines []string, at int) (string, int) {
	for i := at + 1; i < len(lines) && i < at+40; i++ {
		t := strings.TrimSpace(lines[i])
		if _, _, ok := goMessage(t); ok || strings.HasPrefix(t, "--- ") {
			break
		}
		if rest, ok := strings.CutPrefix(t, "Test:"); ok {
			if name := strings.TrimSpace(rest); name != "" && !strings.ContainsAny(name, " \t") {
				return name, i
			}
		}
	}
	return "", -1
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

// failingMessage returns the index of the message line of the test that
// says why it failed: the first that words a check ("got X, want Y",
// "expected"), else the first that names an error, else the first.
// t.Logf lines around them ("starting concurrent LookupIPAddr", an
// error a test logged on its way) are context.
func failingMessage(lines []string, first int) int {
	errAt := -1
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
		if msg == "" {
			return i
		}
		for _, w := range failWords {
			if containsFold(msg, w) {
				return i
			}
		}
		if errAt < 0 && (hasErrorWord(msg) || hasCause(msg)) {
			errAt = i
		}
	}
	if errAt >= 0 {
		return errAt
	}
	return first
}
