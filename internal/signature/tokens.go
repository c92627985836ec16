package signature

import "strings"

// The matchers below recognise, at the start of a string, the tokens that
// masking replaces as a whole: numbers with their units, addresses,
// UUIDs and timestamps. Each is a few comparisons per byte.

// allDigits reports whether s is a non-empty run of decimal digits.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// Kinds of digit-led tokens, as numberToken classifies them.
const (
	tokNumber = iota
	tokAddr
	tokDuration
)

// numberToken measures the token starting with a digit at s[0]: a number
// with dots (1.5, 127.0.0.1, 3.11.3), a hex address (0x1f), a duration
// (0.59s, 10m0s, 3µs) or any digit-led word (15T10, 64bit, a commit hash).
func numberToken(s string) (int, int) {
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isHex(s[2]) {
		n := 2
		for n < len(s) && isHex(s[n]) {
			n++
		}
		return n, tokAddr
	}
	n := 0
	letters := false
	for n < len(s) {
		c := s[n]
		switch {
		case isWord(c):
			letters = letters || isLetter(c)
			n++
		case c == '.' && n+1 < len(s) && isDigit(s[n+1]):
			n++
		case c == 0xc2 && n+1 < len(s) && s[n+1] == 0xb5: // µ
			letters = true
			n += 2
		default:
			goto done
		}
	}
done:
	tok := s[:n]
	if !letters {
		return n, tokNumber
	}
	if isDuration(tok) {
		return n, tokDuration
	}
	hex := true
	for i := 0; i < len(tok); i++ {
		hex = hex && isHex(tok[i])
	}
	if hex && n >= 7 {
		return n, tokAddr
	}
	return n, tokNumber
}

// isDuration reports whether tok is a sequence of number+unit pairs, as
// Go (1h2m3.5s, 150ms) and most test runners print elapsed times.
func isDuration(tok string) bool {
	for tok != "" {
		i := 0
		for i < len(tok) && (isDigit(tok[i]) || tok[i] == '.') {
			i++
		}
		if i == 0 {
			return false
		}
		tok = tok[i:]
		unit := ""
		for _, u := range [...]string{"ns", "us", "µs", "ms", "sec", "min", "s", "m", "h"} {
			if strings.HasPrefix(tok, u) {
				unit = u
				break
			}
		}
		if unit == "" {
			return false
		}
		tok = tok[len(unit):]
	}
	return true
}

// matchUUID returns 36 when s starts with a canonical UUID.
func matchUUID(s string) int {
	if len(s) < 36 {
		return 0
	}
	for i := 0; i < 36; i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return 0
			}
		default:
			if !isHex(s[i]) {
				return 0
			}
		}
	}
	if len(s) > 36 && isWord(s[36]) {
		return 0
	}
	return 36
}

// digits counts the digits at the start of s, up to max.
func digits(s string, max int) int {
	n := 0
	for n < len(s) && n < max && isDigit(s[n]) {
		n++
	}
	return n
}

// matchTimestamp returns the length of a date, date-time or clock time
// (H:MM:SS) at the start of s, or 0. Clock times need seconds so that
// "host:port" pairs are not mistaken for them.
func matchTimestamp(s string) int {
	n := 0
	if digits(s, 4) == 4 && len(s) >= 10 && (s[4] == '-' || s[4] == '/') &&
		digits(s[5:], 2) == 2 && s[7] == s[4] && digits(s[8:], 2) == 2 {
		n = 10
		if n < len(s) && (s[n] == 'T' || s[n] == ' ' || s[n] == '_') {
			if t := matchClock(s[n+1:], false); t > 0 {
				n += 1 + t
			}
		}
		if len(s) > n && isWord(s[n]) {
			return 0
		}
		return n
	}
	return matchClock(s, true)
}

func matchClock(s string, needSeconds bool) int {
	h := digits(s, 2)
	if h == 0 || len(s) < h+3 || s[h] != ':' || digits(s[h+1:], 2) != 2 {
		return 0
	}
	n := h + 3
	if n < len(s) && s[n] == ':' && digits(s[n+1:], 2) == 2 {
		n += 3
		if n < len(s) && (s[n] == '.' || s[n] == ',') && digits(s[n+1:], 9) > 0 {
			n += 1 + digits(s[n+1:], 9)
		}
	} else if needSeconds {
		return 0
	}
	if n < len(s) && s[n] == 'Z' {
		n++
	} else if n < len(s) && (s[n] == '+' || s[n] == '-') && digits(s[n+1:], 2) == 2 {
		k := n + 3
		if k < len(s) && s[k] == ':' {
			k++
		}
		if digits(s[k:], 2) == 2 {
			n = k + 2
		}
	}
	if n < len(s) && isWord(s[n]) {
		return 0
	}
	return n
}

