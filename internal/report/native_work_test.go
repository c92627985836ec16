package report

import (
	"io"
	"strings"
	"testing"
	"time"
)

// smallReads hands out at most n bytes a read, as a chunked request body
// does.
type smallReads struct {
	r io.Reader
	n int
}

func (s smallReads) Read(p []byte) (int, error) { return s.r.Read(p[:min(len(p), s.n)]) }

// TestNativeWorkIsLinear replays issue #14's CPU burn: a native document
// with megabytes of white space between tokens, read a KiB at a time, must
// cost about what it costs read at once. It cost the square of the run
// (4 MiB read 4 KiB at a time: 1.3 s, against 20 ms).
func TestNativeWorkIsLinear(t *testing.T) {
	t.Parallel()
	ws := strings.Repeat(" \n\t", 2<<20/3)
	doc := `{"results":[` + ws + `{"test":"a","outcome":"pass"}` + ws + `,` + ws + `{"test":"b","outcome":"pass"}` + ws + `]` + ws + `}`
	parse := func(r io.Reader) time.Duration {
		start := time.Now()
		rs, err := Parse(r, FormatJSON, Options{MaxBytes: 64 << 20})
		if err != nil || len(rs) != 2 {
			t.Fatalf("parse: %d results, %v", len(rs), err)
		}
		return time.Since(start)
	}
	whole := parse(strings.NewReader(doc))
	chunked := parse(smallReads{strings.NewReader(doc), 1 << 10})
	t.Logf("%d MiB: at once %v, a KiB at a time %v", len(doc)>>20, whole, chunked)
	if chunked > 20*whole+time.Second {
		t.Errorf("a KiB at a time took %v, against %v at once: the work grows faster than the input", chunked, whole)
	}
}
