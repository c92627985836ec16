package detect_test

import (
	"flag"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/triaged/triaged/stress/detect"
	"github.com/triaged/triaged/stress/detect/fault"
)

// geometry answers where frame boundaries are in a clean stream.
type geometry struct {
	hs []detect.Header
}

func (g geometry) frame(off int64) detect.Header {
	i := sort.Search(len(g.hs), func(i int) bool { return g.hs[i].End() > off })
	return g.hs[i]
}

func (g geometry) isStart(off int64) bool {
	return off < g.hs[len(g.hs)-1].End() && g.frame(off).Start() == off
}

func (g geometry) inHeader(off int64) bool {
	return off < g.hs[len(g.hs)-1].End() && off < g.frame(off).Offset
}

// split says where the receiver puts a boundary between two alignments
// when the received byte it expected at stream offset u is in fact the one
// at v, relative to u. Where the bytes on both sides coincide, several
// boundaries fit the data: the receiver puts it as late as the data allows,
// unless a valid frame header begins earlier inside the header it was
// reading (headers are accepted whole, so such a header is seen).
func (g geometry) split(s []byte, u, v int64) int64 {
	c := commonPrefix(s, u, v)
	m := u + c
	if !g.inHeader(m) {
		return c
	}
	b := int64(0)
	for u-b > 0 && v-b > 0 && s[u-b-1] == s[v-b-1] {
		b++
	}
	for p := max(g.frame(m).Start(), u-b); p <= m; p++ {
		if g.isStart(v + p - u) {
			return p - u
		}
	}
	return c
}

// A mutation damages a stream and says what the detector must report. It
// returns ok=false when the random choice is ambiguous: the bytes on both
// sides of a boundary coincide by chance, so more than one account of the
// damage fits the data (see "Known limitations" in the package notes).
type mutation func(rng *rand.Rand, s []byte, g geometry, fs int) (ops []fault.Op, want []finding, ok bool)

