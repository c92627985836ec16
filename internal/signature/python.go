package signature

import "strings"

// pyFrame is one "File ..., line N, in func" entry.
type pyFrame struct {
	path, fn string
	at       int // index of the line in the window
}

// pyExc is one traceback: its frames (outermost first) and the exception
// lines that follow them.
type pyExc struct {
	frames     []pyFrame
	exc        []string
	excAt      int // index of exc[0] in the window
	fallback   string
	fallbackAt int
}

const (
	tracebackHeader = "Traceback (most recent call last):"
	chainDuring     = "During handling of the above exception, another exception occurred:"
	chainCause      = "The above exception was the direct cause of the following exception:"
)

// parseFrame parses a traceback or faulthandler frame line
// (`File "p", line 3, in f` or `File "p", line 3 in f`).
func parseFrame(t string) (pyFrame, bool) {
	if !strings.HasPrefix(t, `File "`) {
		return pyFrame{}, false
	}
	t = t[len(`File "`):]
	q := strings.IndexByte(t, '"')
	if q < 0 {
		q = len(t) // a path cut by a hard line wrap
	}
	f := pyFrame{path: t[:q]}
	if k := strings.LastIndex(t[q:], " in "); k >= 0 {
		f.fn = strings.TrimSpace(t[q+k+4:])
		// Cython frames end in " (module.c:25601)"; the C line moves
		// with every build.
		if p := strings.IndexByte(f.fn, ' '); p > 0 {
			f.fn = f.fn[:p]
		}
	}
	return f, true
}

// pythonChain finds the traceback chain that explains the failure: the one
// under the first unittest "FAIL:"/"ERROR:" header when there is one (a
// header names the failing test; tracebacks before it are warnings), else
// the last one in the text (what finally surfaced). Chained exceptions
// ("During handling…", "The above exception was the direct cause…") are
// returned in order, root cause first.
func pythonChain(lines []string) []pyExc {
	var chains [][]pyExc
	var cur *pyExc
	firstHeader := -1
	inExc := false
	chainNext := false
	base := 0 // indentation of the current "Traceback" line
	for i := 0; i < len(lines); i++ {
		l := ungroup(lines[i])
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, `File "`) && !strings.Contains(t, " in ") && i+1 < len(lines) {
			// A frame hard-wrapped by a terminal or a log viewer:
			// join it with the next line.
			if next := strings.TrimSpace(ungroup(lines[i+1])); !strings.HasPrefix(next, `File "`) {
				t += next
				i++
			}
		}
		f, isFrame := parseFrame(t)
		f.at = i
		switch {
		case firstHeader < 0 && (strings.HasPrefix(t, "FAIL: ") || strings.HasPrefix(t, "ERROR: ")):
			firstHeader = len(chains)
		case t == chainDuring || t == chainCause:
			chainNext = len(chains) > 0
			cur, inExc = nil, false
		case strings.HasSuffix(t, tracebackHeader):
			if !chainNext || len(chains) == 0 {
				chains = append(chains, nil)
			}
			chainNext = false
			c := &chains[len(chains)-1]
			*c = append(*c, pyExc{})
			cur, inExc = &(*c)[len(*c)-1], false
			base = len(l) - len(strings.TrimLeft(l, " \t"))
		case cur == nil && isFrame && len(chains) == 0:
			// A text cut above its "Traceback" header still has frames.
			chains = append(chains, []pyExc{{frames: []pyFrame{f}}})
			cur = &chains[0][0]
		case cur == nil:
		case isFrame:
			// A frame after what looked like the exception line means
			// that line was a wrapped frame or source line.
			if inExc {
				cur.exc, inExc = nil, false
			}
			cur.frames = append(cur.frames, f)
		case inExc:
			// Continuation of a multi-line message, up to a blank line.
			if t == "" || noiseLine(t) || len(cur.exc) >= 4 {
				cur = nil
			} else {
				cur.exc = append(cur.exc, t)
			}
		case t == "" || strings.HasPrefix(t, "^") || strings.HasPrefix(t, "~"):
		case len(l)-len(strings.TrimLeft(l, " \t")) > base:
			// Source line of a frame.
		case plausibleExc(t):
			cur.exc = append(cur.exc, t)
			cur.excAt = i
			inExc = true
		case cur.fallback == "":
			// Not indented, yet no exception: a wrapped or unindented
			// source line, or an exception of an unusual shape. It
			// stands in only if no real exception line follows.
			cur.fallback, cur.fallbackAt = t, i
		}
	}
	for _, c := range chains {
		for i := range c {
			if len(c[i].exc) == 0 && c[i].fallback != "" {
				c[i].exc, c[i].excAt = []string{c[i].fallback}, c[i].fallbackAt
			}
		}
	}
	if len(chains) == 0 {
		return nil
	}
	chosen := len(chains) - 1
	if firstHeader >= 0 && firstHeader < len(chains) {
		chosen = firstHeader
	}
	return chains[chosen]
}

