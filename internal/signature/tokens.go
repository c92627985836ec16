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
