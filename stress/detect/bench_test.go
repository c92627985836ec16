package detect_test

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/triaged/triaged/stress/detect"
)

// The echo-pause defaults: 2000 packets of 16 KiB.
const (
	benchPackets = 2000
	benchPacket  = 16 << 10
	benchTotal   = benchPackets * benchPacket
	benchFrame   = benchPacket + detect.Overhead
)

// transfer streams benchTotal bytes over a fresh loopback connection: the
// sender fills each packet from a Generator, the receiver reads 64 KiB at a
// time and feeds the detector if on, else discards.
func transfer(b *testing.B, on bool) time.Duration {
	client, server := loopback(b)
	defer client.Close()
	defer server.Close()
	g, err := detect.NewGenerator(1, 1, benchTotal, benchFrame)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	sent := make(chan error, 1)
	go func() { sent <- send(client, g, benchPacket) }()
	var w io.Writer = io.Discard
	var r *detect.Receiver
	if on {
		r = newReceiver(b, detect.Config{Seed: 1, Stream: 1})
		w = r
	}
	n, err := io.CopyBuffer(w, onlyReader{server}, make([]byte, 64<<10))
	if err != nil || n != benchTotal {
		b.Fatalf("received %d bytes, %v", n, err)
	}
	elapsed := time.Since(start)
	if err := <-sent; err != nil {
		b.Fatal(err)
	}
	if on {
		r.CloseEOF()
		if rep := r.Report(); !rep.OK() {
			b.Fatalf("clean stream: %+v", rep)
		}
	}
	return elapsed
}

// onlyReader hides the connection's WriterTo so that both variants copy
// through the same 64 KiB buffer.
type onlyReader struct{ net.Conn }

func (o onlyReader) Read(p []byte) (int, error) { return o.Conn.Read(p) }

// BenchmarkLoopbackTCP measures stream throughput with the detector off
// and on.
func BenchmarkLoopbackTCP(b *testing.B) {
	for _, tt := range []struct {
		name string
		on   bool
	}{{"detector=off", false}, {"detector=on", true}} {
		b.Run(tt.name, func(b *testing.B) {
			b.SetBytes(benchTotal)
			for b.Loop() {
				transfer(b, tt.on)
			}
		})
	}
}

// BenchmarkDetectorOverhead alternates transfers with the detector off and
// on, so both see the same machine load, and reports the cost of the
// detector as a fraction of stream time.
func BenchmarkDetectorOverhead(b *testing.B) {
	var off, on time.Duration
	first := false
	for b.Loop() {
		// Swap the order each round so neither variant always runs
		// second, on a warmer machine.
		first = !first
		if first {
			off += transfer(b, false)
			on += transfer(b, true)
		} else {
			on += transfer(b, true)
			off += transfer(b, false)
		}
	}
	mb := float64(b.N) * benchTotal / 1e6
	b.ReportMetric(mb/off.Seconds(), "off-MB/s")
	b.ReportMetric(mb/on.Seconds(), "on-MB/s")
	b.ReportMetric(100*(on.Seconds()/off.Seconds()-1), "overhead-%")
}

// BenchmarkReceiver measures the detector alone on an in-memory stream fed
// in 64 KiB chunks.
func BenchmarkReceiver(b *testing.B) {
	s := stream(b, 1, 1, benchTotal, benchFrame)
	b.SetBytes(benchTotal)
	for b.Loop() {
		r := newReceiver(b, detect.Config{Seed: 1, Stream: 1})
		for p := s; len(p) > 0; p = p[min(len(p), 64<<10):] {
			r.Write(p[:min(len(p), 64<<10)])
		}
		r.CloseEOF()
	}
}

// BenchmarkGenerator measures the sender side: filling 16 KiB packets.
func BenchmarkGenerator(b *testing.B) {
	buf := make([]byte, benchPacket)
	b.SetBytes(benchTotal)
	for b.Loop() {
		g, _ := detect.NewGenerator(1, 1, benchTotal, benchFrame)
		for {
			if _, err := g.Read(buf); err != nil {
				break
			}
		}
	}
}
