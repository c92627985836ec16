package web

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzSafeNext checks that whatever safeNext lets through, resolved against
// this site the way a browser resolves a Location header, stays on this
// site and is not a path that a later hop could read as a host.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/runners", "/\t/evil", "//evil", "/\\evil", "/%2F%2Fevil", "/.//evil", "https://evil", "/a?b=//c#d"} {
		f.Add(s)
	}
	site, _ := url.Parse("https://triaged.example/campaigns/")
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got != "/" && got != next {
			t.Fatalf("safeNext(%q) = %q: want the input or /", next, got)
		}
		// What a browser does first: drop tabs and newlines, read \ as /.
		clean := strings.ReplaceAll(strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(got), "\\", "/")
		u, err := site.Parse(clean)
		if err != nil {
			t.Fatalf("safeNext(%q) = %q, which does not parse: %v", next, got, err)
		}
		if u.Host != site.Host || u.Scheme != site.Scheme || strings.HasPrefix(u.Path, "//") || strings.Contains(u.Path, "\\") {
			t.Fatalf("safeNext(%q) = %q leads to %s", next, got, u)
		}
	})
}
