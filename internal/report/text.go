package report

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// cappedText accumulates text while keeping at most max bytes: the first
// three quarters and the last quarter. Test ids and the first failing
// assertion live at the head, Python's exception line and Go's final
// "--- FAIL" at the tail, so the middle is what a cap should cost.
type cappedText struct {
	max     int
	head    []byte
	tail    []byte
	dropped int64
}

func newCappedText(max int) *cappedText { return &cappedText{max: max} }

func (c *cappedText) headMax() int { return c.max - c.max/4 }
func (c *cappedText) tailMax() int { return c.max / 4 }

// WriteString appends s, discarding from the middle once over the cap.
func (c *cappedText) WriteString(s string) {
	if room := c.headMax() - len(c.head); room > 0 {
		n := min(room, len(s))
		c.head = append(c.head, s[:n]...)
		s = s[n:]
	}
	if len(s) == 0 {
		return
	}
	c.tail = append(c.tail, s...)
	// Compact only when the tail has doubled, so appends stay amortised O(1).
	if tm := c.tailMax(); len(c.tail) > 2*tm+64 {
		cut := len(c.tail) - tm
		c.dropped += int64(cut)
		c.tail = append(c.tail[:0], c.tail[cut:]...)
	}
}

// Len reports how many bytes were written in total.
func (c *cappedText) Len() int64 { return int64(len(c.head)+len(c.tail)) + c.dropped }

// Reset empties the buffer, keeping its memory.
func (c *cappedText) Reset() {
	c.head, c.tail, c.dropped = c.head[:0], c.tail[:0], 0
}

// String returns the kept text, with a marker where bytes were dropped, as
// valid UTF-8 without NUL bytes (Postgres text refuses both).
func (c *cappedText) String() string {
	tail, dropped := c.tail, c.dropped
	if tm := c.tailMax(); len(tail) > tm {
		dropped += int64(len(tail) - tm)
		tail = tail[len(tail)-tm:]
	}
	if dropped == 0 {
		return sanitize(string(c.head) + string(tail))
	}
	head, trimmed := trimRunes(c.head, tail)
	dropped += int64(len(c.head) - len(head) + len(tail) - len(trimmed))
	return sanitize(string(head) + truncMarker(dropped) + string(trimmed))
}

// trimRunes drops the partial runes a byte-wise cut leaves at the end of
// head and the start of tail, so the marker sits between whole characters.
func trimRunes(head, tail []byte) ([]byte, []byte) {
	for i := 0; i < utf8.UTFMax && len(head) > 0; i++ {
		r, size := utf8.DecodeLastRune(head)
		if r != utf8.RuneError || size != 1 {
			break
		}
		head = head[:len(head)-1]
	}
	for i := 0; i < utf8.UTFMax && len(tail) > 0 && !utf8.RuneStart(tail[0]); i++ {
		tail = tail[1:]
	}
	return head, tail
}

func truncMarker(n int64) string {
	return "\n… [truncated " + strconv.FormatInt(n, 10) + " bytes]\n"
}

// capString applies the same cap to a string that arrived whole.
func capString(s string, max int) string {
	if len(s) <= max {
		return sanitize(s)
	}
	c := newCappedText(max)
	c.WriteString(s)
	return c.String()
}

// sanitize makes s storable: invalid UTF-8 and NUL become U+FFFD.
func sanitize(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
