package signature

import "strings"

// masker rewrites the tokens that vary between runs of the same bug into
// one placeholder per kind: <N> for any number, <HEX> for addresses and
// ids, <ADDR> for network addresses, <PORT>, <DUR>, <TS>, <UUID>, <URL>,
// <HOST> for a looked-up host name, <ID> for a generated token, <TMP> for
// temporary paths; other paths keep their basename. Placeholders are not numbered: numbering by
// equality ("<N1> … <N1>") made the signature depend on coincidences
// between unrelated values ("ideally 5" against "ideally 7").
type masker struct {
	// names turns path handling off, for test names such as
	// TestWatch/write_file, whose slashes separate subtests.
	names bool
	// rec, when set, collects what was masked, for Explain.
	rec *[]Mask
}

// Mask is one token that masking replaced, for Explain.
type Mask struct {
	// Kind is the kind of token: number, hex, address, port, duration,
	// timestamp, uuid, url, host, path or temp path.
	Kind string `json:"kind"`
	// Text is the token as it was in the failure text.
	Text string `json:"text"`
	// As is what it became.
	As string `json:"as"`
}

// maxLine caps how much of one line is normalized: a single line of
// megabytes (a dumped buffer) must not make the output unbounded.
const maxLine = 512

func (m *masker) put(dst []byte, kind, text, as string) []byte {
	if m.rec != nil {
		*m.rec = append(*m.rec, Mask{Kind: kind, Text: text, As: as})
	}
	return append(dst, as...)
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
		if (i == 0 || isDelim(s[i-1])) && !isDelim(c) {
			j := i
			for j < len(s) && !isDelim(s[j]) {
				j++
			}
			if n := matchURL(s[i:]); n > 0 {
				dst = m.put(dst, "url", s[i:i+n], "<URL>")
				i, inWord = i+n, false
				continue
			}
			if n := afterLookup(dst[start:], s, i); n > 0 {
				dst = m.put(dst, "host", s[i:i+n], "<HOST>")
				i, inWord = i+n, false
				continue
			}
			// A timestamp may span blanks ("2024-03-07 08:26:34,002").
			if n := matchTimestamp(s[i:]); n >= j-i {
				dst = m.put(dst, "timestamp", s[i:i+n], "<TS>")
				i, inWord = i+n, false
				continue
			}
			if !m.names && isPath(s[i:j]) {
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
		case c == '[' && !inWord:
			if n := matchIPv6(s[i:]); n > 0 {
				dst = m.put(dst, "address", s[i:i+n], "<ADDR>")
				i += n
				continue
			}
			dst = append(dst, c)
			i++
			continue
		case !isWord(c) || inWord:
			dst = append(dst, c)
			i++
			inWord = isWord(c)
			continue
		}
		inWord = true
		if n := matchUUID(s[i:]); n > 0 {
			dst = m.put(dst, "uuid", s[i:i+n], "<UUID>")
			i += n
			continue
		}
		if isDigit(c) {
			if n := matchTimestamp(s[i:]); n > 0 {
				dst = m.put(dst, "timestamp", s[i:i+n], "<TS>")
				i += n
				continue
			}
			if n := matchIPv4(s[i:]); n > 0 {
				dst = m.put(dst, "address", s[i:i+n], "<ADDR>")
				i += n
				continue
			}
			n, kind := numberToken(s[i:])
			switch {
			case kind == tokAddr:
				dst = m.put(dst, "hex", s[i:i+n], "<HEX>")
			case kind == tokDuration:
				dst = m.put(dst, "duration", s[i:i+n], "<DUR>")
			case isPort(s, i, n):
				dst = m.put(dst, "port", s[i:i+n], "<PORT>")
			default:
				dst = m.put(dst, "number", s[i:i+n], "<N>")
			}
			// What follows a placeholder ("0x1fzz") starts a word, as it
			// will when the line is normalized again.
			i, inWord = i+n, false
			continue
		}
		j := i
		hex, digits := true, 0
		for j < len(s) && isWord(s[j]) {
			hex = hex && isHex(s[j])
			if isDigit(s[j]) {
				digits++
			}
			j++
		}
		switch {
		case hex && digits > 0 && j-i >= 7:
			// A letter-led hex run with digits: a commit or object id.
			dst = m.put(dst, "hex", s[i:j], "<HEX>")
		case j-i >= 16 && digits >= 3 && j-i-digits >= 3 && randomID(s[i:j]):
			// A generated token (base64, a run id): no word is that.
			dst = m.put(dst, "id", s[i:j], "<ID>")
		default:
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

// randomID reports whether a long word of letters and digits reads as
// generated: digits scattered through it, not a name with a number at its
// end (TestServerKeepAlives2, test_start_tls_server_10).
func randomID(w string) bool {
	runs := 0
	for i := 0; i < len(w); i++ {
		if isDigit(w[i]) && (i == 0 || !isDigit(w[i-1])) {
			runs++
		}
	}
	return runs >= 3
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
