package detect

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// Frame geometry. A frame is HeaderSize bytes of header, its payload, and
// TrailerSize bytes holding the CRC32C of the payload.
const (
	HeaderSize   = 44
	TrailerSize  = 4
	Overhead     = HeaderSize + TrailerSize
	MinFrameSize = Overhead + 8
	// MaxFrameSize bounds a frame so that the receiver's resynchronisation
	// buffer stays bounded.
	MaxFrameSize = 1 << 20

	// Magic starts every header; it reads "TRGF" on the wire.
	Magic uint32 = 0x46475254
	// FlagLast marks the final frame of a stream.
	FlagLast uint8 = 1

	version = 1
)

// castagnoli is the CRC32C table; crc32 uses the SSE4.2/ARMv8 instruction
// for it, which keeps the detector cheap enough to leave on.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Header is the decoded form of a frame header. Offsets are wire offsets:
// positions in the byte stream the sender wrote, headers included.
type Header struct {
	Stream uint32
	Flags  uint8
	Length uint32 // payload bytes
	Seq    uint64
	Offset int64 // stream offset of the first payload byte
	Total  int64 // length of the whole stream
}

// Start returns the stream offset of the frame's first header byte.
func (h Header) Start() int64 { return h.Offset - HeaderSize }

// End returns the stream offset just past the frame's trailer.
func (h Header) End() int64 { return h.Offset + int64(h.Length) + TrailerSize }

// Errors returned by ParseHeader.
var (
	ErrShortHeader = errors.New("detect: short header")
	ErrBadMagic    = errors.New("detect: bad magic")
	ErrHeaderCRC   = errors.New("detect: header CRC mismatch")
	ErrBadHeader   = errors.New("detect: inconsistent header fields")
)

// AppendHeader appends the wire form of h to b.
func AppendHeader(b []byte, h Header) []byte {
	var w [HeaderSize]byte
	putHeader(&w, h)
	return append(b, w[:]...)
}

func putHeader(w *[HeaderSize]byte, h Header) {
	binary.LittleEndian.PutUint32(w[0:], Magic)
	w[4] = version
	w[5] = h.Flags
	w[6], w[7] = 0, 0
	binary.LittleEndian.PutUint32(w[8:], h.Stream)
	binary.LittleEndian.PutUint32(w[12:], h.Length)
	binary.LittleEndian.PutUint64(w[16:], h.Seq)
	binary.LittleEndian.PutUint64(w[24:], uint64(h.Offset))
	binary.LittleEndian.PutUint64(w[32:], uint64(h.Total))
	binary.LittleEndian.PutUint32(w[40:], crc32.Checksum(w[:40], castagnoli))
}

// ParseHeader decodes and validates the header at the start of b.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderSize {
		return Header{}, ErrShortHeader
	}
	if binary.LittleEndian.Uint32(b) != Magic {
		return Header{}, ErrBadMagic
	}
	if crc32.Checksum(b[:40], castagnoli) != binary.LittleEndian.Uint32(b[40:]) {
		return Header{}, ErrHeaderCRC
	}
	h := Header{
		Flags:  b[5],
		Stream: binary.LittleEndian.Uint32(b[8:]),
		Length: binary.LittleEndian.Uint32(b[12:]),
		Seq:    binary.LittleEndian.Uint64(b[16:]),
		Offset: int64(binary.LittleEndian.Uint64(b[24:])),
		Total:  int64(binary.LittleEndian.Uint64(b[32:])),
	}
	switch {
	case b[4] != version, b[6] != 0, b[7] != 0, h.Flags&^FlagLast != 0:
		return Header{}, fmt.Errorf("%w: version or flags", ErrBadHeader)
	case h.Length > MaxFrameSize, h.Offset < HeaderSize, h.Total <= 0,
		h.Offset > h.Total, h.End() > h.Total:
		return Header{}, fmt.Errorf("%w: length %d offset %d total %d", ErrBadHeader, h.Length, h.Offset, h.Total)
	case h.Flags&FlagLast != 0 && h.End() != h.Total:
		return Header{}, fmt.Errorf("%w: last frame ends at %d, total %d", ErrBadHeader, h.End(), h.Total)
	}
	return h, nil
}

// layout is the frame geometry of a whole stream: every frame is size bytes
// long except the last, which takes what remains. A remainder too short for a
// frame of its own is absorbed by the frame before it.
type layout struct {
	total  int64
	size   int64 // wire bytes of every frame but the last
	frames int64
	last   int64 // wire bytes of the last frame
}

func newLayout(total, size int64) (layout, error) {
	switch {
	case size < MinFrameSize || size > MaxFrameSize+Overhead:
		return layout{}, fmt.Errorf("detect: frame size %d outside [%d, %d]", size, MinFrameSize, MaxFrameSize+Overhead)
	case total < Overhead:
		return layout{}, fmt.Errorf("detect: stream of %d bytes is shorter than one frame's %d bytes of framing", total, Overhead)
	}
	l := layout{total: total, size: size, frames: total / size, last: size}
	switch rem := total % size; {
	case rem == 0:
	case rem >= Overhead:
		l.frames++
		l.last = rem
	default:
		l.last = size + rem
	}
	if l.last-Overhead > MaxFrameSize {
		return layout{}, fmt.Errorf("detect: last frame of %d bytes exceeds the maximum", l.last)
	}
	return l, nil
}

// frameAt returns the index of the frame holding stream offset off.
func (l *layout) frameAt(off int64) int64 {
	k := off / l.size
	if k >= l.frames {
		k = l.frames - 1
	}
	return k
}

// header returns the header of frame k.
func (l *layout) header(stream uint32, k int64) Header {
	h := Header{Stream: stream, Seq: uint64(k), Offset: k*l.size + HeaderSize, Total: l.total}
	n := l.size
	if k == l.frames-1 {
		n = l.last
		h.Flags = FlagLast
	}
	h.Length = uint32(n - Overhead)
	return h
}

// layoutOf recovers the stream geometry from any one of its headers.
func layoutOf(h Header) (layout, bool) {
	size := int64(h.Length) + Overhead
	switch {
	case h.Seq > 0:
		if h.Start()%int64(h.Seq) != 0 {
			return layout{}, false
		}
		size = h.Start() / int64(h.Seq)
	case h.Flags&FlagLast != 0:
		size = max(h.Total, MinFrameSize) // a single-frame stream
	}
	if size > MaxFrameSize+Overhead {
		return layout{}, false
	}
	l, err := newLayout(h.Total, size)
	if err != nil || h.Seq >= uint64(l.frames) || l.header(h.Stream, int64(h.Seq)) != h {
		return layout{}, false
	}
	return l, true
}
