package detect

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Resynchronisation. After a mismatch the receiver holds the received bytes
// in rb until it finds a valid header (magic and header CRC). The header
// says which stream offset that received position carries; the bytes before
// it are then split: those that still matched the old alignment keep it (so
// a gap starts as late as the data allows), the rest are placed just before
// the header and compared one by one. Runs that fit neither are looked up in
// the stream nearby; what is not found is corrupt.

var magicBytes = binary.LittleEndian.AppendUint32(nil, Magic)

// toResync leaves sync at the current position: the matched but unaccepted
// header bytes and rest go to rb, and the first j bytes of rest matched.
func (r *Receiver) toResync(rest []byte, j int) {
	var staged int64
	if r.exp < r.cur.pstart && r.exp < r.lay.total {
		staged = r.exp - r.stageOff
	}
	r.rb = r.rb[:0]
	if staged > 0 {
		h := r.stageOff - r.cur.start
		r.rb = append(r.rb, r.hdr[h:h+staged]...)
	}
	r.rb = append(r.rb, rest...)
	r.rbPos = r.pos - staged
	r.mism = int(staged) + j
	r.anchor = r.exp - staged
	r.scan = 0
	r.synced = false
	r.pos += int64(len(rest))
}

// resolve looks for a resynchronisation point in rb. It returns the bytes
// that remain to be fed, which it has copied out of rb.
func (r *Receiver) resolve() []byte {
	for {
		i, h, ok := r.nextHeader()
		if !ok {
			r.trim()
			return nil
		}
		if h.Stream != r.cfg.Stream {
			return r.foreign(i, h)
		}
		first := !r.haveLay
		if first {
			l, ok := layoutOf(h)
			if !ok {
				r.scan = i + 1
				continue
			}
			r.setLayout(l)
			if r.rbPos == 0 && r.anchor == 0 {
				// Now the start of the stream is known: bytes that match it
				// keep their place, as they would have in sync.
				want := r.expected(&r.scratch, 0, len(r.rb))
				r.mism = matchBytes(r.rb[:len(want)], want)
			}
		} else if h.Seq >= uint64(r.lay.frames) || r.lay.header(r.cfg.Stream, int64(h.Seq)) != h {
			r.scan = i + 1 // a valid header of another geometry: not ours
			continue
		}
		shift := h.Start() - (r.rbPos + int64(i))
		if !first && shift == r.anchor-r.rbPos && i < r.mism {
			r.scan = i + 1 // already consistent with where we were
			continue
		}
		return r.realign(i, h, shift)
	}
}

// nextHeader returns the next valid header in rb at or after r.scan.
func (r *Receiver) nextHeader() (int, Header, bool) {
	for r.scan+HeaderSize <= len(r.rb) {
		k := bytes.Index(r.rb[r.scan:], magicBytes)
		if k < 0 {
			r.scan = max(r.scan, len(r.rb)-len(magicBytes)+1)
			break
		}
		i := r.scan + k
		if i+HeaderSize > len(r.rb) {
			r.scan = i
			break
		}
		if h, err := ParseHeader(r.rb[i:]); err == nil {
			return i, h, true
		}
		r.scan = i + 1
	}
	return 0, Header{}, false
}

// realign resumes sync at the own header at rb[i], where received position
// p carries stream offset p+shift.
func (r *Receiver) realign(i int, h Header, shift int64) []byte {
	a := min(r.mism, i)
	r.accept(r.anchor, int64(a), r.rbPos)
	base := r.rbPos + int64(a)
	r.place(r.rb[a:i], base+shift, base, r.anchor+int64(a))
	pos := r.rbPos + int64(i)
	r.work = append(r.work[:0], r.rb[i:]...)
	r.rb, r.scan, r.mism = r.rb[:0], 0, 0
	r.enterSync(h.Start(), pos)
	return r.work
}

// foreign passes over a frame of another stream at rb[i].
func (r *Receiver) foreign(i int, h Header) []byte {
	a := min(r.mism, i)
	r.accept(r.anchor, int64(a), r.rbPos)
	off := r.anchor + int64(a)
	if i > a {
		r.junk(off, int64(i-a), r.rbPos+int64(a))
		off += int64(i - a)
	}
	n := h.End() - h.Start()
	pos := r.rbPos + int64(i)
	r.note(Anomaly{Kind: KindMisdelivered, Offset: off, Length: n, Position: pos,
		Detail: fmt.Sprintf("frame %d of stream %d", h.Seq, h.Stream)})
	avail := int64(len(r.rb) - i)
	var tail []byte
	if n <= avail {
		tail = r.rb[int64(i)+n:]
		r.misdeliv += n
	} else {
		r.misdeliv += avail
		r.skip = n - avail
	}
	r.work = append(r.work[:0], tail...)
	r.rb, r.scan, r.mism, r.anchor = r.rb[:0], 0, 0, off
	r.pos = pos + min(n, avail)
	return r.work
}

