package signature

import (
	"bytes"
	"strings"
)

// errorWords mark the lines of a log that say what went wrong.
var errorWords = [...]string{
	"error", "exception", "fail", "fatal", "panic", "timeout", "timed out",
	"assert", "refused", "reset by peer", "killed", "abort", "segmentation",
	"warning -- ", "unexpected", "not found", "denied", "deadlock", "leak",
}

// hasErrorWord reports whether t mentions a failure, ignoring case. The
// line is lower-cased once into a buffer on the stack so that each word
// is looked for with the fast substring search rather than byte by byte.
func hasErrorWord(t string) bool {
	var buf [maxLine]byte
	if len(t) > len(buf) {
		t = t[:len(buf)]
	}
	lower := buf[:len(t)]
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c >= 'A' && c <= 'Z' {
			c |= 0x20
		}
		lower[i] = c
	}
	for _, w := range errorWords {
		if bytes.Contains(lower, []byte(w)) {
			return true
		}
	}
	return false
}

// containsFold reports whether t contains the lower-case ASCII word w,
// ignoring case.
func containsFold(t, w string) bool {
	for i := 0; i+len(w) <= len(t); i++ {
		if t[i]|0x20 == w[0] && strings.EqualFold(t[i:i+len(w)], w) {
			return true
		}
	}
	return false
}

// pytest handles pytest's "E   AssertionError: …" lines and its
// "path/test_x.py:57: AssertionError" location line. Where the location is
// a test module, the test function (from the "____ test_x ____" header or
// its "def test_x(" line) joins it, so that the key reads as a traceback's
// raise frame does: "at: test_x.py test_x".
func (k *key) pytest() bool {
	lines := k.lines
	first := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "E   ") && strings.TrimSpace(l[1:]) != "" {
			first = i
			break
		}
	}
	if first < 0 {
		return k.pytestSummary()
	}
	// One kind with tracebacks: the same failure reported by pytest or
	// by unittest's traceback signs the same where the keys agree.
	k.kind = "python"
	typ, msg := excType(strings.TrimSpace(lines[first][1:]))
	switch {
	case typ != "" && msg == "":
		msg = typ
	case typ != "":
		msg = typ + ": " + msg
	}
	at, atLine := "", -1
	for i := first + 1; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimSpace(l)
		if strings.HasPrefix(l, "E ") || t == "" {
			continue
		}
		if c := strings.Index(t, ".py:"); c > 0 && !strings.ContainsAny(t[:c], " \t") {
			at, atLine = baseName(t[:c+3]), i
			if fn, header := pytestFunc(lines, first); fn != "" && (isTestFile(at) || !header) {
				at += " " + fn
			}
			// "tests/test_x.py:13: AssertionError": a plain assert's E
			// line ("assert 4 == 96") has no type, its location has.
			if p := strings.LastIndex(t, ": "); typ == "" && p > c {
				if lt, _ := excType(t[p+2:]); lt != "" {
					typ, msg = lt, lt+": "+msg
				}
			}
		}
		break
	}
	k.values = isTestFile(at) && strings.Contains(typ, "Assert")
	k.title = k.addMsg("exception", first, msg)
	k.values = false
	if at != "" {
		k.add("at", atLine, at)
		if f, fat := pytestTestFrame(lines, first); !isTestFile(at) && f != "" {
			k.add("at", fat, f) // as python() adds the test module
		}
	}
	return true
}

// pytestTestFrame finds, above the E lines at first, the innermost
// "tests/test_x.py:26: in helper" line of the failure's test module, and
// returns the module.
func pytestTestFrame(lines []string, first int) (string, int) {
	for i := first - 1; i >= 0 && i >= first-400; i-- {
		t := strings.TrimSpace(lines[i])
		if strings.HasPrefix(t, "___") && strings.HasSuffix(t, "___") {
			break
		}
		if c := strings.Index(t, ".py:"); c > 0 && strings.Contains(t[c:], ": in ") && !strings.ContainsAny(t[:c], " \t") {
			if file := baseName(t[:c+3]); isTestFile(file) {
				return file, i
			}
		}
	}
	return "", -1
}

