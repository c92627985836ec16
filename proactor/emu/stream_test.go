package emu_test

import (
	"context"
	"testing"
	"time"

	"github.com/triaged/triaged/proactor"
	"github.com/triaged/triaged/proactor/emu"
	"github.com/triaged/triaged/proactor/internal/streamtest"
)

func dialer(f emu.Faults) streamtest.Dialer {
	return func(ctx context.Context, addr string) (proactor.Port, error) {
		return emu.Dial(ctx, addr, f)
	}
}

// TestFixedNeverLoses runs random pause/resume/swap schedules over many
// seeds with every fault hook on; Fixed mode must deliver every byte once,
// in order, in both directions.
func TestFixedNeverLoses(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 40; seed++ {
		opt := streamtest.Options{
			Mode: proactor.Fixed, ReadSize: 4096 + int(seed%5)*1000,
			PeerBytes: 256<<10 + int64(seed)*7, TransportBytes: 64<<10 + int64(seed),
			Chunk: 3000, Seed: seed, PauseProb: 0.3, MaxPause: 300 * time.Microsecond, SwapProb: 0.05,
		}
		res, err := streamtest.Run(context.Background(), dialer(emu.DefaultFaults(int64(seed))), opt)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if err := streamtest.CheckLossless(opt, res); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if res.Stats.Pauses == 0 {
			t.Fatalf("seed %d: schedule never paused", seed)
		}
	}
}

// TestLegacyLosesExactlyTheDiscardedReads is the positive control: under
// the same kind of schedule Legacy mode loses bytes, and the loss is
// exactly the completed-but-discarded reads the trace names. With the
// default hooks it must lose; without hooks the race depends on timing
// alone, so its rate is only reported.
func TestLegacyLosesExactlyTheDiscardedReads(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		faults   func(seed int64) emu.Faults
		mustLose bool
	}{
		{"default-hooks", emu.DefaultFaults, true},
		{"no-hooks", func(int64) emu.Faults { return emu.Faults{} }, false},
	} {
		var lostRuns, runs int
		var lost, total int64
		for seed := uint64(1); seed <= 20; seed++ {
			opt := streamtest.Options{
				Mode: proactor.Legacy, ReadSize: 4096,
				PeerBytes: 256 << 10, TransportBytes: 16 << 10,
				Chunk: 3000, Seed: seed, PauseProb: 0.3, MaxPause: 300 * time.Microsecond, SwapProb: 0.05,
			}
			res, err := streamtest.Run(context.Background(), dialer(tc.faults(int64(seed))), opt)
			if err != nil {
				t.Fatalf("%s seed %d: %v", tc.name, seed, err)
			}
			n, err := streamtest.CheckLossExplained(opt, res)
			if err != nil {
				t.Fatalf("%s seed %d: %v", tc.name, seed, err)
			}
			runs++
			total += opt.PeerBytes
			lost += n
			if n > 0 {
				lostRuns++
				if streamtest.CheckLossless(opt, res) == nil {
					t.Fatalf("%s seed %d: the lossless check passed a run that lost %d bytes", tc.name, seed, n)
				}
			}
		}
		if tc.mustLose && lostRuns == 0 {
			t.Fatalf("%s: legacy mode never lost a byte: the race is not exercised", tc.name)
		}
		t.Logf("legacy/emu %s: %d of %d runs lost bytes, %d of %d bytes (%.3f%%)",
			tc.name, lostRuns, runs, lost, total, 100*float64(lost)/float64(total))
	}
}
