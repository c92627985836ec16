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

// percent formats a rate for people, as the CLI does (stats.Percent).
func percent(rate float64) string { return stats.Percent(rate) }

// interval formats a 95% interval.
func interval(low, high float64) string {
	return percent(low) + " – " + percent(high)
}

// bound says what a rate's 95% interval is, by the one convention
// (stats.NewRate): "95% interval 1.2% – 4.5%" with failures, "95% upper
// bound 1.49%, exact one-sided" without.
func bound(r stats.Rate) string {
	if r.ZeroFailures() {
		return "95% upper bound " + percent(r.High) + ", " + stats.ExactOneSided
	}
	return "95% interval " + interval(r.Low, r.High)
}

// boundShort is bound inside a column already headed "95% interval".
func boundShort(r stats.Rate) string {
	if r.ZeroFailures() {
		return "below " + percent(r.High) + " (" + stats.ExactOneSided + ")"
	}
	return interval(r.Low, r.High)
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

// plural says "1 failure", "2 failures".
func plural[T ~int | ~int64](n T, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return itoa(n) + " " + noun + "s"
}

// dotted shows a test id with break opportunities after each separator
// (".", "/", "::"), inside a span that never breaks mid-word, so a long
// id wraps at its parts on narrow screens. Every part is escaped.
func dotted(name string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		if _, err := io.WriteString(w, `<span class="tid">`); err != nil {
			return err
		}
		for i, part := range testParts(name) {
			if i > 0 {
				if _, err := io.WriteString(w, "<wbr>"); err != nil {
					return err
				}
			}
			if _, err := io.WriteString(w, templ.EscapeString(part)); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, "</span>")
		return err
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
