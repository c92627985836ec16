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

// TestRealGrouping signs real failure texts made on this machine (see each
// fixture's header) and checks which of them group: every text of a
// group shares one signature, and no two groups share one.
func TestRealGrouping(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		groups [][]string
	}{
		{
			name: "cargo test: values vary, a shared cause groups, assertions stay with their test",
			file: "rust-cargo-test.txt",
			groups: [][]string{
				{"1/tests::adds_flakily", "2/tests::adds_flakily"},
				{"1/tests::adds_flakily_twice", "2/tests::adds_flakily_twice"},
				{"1/tests::connects", "2/tests::connects", "1/tests::connects_again", "2/tests::connects_again"},
				{"1/tests::ideal", "2/tests::ideal"},
			},
		},
		{
			name: "node:test, TAP and spec reporters alike",
			file: "node-test.txt",
			groups: [][]string{
				{"tap1/adds flakily", "tap2/adds flakily", "spec1/adds flakily", "spec2/adds flakily"},
				{"tap1/ok flakily", "tap2/ok flakily", "spec1/ok flakily", "spec2/ok flakily"},
				{"tap1/connects", "tap2/connects", "spec1/connects", "spec2/connects"},
				{"tap1/throws", "tap2/throws", "spec1/throws", "spec2/throws"},
			},
		},
		{
			name: "jest",
			file: "jest.txt",
			groups: [][]string{
				{"1/adds › flakily", "2/adds › flakily"},
				{"1/adds › flakily twice", "2/adds › flakily twice"},
				{"1/connects", "2/connects"},
				{"1/times out", "2/times out"},
			},
		},
		{
			name: "mocha, with a wrapped title",
			file: "mocha.txt",
			groups: [][]string{
				{"1/connects", "2/connects"},
				{"1/times out", "2/times out"},
				{"1/adds flakily", "2/adds flakily"},
				{"1/adds flakily with a long title that the reporter may wrap somewhere in the middle of it",
					"2/adds flakily with a long title that the reporter may wrap somewhere in the middle of it"},
			},
		},
		{
			// One class's tests failing the same check are keyed as one
			// family: the corpus's clusters say so (README.md).
			name: "JUnit 4: root causes group across tests, assertions by class and check",
			file: "junit4.txt",
			groups: [][]string{
				{"1/addsFlakily(com.example.FlakyTest)", "2/addsFlakily(com.example.FlakyTest)",
					"1/addsFlakilyTwice(com.example.FlakyTest)", "2/addsFlakilyTwice(com.example.FlakyTest)"},
				{"1/namesFlakily(com.example.FlakyTest)", "2/namesFlakily(com.example.FlakyTest)"},
				{"1/connects(com.example.FlakyTest)", "2/connects(com.example.FlakyTest)",
					"1/connectsAgain(com.example.FlakyTest)", "2/connectsAgain(com.example.FlakyTest)"},
				{"1/ideally(com.example.FlakyTest)", "2/ideally(com.example.FlakyTest)"},
			},
		},
		{
			name: "GoogleTest, with the instances of a parametrized test as one",
			file: "gtest.txt",
			groups: [][]string{
				{"1/Adder.Flakily", "2/Adder.Flakily"},
				{"1/Adder.FlakilyTwice", "2/Adder.FlakilyTwice"},
				{"1/Timer.FiresInTime", "2/Timer.FiresInTime"},
				{"1/Small/Param.Positive/0", "2/Small/Param.Positive/0", "1/Small/Param.Positive/1", "2/Small/Param.Positive/1"},
			},
		},
		{
			name: ".NET: xUnit, NUnit and inner exceptions",
			file: "dotnet.txt",
			groups: [][]string{
				{"1/xunit/AddsFlakily", "2/xunit/AddsFlakily", "1/xunit/AddsFlakilyTwice"},
				{"1/xunit/Connects", "1/xunit/ConnectsAgain"},
				{"1/nunit/Waits", "2/nunit/Waits"},
				{"1/unhandled/Worker", "2/unhandled/Worker"},
			},
		},
		{
			name: "pytest: long and native tracebacks and the summary line agree",
			file: "pytest.txt",
			groups: [][]string{
				{"long1/test_adds", "long2/test_adds", "native1/test_adds", "native2/test_adds", "summary1/test_adds", "summary2/test_adds"},
				{"long1/test_names", "long2/test_names", "native1/test_names", "native2/test_names"},
				// The summary line is cut to the terminal's width.
				{"summary1/test_names", "summary2/test_names"},
				{"long1/test_positive[1]", "long2/test_positive[2]", "native1/test_positive[1]", "native2/test_positive[2]",
					"summary1/test_positive[1]", "summary2/test_positive[2]"},
				{"long1/test_connects", "long2/test_connects_again", "native1/test_connects", "native2/test_connects_again"},
				{"summary1/test_connects", "summary2/test_connects"},
				{"summary1/test_connects_again", "summary2/test_connects_again"},
				{"long1/CacheTest.test_ideal", "long2/CacheTest.test_ideal", "native1/CacheTest.test_ideal", "native2/CacheTest.test_ideal"},
				{"summary1/test_ideal", "summary2/test_ideal"},
			},
		},
		{
			name:   "sanitizers",
			file:   "sanitizers.txt",
			groups: [][]string{{"asan/use-after-free"}, {"tsan/race"}, {"ubsan/overflow"}, {"lsan/leak"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			names, texts := loadReal(t, tt.file)
			sig := map[string]Signature{}
			for i, n := range names {
				sig[n] = Compute(texts[i])
			}
			groupOf := map[string]int{}
			for g, group := range tt.groups {
				for _, n := range group {
					if _, ok := sig[n]; !ok {
						t.Fatalf("no text %q in %s", n, tt.file)
					}
					groupOf[n] = g
				}
			}
			for a, ga := range groupOf {
				for b, gb := range groupOf {
					if a >= b {
						continue
					}
					same := sig[a].Hash == sig[b].Hash
					switch {
					case ga == gb && !same:
						t.Errorf("%s and %s signed differently:\n%s\n--- and ---\n%s", a, b, sig[a].Normalized, sig[b].Normalized)
					case ga != gb && same:
						t.Errorf("%s and %s share signature:\n%s", a, b, sig[a].Normalized)
					}
				}
			}
			for _, n := range names {
				if testing.Verbose() {
					t.Logf("%s: %q", n, sig[n].Title)
				}
			}
		})
	}
}

// TestRealPythonScript is the flaky script of issue 13: its stdout, before
// or after the traceback, is neither its signature nor its title.
func TestRealPythonScript(t *testing.T) {
	names, texts := loadReal(t, "python-script.txt")
	first := Compute(texts[0])
	for i, text := range texts {
		s := Compute(text)
		if s.Title != "AssertionError" {
			t.Errorf("%s: title %q, want AssertionError", names[i], s.Title)
		}
		if s.Hash != first.Hash {
			t.Errorf("%s signed %q, %s %q", names[i], s.Normalized, names[0], first.Normalized)
		}
	}
}
