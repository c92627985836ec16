package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// MaxDuration is the longest duration a report may give a test. Longer is
// refused as absurd rather than stored: ingest keeps at most a week.
const MaxDuration = 7 * 24 * time.Hour

// MaxIteration bounds the native document's iteration and attempt: the
// store keeps them as 32-bit integers, and a wrapped number would file a
// result under somebody else's iteration.
const MaxIteration = math.MaxInt32

// parseDuration reads a plain decimal number of units ("0.25", "12",
// "1e-3"), refusing anything else, negative or over MaxDuration.
func parseDuration(s string, unit time.Duration) (time.Duration, error) {
	if !isDecimal(s) {
		return 0, fmt.Errorf("duration %q is not a decimal number", s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("duration %q: %w", s, err)
	}
	return durationOf(f, unit)
}

// durationOf converts f units to a Duration within [0, MaxDuration].
func durationOf(f float64, unit time.Duration) (time.Duration, error) {
	switch {
	case math.IsNaN(f):
		return 0, fmt.Errorf("duration is not a number")
	case f < 0:
		return 0, fmt.Errorf("duration %g is negative", f)
	case f*float64(unit) > float64(MaxDuration):
		return 0, fmt.Errorf("duration %g%s is longer than %v", f, unitName(unit), MaxDuration)
	}
	return time.Duration(f * float64(unit)), nil
}

func unitName(u time.Duration) string {
	switch u {
	case time.Millisecond:
		return "ms"
	case time.Microsecond:
		return "µs"
	}
	return "s"
}

// isDecimal accepts an optional minus, digits with at most one point, and
// an optional exponent: what runners print, and not Inf, NaN, hex or "1_0".
func isDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	mant, exp, hasExp := strings.Cut(strings.ToLower(s), "e")
	digits, points := 0, 0
	for i := 0; i < len(mant); i++ {
		switch c := mant[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			points++
		default:
			return false
		}
	}
	if digits == 0 || points > 1 {
		return false
	}
	if hasExp {
		exp = strings.TrimLeft(exp, "+-")
		if exp == "" || strings.Trim(exp, "0123456789") != "" {
			return false
		}
	}
	return true
}

// controlChar returns the first control character in s, if any. Test ids
// with them are refused: they are invisible on a page, and NUL cannot be
// stored.
func controlChar(s string) (rune, bool) {
	for _, r := range s {
		if unicode.IsControl(r) {
			return r, true
		}
	}
	return 0, false
}

// stripANSI removes terminal escape sequences (colours) that runners print
// when told to, so that ids and verdict words read the same either way.
func stripANSI(s string) string {
	if strings.IndexByte(s, 0x1b) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != 0x1b {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';' || s[j] == '?') {
				j++
			}
			if j < len(s) {
				i = j // the final letter
				continue
			}
		}
	}
	return b.String()
}
