package detect

import (
	"fmt"
	"sort"
)

// The ledger records which stream bytes have arrived. Everything below the
// high-water mark hw has arrived except the gaps, so in a healthy stream the
// interval set is empty and accepting bytes is one addition.

// maxGaps bounds the gap list; past it the oldest gap is reported as lost
// for good, even if its bytes turn up later.
const maxGaps = 1 << 14

// gap is a run of stream bytes that has not arrived, with the evidence of
// when it was noticed.
type gap struct {
	start, end int64
	pos        int64 // bytes received before the first byte after the gap
	phase      string
	frame      int64
}

func (g gap) anomaly() Anomaly {
	return Anomaly{Kind: KindLostBytes, Offset: g.start, Length: g.end - g.start,
		Position: g.pos, Frame: g.frame, Phase: g.phase}
}

// accept records that the n bytes at stream offset off arrived intact, the
// first at received position pos.
func (r *Receiver) accept(off, n, pos int64) {
	if n <= 0 {
		return
	}
	if off == r.hw {
		r.hw += n
		r.verified += n
		return
	}
	r.record(off, n, pos, false)
}

// record places n received bytes at stream offset off; bad marks bytes that
// arrived with the wrong value.
func (r *Receiver) record(off, n, pos int64, bad bool) {
	if n <= 0 {
		return
	}
	if off < 0 {
		k := min(n, -off)
		r.corrupt += k
		r.note(Anomaly{Kind: KindCorrupt, Offset: 0, Length: k, Position: pos,
			Detail: "bytes that fit before the start of the stream"})
		off, n, pos = off+k, n-k, pos+k
		if n == 0 {
			return
		}
	}
	if bad {
		r.corrupt += n
		r.note(Anomaly{Kind: KindCorrupt, Offset: off, Length: n, Position: pos, Detail: r.where(off)})
	}
	if off > r.hw {
		r.addGap(r.hw, off, pos)
		r.hw = off
	}
	end := off + n
	if off < r.hw && !bad {
		r.classify(off, min(end, r.hw), pos)
	}
	if end > r.hw {
		if !bad {
			r.verified += end - max(off, r.hw)
		}
		r.hw = end
	}
}

// classify sorts bytes arriving below the high-water mark into late fills of
// gaps (reordered) and repeats (duplicate).
func (r *Receiver) classify(off, end, pos int64) {
	i := sort.Search(len(r.gaps), func(i int) bool { return r.gaps[i].end > off })
	for cur := off; cur < end; {
		if i >= len(r.gaps) || r.gaps[i].start >= end {
			r.duplicate(cur, end-cur, pos+cur-off)
			return
		}
		g := r.gaps[i]
		if cur < g.start {
			r.duplicate(cur, g.start-cur, pos+cur-off)
			cur = g.start
		}
		fill := min(g.end, end)
		r.reordered += fill - cur
		r.verified += fill - cur
		r.note(Anomaly{Kind: KindReordered, Offset: cur, Length: fill - cur, Position: pos + cur - off,
			Detail: fmt.Sprintf("arrived after later bytes; missing since received position %d", g.pos)})
		switch {
		case cur > g.start && fill < g.end:
			tail := g
			tail.start = fill
			r.gaps[i].end = cur
			r.gaps = append(r.gaps, gap{})
			copy(r.gaps[i+2:], r.gaps[i+1:])
			r.gaps[i+1] = tail
			i++
		case cur > g.start:
			r.gaps[i].end = cur
			i++
		case fill < g.end:
			r.gaps[i].start = fill
		default:
			r.gaps = append(r.gaps[:i], r.gaps[i+1:]...)
		}
		cur = fill
	}
}

func (r *Receiver) duplicate(off, n, pos int64) {
	r.dup += n
	r.note(Anomaly{Kind: KindDuplicate, Offset: off, Length: n, Position: pos})
}

func (r *Receiver) addGap(start, end, pos int64) {
	r.gaps = append(r.gaps, gap{start: start, end: end, pos: pos, phase: r.phaseAt(pos), frame: r.frameOf(start)})
	if len(r.gaps) > maxGaps {
		r.lostFinal += r.gaps[0].end - r.gaps[0].start
		r.keep(r.gaps[0].anomaly())
		r.gaps = r.gaps[1:]
	}
}

// junk records n unexplained received bytes as if they had overwritten the
// stream bytes at off; what lies past the end of the stream is data after
// EOF.
func (r *Receiver) junk(off, n, pos int64) {
	if n <= 0 {
		return
	}
	if r.haveLay && off+n > r.lay.total {
		after := min(n, off+n-r.lay.total)
		r.record(off, n-after, pos, true)
		r.afterEOF += after
		r.note(Anomaly{Kind: KindDataAfterEOF, Offset: max(off, r.lay.total), Length: after,
			Position: pos + n - after, Detail: "bytes past the declared end of the stream"})
		return
	}
	r.record(off, n, pos, true)
}

// note records an anomaly, extending the previous one when a run continues
// across chunks (a duplicated range fed one byte at a time is one anomaly).
func (r *Receiver) note(a Anomaly) {
	if a.Phase == "" {
		a.Phase = r.phaseAt(a.Position)
	}
	a.Frame = r.frameOf(a.Offset)
	if r.hasOpen && r.mergeable(a) {
		r.open.Length += a.Length
		return
	}
	r.flush()
	r.counts[a.Kind]++
	r.open, r.hasOpen = a, true
}

func (r *Receiver) mergeable(a Anomaly) bool {
	o := &r.open
	if o.Kind != a.Kind || o.Phase != a.Phase {
		return false
	}
	switch a.Kind {
	case KindDuplicate, KindReordered, KindCorrupt:
		return o.Position+o.Length == a.Position && o.Offset+o.Length == a.Offset
	case KindMisdelivered:
		return o.Position+o.Length == a.Position && o.Offset == a.Offset
	case KindDataAfterEOF:
		return o.Position+o.Length == a.Position
	}
	return false
}

func (r *Receiver) flush() {
	if r.hasOpen {
		r.hasOpen = false
		r.list = appendCapped(r.list, r.open, r.max, &r.omitted)
	}
}

// keep records a finished anomaly without merging.
func (r *Receiver) keep(a Anomaly) {
	r.counts[a.Kind]++
	r.list = appendCapped(r.list, a, r.max, &r.omitted)
}

func appendCapped(l []Anomaly, a Anomaly, max int, omitted *int) []Anomaly {
	if len(l) >= max {
		*omitted++
		return l
	}
	return append(l, a)
}

func (r *Receiver) frameOf(off int64) int64 {
	if !r.haveLay || off < 0 || off >= r.lay.total {
		return -1
	}
	return r.lay.frameAt(off)
}

// where names the part of a frame holding stream offset off.
func (r *Receiver) where(off int64) string {
	if !r.haveLay || off < 0 || off >= r.lay.total {
		return ""
	}
	b := r.lay.bounds(r.lay.frameAt(off))
	switch {
	case off < b.pstart:
		return fmt.Sprintf("header byte %d of frame %d", off-b.start, b.k)
	case off < b.tstart:
		return fmt.Sprintf("payload byte %d of frame %d", off-b.pstart, b.k)
	}
	return fmt.Sprintf("payload CRC byte %d of frame %d", off-b.tstart, b.k)
}
