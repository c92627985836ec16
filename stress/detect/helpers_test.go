package detect_test

import (
	"io"
	"math/rand/v2"
	"testing"

	"github.com/triaged/triaged/stress/detect"
)

// stream returns the whole stream for (seed, id, total, frameSize).
func stream(t testing.TB, seed uint64, id uint32, total int64, frameSize int) []byte {
	t.Helper()
	g, err := detect.NewGenerator(seed, id, total, frameSize)
	if err != nil {
		t.Fatalf("NewGenerator(%d, %d, %d, %d): %v", seed, id, total, frameSize, err)
	}
	b, err := io.ReadAll(g)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(b)) != total {
		t.Fatalf("generated %d bytes, want %d", len(b), total)
	}
	return b
}

// headers returns the headers of a clean stream, in order.
func headers(t testing.TB, s []byte) []detect.Header {
	t.Helper()
	var hs []detect.Header
	for off := int64(0); off < int64(len(s)); {
		h, err := detect.ParseHeader(s[off:])
		if err != nil {
			t.Fatalf("header at %d: %v", off, err)
		}
		hs = append(hs, h)
		off = h.End()
	}
	return hs
}

// chunker yields chunk sizes for feeding a receiver.
type chunker func() int

// chunkers are the delivery patterns every property runs under.
var chunkers = map[string]func(*rand.Rand) chunker{
	"one-byte": func(*rand.Rand) chunker { return func() int { return 1 } },
	"small":    func(r *rand.Rand) chunker { return func() int { return 1 + r.IntN(17) } },
	"reads":    func(r *rand.Rand) chunker { return func() int { return 1 + r.IntN(64<<10) } },
	"mixed": func(r *rand.Rand) chunker {
		return func() int {
			switch r.IntN(3) {
			case 0:
				return 1
			case 1:
				return 1 + r.IntN(100)
			}
			return 1 + r.IntN(20000)
		}
	},
}

// feed writes b to w in chunks of the sizes next yields.
func feed(w io.Writer, b []byte, next chunker) {
	for len(b) > 0 {
		n := min(next(), len(b))
		w.Write(b[:n])
		b = b[n:]
	}
}

// finding is the part of an anomaly a mutation test pins down.
type finding struct {
	Kind     detect.Kind
	Offset   int64
	Length   int64
	Position int64
}

func findings(r detect.Report) []finding {
	var fs []finding
	for _, a := range r.Anomalies {
		fs = append(fs, finding{a.Kind, a.Offset, a.Length, a.Position})
	}
	return fs
}

// commonPrefix returns how many bytes of s from a and from b agree.
func commonPrefix(s []byte, a, b int64) int64 {
	n := int64(0)
	for max(a, b)+n < int64(len(s)) && s[a+n] == s[b+n] {
		n++
	}
	return n
}
