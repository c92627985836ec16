package web

import (
	"net/http"
	"strconv"
)

// formatCount writes n with thin-space thousands separators (12 345 678), easy
// to read at a glance and unambiguous across locales.
func formatCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3*3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, "\u2009"...)
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

func statusText(code int) string { return strconv.Itoa(code) + " " + http.StatusText(code) }
