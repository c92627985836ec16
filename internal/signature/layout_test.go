package signature

import (
	"strings"
	"testing"
)

// layouts are ways the same failure text reaches triaged wrapped
// differently: by a CI system's log, a terminal, an issue tracker or a web
// page's copy. None of them says anything about the failure, so none may
// change a signature.
var layouts = []struct {
	name string
	wrap func(string) string
}{
	{"CRLF line ends", func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }},
	{"GitHub Actions timestamps", eachLine(func(l string) string { return "2024-01-01T00:00:00.1234567Z " + l })},
	{"Jenkins timestamps", eachLine(func(l string) string { return "[2024-01-01T00:00:00.000Z] " + l })},
	{"clock times", eachLine(func(l string) string { return "00:24:56 " + l })},
	{"markdown fence", func(s string) string { return "```console\n" + s + "```\n" }},
	{"<details> block", func(s string) string { return "<details>\n<summary>log</summary>\n\n" + s + "\n</details>\n" }},
	{"markdown code block indent", eachLine(func(l string) string { return "    " + l })},
	{"quoted", eachLine(func(l string) string { return "> " + l })},
	{"ANSI colours", eachLine(func(l string) string { return "\x1b[31m" + l + "\x1b[0m" })},
	{"doubled line breaks", func(s string) string { return strings.ReplaceAll(s, "\n", "\n\n") }},
	{"runner's summary after", func(s string) string { return s + "FAIL\nexit status 1\n" }},
	{"CI's summary after", func(s string) string { return s + "##[error]Process completed with exit code 1.\n" }},
}

// eachLine applies f to every line of a text.
func eachLine(f func(string) string) func(string) string {
	return func(s string) string {
		ls := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
		for i := range ls {
			ls[i] = f(ls[i])
		}
		return strings.Join(ls, "\n") + "\n"
	}
}

// TestLayoutInvariance wraps every corpus text in each layout and checks
// that its signature stays: a measure of generalization that needs no
// labels, since a second report of a bug is often the first one pasted
// another way.
func TestLayoutInvariance(t *testing.T) {
	texts := loadCorpus(t)
	want := make([]string, len(texts))
	for i, c := range texts {
		want[i] = Compute(c.text).Hash
	}
	for _, l := range layouts {
		changed := 0
		for i, c := range texts {
			if got := Compute(l.wrap(c.text)); got.Hash != want[i] {
				if changed++; changed <= 3 {
					t.Errorf("%s: %s signs %s wrapped, %s as is:\n%s", l.name, c.file, got.Hash, want[i], got.Normalized)
				}
			}
		}
		t.Logf("%-28s %d of %d texts sign differently", l.name, changed, len(texts))
	}
}
