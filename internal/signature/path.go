package signature

import "strings"

// isPath reports whether a blank-delimited run is a file path rather than
// prose with a slash in it ("i/o timeout", "net/http", "read/write"):
// it must be rooted, have two separators, or end in a file extension.
// A backslash separates only in Windows-looking runs, since messages are
// full of escapes ("OK\\n").
func isPath(r string) bool {
	// Angle brackets are in no real path, and in every placeholder: a run
	// holding one was normalized already.
	if len(r) < 3 || strings.ContainsAny(r, "<>") {
		return false
	}
	drive := isLetter(r[0]) && r[1] == ':' && (r[2] == '\\' || r[2] == '/')
	slashes, backslashes := 0, 0
	for i := 0; i < len(r); i++ {
		switch r[i] {
		case '/':
			slashes++
		case '\\':
			if i+1 < len(r) && strings.IndexByte("ntrxuU0'\"", r[i+1]) < 0 {
				backslashes++
			}
		}
	}
	switch {
	case drive || strings.HasPrefix(r, `\\`):
		return true
	case slashes == 0 && backslashes < 2:
		return false
	case r[0] == '/' || r[0] == '~' || r[0] == '.' || slashes+backslashes >= 2:
		return true
	}
	// One separator: a path only if it ends in a file name.
	base := r[strings.LastIndexAny(r, `/\`)+1:]
	base = strings.TrimRight(base, ":0123456789")
	dot := strings.LastIndexByte(base, '.')
	if dot <= 0 || dot == len(base)-1 || len(base)-dot > 6 {
		return false
	}
	letter := false
	for i := 0; i < len(base); i++ {
		c := base[i]
		if !isWord(c) && c != '.' && c != '-' && c != '@' && c != '+' {
			return false
		}
		letter = letter || (i > dot && isLetter(c))
	}
	return letter
}

// path appends the basename of a file path, so that /home/buildbot/x/a.py,
// C:\buildarea\x\a.py and Lib/a.py all read "a.py". Trailing ":NN" line
// and column numbers are dropped, and temporary names become <TMP>.
func (m *masker) path(dst []byte, p string) []byte {
	orig := p
	// Drop ":12" / ":12:3" / trailing ":" suffixes (file:line[:col]).
	for {
		k := strings.LastIndexByte(p, ':')
		if k < 0 {
			break
		}
		tail := p[k+1:]
		if tail != "" && !allDigits(tail) {
			break
		}
		if k == 1 && isLetter(p[0]) && tail == "" {
			break // a bare drive letter "C:"
		}
		p = p[:k]
	}
	p = strings.TrimRight(p, `/\.`)
	base := p
	if k := strings.LastIndexAny(p, `/\`); k >= 0 {
		base = p[k+1:]
	}
	if base == "" {
		return append(dst, '/')
	}
	lower := strings.ToLower(base)
	if strings.HasPrefix(lower, "tmp") || strings.HasPrefix(lower, "@test") ||
		strings.HasPrefix(lower, "pytest-") || strings.HasPrefix(lower, "test_python_") {
		return m.put(dst, "temp path", orig, "<TMP>")
	}
	if m.rec != nil && base != orig {
		*m.rec = append(*m.rec, Mask{Kind: "path", Text: orig, As: base})
	}
	// The basename itself may carry numbers (worker_123.log) or a random
	// suffix (go-nettest180765192); mask them like any number. Long
	// digit runs inside a word are cut loose so that they are masked too.
	var b strings.Builder
	run := 0
	for i := 0; i < len(base); i++ {
		c := base[i]
		if isDigit(c) {
			if run == 0 && i+3 < len(base) && allDigits(base[i:i+4]) && i > 0 && isWord(base[i-1]) {
				b.WriteByte('-')
			}
			run++
		} else {
			run = 0
		}
		b.WriteByte(c)
	}
	return m.line(dst, b.String())
}
