package issue

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/triaged/triaged/internal/stats"
)

// Limits of what an issue carries: GitHub refuses bodies over 65536
// characters and titles over 256.
const (
	maxTitle   = 256
	maxExample = 8000 // bytes of failure text quoted
	maxListed  = 10   // tests and hosts listed
)

// Report is what an issue says of a signature.
type Report struct {
	Tracker, Repo string
	Hash, Title   string
	// Rate is the signature's failures over the runs of the tests it
	// hits, over Window.
	Rate      stats.Rate
	Window    time.Duration
	Why       string // the threshold it crossed
	FirstSeen time.Time
	Tests     []Count
	Hosts     []Count
	// Example is one failure's text, as stored.
	Example, ExampleTest string
	// Link is the signature's page on triaged ("" without --public-url).
	Link string
}

// Count is a test's or a host's failures.
type Count struct {
	Name     string
	Failures int
}

// Marker is the hidden line every issue body carries, naming the tracker
// and the signature, so that an issue created just before a crash is
// found again rather than filed twice.
func Marker(tracker, hash string) string {
	return "<!-- triaged:signature " + tracker + " " + hash + " -->"
}

// Title is the issue's title: the signature's, as a person would quote
// it, one line, within GitHub's limit.
func Title(r Report) string {
	t := oneLine(r.Title)
	if t == "" {
		t = "signature " + r.Hash
	}
	return clip("flaky: "+t, maxTitle)
}

// Body is the issue's body in GitHub Markdown. Everything that came from
// test output is escaped: names in code spans, the example in a fence
// longer than any run of backticks inside it.
func Body(r Report) string {
	var b strings.Builder
	days := int(r.Window / (24 * time.Hour))
	fmt.Fprintf(&b, "triaged filed this issue because %s.\n\n", oneLine(r.Why)) // our own words, from numbers
	fmt.Fprintf(&b, "- **Signature:** %s %s\n", CodeSpan(r.Hash), Escape(oneLine(r.Title)))
	fmt.Fprintf(&b, "- **Repository:** %s\n", CodeSpan(r.Repo))
	fmt.Fprintf(&b, "- **Rate:** %s in the last %d days (%d failures in %d runs of the tests it hits; 95%% CI %s–%s)\n",
		pct(r.Rate.Rate), days, r.Rate.Failures, r.Rate.Runs, pct(r.Rate.Low), pct(r.Rate.High))
	if r.Rate.Failures > 0 {
		fmt.Fprintf(&b, "- **Interval:** about one failure every %s runs; %d runs see it at least once with 95%% confidence\n",
			every(r.Rate.Rate), stats.RunsToSee(r.Rate.Rate))
	}
	if !r.FirstSeen.IsZero() {
		fmt.Fprintf(&b, "- **First seen:** %s\n", r.FirstSeen.UTC().Format("2006-01-02 15:04 UTC"))
	}
	list := func(title string, cs []Count) {
		if len(cs) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n**%s**\n\n", title)
		for i, c := range cs {
			if i == maxListed {
				fmt.Fprintf(&b, "- … and %d more\n", len(cs)-maxListed)
				break
			}
			fmt.Fprintf(&b, "- %s: %d failures\n", CodeSpan(c.Name), c.Failures)
		}
	}
	list("Tests", r.Tests)
	list("Hosts", r.Hosts)
	if r.Example != "" {
		ex := r.Example
		cut := ""
		if len(ex) > maxExample {
			ex = strings.ToValidUTF8(ex[:maxExample], "")
			cut = fmt.Sprintf("\n(%d more bytes on triaged)", len(r.Example)-len(ex))
		}
		fmt.Fprintf(&b, "\n**Example** (%s)\n\n%s%s\n", CodeSpan(r.ExampleTest), CodeBlock(ex), Escape(cut))
	}
	if r.Link != "" {
		fmt.Fprintf(&b, "\n[See it on triaged](%s): rates, hosts and every failure.\n", r.Link)
	}
	b.WriteString("\n" + Marker(r.Tracker, r.Hash) + "\n")
	return b.String()
}

// GoneComment is the comment an issue is closed with: the numbers that
// say the failure is gone.
func GoneComment(g stats.GoneCheck, link string) string {
	s := "triaged closes this issue: the failure is gone with 95% confidence.\n\n" + g.String() + ".\n" // numbers only
	if link != "" {
		s += "\n[See it on triaged](" + link + ").\n"
	}
	return s + "\nIf it fails again, triaged reopens this issue."
}

// RecurComment is the comment when a closed issue's failure is back.
func RecurComment(failures int, since time.Time, reopen bool, link string) string {
	s := fmt.Sprintf("The failure is back: %d failures since this issue was closed on %s.", failures, since.UTC().Format("2006-01-02 15:04 UTC"))
	if reopen {
		s = "triaged reopens this issue. " + s
	}
	if link != "" {
		s += "\n\n[See it on triaged](" + link + ")."
	}
	return s
}

// Escape makes plain text safe in Markdown: every ASCII punctuation
// character a construct could start with is backslash-escaped (CommonMark
// allows escaping any of them); @ and # are followed by an invisible word
// joiner (U+2060), since GitHub's mentions and issue references are not
// CommonMark and a backslash is not documented to stop them; control
// characters go.
func Escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
		case r == '@':
			b.WriteString("@\u2060")
		case r == '#':
			b.WriteString("\\#\u2060")
		case r < 128 && strings.ContainsRune("\\`*_{}[]()<>+-.!|~=&:", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// CodeSpan writes s as inline code, fenced with more backticks than any
// run inside it, on one line.
func CodeSpan(s string) string {
	s = oneLine(s)
	if s == "" {
		return "` `"
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	return fence + pad + s + pad + fence
}

// CodeBlock writes s as a fenced code block whose fence is longer than
// any run of backticks in s, so nothing inside can end it early.
func CodeBlock(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) && !unicode.Is(unicode.Bidi_Control, r) {
			b.WriteRune(r)
		}
	}
	s = strings.TrimRight(b.String(), "\n")
	fence := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	return fence + "text\n" + s + "\n" + fence
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// oneLine joins lines and drops control characters.
func oneLine(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func pct(p float64) string {
	switch {
	case p == 0:
		return "0%"
	case p >= 0.1:
		return fmt.Sprintf("%.1f%%", 100*p)
	}
	return fmt.Sprintf("%.3g%%", 100*p)
}

func every(p float64) string {
	if p <= 0 {
		return "∞"
	}
	return fmt.Sprintf("%.0f", 1/p)
}
