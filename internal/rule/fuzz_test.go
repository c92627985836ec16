package rule

import (
	"errors"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that any input either parses or fails with an *Error
// pointing inside it (or just past its end), that a parsed expression
// evaluates without panicking, and that its canonical form parses back to
// itself and agrees with it.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`test ~ "^net\.TestLookup" && text ~ "no such host"`,
		`!(os == "windows" || os == "linux") && branch != "main"`,
		"text ~ `a\\b` || signature == \"x\\\"y\"",
		`((((repo == "a/b"))))`,
		`test ~ "(?i)x" &&`, `"`, "`", `!`, `os == "\\"`, `test ~ "\\\""`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q): %T %v, want *Error", src, err, err)
			}
			if n := utf8.RuneCountInString(src); pe.Column < 1 || pe.Column > n+1 {
				t.Fatalf("Parse(%q): column %d outside 1..%d", src, pe.Column, n+1)
			}
			return
		}
		e.Eval(lookup.Without(Text))
		got := e.Match(lookup)
		checkLiterals(t, e, lookup)
		c := e.Canonical()
		again, err := Parse(c)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", c, src, err)
		}
		if again.Canonical() != c {
			t.Fatalf("canonical form is not stable: %q then %q", c, again.Canonical())
		}
		if again.Match(lookup) != got {
			t.Fatalf("%q and its canonical form %q disagree", src, c)
		}
	})
}

// FuzzTextLiterals checks the text filter against texts: a regular
// expression that matches a text must find one of its literals in it.
func FuzzTextLiterals(f *testing.F) {
	for _, s := range [][2]string{
		{"no such host|timed out", "lookup x: no such host"},
		{"(a|b)c+d", "xxbccd"},
		{"lookup .* host", "lookup golang.org: no such host"},
		{"é+ñ", "aéñ"},
		{"a{2}b|c", "aab"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, re, text string) {
		e, err := Parse("text ~ " + quote(re))
		if err != nil || !utf8.ValidString(text) {
			return
		}
		f := lookup
		f.Text = text
		checkLiterals(t, e, f)
	})
}
