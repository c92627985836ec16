package signature

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// loadReal reads a fixture of testdata/real: '#' header lines saying how
// it was produced, then texts, each after a "##### name" line.
func loadReal(t *testing.T, file string) (names, texts []string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "real", file))
	if err != nil {
		t.Fatal(err)
	}
	for _, block := range strings.Split(string(b), "##### ")[1:] {
		name, text, _ := strings.Cut(block, "\n")
		names = append(names, name)
		texts = append(texts, text)
	}
	return names, texts
}

// TestRealGoNoDNS is the first case of issue 13: one cause, a host with
// no DNS, fails many tests of Go's net package, and a triager wants one
// group for it, titled with the error rather than a t.Log line.
func TestRealGoNoDNS(t *testing.T) {
	names, texts := loadReal(t, "go-net-no-dns.txt")
	groups := map[string][]string{}
	titles := map[string]string{}
	for i, text := range texts {
		s := Compute(text)
		groups[s.Hash] = append(groups[s.Hash], names[i])
		titles[s.Hash] = s.Title
		if strings.Contains(text, "no such host") && s.Title != "lookup <HOST>: no such host" {
			t.Errorf("%s: title %q, want the lookup error", names[i], s.Title)
		}
	}
	var dns []string
	for h, g := range groups {
		if strings.Contains(titles[h], "no such host") {
			dns = append(dns, g...)
			if len(g) < 10 {
				t.Errorf("no such host group %q hits %d tests, want all of them: %v", titles[h], len(g), g)
			}
		}
	}
	if len(groups) > 8 || testing.Verbose() {
		for h, g := range groups {
			t.Logf("%s %q: %v", h, titles[h], g)
		}
		t.Errorf("%d signatures for %d failing tests", len(groups), len(texts))
	}
}