// isPort reports whether the number s[i:i+n] is a port: after
// "localhost:" or a bare ":" that starts a token (":8080").
func isPort(s string, i, n int) bool {
	if i == 0 || s[i-1] != ':' || (i+n < len(s) && isWord(s[i+n])) {
		return false
	}
	return i == 1 || isDelim(s[i-2]) || strings.HasSuffix(s[:i-1], "localhost")
}

// matchURL returns the length of a URL at the start of a token, without
// a trailing colon or period: where a test server listens and what it
// was asked for vary between runs, what went wrong with it does not.
func matchURL(tok string) int {
	k := 0
	for k < len(tok) && k <= 6 && isLetter(tok[k]) {
		k++
	}
	if k < 2 || !strings.HasPrefix(tok[k:], "://") {
		return 0
	}
	n := k + 3
	for n < len(tok) && !isSpace(tok[n]) && strings.IndexByte("\"'`<>()[]{}|,;", tok[n]) < 0 {
		n++
	}
	for n > k+3 && (tok[n-1] == ':' || tok[n-1] == '.') {
		n--
	}
	return n
}

// afterLookup returns the length of the host name at s[i:] when the
// normalized line so far, out, ends in "lookup " (Go's DNS errors, "lookup
// golang.org on 10.0.0.53:53: no such host"), the resolver address
// included: which name a test looked up and which resolver answered are
// the test's and the host's, while "no such host" is the cause. It looks
// at the output, not the input, so that a second pass sees what the first
// saw (a path "x/lookup" becomes "lookup" on the way).
func afterLookup(out []byte, s string, i int) int {
	// string(b) == "…" compiles to a comparison, with no copy.
	if len(out) < 7 || string(out[len(out)-7:]) != "lookup " || (len(out) > 7 && isWord(out[len(out)-8])) {
		return 0
	}
	// Whatever stands where the name does is the name.
	n := i
	for n < len(s) && !isDelim(s[n]) && s[n] != ':' && s[n] != '<' {
		n++
	}
	if n == i {
		return 0
	}
	if rest := s[n:]; strings.HasPrefix(rest, " on ") {
		k := n + 4
		for k < len(s) && s[k] != ' ' {
			k++
		}
		if k > n+4 && s[k-1] == ':' {
			k--
		}
		n = k
	}
	return n - i
}

// matchIPv4 returns the length of a dotted-quad address, with its port
// if one follows, at the start of s.
func matchIPv4(s string) int {
	n := 0
	for part := 0; part < 4; part++ {
		d := digits(s[n:], 3)
		if d == 0 {
			return 0
		}
		n += d
		if part < 3 {
			if n >= len(s) || s[n] != '.' {
				return 0
			}
			n++
		}
	}
	if n < len(s) && (isWord(s[n]) || (s[n] == '.' && n+1 < len(s) && isDigit(s[n+1]))) {
		return 0
	}
	if n+1 < len(s) && s[n] == ':' && isDigit(s[n+1]) {
		if p := n + 1 + digits(s[n+1:], len(s)); p == len(s) || !isWord(s[p]) {
			n = p // a port, not the start of another token
		}
	}
	return n
}

// matchIPv6 returns the length of a bracketed IPv6 address, with its
// port if one follows ("[::1]:8080", "[fe80::1%eth0]:53").
func matchIPv6(s string) int {
	k := strings.IndexByte(s, ']')
	if k < 3 || k > 48 {
		return 0
	}
	colons := 0
	for i := 1; i < k; i++ {
		c := s[i]
		switch {
		case c == ':':
			colons++
		case isHex(c), c == '.', c == '%', isLetter(c):
		default:
			return 0
		}
	}
	if colons < 2 {
		return 0
	}
	n := k + 1
	if n+1 < len(s) && s[n] == ':' && isDigit(s[n+1]) {
		n += 1 + digits(s[n+1:], len(s))
	}
	return n
}