// plausibleExc reports whether a line reads as an exception
// ("ValueError: …", "socket.timeout: timed out", "AssertionError"), as
// opposed to a source line that a logger failed to indent.
func plausibleExc(t string) bool {
	typ, _ := excType(t)
	if typ == "" {
		return false
	}
	if c := typ[0]; c >= 'A' && c <= 'Z' {
		return true
	}
	switch typ {
	case "timeout", "error", "gaierror", "herror":
		return true
	}
	return false
}

// framework reports whether a frame belongs to test machinery rather
// than to the code under test; such frames say nothing about the bug.
func framework(path string) bool {
	p := strings.ReplaceAll(path, `\`, "/")
	return strings.Contains(p, "/unittest/") || strings.Contains(p, "/_pytest/") ||
		strings.Contains(p, "/pluggy/") || strings.HasPrefix(p, "<frozen")
}

// keyFrames picks the frames that identify where the failure happened:
// the innermost frame outside test machinery (where the exception was
// raised: for a test's own assertion, the test function) and the module
// of the innermost frame in a test file.
// Outer frames are left out: the same failure is reached through other
// callers (a test helper shared by two tests, a refactored harness) as
// code changes over the years.
func keyFrames(frames []pyFrame) []pyFrame {
	var out []pyFrame
	for i := len(frames) - 1; i >= 0; i-- {
		f := frames[i]
		if framework(f.path) {
			continue
		}
		if len(out) == 0 {
			out = append(out, f)
		}
		if isTestFile(f.path) {
			if out[0] != f {
				// The test's module, not its function: tests of one
				// family (test_x_1, test_x_2, a test class per event
				// loop) hitting one bug live in one module.
				f.fn = ""
				out = append(out, f)
			}
			break
		}
	}
	return out
}

// isTestFile reports whether a path names a test module (test_x.py,
// x_test.py, tests.py).
func isTestFile(path string) bool {
	base := path
	if k := strings.LastIndexAny(path, `/\`); k >= 0 {
		base = path[k+1:]
	}
	return strings.HasPrefix(base, "test") || strings.HasSuffix(base, "_test.py") || strings.HasSuffix(base, "_tests.py")
}

// excType splits "pkg.mod.Type: message" and reduces the type to its last
// dotted name: the same TimeoutError is printed as
// concurrent.futures._base.TimeoutError, asyncio.exceptions.TimeoutError
// or TimeoutError depending on the Python version.
func excType(line string) (typ, msg string) {
	end := 0
	for end < len(line) && (isWord(line[end]) || line[end] == '.') {
		end++
	}
	if end == 0 || (end < len(line) && line[end] != ':') {
		return "", line
	}
	typ = line[:end]
	if k := strings.LastIndexByte(typ, '.'); k >= 0 && k+1 < len(typ) {
		typ = typ[k+1:]
	}
	if end < len(line) {
		msg = strings.TrimSpace(line[end+1:])
	}
	return typ, msg
}

// python builds the key of a Python traceback chain. The root cause gives
// the message and the place it was raised (the last exception in a chain
// is often a generic wrapper: a test's AssertionError, a harness's
// RuntimeError); the final exception's type is kept too, because the same
// root surfacing as a different final error is a different failure mode.
func (k *key) python(chain []pyExc) {
	root, last := chain[0], chain[len(chain)-1]
	k.kind = "python"
	if len(root.exc) == 0 {
		root.exc, root.excAt = []string{"(no exception line)"}, -1
	}
	typ, msg := excType(root.exc[0])
	head := msg
	switch {
	case typ != "" && msg == "":
		head = typ
	case typ != "":
		head = typ + ": " + msg
	}
	frames := keyFrames(root.frames)
	// A test's own assertion compares values that vary between runs;
	// the test function in the key keeps it specific.
	k.values = len(frames) > 0 && isTestFile(frames[0].path) && strings.Contains(typ, "Assert")
	k.title = k.addMsg("exception", root.excAt, differ(head))
	k.values = false
	if msg == "" && len(root.exc) > 1 && strings.HasSuffix(root.exc[0], ":") {
		// "FailTest: not equal:" / "AssertionError:" with the message
		// on the next line. Otherwise the lines after the first are
		// values (a diff, "a = 0 / b = 8", a repr) or other output.
		k.addMsg("", root.excAt+1, root.exc[1])
	}
	if _, env := envCause(msg); env && len(frames) > 1 {
		frames = frames[:1] // the machine's fault, whichever test met it
	}
	for _, f := range frames {
		k.add("at", f.at, strings.TrimSpace(baseName(f.path)+" "+f.fn))
	}
	if len(chain) > 1 && len(last.exc) > 0 {
		lt, _ := excType(last.exc[0])
		k.add("surfaced as", -1, lt)
		k.title += " (surfaced as " + lt + ")"
	}
}

// faulthandler builds the key of a CPython crash or regrtest timeout
// ("Fatal Python error: …" / "Timeout (0:15:00)!") from the first thread's
// stack, which faulthandler prints most recent call first.
func (k *key) faulthandler(lines []string, at int) bool {
	head := strings.TrimSpace(lines[at])
	if strings.HasPrefix(head, "Timeout (") {
		head = "Timeout"
	}
	k.kind = "python-faulthandler"
	k.title = k.add("", at, head)
	n := 0
	inThread := false
	for i := at + 1; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if strings.HasPrefix(t, "Thread 0x") || strings.HasPrefix(t, "Current thread 0x") {
			if inThread {
				break
			}
			inThread = true
			continue
		}
		if f, ok := parseFrame(t); ok && inThread && n < 3 {
			if framework(f.path) {
				continue
			}
			k.add("at", i, baseName(f.path)+" "+f.fn)
			n++
		}
	}
	return true
}

// differ cuts unittest's "Lists differ: [...] != [...]" (and Tuples,
// Sequences, Dicts…) after "differ:": what follows is a repr of the
// values, elided to fit ("[95 chars]"), and in a flaky test the values
// are what changes from run to run.
func differ(head string) string {
	k := strings.Index(head, " differ: ")
	if k <= 0 {
		return head
	}
	kind := head[strings.LastIndexByte(head[:k], ' ')+1 : k]
	if len(kind) > 1 && kind[0] >= 'A' && kind[0] <= 'Z' && strings.HasSuffix(kind, "s") {
		return head[:k+len(" differ:")]
	}
	return head
}

// ungroup removes the "| " and "+ " margins of an exception group
// traceback (Python 3.11+, asyncio.TaskGroup), keeping the indentation
// after them, so that its frames and exceptions read like any other.
func ungroup(l string) string {
	t := strings.TrimLeft(l, " ")
	if t == "" || (t[0] != '|' && t[0] != '+') {
		return l
	}
	for {
		if strings.HasPrefix(t, "+-") {
			return "" // a separator between sub-exceptions
		}
		t = strings.TrimPrefix(t[1:], " ")
		// Nested groups add a margin per level.
		u := strings.TrimLeft(t, " ")
		if u == "" || (u[0] != '|' && u[0] != '+') {
			return t
		}
		t = u
	}
}

// baseName is the file name of a path, POSIX or Windows, spaces and all
// ("C:\Program Files\Python311\Lib\ssl.py" is "ssl.py").
func baseName(path string) string {
	return path[strings.LastIndexAny(path, `/\`)+1:]
}
