package web

import (
	"fmt"
	"strings"
)

// bidiControls are the characters that reorder the text around them
// without being seen (the "Trojan Source" characters): the embeddings and
// overrides U+202A–U+202E, the isolates U+2066–U+2069, and the marks
// U+200E, U+200F and U+061C. In a test name or a failure text they can
// make what a page shows differ from what is stored, e.g.
// "test_\u202egnp.exe" reading as "test_exe.png".
var bidiControls = []rune{
	'\u061c', '\u200e', '\u200f',
	'\u202a', '\u202b', '\u202c', '\u202d', '\u202e',
	'\u2066', '\u2067', '\u2068', '\u2069',
}

// visibleBidi replaces each bidi control with its escape, as \u202e, so
// that it shows instead of acting.
var visibleBidi = func() *strings.Replacer {
	var pairs []string
	for _, r := range bidiControls {
		pairs = append(pairs, string(r), fmt.Sprintf(`\u%04x`, r))
	}
	return strings.NewReplacer(pairs...)
}()

// visible returns s with bidi controls shown as escapes. Pages apply it to
// everything they render (see render), so every name and text on them is
// covered, including attributes such as titles; no template writes these
// characters on purpose.
func visible(s string) string { return visibleBidi.Replace(s) }
