package detect

import (
	"encoding/binary"
	"io"
)

// Generator produces the framed byte stream for one (seed, stream). It is an
// io.Reader and an io.WriterTo; neither allocates per frame, so a sender can
// fill each packet with Read straight into its own buffer.
type Generator struct {
	stream  uint32
	pat     *pattern
	lay     layout
	off     int64
	cur     frameBounds
	hdr     [HeaderSize]byte
	trailer [TrailerSize]byte
	buf     []byte
}

// frameBounds are the stream offsets delimiting one frame.
type frameBounds struct {
	k                          int64
	start, pstart, tstart, end int64
}

func (l *layout) bounds(k int64) frameBounds {
	start := k * l.size
	n := l.size
	if k == l.frames-1 {
		n = l.last
	}
	return frameBounds{k: k, start: start, pstart: start + HeaderSize, tstart: start + n - TrailerSize, end: start + n}
}

// NewGenerator returns a generator of total bytes of stream for (seed,
// stream), cut into frames of frameSize bytes (header and trailer included;
// the last frame takes the remainder).
func NewGenerator(seed uint64, stream uint32, total int64, frameSize int) (*Generator, error) {
	lay, err := newLayout(total, int64(frameSize))
	if err != nil {
		return nil, err
	}
	return newGenerator(streamKey(seed, stream), stream, lay), nil
}

func newGenerator(key uint64, stream uint32, lay layout) *Generator {
	g := &Generator{stream: stream, pat: newPattern(key, &lay), lay: lay}
	g.enter(0)
	return g
}

func (g *Generator) enter(k int64) {
	g.cur = g.lay.bounds(k)
	putHeader(&g.hdr, g.lay.header(g.stream, k))
	binary.LittleEndian.PutUint32(g.trailer[:], g.pat.sum(k, g.cur.tstart-g.cur.pstart))
}

// Total returns the length of the whole stream.
func (g *Generator) Total() int64 { return g.lay.total }

// Offset returns how many bytes have been generated so far.
func (g *Generator) Offset() int64 { return g.off }

// Read fills p with the next bytes of the stream. It returns io.EOF once the
// whole stream has been read.
func (g *Generator) Read(p []byte) (int, error) {
	if g.off >= g.lay.total {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && g.off < g.lay.total {
		q := p[n:]
		var c int
		switch {
		case g.off < g.cur.pstart:
			c = copy(q, g.hdr[g.off-g.cur.start:])
		case g.off < g.cur.tstart:
			c = int(min(int64(len(q)), g.cur.tstart-g.off))
			g.pat.fill(q[:c], g.cur.k, g.off-g.cur.pstart)
		default:
			c = copy(q, g.trailer[g.off-g.cur.tstart:])
		}
		g.off += int64(c)
		n += c
		if g.off == g.cur.end && g.cur.k+1 < g.lay.frames {
			g.enter(g.cur.k + 1)
		}
	}
	return n, nil
}

// WriteTo writes the rest of the stream to w in 64 KiB writes.
func (g *Generator) WriteTo(w io.Writer) (int64, error) {
	if g.buf == nil {
		g.buf = make([]byte, 64<<10)
	}
	var total int64
	for {
		n, err := g.Read(g.buf)
		if err == io.EOF {
			return total, nil
		}
		m, err := w.Write(g.buf[:n])
		total += int64(m)
		if err != nil {
			return total, err
		}
	}
}

// seek positions g at stream offset off.
func (g *Generator) seek(off int64) {
	if k := g.lay.frameAt(off); k != g.cur.k {
		g.enter(k)
	}
	g.off = off
}
