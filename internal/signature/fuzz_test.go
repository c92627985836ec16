package signature

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func addCorpusSeeds(f *testing.F) {
	for _, c := range loadCorpus(f) {
		f.Add(c.text)
	}
	f.Add("")
	f.Add("Traceback (most recent call last):\n")
	f.Add("panic: \n\ngoroutine 1 [running]:\n(\n\t")
	f.Add("File \"")
	f.Add("--- FAIL: \n x.go:1:")
	f.Add("[\x00] \xff\xfe 0x 0:00:0 2024-01-01T")
}

// FuzzCompute checks the properties ingest relies on for any input: no
// panic, the same answer twice, and output of bounded size that a text
// column accepts.
func FuzzCompute(f *testing.F) {
	addCorpusSeeds(f)
	f.Fuzz(func(t *testing.T, text string) {
		s := Compute(text)
		if again := Compute(text); again != s {
			t.Fatalf("Compute is not deterministic: %+v then %+v", s, again)
		}
		if !hashForm.MatchString(s.Hash) || s.Algorithm != Version {
			t.Fatalf("bad hash or version: %+v", s)
		}
		if len(s.Title) > MaxTitle || strings.ContainsAny(s.Title, "\n\r\x00") || !utf8.ValidString(s.Title) {
			t.Fatalf("bad title %q", s.Title)
		}
		if len(s.Normalized) > 16<<10 || strings.Contains(s.Normalized, "\x00") || !utf8.ValidString(s.Normalized) {
			t.Fatalf("bad normalized text (%d bytes) %q", len(s.Normalized), s.Normalized)
		}
	})
}

// FuzzNormalizeLine checks that masking is bounded and idempotent: a
// normalized line is a fixed point, so re-signing normalized text (a
// stored signature, a title pasted into the CLI) changes nothing.
func FuzzNormalizeLine(f *testing.F) {
	addCorpusSeeds(f)
	f.Fuzz(func(t *testing.T, line string) {
		line, _, _ = strings.Cut(line, "\n")
		once := normalizeLine(line)
		if len(once) > maxLine {
			t.Fatalf("normalized %d bytes into %d", len(line), len(once))
		}
		if twice := normalizeLine(once); twice != once {
			t.Fatalf("not idempotent:\n in:    %q\n once:  %q\n twice: %q", line, once, twice)
		}
	})
}

// FuzzDetector checks that detector signatures are well formed.
func FuzzDetector(f *testing.F) {
	f.Add("lost-bytes", "after pause_reading during start_tls")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, kind, phase string) {
		s := Detector(kind, phase)
		if !hashForm.MatchString(s.Hash) || len(s.Title) > MaxTitle || !utf8.ValidString(s.Title) ||
			strings.ContainsAny(s.Title, "\n\r") {
			t.Fatalf("bad detector signature %+v", s)
		}
	})
}

// FuzzExplain checks that Explain signs as Compute does and accounts for
// every line of the text, whatever it is given.
func FuzzExplain(f *testing.F) {
	addCorpusSeeds(f)
	f.Fuzz(func(t *testing.T, text string) {
		ex := Explain(text)
		if s := Compute(text); ex.Signature != s {
			t.Fatalf("Explain signed %+v, Compute %+v", ex.Signature, s)
		}
		if strings.TrimSpace(text) == "" {
			return
		}
		lines := 0
		for _, n := range ex.Lines {
			if n.Count > 1 {
				lines += n.Count
			} else {
				lines++
			}
			if len(n.Kept) == 0 && n.Dropped == "" {
				t.Fatalf("line %d neither kept nor dropped", n.Line)
			}
		}
		if want := strings.Count(text, "\n") + 1; lines != want {
			t.Fatalf("explained %d lines of %d", lines, want)
		}
	})
}