var mutations = map[string]mutation{
	"clean": func(*rand.Rand, []byte, geometry, int) ([]fault.Op, []finding, bool) {
		return nil, nil, true
	},
	"drop": func(rng *rand.Rand, s []byte, g geometry, fs int) ([]fault.Op, []finding, bool) {
		T := int64(len(s))
		x := 1 + rng.Int64N(T-2)
		n := 1 + rng.Int64N(min(T-x-1, int64(3*fs)))
		c := g.split(s, x, x+n)
		return []fault.Op{{Kind: fault.Drop, Off: x, N: n}},
			[]finding{{detect.KindLostBytes, x + c, n, x + c}}, true
	},
	"duplicate": func(rng *rand.Rand, s []byte, g geometry, fs int) ([]fault.Op, []finding, bool) {
		T := int64(len(s))
		x := rng.Int64N(T - 1)
		n := 1 + rng.Int64N(min(T-x, int64(3*fs)))
		c := g.split(s, x+n, x)
		return []fault.Op{{Kind: fault.Duplicate, Off: x, N: n}},
			[]finding{{detect.KindDuplicate, x + c, n, x + n + c}}, true
	},
	"swap": func(rng *rand.Rand, s []byte, g geometry, fs int) ([]fault.Op, []finding, bool) {
		// Each chunk holds a whole header, so each can be placed.
		T, need := int64(len(s)), int64(fs+detect.HeaderSize)
		n1, n2 := need+rng.Int64N(int64(fs)), need+rng.Int64N(int64(fs))
		if T-n1-n2 < 2 {
			return nil, nil, false
		}
		x := 1 + rng.Int64N(T-n1-n2)
		c, d := x+n1, x+n1+n2
		if s[x] == s[c] || d < T && (s[d] == s[x] || s[d] == s[c]) {
			return nil, nil, false
		}
		return []fault.Op{{Kind: fault.Swap, Off: x, N: n1, N2: n2}},
			[]finding{{detect.KindReordered, x, n1, x + n2}}, true
	},
	"swap-small": func(rng *rand.Rand, s []byte, g geometry, fs int) ([]fault.Op, []finding, bool) {
		// Chunks too short to hold a header are placed by looking for them.
		T := int64(len(s))
		n1 := 40 + rng.Int64N(int64(fs))
		n2 := 40 + rng.Int64N(int64(fs))
		if T-n1-n2 < 2 {
			return nil, nil, false
		}
		x := 1 + rng.Int64N(T-n1-n2)
		c, d := x+n1, x+n1+n2
		if s[x] == s[c] || s[x] == s[x+n2] || d < T && (s[d] == s[x] || s[d] == s[c]) {
			return nil, nil, false
		}
		return []fault.Op{{Kind: fault.Swap, Off: x, N: n1, N2: n2}},
			[]finding{{detect.KindReordered, x, n1, x + n2}}, true
	},
	"two-drops": func(rng *rand.Rand, s []byte, g geometry, fs int) ([]fault.Op, []finding, bool) {
		// Two gaps closer than a frame: the bytes between them are placed
		// by looking for them.
		T := int64(len(s))
		g1, g2, between := 1+rng.Int64N(int64(fs)), 1+rng.Int64N(int64(fs)), 40+rng.Int64N(int64(fs))
		room := T - g1 - g2 - between - 2*int64(fs)
		if room < 1 {
			return nil, nil, false
		}
		x1 := 1 + rng.Int64N(room)
		// Start both gaps outside headers, where a header met halfway would
		// take priority over the place the gap fits best.
		if g.inHeader(x1) {
			x1 = g.frame(x1).Offset
		}
		x2 := x1 + g1 + between
		if g.inHeader(x2) {
			x2 = g.frame(x2).Offset
		}
		if x2+g2 >= T {
			return nil, nil, false
		}
		c1, c2 := g.split(s, x1, x1+g1), commonPrefix(s, x2, x2+g2)
		if c1 > 4 {
			return nil, nil, false
		}
		return []fault.Op{{Kind: fault.Drop, Off: x1, N: g1}, {Kind: fault.Drop, Off: x2, N: g2}},
			[]finding{{detect.KindLostBytes, x1 + c1, g1, x1 + c1}, {detect.KindLostBytes, x2 + c2, g2, x2 - g1 + c2}}, true
	},
	"flip": func(rng *rand.Rand, s []byte, g geometry, fs int) ([]fault.Op, []finding, bool) {
		x := rng.Int64N(int64(len(s)))
		return []fault.Op{{Kind: fault.Flip, Off: x, Mask: byte(1 + rng.IntN(255))}},
			[]finding{{detect.KindCorrupt, x, 1, x}}, true
	},
	"splice": func(rng *rand.Rand, s []byte, g geometry, fs int) ([]fault.Op, []finding, bool) {
		other := g.hs[0].Total
		o := streamFor(rng.Uint64(), 2, other, fs)
		ohs := headersOf(o)
		j := rng.IntN(len(ohs))
		k := min(len(ohs), j+1+rng.IntN(3))
		data := o[ohs[j].Start():ohs[k-1].End()]
		x := rng.Int64N(int64(len(s)))
		if s[x] == data[0] {
			return nil, nil, false
		}
		return []fault.Op{{Kind: fault.Splice, Off: x, Data: data}},
			[]finding{{detect.KindMisdelivered, x, int64(len(data)), x}}, true
	},
	"cut": func(rng *rand.Rand, s []byte, g geometry, fs int) ([]fault.Op, []finding, bool) {
		T := int64(len(s))
		x := detect.HeaderSize + rng.Int64N(T-detect.HeaderSize)
		return []fault.Op{{Kind: fault.Cut, Off: x}},
			[]finding{{detect.KindPrematureEOF, x, T - x, x}}, true
	},
	"append": func(rng *rand.Rand, s []byte, g geometry, fs int) ([]fault.Op, []finding, bool) {
		data := make([]byte, 8+rng.IntN(200))
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		T := int64(len(s))
		return []fault.Op{{Kind: fault.Append, Data: data}},
			[]finding{{detect.KindDataAfterEOF, T, int64(len(data)), T}}, true
	},
}

