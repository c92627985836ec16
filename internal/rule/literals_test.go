package rule

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTextLiterals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr string
		want []string // nil: no filter
	}{
		{`text ~ "no such host"`, []string{"no such host"}},
		{`test ~ "^net\." && text ~ "no such host"`, []string{"no such host"}},
		{`text ~ "WinError 10054|forcibly closed"`, []string{"WinError 10054", "forcibly closed"}},
		{`text ~ "lookup .* no such host"`, []string{" no such host"}},
		{`text ~ "(timeout|deadline) exceeded"`, []string{" exceeded"}},
		{`text ~ "x+y"`, []string{"x"}},
		{`text ~ "a{2,}bc"`, []string{"bc"}},
		{`text ~ "(?i)no such host"`, nil},
		{`text ~ "a*"`, nil},
		{`text ~ "\d+"`, nil},
		{`!(text ~ "x")`, nil},
		{`text ~ "abc" || os == "linux"`, nil},
		{`text ~ "abc" || text == "xyz"`, []string{"abc", "xyz"}},
		{`text ~ "ab" && text ~ "longer one"`, []string{"longer one"}},
		{`os == "linux"`, nil},
	}
	for _, tt := range tests {
		e, err := Parse(tt.expr)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := e.TextLiterals()
		if ok != (tt.want != nil) {
			t.Errorf("%s: ok=%v, want a filter %v", tt.expr, ok, tt.want)
			continue
		}
		if diff := cmp.Diff(tt.want, got); ok && diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.expr, diff)
		}
	}
}

// checkLiterals fails when e matches text although text contains none of
// its literals: the filter must never drop a match.
func checkLiterals(t *testing.T, e *Expr, f Fields) {
	lits, ok := e.TextLiterals()
	if !ok || !e.Match(f) {
		return
	}
	for _, l := range lits {
		if strings.Contains(f.Text, l) {
			return
		}
	}
	t.Fatalf("%s matches %q, which contains none of its literals %q", e, f.Text, lits)
}
