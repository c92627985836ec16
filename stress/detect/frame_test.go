package detect_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"

	"github.com/triaged/triaged/stress/detect"
)

func TestGeneratorFrames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		total      int64
		frameSize  int
		wantFrames int
		wantLast   int64 // wire bytes of the last frame
	}{
		{"exact", 4 * 1000, 1000, 4, 1000},
		{"remainder gets its own frame", 3*1000 + 100, 1000, 4, 100},
		{"short remainder joins the last frame", 3*1000 + 10, 1000, 3, 1010},
		{"single frame", 500, 1000, 1, 500},
		{"minimum frames", 10 * detect.MinFrameSize, detect.MinFrameSize, 10, detect.MinFrameSize},
		{"16 KiB packets", 2000 * 16 << 10, 16<<10 + detect.Overhead, 1995, 2000*16<<10 - 1994*(16<<10+detect.Overhead)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := stream(t, 7, 3, tt.total, tt.frameSize)
			hs := headers(t, s)
			if len(hs) != tt.wantFrames {
				t.Fatalf("got %d frames, want %d", len(hs), tt.wantFrames)
			}
			for i, h := range hs {
				if h.Seq != uint64(i) || h.Stream != 3 || h.Total != tt.total {
					t.Fatalf("frame %d: header %+v", i, h)
				}
				last := i == len(hs)-1
				if got := h.Flags&detect.FlagLast != 0; got != last {
					t.Fatalf("frame %d: last flag %v, want %v", i, got, last)
				}
				size := h.End() - h.Start()
				if !last && size != int64(tt.frameSize) || last && size != tt.wantLast {
					t.Fatalf("frame %d: %d bytes on the wire", i, size)
				}
				payload := s[h.Offset : h.Offset+int64(h.Length)]
				want := crc32.Checksum(payload, crc32.MakeTable(crc32.Castagnoli))
				if got := binary.LittleEndian.Uint32(s[h.End()-detect.TrailerSize:]); got != want {
					t.Fatalf("frame %d: payload CRC %08x, want %08x", i, got, want)
				}
			}
		})
	}
}

// TestGeneratorReads checks that the stream does not depend on how it is
// read, and that it depends on seed and stream.
func TestGeneratorReads(t *testing.T) {
	t.Parallel()
	const total, fs = 100_000, 3001
	want := stream(t, 1, 1, total, fs)
	for _, n := range []int{1, 3, 8, 44, 4096, 70_000} {
		g, _ := detect.NewGenerator(1, 1, total, fs)
		var got []byte
		buf := make([]byte, n)
		for {
			k, err := g.Read(buf)
			got = append(got, buf[:k]...)
			if err != nil {
				break
			}
		}
		if !bytes.Equal(got, want) {
			t.Errorf("reads of %d bytes give a different stream", n)
		}
	}
	var w bytes.Buffer
	g, _ := detect.NewGenerator(1, 1, total, fs)
	if n, err := g.WriteTo(&w); err != nil || n != total || !bytes.Equal(w.Bytes(), want) {
		t.Errorf("WriteTo: %d, %v, same bytes %v", n, err, bytes.Equal(w.Bytes(), want))
	}
	for _, other := range [][]byte{stream(t, 2, 1, total, fs), stream(t, 1, 2, total, fs)} {
		h := headers(t, want)[1]
		a, b := want[h.Offset:h.Offset+64], other[h.Offset:h.Offset+64]
		if bytes.Equal(a, b) {
			t.Errorf("payload does not depend on seed and stream")
		}
	}
}

func TestNewGeneratorRejects(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		total     int64
		frameSize int
	}{
		{0, 1000},
		{detect.Overhead - 1, 1000},
		{10_000, detect.MinFrameSize - 1},
		{10_000_000, detect.MaxFrameSize + detect.Overhead + 1},
	} {
		if _, err := detect.NewGenerator(1, 1, tt.total, tt.frameSize); err == nil {
			t.Errorf("NewGenerator(total %d, frame size %d) succeeded", tt.total, tt.frameSize)
		}
		if _, err := detect.NewReceiver(detect.Config{Total: tt.total, FrameSize: tt.frameSize}); err == nil && tt.total > 0 {
			t.Errorf("NewReceiver(total %d, frame size %d) succeeded", tt.total, tt.frameSize)
		}
	}
}

func TestParseHeader(t *testing.T) {
	t.Parallel()
	good := detect.Header{Stream: 9, Length: 100, Seq: 2, Offset: 2*148 + detect.HeaderSize, Total: 10_000}
	b := detect.AppendHeader(nil, good)
	if h, err := detect.ParseHeader(b); err != nil || h != good {
		t.Fatalf("round trip: %+v, %v", h, err)
	}
	flip := func(i int) []byte {
		c := bytes.Clone(b)
		c[i] ^= 1
		return c
	}
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"short", b[:detect.HeaderSize-1], detect.ErrShortHeader},
		{"magic", flip(0), detect.ErrBadMagic},
		{"crc", flip(20), detect.ErrHeaderCRC},
		{"crc field", flip(41), detect.ErrHeaderCRC},
		{"past total", detect.AppendHeader(nil, detect.Header{Length: 100, Offset: 9_990, Total: 10_000}), detect.ErrBadHeader},
		{"last before total", detect.AppendHeader(nil, detect.Header{Flags: detect.FlagLast, Length: 10, Offset: 44, Total: 10_000}), detect.ErrBadHeader},
		{"unknown flag", detect.AppendHeader(nil, detect.Header{Flags: 2, Length: 10, Offset: 44, Total: 10_000}), detect.ErrBadHeader},
		{"huge", detect.AppendHeader(nil, detect.Header{Length: detect.MaxFrameSize + 1, Offset: 44, Total: 1 << 40}), detect.ErrBadHeader},
	}
	for _, tt := range tests {
		if _, err := detect.ParseHeader(tt.b); !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
	}
}
