package detect_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/triaged/triaged/stress/detect"
	"github.com/triaged/triaged/stress/detect/fault"
)

func newReceiver(t testing.TB, cfg detect.Config) *detect.Receiver {
	t.Helper()
	r, err := detect.NewReceiver(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestVanishedReads models the bpo-33694 loss: whole read buffers of random
// size, not aligned to frames, disappear from a long stream. Each must be
// one lost-bytes anomaly naming the first missing offset, the size of the
// read and the received position where it went missing.
func TestVanishedReads(t *testing.T) {
	t.Parallel()
	const total, fs = 4 << 20, 16<<10 + detect.Overhead
	for seed := range uint64(5) {
		rng := rand.New(rand.NewPCG(seed, 99))
		s := stream(t, seed, 1, total, fs)
		g := geometry{headers(t, s)}
		r := newReceiver(t, detect.Config{Seed: seed, Stream: 1})
		var want []finding
		var received, lastLoss int64
		for off := int64(0); off < total; {
			n := min(int64(1+rng.IntN(rng.IntN(64<<10)+1)), total-off)
			// At least 64 bytes arrive between losses: a shorter run
			// cannot be placed (see "Known limitations").
			lose := off > 2*fs && off-lastLoss >= 64 && total-off-n > 2*fs && rng.IntN(4) == 0
			if lose {
				c := g.split(s, off, off+n)
				want = append(want, finding{detect.KindLostBytes, off + c, n, received + c})
				lastLoss = off + n
			} else {
				r.Write(s[off : off+n])
				received += n
			}
			off += n
		}
		r.CloseEOF()
		rep := r.Report()
		if diff := cmp.Diff(want, findings(rep)); diff != "" {
			t.Errorf("seed %d: findings (-want +got):\n%s", seed, diff)
		}
		var lost int64
		for _, f := range want {
			lost += f.Length
		}
		if rep.BytesLost != lost || rep.BytesVerified != total-lost || rep.Complete || rep.OK() {
			t.Errorf("seed %d: lost %d, verified %d, complete %v; want lost %d", seed, rep.BytesLost, rep.BytesVerified, rep.Complete, lost)
		}
	}
}

func TestStall(t *testing.T) {
	t.Parallel()
	const total, fs, x = 50_000, 1000, 12_345
	s := stream(t, 1, 1, total, fs)
	r := newReceiver(t, detect.Config{Seed: 1, Stream: 1, StallAfter: 2 * time.Second})
	r.Write(s[:x])
	t0 := time.Unix(1000, 0)
	dump := func() string { return "read posted: false; paused: true" }
	steps := []struct {
		at       time.Duration
		unacked  int64
		want     bool
		feedMore bool
	}{
		{0, total - x, false, false},
		{time.Second, total - x, false, false},
		{3 * time.Second, 0, false, false}, // nothing in flight: not a stall
		{3 * time.Second, total - x, true, false},
		{4 * time.Second, total - x, false, true}, // one report per quiet spell
		{5 * time.Second, 0, false, false},        // progress re-arms
	}
	for i, st := range steps {
		if got := r.Check(t0.Add(st.at), st.unacked, dump); got != st.want {
			t.Fatalf("step %d: Check = %v, want %v", i, got, st.want)
		}
		if st.feedMore {
			r.Write(s[x:])
		}
	}
	r.CloseEOF()
	rep := r.Report()
	want := []finding{{detect.KindStall, x, total - x, x}}
	if diff := cmp.Diff(want, findings(rep)); diff != "" {
		t.Fatalf("findings (-want +got):\n%s", diff)
	}
	if a := rep.Anomalies[0]; a.State != dump() || !strings.Contains(a.Detail, "3s") {
		t.Errorf("stall evidence: %+v", a)
	}
	if rep.OK() || !rep.Complete {
		t.Errorf("OK %v, complete %v: a stalled stream is complete but not OK", rep.OK(), rep.Complete)
	}
}

// TestPhase checks that an anomaly carries the phase of its first byte,
// even when it is only recognised after the phase changed.
func TestPhase(t *testing.T) {
	t.Parallel()
	const total, fs = 60_000, 5000
	s := stream(t, 3, 1, total, fs)
	damaged := fault.Apply(s, fault.Op{Kind: fault.Drop, Off: 20_010, N: 7}, fault.Op{Kind: fault.Flip, Off: 40_000, Mask: 0x80})
	r := newReceiver(t, detect.Config{Seed: 3, Stream: 1})
	r.SetPhase("plaintext")
	r.Write(damaged[:20_020]) // the gap is only resolved at the next header
	r.SetPhase("upgrade")
	r.Write(damaged[20_020:30_000])
	r.SetPhase("tls")
	r.Write(damaged[30_000:])
	r.CloseEOF()
	var got []string
	for _, a := range r.Report().Anomalies {
		got = append(got, string(a.Kind)+"/"+a.Phase)
	}
	if diff := cmp.Diff([]string{"lost-bytes/plaintext", "corrupt/tls"}, got); diff != "" {
		t.Errorf("phases (-want +got):\n%s", diff)
	}
}

func TestWriteAfterEOF(t *testing.T) {
	t.Parallel()
	const total = 10_000
	s := stream(t, 1, 1, total, 1000)
	r := newReceiver(t, detect.Config{Seed: 1, Stream: 1})
	r.Write(s)
	r.CloseEOF()
	if rep := r.Report(); !rep.OK() {
		t.Fatalf("clean stream: %+v", rep)
	}
	r.Write([]byte("late"))
	r.Write([]byte("r"))
	want := []finding{{detect.KindDataAfterEOF, total, 5, total}}
	if diff := cmp.Diff(want, findings(r.Report())); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestNothingReceived(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		cfg  detect.Config
		want []finding
	}{
		{"geometry unknown", detect.Config{Seed: 1, Stream: 1}, []finding{{detect.KindPrematureEOF, 0, 0, 0}}},
		{"geometry given", detect.Config{Seed: 1, Stream: 1, Total: 5000, FrameSize: 1000}, []finding{{detect.KindPrematureEOF, 0, 5000, 0}}},
	} {
		r := newReceiver(t, tt.cfg)
		r.CloseEOF()
		if diff := cmp.Diff(tt.want, findings(r.Report())); diff != "" {
			t.Errorf("%s: findings (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestAnomalyCap(t *testing.T) {
	t.Parallel()
	const total, fs = 100_000, 1000
	s := stream(t, 1, 1, total, fs)
	var ops []fault.Op
	for i := range 20 {
		ops = append(ops, fault.Op{Kind: fault.Flip, Off: int64(i*3*fs + 500), Mask: 1})
	}
	r := newReceiver(t, detect.Config{Seed: 1, Stream: 1, MaxAnomalies: 5})
	r.Write(fault.Apply(s, ops...))
	r.CloseEOF()
	rep := r.Report()
	if rep.Counts[detect.KindCorrupt] != 20 || len(rep.Anomalies) != 5 || rep.Omitted != 15 || rep.BytesCorrupt != 20 {
		t.Errorf("counts %v, listed %d, omitted %d, corrupt bytes %d; want 20, 5, 15, 20",
			rep.Counts, len(rep.Anomalies), rep.Omitted, rep.BytesCorrupt)
	}
	if rep.Anomalies[0].Offset != 500 || rep.Anomalies[4].Offset != 4*3*fs+500 {
		t.Errorf("kept anomalies are not the first ones: %v", rep.Anomalies)
	}
}

func TestReportJSON(t *testing.T) {
	t.Parallel()
	s := stream(t, 1, 1, 10_000, 1000)
	r := newReceiver(t, detect.Config{Seed: 1, Stream: 1})
	r.SetPhase("tls")
	r.Write(fault.Apply(s, fault.Op{Kind: fault.Drop, Off: 4321, N: 100}))
	r.CloseEOF()
	rep := r.Report()
	rep.Explain(func(a detect.Anomaly) string {
		return fmt.Sprintf("read op after %d delivered bytes: cancelled, ERROR_NOT_FOUND", a.Position)
	})
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	a := got["anomalies"].([]any)[0].(map[string]any)
	if got["bytes_lost"] != 100.0 || got["counts"].(map[string]any)["lost-bytes"] != 1.0 ||
		a["kind"] != "lost-bytes" || a["offset"] != 4321.0 || a["phase"] != "tls" || a["frame"] != 4.0 ||
		a["trace"] != "read op after 4321 delivered bytes: cancelled, ERROR_NOT_FOUND" {
		t.Errorf("JSON report: %s", b)
	}
}
