package issue

import (
	"strings"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/stats"
)

func TestThreshold(t *testing.T) {
	t.Parallel()
	th := DefaultThreshold
	for _, tt := range []struct {
		f    Facts
		want bool
	}{
		{Facts{FailingRuns: 3, Revisions: 2}, true},
		{Facts{FailingRuns: 3, Revisions: 1}, false},
		{Facts{FailingRuns: 2, Revisions: 2}, false},
		{Facts{FailingRuns: 1, Revisions: 1, Broken: true}, true},
	} {
		if got, why := th.Crosses(tt.f); got != tt.want || got && why == "" {
			t.Errorf("Crosses(%+v) = %v %q, want %v", tt.f, got, why, tt.want)
		}
	}
}

func TestParseRoutes(t *testing.T) {
	t.Parallel()
	got, err := ParseRoutes([]string{"python/cpython", " golang/go = golang/flakes "})
	if err != nil || len(got) != 2 || got[0] != (Route{"python/cpython", "python/cpython"}) || got[1] != (Route{"golang/go", "golang/flakes"}) {
		t.Errorf("ParseRoutes = %+v, %v", got, err)
	}
	for _, bad := range [][]string{{"nope"}, {"a/b=c"}, {"a/b", "a/b=c/d"}} {
		if _, err := ParseRoutes(bad); err == nil {
			t.Errorf("ParseRoutes(%q) accepted it", bad)
		}
	}
}

// TestBodyEscapes feeds the body failure text and names that would break
// out of their Markdown, mention people or close issues.
func TestBodyEscapes(t *testing.T) {
	t.Parallel()
	evil := "AssertionError: ```\n# Heading\n@octocat fixes #1 <img src=x onerror=alert(1)> [x](javascript:alert(1))\n````"
	r := Report{Tracker: "o/t", Repo: "o/r", Hash: "ab12", Title: "AssertionError: @octocat `x`\n[link](http://evil)",
		Rate: stats.NewRate(3, 100), Window: 7 * 24 * time.Hour, Why: "it failed 3 runs on 2 revisions in 7 days",
		Tests: []Count{{"test_`x`_@octocat", 3}}, Hosts: []Count{{"win-1", 3}}, Example: evil, ExampleTest: "t", Link: "https://triaged.example/signatures/1"}
	b := Body(r)
	// The example sits in a fence longer than the longest run inside it.
	if !strings.Contains(b, "`````text\n"+evil+"\n`````") {
		t.Errorf("example not fenced safely:\n%s", b)
	}
	outside := strings.Replace(b, evil, "", 1)
	for _, bad := range []string{"@octocat", "[link](", "# Heading"} {
		if strings.Contains(strings.ReplaceAll(outside, "`test_`x`_@octocat`", ""), bad) {
			t.Errorf("body has %q outside code:\n%s", bad, b)
		}
	}
	if !strings.Contains(b, "``test_`x`_@octocat``") {
		t.Errorf("test name not in a code span:\n%s", b)
	}
	if !strings.HasSuffix(strings.TrimSpace(b), Marker("o/t", "ab12")) {
		t.Errorf("body does not end with its marker:\n%s", b)
	}
	if title := Title(r); strings.Contains(title, "\n") || !strings.HasPrefix(title, "flaky: AssertionError") {
		t.Errorf("title %q", title)
	}
	if long := Title(Report{Title: strings.Repeat("x", 1000)}); len([]rune(long)) != maxTitle {
		t.Errorf("title of %d characters", len([]rune(long)))
	}
}

func TestEscape(t *testing.T) {
	t.Parallel()
	if got := Escape("a_b*c @me <x>\x00 #1"); got != "a\\_b\\*c @\u2060me \\<x\\> \\#\u20601" {
		t.Errorf("Escape = %q", got)
	}
	if got := CodeSpan("``"); got != "``` `` ```" {
		t.Errorf("CodeSpan = %q", got)
	}
}

func TestNext(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		s    State
		want Want
	}{
		{"closed, quiet", State{ClosedAt: now.Add(-time.Hour)}, Nothing},
		{"closed, back", State{ClosedAt: now.Add(-time.Hour), FailuresSince: 2}, Recur},
		{"open, gone", State{Open: true, LastFailure: now.Add(-72 * time.Hour), BeforeFailures: 20, BeforeRuns: 1000, AfterRuns: 1500, SyncedAt: now}, Close},
		{"open, quiet but too few runs", State{Open: true, LastFailure: now.Add(-720 * time.Hour), BeforeFailures: 20, BeforeRuns: 1000, AfterRuns: 100, SyncedAt: now}, Nothing},
		{"open, failing, not read for a day", State{Open: true, LastFailure: now.Add(-time.Minute), BeforeFailures: 20, BeforeRuns: 1000, SyncedAt: now.Add(-24 * time.Hour)}, Sync},
		{"open, failing, read lately", State{Open: true, LastFailure: now.Add(-time.Minute), BeforeFailures: 20, BeforeRuns: 1000, SyncedAt: now.Add(-time.Minute)}, Nothing},
	} {
		if got, g := Next(tt.s, now, time.Hour); got != tt.want || got == Close && !g.Gone {
			t.Errorf("%s: Next = %q (%+v), want %q", tt.name, got, g, tt.want)
		}
	}
}
