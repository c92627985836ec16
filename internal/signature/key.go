package signature

import "strings"

// key accumulates the reason of one failure: the normalized lines that
// are hashed, and the title.
type key struct {
	// lines is the window of the text, log prefixes removed.
	lines []string
	// cut is the index in lines of a line the text ends in the middle
	// of, or -1.
	cut   int
	kind  string
	m     masker
	parts []string
	title string
	buf   []byte
	// values, when set, makes addMsg hash quoted strings as <STR>: in a
	// test's own assertion ("addr = \"\"; want \"RA:…\"") they are the
	// values compared, which vary between runs of a flaky test, and the
	// test in the key keeps the signature specific.
	values bool
	// ex, when set, records what each key line came from, for Explain.
	ex *explainer
	// off are the rules switched off, for measurement; Compute switches
	// none off.
	off rule
}

// rule is one of the rules that trade grouping for splitting, by bit.
// Each can be switched off, so that TestCorpusGrouping measures what it
// adds on ecosystems and clusters it was not chosen on (README.md).
type rule uint32

const (
	// ruleTestID: where the runner's usual line is missing, any line
	// that names the test by its full id names it (managed.go, gotest.go).
	ruleTestID rule = 1 << iota
	// ruleClassFamily: a JVM or .NET assertion is keyed on its test
	// class, not the test method: the methods of one class failing on one
	// bug are one family (managed.go).
	ruleClassFamily
)

// rules names the rules, in the order TestCorpusGrouping reports them.
var rules = []struct {
	r    rule
	name string
}{
	{ruleTestID, "test id line"},
	{ruleClassFamily, "class family"},
}

// on reports whether rule r is in force.
func (k *key) on(r rule) bool { return k.off&r == 0 }

// maxKeyWords is how many blank-separated words of a message take part
// in the hash. Logs and issue trackers cut long lines at arbitrary
// points, and what follows the first words is mostly values; the head of
// a message says which failure it is. The training corpus scores the
// same with 6 to 16 (README.md); 10 keeps "http2: server sent GOAWAY and
// closed the connection" whole behind a request's prefix.
const maxKeyWords = 10

// add appends a normalized line, labelled when label is not empty; src is
// the index in k.lines it came from, or -1. A line equal to the one
// before it is dropped: how often a line repeats (a retry loop, a log
// spammed until a timeout) varies between runs.
func (k *key) add(label string, src int, raw string) string {
	return k.addLine(label, src, raw, false)
}

// addMsg appends a message line: like add, but only its first
// maxKeyWords words are hashed, and a final word the text was cut in is
// dropped. It returns the whole masked line, for the title.
func (k *key) addMsg(label string, src int, raw string) string {
	return k.addLine(label, src, raw, true)
}

func (k *key) addLine(label string, src int, raw string, msg bool) string {
	var rec []Mask
	if k.ex != nil {
		k.m.rec = &rec
	}
	k.buf = k.buf[:0]
	k.m.names = label == "test"
	k.buf = k.m.line(k.buf, raw)
	k.m.names = false
	k.m.rec = nil
	full := string(k.buf)
	l := full
	why := ""
	if msg {
		if (src >= 0 && src == k.cut) || len(raw) > maxLine || unbalancedQuote(l) || elided(l) {
			l = dropLastWord(l)
			why = "cut off: last word dropped"
		}
		if k.values {
			if v := maskBrackets(maskQuoted(l)); v != l {
				l = v
				why = joinWhy(why, "quoted values not hashed")
			}
		}
		if c := strings.Index(l, "; "); c > 0 {
			// The first clause names the failure; after a semicolon
			// come its details ("…; LastStreamID=1, ErrCode=…").
			l = l[:c]
			why = joinWhy(why, "details after \";\" not hashed")
		}
		if w, ok := firstWords(l, maxKeyWords); ok {
			l = w
			why = joinWhy(why, "words after the first "+itoa(maxKeyWords)+" not hashed")
		}
	}
	if label != "" {
		l = label + ": " + l
	}
	dup := len(k.parts) > 0 && k.parts[len(k.parts)-1] == l
	if !dup {
		k.parts = append(k.parts, l)
	}
	if k.ex != nil {
		k.ex.keyLine(src, l, rec, why, dup)
	}
	return full
}

// maskOnly returns the masked form of raw without adding it to the key,
// for a title that says more than the key hashes.
func (k *key) maskOnly(raw string) string {
	k.buf = k.m.line(k.buf[:0], raw)
	return string(k.buf)
}

func itoa(n int) string { return string(appendInt(nil, n)) }

// firstWords returns the first n blank-separated words of s, and whether
// there were more.
func firstWords(s string, n int) (string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			if n--; n == 0 {
				return s[:i], true
			}
		}
	}
	return s, false
}

// dropLastWord removes the word a cut line ends in: "…, ErrCode=NO_ER"
// and "…, ErrCode=NO_ERROR" are the same failure cut at another point.
func dropLastWord(s string) string {
	s = strings.TrimRight(strings.TrimSuffix(strings.TrimSuffix(s, "…"), "..."), " ")
	if k := strings.LastIndexByte(s, ' '); k > 0 {
		return strings.TrimRight(s[:k], " ")
	}
	return s
}

// elided reports whether a line ends in an ellipsis that stands for
// text left out ("…", "...", "[truncated]").
func elided(s string) bool {
	return strings.HasSuffix(s, "…") || strings.HasSuffix(s, "...") || strings.HasSuffix(s, "[truncated]")
}

// unbalancedQuote reports whether s has an odd number of unescaped
// double quotes: a quoted value was cut short.
func unbalancedQuote(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			n++
		}
	}
	return n%2 == 1
}

// setTitle makes t the title, without a leading label.
func (k *key) setTitle(t string) {
	k.title = t
}

func (k *key) sign() Signature {
	norm := strings.ToValidUTF8(k.kind+"\n"+strings.Join(k.parts, "\n"), "\uFFFD")
	title := k.title
	if title == "" && len(k.parts) > 0 {
		title = k.parts[0]
	}
	return makeSignature(title, norm)
}

func joinWhy(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// maskQuoted replaces the contents of quoted strings with <STR>: double
// quotes (Go's %q), and single quotes that open and close at word
// boundaries (Python's reprs), so that an apostrophe ("didn't") opens
// nothing.
func maskQuoted(s string) string {
	if strings.IndexAny(s, `"'`) < 0 {
		return s
	}
	var b strings.Builder
	var in byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case in == 0 && (c == '"' || c == '\'' && (i == 0 || !isWord(s[i-1]))):
			in = c
			b.WriteByte(c)
		case in != 0 && c == in && (c == '"' || i+1 == len(s) || !isWord(s[i+1])):
			b.WriteString("<STR>")
			b.WriteByte(c)
			in = 0
		case in != 0 && c == '\\':
			i++
		case in == 0:
			b.WriteByte(c)
		}
	}
	if in != 0 {
		// A value cut short is still a value.
		b.WriteString("<STR>")
		b.WriteByte(in)
	}
	return b.String()
}

// maskBrackets replaces what a test printed of a slice, map or struct
// ("[a b c]", "map[k:v]", "{ID:3 Name:x}") with STR: in a test's own
// assertion those are the values compared.
func maskBrackets(s string) string {
	if strings.IndexAny(s, "[{") < 0 {
		return s
	}
	var b strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '[' || c == '{':
			if depth == 0 {
				b.WriteByte(c)
				b.WriteString("STR")
			}
			depth++
		case (c == ']' || c == '}') && depth > 0:
			depth--
			if depth == 0 {
				b.WriteByte(c)
			}
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}
