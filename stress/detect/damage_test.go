package detect_test

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/triaged/triaged/stress/detect"
)

// TestRandomDamage piles several random faults onto one stream. The exact
// findings are not pinned down here (TestMutations does that for single
// faults), but any damage must be reported, the accounting must add up, and
// an undamaged stream must come out OK.
func TestRandomDamage(t *testing.T) {
	t.Parallel()
	s := stream(t, 5, 1, 30_000, 700)
	rng := rand.New(rand.NewPCG(1, 1))
	for it := range 3000 {
		d := bytes.Clone(s)
		for range rng.IntN(4) {
			switch rng.IntN(4) {
			case 0:
				d[rng.IntN(len(d))] ^= byte(1 + rng.IntN(255))
			case 1:
				a := rng.IntN(len(d))
				d = append(d[:a:a], d[a+rng.IntN(len(d)-a):]...)
			case 2:
				a, b := rng.IntN(len(d)), rng.IntN(len(d))
				d = append(d[:a:a], append(d[b:b+rng.IntN(len(d)-b)], d[a:]...)...)
			case 3:
				d = d[:rng.IntN(len(d))]
			}
			if len(d) == 0 {
				d = []byte{0}
			}
		}
		cfg := detect.Config{Seed: 5, Stream: 1, MaxAnomalies: 20}
		if it%2 == 0 {
			cfg.Total, cfg.FrameSize = 30_000, 700
		}
		r := newReceiver(t, cfg)
		chunk := 1 + rng.IntN(3000)
		for p := d; len(p) > 0; p = p[min(len(p), chunk):] {
			r.Write(p[:min(len(p), chunk)])
		}
		r.CloseEOF()
		rep := r.Report()
		if damaged := !bytes.Equal(d, s); rep.OK() == damaged {
			t.Fatalf("iteration %d: damaged %v but OK() = %v: %v", it, damaged, rep.OK(), rep.Anomalies)
		}
		n := 0
		for _, c := range rep.Counts {
			n += c
		}
		if n != len(rep.Anomalies)+rep.Omitted || rep.BytesReceived != int64(len(d)) ||
			rep.BytesVerified > rep.BytesReceived || rep.BytesPending != 0 {
			t.Fatalf("iteration %d: inconsistent report %+v", it, rep)
		}
	}
}
