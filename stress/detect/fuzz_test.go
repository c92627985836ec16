package detect_test

import (
	"encoding/binary"
	"testing"

	"github.com/triaged/triaged/stress/detect"
)

// FuzzReceiver feeds arbitrary bytes in arbitrary chunks: the receiver must
// not panic, must account for every byte, and its report must stay bounded.
// The seed corpus mixes a real stream, damaged streams and headers.
func FuzzReceiver(f *testing.F) {
	s := stream(f, 5, 1, 3000, 200)
	other := stream(f, 5, 2, 3000, 200)
	f.Add(s, []byte{7, 1, 200}, false)
	f.Add(s, []byte{1}, true)
	f.Add(append(append(s[:900:900], other[400:1000]...), s[900:]...), []byte{3, 50}, false)
	f.Add(append(s[:1234:1234], s[1500:]...), []byte{13}, true)
	f.Add(append(s[:2000:2000], s[100:]...), []byte{64, 1}, false)
	f.Add(detect.AppendHeader(nil, detect.Header{Stream: 1, Length: 10, Offset: 44, Total: 58, Flags: detect.FlagLast}), []byte{2}, false)
	f.Add([]byte("TRGF"), []byte{1}, false)
	f.Fuzz(func(t *testing.T, data, chunks []byte, given bool) {
		cfg := detect.Config{Seed: 5, Stream: 1, MaxAnomalies: 10}
		if given {
			cfg.Total, cfg.FrameSize = 3000, 200
		}
		r, err := detect.NewReceiver(cfg)
		if err != nil {
			t.Fatal(err)
		}
		rest := data
		for i := 0; len(rest) > 0; i++ {
			n := len(rest)
			if len(chunks) > 0 {
				n = min(n, 1+int(chunks[i%len(chunks)]))
			}
			r.Write(rest[:n])
			rest = rest[n:]
		}
		r.CloseEOF()
		r.Write([]byte{1, 2, 3})
		rep := r.Report()
		if rep.BytesReceived != int64(len(data))+3 {
			t.Fatalf("received %d, fed %d", rep.BytesReceived, len(data)+3)
		}
		if len(rep.Anomalies) > 10 {
			t.Fatalf("%d anomalies listed, cap 10", len(rep.Anomalies))
		}
		total := 0
		for _, n := range rep.Counts {
			total += n
		}
		if total != len(rep.Anomalies)+rep.Omitted {
			t.Fatalf("counts %v add up to %d, listed %d + omitted %d", rep.Counts, total, len(rep.Anomalies), rep.Omitted)
		}
		if rep.BytesVerified < 0 || rep.BytesVerified > rep.BytesReceived || rep.BytesPending != 0 {
			t.Fatalf("verified %d of %d received, pending %d", rep.BytesVerified, rep.BytesReceived, rep.BytesPending)
		}
		if given && len(data) == 3000 && string(data) == string(s) && !(rep.Complete && rep.Counts[detect.KindDataAfterEOF] == 1) {
			t.Fatalf("the clean stream was not recognised: %+v", rep)
		}
	})
}

// TestReceiverBounds checks memory stays bounded on garbage that never
// contains a header.
func TestReceiverBounds(t *testing.T) {
	t.Parallel()
	r := newReceiver(t, detect.Config{Seed: 1, Stream: 1})
	junk := make([]byte, 64<<10)
	for i := range junk {
		junk[i] = byte(i*7 + i>>8)
	}
	binary.LittleEndian.PutUint32(junk[100:], detect.Magic) // a magic without a header
	for range 64 {
		r.Write(junk)
	}
	rep := r.Report()
	if rep.BytesPending > detect.MaxFrameSize+4*detect.Overhead {
		t.Errorf("%d bytes buffered waiting for a header", rep.BytesPending)
	}
	if rep.BytesCorrupt == 0 {
		t.Errorf("garbage not reported: %+v", rep)
	}
}
