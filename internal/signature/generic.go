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
// "path/test_x.py:57: AssertionError" location line.
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
	k.kind = "pytest"
	typ, msg := excType(strings.TrimSpace(lines[first][1:]))
	if typ != "" {
		msg = typ + ": " + msg
	}
	k.title = k.addMsg("exception", first, msg)
	for i := first + 1; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimSpace(l)
		if strings.HasPrefix(l, "E ") || t == "" {
			continue
		}
		if c := strings.Index(t, ".py:"); c > 0 && !strings.ContainsAny(t[:c], " \t") {
			k.add("at", i, t)
		}
		break
	}
	return true
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
		k.kind = "pytest"
		if i := strings.LastIndex(test, "::"); i >= 0 {
			test = test[i+2:]
		}
		if b := strings.IndexByte(test, '['); b > 0 {
			test = test[:b] // a parametrized case is one body
		}
		k.add("test", i, test)
		typ, msg := excType(exc)
		if typ != "" {
			exc = typ + ": " + msg
		}
		k.title = k.addMsg("exception", i, exc)
		return true
	}
	return false
}
