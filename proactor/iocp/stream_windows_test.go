//go:build windows

package iocp_test

import (
	"context"
	"testing"
	"time"

	"github.com/triaged/triaged/proactor"
	"github.com/triaged/triaged/proactor/internal/streamtest"
	"github.com/triaged/triaged/proactor/iocp"
)

func dial(ctx context.Context, addr string) (proactor.Port, error) { return iocp.Dial(ctx, addr) }

func streamOptions(mode proactor.Mode, seed uint64) streamtest.Options {
	return streamtest.Options{
		Mode: mode, ReadSize: 4096, PeerBytes: 512 << 10, TransportBytes: 64 << 10,
		Chunk: 8192, Seed: seed, PauseProb: 0.3, MaxPause: 200 * time.Microsecond, SwapProb: 0.05,
	}
}

// TestFixedNeverLoses: real overlapped receives under a random
// pause/resume/swap schedule deliver every byte once, in order.
func TestFixedNeverLoses(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		opt := streamOptions(proactor.Fixed, seed)
		res, err := streamtest.Run(context.Background(), dial, opt)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if err := streamtest.CheckLossless(opt, res); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if res.Stats.Pauses == 0 {
			t.Fatalf("seed %d: never paused", seed)
		}
	}
}

// TestLegacyLoses: the same schedules in Legacy mode lose bytes through
// CancelIoEx's ERROR_NOT_FOUND, and exactly the discarded reads' bytes.
func TestLegacyLoses(t *testing.T) {
	var lostRuns int
	var lost, total int64
	var notFound uint64
	for seed := uint64(1); seed <= 10; seed++ {
		opt := streamOptions(proactor.Legacy, seed)
		res, err := streamtest.Run(context.Background(), dial, opt)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		n, err := streamtest.CheckLossExplained(opt, res)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if n > 0 {
			lostRuns++
			if streamtest.CheckLossless(opt, res) == nil {
				t.Fatalf("seed %d: lossless check passed a run that lost %d bytes", seed, n)
			}
		}
		lost += n
		total += opt.PeerBytes
		notFound += res.Stats.CancelsNotFound
	}
	if lostRuns == 0 {
		t.Fatal("legacy mode never lost a byte on iocp")
	}
	t.Logf("legacy/iocp: %d of 10 runs lost bytes, %d of %d bytes (%.3f%%), %d not-found cancels",
		lostRuns, lost, total, 100*float64(lost)/float64(total), notFound)
}