// place compares received bytes b, the first at received position pos,
// with the stream from offset off, and records matches and mismatches.
// Bytes that match neither there nor at the old alignment's end, hint, are
// looked for nearby: that is how a short reordered chunk, or the bytes
// between two close gaps, find their place.
func (r *Receiver) place(b []byte, off, pos, hint int64) {
	for off < 0 && len(b) > 0 {
		// These would come before the start of the stream.
		if c, n, ok := r.locate(b, hint, 0); ok {
			r.accept(c, int64(n), pos)
			b, off, pos, hint = b[n:], off+int64(n), pos+int64(n), c+int64(n)
			continue
		}
		k := min(int64(len(b)), -off)
		r.record(off, k, pos, true)
		b, off, pos = b[k:], off+k, pos+k
	}
	if len(b) == 0 {
		return
	}
	want := r.expected(&r.scratch, off, len(b))
	for i := 0; i < len(want); {
		j := i + matchBytes(b[i:len(want)], want[i:])
		if j < len(want) && j-i < locateMin {
			// A short match followed by a mismatch may be chance: the run
			// may fit better elsewhere.
			if c, n, ok := r.locate(b[i:len(want)], hint, off+int64(i)); ok && n > j-i {
				r.accept(c, int64(n), pos+int64(i))
				hint = c + int64(n)
				i += n
				continue
			}
		}
		r.accept(off+int64(i), int64(j-i), pos+int64(i))
		if j == len(want) {
			break
		}
		if c, n, ok := r.locate(b[j:len(want)], hint, off+int64(j)); ok {
			r.accept(c, int64(n), pos+int64(j))
			hint = c + int64(n)
			i = j + n
			continue
		}
		// A corrupt run ends at eight matching bytes in a row, so that
		// garbage matching by chance here and there is one anomaly.
		end, good := j+1, 0
		for k := j + 1; k < len(want) && good < 8; k++ {
			if b[k] == want[k] {
				good++
			} else {
				end, good = k+1, 0
			}
		}
		r.record(off+int64(j), int64(end-j), pos+int64(j), true)
		i = end
	}
	if len(want) < len(b) {
		r.junk(off+int64(len(want)), int64(len(b)-len(want)), pos+int64(len(want)))
	}
}

// locateMin is the shortest run of bytes locate places: long enough to
// span the sequence field of a header, which makes it unique.
const locateMin = 32

// locate looks for the stream offset the bytes b came from, within a few
// frames of offsets a and b2. It returns the offset and how many bytes of b
// match there.
func (r *Receiver) locate(b []byte, a, b2 int64) (int64, int, bool) {
	if len(b) < locateMin {
		return 0, 0, false
	}
	w := 2*max(r.lay.size, r.lay.last) + 64<<10
	lo := max(0, min(a, b2)-w)
	hi := min(r.lay.total, max(a, b2)+w, lo+8<<20)
	if hi-lo < locateMin {
		return 0, 0, false
	}
	hay := r.expected(&r.hay, lo, int(hi-lo))
	k := bytes.Index(hay, b[:locateMin])
	if k < 0 {
		return 0, 0, false
	}
	return lo + int64(k), matchBytes(b[:min(len(b), len(hay)-k)], hay[k:]), true
}

// expected returns the stream bytes from off, at most n and never past the
// end of the stream, in *buf.
func (r *Receiver) expected(buf *[]byte, off int64, n int) []byte {
	n = int(max(0, min(int64(n), r.lay.total-off)))
	if cap(*buf) < n {
		*buf = make([]byte, n)
	}
	want := (*buf)[:n]
	if n > 0 {
		r.gen.seek(off)
		r.gen.Read(want)
	}
	return want
}

// trim bounds rb when no header turns up. After one gap the next header
// is at most a frame away; a few anomalies close together can push it
// further, so four frames are kept before the oldest bytes are given up.
func (r *Receiver) trim() {
	limit := MaxFrameSize + Overhead // the geometry is not known yet
	if r.haveLay {
		limit = 4 * int(max(r.lay.size, r.lay.last))
	}
	limit += 2 * HeaderSize
	if len(r.rb) <= limit {
		return
	}
	drop := len(r.rb) - (HeaderSize - 1)
	a := min(r.mism, drop)
	r.accept(r.anchor, int64(a), r.rbPos)
	r.junk(r.anchor+int64(a), int64(drop-a), r.rbPos+int64(a))
	r.anchor += int64(drop)
	r.rbPos += int64(drop)
	r.mism = 0
	r.scan = max(0, r.scan-drop)
	r.rb = r.rb[:copy(r.rb, r.rb[drop:])]
}

// resolveEOF places what is left in rb at EOF. No header follows, so the
// bytes either end the stream or are found by looking for them.
func (r *Receiver) resolveEOF() {
	if len(r.rb) == 0 {
		return
	}
	a := r.mism
	r.accept(r.anchor, int64(a), r.rbPos)
	b, off, pos := r.rb[a:], r.anchor+int64(a), r.rbPos+int64(a)
	r.rb = r.rb[:0]
	if len(b) == 0 {
		return
	}
	if !r.haveLay {
		if len(b) >= HeaderSize {
			r.record(off, int64(len(b)), pos, true)
		}
		return
	}
	for len(b) > 0 {
		end := r.lay.total - int64(len(b))
		if end == off || (end >= 0 && r.fits(b, end)) {
			r.place(b, end, pos, off)
			return
		}
		c, n, ok := r.locate(b, off, end)
		if !ok {
			r.junk(off, int64(len(b)), pos)
			return
		}
		r.accept(c, int64(n), pos)
		b, pos, off = b[n:], pos+int64(n), c+int64(n)
	}
}

// fits reports whether at least half of b matches the stream at off.
func (r *Receiver) fits(b []byte, off int64) bool {
	want := r.expected(&r.scratch, off, len(b))
	same := 0
	for i := range want {
		if b[i] == want[i] {
			same++
		}
	}
	return same > 0 && 2*same >= len(b)
}