var manySeeds = flag.Int("seeds", 0, "seeds per mutation in TestMutations (0: default)")

// TestMutations damages streams of random geometry in one known way each
// and feeds them in random chunkings: the receiver must report exactly that
// damage, with its offset, length and received position, and nothing else.
func TestMutations(t *testing.T) {
	t.Parallel()
	seeds := 40
	if testing.Short() {
		seeds = 10
	}
	if *manySeeds > 0 {
		seeds = *manySeeds
	}
	for name, mutate := range mutations {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			skipped := 0
			for seed := range uint64(seeds) {
				rng := rand.New(rand.NewPCG(seed, uint64(len(name))))
				fs, total := randomGeometry(rng)
				s := stream(t, seed, 1, total, fs)
				g := geometry{headers(t, s)}
				ops, want, ok := mutate(rng, s, g, fs)
				if !ok {
					skipped++
					continue
				}
				damaged := fault.Apply(s, ops...)
				for cname, mk := range chunkers {
					for _, given := range []bool{true, false} {
						// The receiver is either given the geometry or
						// learns it from the first header.
						cfg := detect.Config{Seed: seed, Stream: 1}
						if given {
							cfg.Total, cfg.FrameSize = total, fs
						} else if name == "splice" && ops[0].Off < detect.HeaderSize || !hasHeader(damaged, 1) {
							continue // nothing to check those bytes against yet
						}
						r, err := detect.NewReceiver(cfg)
						if err != nil {
							t.Fatal(err)
						}
						feed(r, damaged, mk(rng))
						r.CloseEOF()
						rep := r.Report()
						if diff := cmp.Diff(want, findings(rep)); diff != "" {
							t.Errorf("seed %d, frame size %d, total %d, %v, %s chunks, geometry given %v: findings (-want +got):\n%s\nreport: %+v",
								seed, fs, total, ops, cname, given, diff, rep.Anomalies)
							return
						}
						if want == nil && !rep.OK() {
							t.Errorf("seed %d: clean stream not OK: %+v", seed, rep)
						}
					}
				}
			}
			if skipped > seeds/3 {
				t.Errorf("%d of %d seeds were ambiguous; the test is not testing much", skipped, seeds)
			}
		})
	}
}

func randomGeometry(rng *rand.Rand) (frameSize int, total int64) {
	switch rng.IntN(3) {
	case 0:
		frameSize = detect.MinFrameSize + rng.IntN(600)
	case 1:
		frameSize = 1000 + rng.IntN(5000)
	default:
		frameSize = 16<<10 + detect.Overhead
	}
	total = int64(frameSize)*int64(3+rng.IntN(8)) + rng.Int64N(int64(frameSize))
	return frameSize, total
}

func streamFor(seed uint64, id uint32, total int64, fs int) []byte {
	g, err := detect.NewGenerator(seed, id, total, fs)
	if err != nil {
		panic(err)
	}
	b := make([]byte, total)
	g.Read(b)
	return b
}

func headersOf(s []byte) []detect.Header {
	var hs []detect.Header
	for off := int64(0); off < int64(len(s)); {
		h, err := detect.ParseHeader(s[off:])
		if err != nil {
			panic(err)
		}
		hs = append(hs, h)
		off = h.End()
	}
	return hs
}

// hasHeader reports whether b holds a complete valid header of stream id.
func hasHeader(b []byte, id uint32) bool {
	for i := 0; i+detect.HeaderSize <= len(b); i++ {
		if h, err := detect.ParseHeader(b[i:]); err == nil && h.Stream == id {
			return true
		}
	}
	return false
}
