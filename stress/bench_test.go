package stress

import (
	"context"
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/triaged/triaged/proactor"
	"github.com/triaged/triaged/stress/detect"
)

// rawLoopback copies total bytes over a plain loopback TCP connection: the
// baseline a transport's stream throughput is compared with.
func rawLoopback(b *testing.B, total int64, packet int) time.Duration {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		_, err = io.Copy(io.Discard, c)
		done <- err
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	g, _ := detect.NewGenerator(1, 1, total, frameSize)
	io.CopyBuffer(c, io.LimitReader(g, total), make([]byte, packet))
	c.(*net.TCPConn).CloseWrite()
	<-done
	c.Close()
	return time.Since(start)
}

// BenchmarkEchoPause reports the fixed transport's echo-pause stream
// throughput (both directions, emu backend without fault hooks, pausing
// every 100ms) with the
// detector on and off, beside a raw loopback copy of the same bytes in the
// same run: the ratios the issue targets (≥ 0.5× raw; detector ≤ 10%).
func BenchmarkEchoPause(b *testing.B) {
	const packets, size = 1000, 16 << 10
	total := int64(packets * size)
	iteration := func(noDetector bool) Iteration {
		c, err := ScenarioConfig{Name: "echo-pause", Mode: proactor.Fixed, Backend: "emu", Packets: packets, PacketSize: size,
			NoDetector: noDetector, NoFaults: true}.Normalize()
		if err != nil {
			b.Fatal(err)
		}
		return c.Iteration()
	}
	withDetector, without := iteration(false), iteration(true)
	timed := func(it Iteration, i int) time.Duration {
		start := time.Now()
		if r := it(context.Background(), i); r.Failed() {
			b.Fatalf("fixed echo-pause failed: %s", r.Results[0].FailureText)
		}
		return time.Since(start)
	}
	// The three are interleaved so that load from elsewhere on the machine
	// falls on all of them alike.
	var dOn, dOff, dRaw time.Duration
	b.ResetTimer()
	for i := range b.N {
		dOn += timed(withDetector, i)
		dOff += timed(without, i)
		dRaw += rawLoopback(b, 2*total, size)
	}
	mb := func(d time.Duration) float64 { return float64(2*total*int64(b.N)) / d.Seconds() / 1e6 }
	on, off, rawRate := mb(dOn), mb(dOff), mb(dRaw)
	b.ReportMetric(on, "MB/s-detector-on")
	b.ReportMetric(off, "MB/s-detector-off")
	b.ReportMetric(rawRate, "MB/s-raw-loopback")
	b.ReportMetric(on/rawRate, "ratio-vs-raw")
	b.ReportMetric(1-on/off, "detector-cost")
}

// BenchmarkLegacyFirstReproduction reports the median time until the legacy
// transport first loses data on echo-pause (emu, default hooks), over 20
// seeds, and the share of iterations that lose data.
func BenchmarkLegacyFirstReproduction(b *testing.B) {
	const seeds = 20
	var times []time.Duration
	iterations, failures := 0, 0
	for range b.N {
		for seed := range seeds {
			c, err := ScenarioConfig{Name: "echo-pause", Mode: proactor.Legacy, Backend: "emu", Seed: int64(seed * 1000)}.Normalize()
			if err != nil {
				b.Fatal(err)
			}
			it := c.Iteration()
			start := time.Now()
			for i := 0; ; i++ {
				iterations++
				if it(context.Background(), i).Failed() {
					failures++
					times = append(times, time.Since(start))
					break
				}
				if i == 50 {
					b.Fatalf("seed %d: no loss in 50 iterations", seed)
				}
			}
		}
	}
	slices.Sort(times)
	b.ReportMetric(times[len(times)/2].Seconds(), "s-median-first-repro")
	b.ReportMetric(float64(failures)/float64(iterations), "repro-rate")
}
