package signature

import "strings"

// masker rewrites the tokens that vary between runs of the same bug.
// One masker is used for all lines of one text, so that a value seen twice
// gets the same placeholder everywhere and the structure of the text
// survives ("port <N2> ... port <N2>"), while the values themselves do not
// take part in the signature.
type masker struct {
	// names turns path handling off, for test names such as
	// TestWatch/write_file, whose slashes separate subtests.
	names bool
	nums  []string
	addrs []string
	uuids []string
}

// maxLine caps how much of one line is normalized: a single line of
// megabytes (a dumped buffer) must not make the output unbounded.
const maxLine = 512

// index returns the 1-based position of v in *set, appending it when new.
// A linear scan beats a map here: a signature has a handful of tokens.
func index(set *[]string, v string) int {
	for i, s := range *set {
		if s == v {
			return i + 1
		}
	}
	*set = append(*set, v)
	return len(*set)
}

func appendIndexed(dst []byte, prefix string, n int) []byte {
	dst = append(dst, '<')
	dst = append(dst, prefix...)
	dst = appendInt(dst, n)
	return append(dst, '>')
}

func appendInt(dst []byte, n int) []byte {
	if n >= 10 {
		dst = appendInt(dst, n/10)
	}
	return append(dst, byte('0'+n%10))
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isWord(c byte) bool   { return isDigit(c) || isLetter(c) || c == '_' }
func isHex(c byte) bool    { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') }
func isSpace(c byte) bool  { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// isDelim reports whether c ends a path-like run. Quotes and brackets
// delimit paths in tracebacks and reprs.
func isDelim(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '"', '\'', '`', ',', ';', '(', ')', '[', ']', '{', '}', '|', '=':
		return true
	}
	return false
}

// line appends the normalized form of s to dst.
func (m *masker) line(dst []byte, s string) []byte {
	s = strings.TrimSpace(s)
	if len(s) > maxLine {
		s = strings.TrimRight(s[:maxLine], " \t\r\n")
	}
	start := len(dst)
	// inWord is whether the previous byte continues a word: digits inside
	// an identifier (test_start_tls_server_1, sha256) are kept, digits
	// that start a token are masked.
	inWord := false
	for i := 0; i < len(s); {
		c := s[i]
		if (i == 0 || isDelim(s[i-1])) && !m.names && !isDelim(c) {
			j := i
			for j < len(s) && !isDelim(s[j]) {
				j++
			}
			// A timestamp may span blanks ("2024-03-07 08:26:34,002").
			if n := matchTimestamp(s[i:]); n >= j-i {
				dst = append(dst, "<TS>"...)
				i, inWord = i+n, false
				continue
			}
			if isPath(s[i:j]) {
				dst = m.path(dst, s[i:j])
				i, inWord = j, false
				continue
			}
		}
		switch {
		case isSpace(c):
			// Runs of blanks are layout, not content.
			dst = append(dst, ' ')
			for i < len(s) && isSpace(s[i]) {
				i++
			}
			inWord = false
			continue
		case c < 0x20 || c == 0x7f:
			// Control bytes (NUL among them) cannot be stored as text.
			dst = append(dst, '?')
			i, inWord = i+1, false
			continue
		case c == '\\' && i+1 < len(s) && strings.IndexByte("ntr", s[i+1]) >= 0:
			// An escaped newline in a repr ends a token like a real one.
			dst = append(dst, c, s[i+1])
			i, inWord = i+2, false
			continue
		case !isWord(c) || inWord:
			dst = append(dst, c)
			i++
			inWord = isWord(c)
			continue
		}
		inWord = true
		if n := matchUUID(s[i:]); n > 0 {
			dst = appendIndexed(dst, "U", index(&m.uuids, strings.ToLower(s[i:i+n])))
			i += n
			continue
		}
		if isDigit(c) {
			if n := matchTimestamp(s[i:]); n > 0 {
				dst = append(dst, "<TS>"...)
				i += n
				continue
			}
			n, kind := numberToken(s[i:])
			switch kind {
			case tokAddr:
				dst = appendIndexed(dst, "A", index(&m.addrs, strings.ToLower(s[i:i+n])))
			case tokDuration:
				dst = append(dst, "<DUR>"...)
			default:
				dst = appendIndexed(dst, "N", index(&m.nums, s[i:i+n]))
			}
			i += n
			continue
		}
		j := i
		hex, digit := true, false
		for j < len(s) && isWord(s[j]) {
			hex = hex && isHex(s[j])
			digit = digit || isDigit(s[j])
			j++
		}
		if hex && digit && j-i >= 7 {
			// A letter-led hex run with digits: a commit or object id.
			dst = appendIndexed(dst, "A", index(&m.addrs, strings.ToLower(s[i:j])))
		} else {
			dst = append(dst, s[i:j]...)
		}
		i = j
	}
	// Placeholders can be longer than what they replace; capping the
	// output as well keeps a normalized line a fixed point.
	if len(dst)-start > maxLine {
		dst = dst[:start+maxLine]
	}
	return squeezeBlanks(dst, start)
}

// squeezeBlanks trims dst[start:] and folds its runs of blanks into one. A
// token that masks to nothing (a path with no name) leaves its neighbours'
// blanks side by side or at an end; the input's blanks were already folded,
// so without this, normalizing the output again would change it.
func squeezeBlanks(dst []byte, start int) []byte {
	w := start
	for r := start; r < len(dst); r++ {
		if dst[r] == ' ' && (w == start || dst[w-1] == ' ') {
			continue
		}
		dst[w] = dst[r]
		w++
	}
	for w > start && dst[w-1] == ' ' {
		w--
	}
	return dst[:w]
}

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
		return append(dst, "<TMP>"...)
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
