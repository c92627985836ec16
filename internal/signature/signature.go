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
const Version = 1

// Signature identifies a failure: failures with the same Hash are taken to
// be the same bug.
type Signature struct {
	// Hash is 16 lower-case hex digits of SHA-256 over the algorithm
	// version and Normalized.
	Hash string `json:"signature"`
	// Title is one line for people: the exception or panic and its
	// normalized message, at most MaxTitle bytes.
	Title string `json:"title"`
	// Normalized is the text that was hashed: the parts of the failure
	// that identify the bug, with run-specific tokens masked.
	Normalized string `json:"normalized"`
	// Algorithm is the Version that computed this signature.
	Algorithm int `json:"algorithm"`
}

// MaxTitle is the longest Title, in bytes.
const MaxTitle = 200

// EmptyTitle is the Title of the signature of an empty or blank text.
const EmptyTitle = "no failure text"

// key accumulates the normalized lines of one text.
type key struct {
	kind  string
	m     masker
	lines []string
	title string
	buf   []byte
}

// add appends a normalized line, labelled when label is not empty.
// A line equal to the one before it is dropped: how often a line repeats
// (a retry loop, a log spammed until a timeout) varies between runs.
func (k *key) add(label, raw string) {
	k.buf = k.buf[:0]
	if label != "" {
		k.buf = append(k.buf, label...)
		k.buf = append(k.buf, ": "...)
	}
	k.m.names = label == "test"
	k.buf = k.m.line(k.buf, raw)
	k.m.names = false
	l := string(k.buf)
	if n := len(k.lines); n > 0 && k.lines[n-1] == l {
		return
	}
	k.lines = append(k.lines, l)
}

// titleFrom makes line i, without its label, the title.
func (k *key) titleFrom(i int) {
	t := k.lines[i]
	if c := strings.Index(t, ": "); c >= 0 && !strings.ContainsAny(t[:c], " <") {
		switch t[:c] {
		case "exception", "panic", "message", "error", "test":
			t = t[c+2:]
		}
	}
	k.title = t
}

func (k *key) sign() Signature {
	norm := strings.ToValidUTF8(k.kind+"\n"+strings.Join(k.lines, "\n"), "\uFFFD")
	title := k.title
	if title == "" && len(k.lines) > 0 {
		title = k.lines[0]
	}
	return makeSignature(title, norm)
}

func makeSignature(title, norm string) Signature {
	h := sha256.New()
	var v [8]byte
	h.Write(appendInt(v[:0], Version))
	h.Write([]byte{'\n'})
	h.Write([]byte(norm))
	var sum [sha256.Size]byte
	return Signature{
		Hash:       hex.EncodeToString(h.Sum(sum[:0])[:8]),
		Title:      clip(strings.ToValidUTF8(title, "\uFFFD"), MaxTitle),
		Normalized: norm,
		Algorithm:  Version,
	}
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

// Compute returns the signature of a failure text: a Python traceback,
// unittest or regrtest output, go test output, a Go panic or goroutine
// dump, or any log tail. It never panics, looks at a bounded part of the
// text whatever its size, and is safe for concurrent use.
func Compute(text string) Signature {
	if strings.TrimSpace(text) == "" {
		return makeSignature(EmptyTitle, "empty")
	}
	lines := window(text)
	var k key
	switch {
	case k.goPanic(lines):
	case k.pythonCrash(lines):
	default:
		if chain := pythonChain(lines); chain != nil {
			k.python(chain)
			break
		}
		if k.goTest(lines) || k.pytest(lines) {
			break
		}
		k.generic(lines)
	}
	return k.sign()
}

// pythonCrash handles faulthandler output: a regrtest timeout or a fatal
// error, which make the other tracebacks in the text irrelevant.
func (k *key) pythonCrash(lines []string) bool {
	for i, l := range lines {
		if (strings.HasPrefix(l, "Timeout (") && strings.HasSuffix(l, ")!")) ||
			strings.HasPrefix(l, "Fatal Python error: ") {
			return k.faulthandler(lines, i)
		}
	}
	return false
}

// Detector returns the signature of a data-loss detector failure: the
// anomaly class (kind, e.g. "lost-bytes") and where it happened (phase,
// e.g. "after pause_reading during start_tls"). Numbers are evidence (an
// offset, a byte count) and belong in the detector report, so they are
// masked here even if a caller passes them in.
func Detector(kind, phase string) Signature {
	var k key
	k.kind = "detector"
	k.add("anomaly", strings.ToLower(strings.Join(strings.Fields(kind), "-")))
	k.add("phase", strings.ToLower(strings.Join(strings.Fields(phase), " ")))
	k.title = strings.TrimSpace(strings.TrimPrefix(k.lines[0], "anomaly: ") + " " +
		strings.TrimPrefix(k.lines[len(k.lines)-1], "phase: "))
	return k.sign()
}
