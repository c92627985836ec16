package signature

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode/utf8"
)

// Version is the version of the signing algorithm. Bump it whenever a
// change to this package can change the Hash, Title or Normalized text of
// any input; stored failures are then re-signed (see README.md).
const Version = 3

// Signature identifies a failure: failures with the same Hash are taken to
// be the same bug.
type Signature struct {
	// Hash is 16 lower-case hex digits of SHA-256 over the algorithm
	// version and Normalized.
	Hash string `json:"signature"`
	// Title is one line for people: the error line a person would quote
	// in a bug report, masked, at most MaxTitle bytes.
	Title string `json:"title"`
	// Normalized is the text that was hashed: the failure's reason, with
	// run-specific tokens masked.
	Normalized string `json:"normalized"`
	// Algorithm is the Version that computed this signature.
	Algorithm int `json:"algorithm"`
}

// MaxTitle is the longest Title, in bytes.
const MaxTitle = 200

// EmptyTitle is the Title of the signature of an empty or blank text.
const EmptyTitle = "no failure text"

func makeSignature(title, norm string) Signature {
	h := sha256.New()
	var v [8]byte
	h.Write(appendInt(v[:0], Version))
	h.Write([]byte{'\n'})
	h.Write([]byte(norm))
	var sum [sha256.Size]byte
	return Signature{
		Hash:       hex.EncodeToString(h.Sum(sum[:0])[:8]),
		Title:      clip(oneLine(title), MaxTitle),
		Normalized: norm,
		Algorithm:  Version,
	}
}

// oneLine makes a title one printable line whatever went into it: parts
// of a title (a test's name, an exit code) are taken from the text as is.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

// clip shortens s to at most n bytes on a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "…"
	cut := n - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}

// Compute returns the signature of a failure text: a traceback, a test
// runner's report (Python, Go, Rust, JavaScript, Java, .NET, C/C++), a
// panic or crash report, or any log tail. It never panics, looks at a
// bounded part of the text whatever its size, and is safe for concurrent
// use.
func Compute(text string) Signature {
	return computeRules(text, 0)
}

// computeRules is Compute with the rules in off switched off, for
// measuring what each rule adds (README.md).
func computeRules(text string, off rule) Signature {
	if strings.TrimSpace(text) == "" {
		return makeSignature(EmptyTitle, "empty")
	}
	k := key{off: off}
	k.lines = window(text, nil)
	k.cut = cutLine(text, k.lines)
	k.detect()
	return k.sign()
}

// Detector returns the signature of a data-loss detector failure: the
// anomaly class (kind, e.g. "lost-bytes") and where it happened (phase,
// e.g. "after pause_reading during start_tls"). Numbers are evidence (an
// offset, a byte count) and belong in the detector report, so they are
// masked here even if a caller passes them in.
func Detector(kind, phase string) Signature {
	var k key
	k.cut = -1
	k.kind = "detector"
	k.add("anomaly", -1, strings.ToLower(strings.Join(strings.Fields(kind), "-")))
	k.add("phase", -1, strings.ToLower(strings.Join(strings.Fields(phase), " ")))
	k.title = strings.TrimSpace(strings.TrimPrefix(k.parts[0], "anomaly: ") + " " +
		strings.TrimPrefix(k.parts[len(k.parts)-1], "phase: "))
	return k.sign()
}