// pytestFunc finds the function of the frame that raised, whose E lines
// start at line first: the nearest "def f(" of its source above them, else
// the test of the section's "____ Class.test_x ____" header (header is
// then true).
func pytestFunc(lines []string, first int) (fn string, header bool) {
	for i := first - 1; i >= 0 && i >= first-200; i-- {
		t := strings.TrimSpace(lines[i])
		if strings.HasPrefix(t, "___") && strings.HasSuffix(t, "___") {
			return pytestName(strings.Trim(t, "_ ")), true
		}
		if rest, ok := strings.CutPrefix(strings.TrimPrefix(t, "async "), "def "); ok {
			if p := strings.IndexByte(rest, '('); p > 0 {
				return rest[:p], false
			}
		}
	}
	return "", false
}

// pytestName reduces "tests/test_x.py::TestC::test_y[param]" or
// "TestC.test_y[param]" to the function, "test_y": the parameters of one
// parametrized test are one body.
func pytestName(id string) string {
	if b := strings.IndexByte(id, '['); b > 0 {
		id = id[:b]
	}
	if k := strings.LastIndex(id, "::"); k >= 0 {
		id = id[k+2:]
	}
	if k := strings.LastIndexByte(id, '.'); k >= 0 {
		id = id[k+1:]
	}
	return id
}

// generic keys any other text on its first error line and the line after
// it: the first complaint is usually the cause, later ones its echoes.
// Without any error line, the last lines of the text stand for it.
func (k *key) generic() {
	k.kind = "log"
	k.genericLines(2)
}

func (k *key) genericLines(n int) {
	lines := k.lines
	start := len(k.parts)
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if noiseLine(t) || !hasErrorWord(t) {
			continue
		}
		title := k.addMsg("error", i, t)
		if k.title == "" {
			k.title = title
		}
		for j := i + 1; j < len(lines); j++ {
			if len(k.parts)-start >= n || !strings.HasSuffix(t, ":") {
				// The line after an error is its detail only when the
				// error line says one follows; otherwise it is the
				// next thing the log said, which varies.
				break
			}
			if nt := strings.TrimSpace(lines[j]); !noiseLine(nt) {
				k.addMsg("", j, nt)
				break
			}
		}
		return
	}
	var tail []int
	for i := len(lines) - 1; i >= 0 && len(tail) < n; i-- {
		if t := strings.TrimSpace(lines[i]); !noiseLine(t) {
			tail = append(tail, i)
		}
	}
	for i := len(tail) - 1; i >= 0; i-- {
		l := k.addMsg("", tail[i], strings.TrimSpace(lines[tail[i]]))
		if k.title == "" {
			k.title = l
		}
	}
}

// pytestSummary handles pytest's short summary line
// "FAILED path::test - AssertionError: …", the only trace of a failure
// when the report was run with -q or --tb=no.
func (k *key) pytestSummary() bool {
	for i, l := range k.lines {
		t := strings.TrimSpace(l)
		if !strings.HasPrefix(t, "FAILED ") && !strings.HasPrefix(t, "ERROR ") {
			continue
		}
		test, exc, ok := strings.Cut(t[strings.IndexByte(t, ' ')+1:], " - ")
		if !ok || !strings.Contains(test, "::") {
			continue
		}
		k.kind = "python"
		if strings.HasPrefix(exc, "assert ") {
			exc = "AssertionError: " + exc // a plain assert, as its traceback says
		}
		typ, msg := excType(exc)
		switch {
		case typ != "" && msg == "":
			exc = typ
		case typ != "":
			exc = typ + ": " + msg
		}
		file, _, _ := strings.Cut(test, "::")
		k.values = strings.Contains(typ, "Assert")
		k.title = k.addMsg("exception", i, exc)
		k.values = false
		// The summary names the test, not the frame that raised: the
		// test function stands for it, as a test's own assertion's
		// traceback has it.
		k.add("at", i, baseName(file)+" "+pytestName(test))
		return true
	}
	return false
}
