package report

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCappedTextKeepsHeadAndTail(t *testing.T) {
	t.Parallel()
	c := newCappedText(100)
	c.WriteString("HEAD")
	for range 1000 {
		c.WriteString("0123456789")
	}
	c.WriteString("TAIL")
	got := c.String()
	if !strings.HasPrefix(got, "HEAD") || !strings.HasSuffix(got, "TAIL") {
		t.Errorf("lost head or tail: %q", got)
	}
	// 10008 bytes written, 75 kept at the head and 25 at the tail.
	if !strings.Contains(got, "\n… [truncated 9908 bytes]\n") {
		t.Errorf("missing or wrong marker: %q", got)
	}
	if c.Len() != 10008 {
		t.Errorf("Len = %d, want 10008", c.Len())
	}
}

func TestCappedTextUnderCap(t *testing.T) {
	t.Parallel()
	c := newCappedText(100)
	c.WriteString("short ")
	c.WriteString("text")
	if got := c.String(); got != "short text" {
		t.Errorf("String = %q, want %q", got, "short text")
	}
	c.Reset()
	if got := c.String(); got != "" {
		t.Errorf("after Reset, String = %q", got)
	}
}

func TestCappedTextRuneBoundaries(t *testing.T) {
	t.Parallel()
	for max := 8; max < 40; max++ {
		got := capString(strings.Repeat("é€𝄞", 50), max)
		if !utf8.ValidString(got) || strings.ContainsRune(got, utf8.RuneError) {
			t.Errorf("max %d: cut inside a rune: %q", max, got)
		}
		if !strings.Contains(got, "[truncated ") {
			t.Errorf("max %d: no marker: %q", max, got)
		}
	}
}

func TestSanitize(t *testing.T) {
	t.Parallel()
	if got := sanitize("a\x00b\xffc"); got != "a\uFFFDb\uFFFDc" {
		t.Errorf("sanitize = %q", got)
	}
	if got := capString("ok", 10); got != "ok" {
		t.Errorf("capString = %q", got)
	}
}
