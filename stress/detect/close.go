package detect

import (
	"fmt"
	"time"
)

// CloseEOF tells the receiver that the transport reported EOF. It settles
// the bytes still waiting for a header and reports a premature EOF if the
// stream is short. Bytes written afterwards are reported as data after EOF.
func (r *Receiver) CloseEOF() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.eof {
		return
	}
	r.eof = true
	switch {
	case r.skip > 0:
		// EOF inside a misdelivered frame; it is already reported.
	case r.synced:
		if r.exp < r.cur.pstart && r.exp > r.stageOff {
			r.accept(r.stageOff, r.exp-r.stageOff, r.pos-(r.exp-r.stageOff))
		}
	default:
		r.resolveEOF()
	}
	if !r.haveLay {
		r.keepNoted(Anomaly{Kind: KindPrematureEOF, Position: r.fed,
			Detail: fmt.Sprintf("EOF after %d bytes without a valid frame header", r.fed)})
		return
	}
	if r.hw < r.lay.total {
		r.missing = r.lay.total - r.hw
		r.keepNoted(Anomaly{Kind: KindPrematureEOF, Offset: r.hw, Length: r.missing, Position: r.fed,
			Detail: fmt.Sprintf("EOF at stream offset %d of %d", r.hw, r.lay.total)})
	}
}

// keepNoted records a one-off anomaly with its phase and frame filled in.
func (r *Receiver) keepNoted(a Anomaly) {
	r.note(a)
	r.flush()
}

// Check looks for a stall: no byte written for the configured StallAfter
// while the peer reports peerUnacked > 0 bytes sent but not acknowledged.
// It records at most one stall per quiet spell and reports whether it
// recorded one now. state, if not nil, is called only then, to attach a dump
// of the transport state; it must not call the receiver.
func (r *Receiver) Check(now time.Time, peerUnacked int64, state func() string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.eof {
		return false
	}
	if r.progressAt.IsZero() || r.fed != r.lastFed {
		r.lastFed, r.progressAt, r.stalled = r.fed, now, false
		return false
	}
	quiet := now.Sub(r.progressAt)
	if r.stalled || peerUnacked <= 0 || quiet < r.cfg.StallAfter {
		return false
	}
	r.stalled = true
	a := Anomaly{Kind: KindStall, Offset: r.hw, Length: peerUnacked, Position: r.fed,
		Detail: fmt.Sprintf("no bytes for %v while the peer has %d unacknowledged", quiet.Round(time.Millisecond), peerUnacked)}
	if state != nil {
		a.State = state()
	}
	r.keepNoted(a)
	return true
}

// Report returns the findings so far. Lost bytes are reported from the gaps
// still open, so a range that arrives late turns from lost into reordered.
func (r *Receiver) Report() Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := Report{
		Seed: r.cfg.Seed, Stream: r.cfg.Stream, Total: -1, FrameSize: -1,
		BytesReceived: r.fed, BytesVerified: r.verified, BytesLost: r.lostFinal,
		BytesDuplicate: r.dup, BytesReordered: r.reordered, BytesCorrupt: r.corrupt,
		BytesMisdelivered: r.misdeliv, BytesAfterEOF: r.afterEOF, BytesMissingAtEOF: r.missing,
		BytesPending: int64(len(r.rb)), Frames: r.frames, EOF: r.eof,
		Counts: map[Kind]int{}, Omitted: r.omitted,
	}
	if r.haveLay {
		rep.Total, rep.FrameSize = r.lay.total, r.lay.size
		rep.Complete = r.hw == r.lay.total && len(r.gaps) == 0 && r.lostFinal == 0
	}
	for k, n := range r.counts {
		rep.Counts[k] = n
	}
	rep.Anomalies = append(rep.Anomalies, r.list...)
	if r.hasOpen {
		rep.Anomalies = appendCapped(rep.Anomalies, r.open, r.max, &rep.Omitted)
	}
	for _, g := range r.gaps {
		rep.Counts[KindLostBytes]++
		rep.BytesLost += g.end - g.start
		rep.Anomalies = append(rep.Anomalies, g.anomaly())
	}
	rep.finish(r.max)
	return rep
}
