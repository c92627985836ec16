package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/triaged/triaged/internal/signature"
)

// writeExplanation prints an Explanation for people: the signature, the
// format, then every line of the text with what became of it. Kept lines
// show the key line they gave and each masked token with its kind, so
// that two failures' explanations can be compared side by side.
func writeExplanation(out io.Writer, file string, ex *signature.Explanation) error {
	w := bufio.NewWriter(out)
	fmt.Fprintf(w, "== %s\n", file)
	fmt.Fprintf(w, "signature %s (algorithm %d), format %s\n", ex.Signature.Hash, ex.Signature.Algorithm, ex.Format)
	fmt.Fprintf(w, "title: %s\n", ex.Signature.Title)
	for _, n := range ex.Lines {
		switch {
		case n.Count > 1:
			fmt.Fprintf(w, "%6d-%d  dropped: %s\n", n.Line, n.Line+n.Count-1, n.Dropped)
			continue
		case len(n.Kept) > 0 && n.Dropped == "":
			fmt.Fprintf(w, "%6d  kept     %s\n", n.Line, printable(n.Text))
		default:
			fmt.Fprintf(w, "%6d  dropped  %s  (%s)\n", n.Line, printable(n.Text), n.Dropped)
		}
		if n.Prefix != "" {
			fmt.Fprintf(w, "          log prefix removed: %q\n", n.Prefix)
		}
		for _, k := range n.Kept {
			writeKeyLine(w, k)
		}
	}
	for _, k := range ex.Derived {
		fmt.Fprintf(w, "   (derived)\n")
		writeKeyLine(w, k)
	}
	fmt.Fprintln(w)
	return w.Flush()
}

func writeKeyLine(w io.Writer, k signature.KeyLine) {
	what := "key"
	if k.Duplicate {
		what = "key (same as the line before: not hashed again)"
	}
	fmt.Fprintf(w, "          %s: %s\n", what, k.Normalized)
	for _, m := range k.Masks {
		fmt.Fprintf(w, "            masked %s %q as %s\n", m.Kind, m.Text, m.As)
	}
	if k.Note != "" {
		fmt.Fprintf(w, "            %s\n", k.Note)
	}
}

// printable shows a line of the text with its control bytes escaped.
func printable(s string) string {
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		q := fmt.Sprintf("%q", s)
		return q[1 : len(q)-1]
	}
	return s
}
