package web

import (
	"context"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/triaged/triaged/internal/stats"
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

// percent formats a rate for people: three significant digits, enough for
// the rare failures flaky tests have (0.0312%).
func percent(rate float64) string {
	switch {
	case rate == 0:
		return "0%"
	case rate >= 0.1:
		return strconv.FormatFloat(rate*100, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(rate*100, 'g', 3, 64) + "%"
}

// interval formats a 95% interval.
func interval(low, high float64) string {
	return percent(low) + " – " + percent(high)
}

// ago says how long ago t was, coarsely.
func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " min ago"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " h ago"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + " days ago"
}

// stamp is an absolute UTC time for title attributes and tables.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// short abbreviates a commit id.
func short(rev string) string {
	if len(rev) > 10 {
		return rev[:10]
	}
	return rev
}

func itoa[T ~int | ~int32 | ~int64](n T) string { return strconv.FormatInt(int64(n), 10) }

func idPath(prefix string, id int64) templ.SafeURL {
	return templ.SafeURL(prefix + strconv.FormatInt(id, 10))
}

func revisionPath(repo, rev string) templ.SafeURL {
	return templ.SafeURL("/revisions/" + url.PathEscape(rev) + "?repo=" + url.QueryEscape(repo))
}

// barX maps a rate to 0–100 on a square-root scale, which spreads the small
// rates flaky tests have without hiding large ones.
func barX(rate float64) float64 { return 100 * math.Sqrt(math.Max(0, math.Min(1, rate))) }

func agoPtr(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return ago(*t)
}

func joinArgs(args []string) string { return strings.Join(args, " ") }

func rateOf(failures, runs int) stats.Rate { return stats.NewRate(failures, runs) }

func stampPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return stamp(*t)
}

func runnerAction(disabled bool) string {
	if disabled {
		return "/enable"
	}
	return "/disable"
}

// dotParts splits a test name after each dot or slash, keeping them.
func dotParts(name string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(name); i++ {
		if (name[i] == '.' || name[i] == '/' || name[i] == ':') && i+1 < len(name) {
			parts = append(parts, name[start:i+1])
			start = i + 1
		}
	}
	return append(parts, name[start:])
}

// plural says "1 failure", "2 failures".
func plural[T ~int | ~int64](n T, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return itoa(n) + " " + noun + "s"
}

// dotted shows a dotted test name with break opportunities after each dot,
// so long names wrap at their parts on narrow screens. Every part is
// escaped.
func dotted(name string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		for i, part := range dotParts(name) {
			if i > 0 {
				if _, err := io.WriteString(w, "<wbr>"); err != nil {
					return err
				}
			}
			if _, err := io.WriteString(w, templ.EscapeString(part)); err != nil {
				return err
			}
		}
		return nil
	})
}

// days says a window in whole days: "30 days".
func days(d time.Duration) string { return plural(int64(d/(24*time.Hour)), "day") }

// osName names a runner OS, which CI uploads may leave empty.
func osName(os string) string {
	if os == "" {
		return "unknown OS"
	}
	return os
}

// reposText lists the repos a token is bound to, or says it has none.
func reposText(repos []string) string {
	if len(repos) == 0 {
		return "any"
	}
	return strings.Join(repos, ", ")
}
