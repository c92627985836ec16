package proactor

import (
	"errors"
	"io"
)

// maxFreeBuffers bounds the read-buffer free list; two suffice in steady
// state (one being delivered, one posted), Legacy may briefly need three.
const maxFreeBuffers = 4

func (t *Transport) getBuf() []byte {
	if n := len(t.free); n > 0 {
		b := t.free[n-1]
		t.free = t.free[:n-1]
		return b
	}
	return make([]byte, t.cfg.ReadSize)
}

func (t *Transport) putBuf(b []byte) {
	if len(t.free) < maxFreeBuffers {
		t.free = append(t.free, b[:cap(b)])
	}
}

// postRead posts the next read unless one is outstanding or reading must
// not happen now. Fixed mode's "no read while paused" is enforced here.
func (t *Transport) postRead() {
	if t.readOp != nil || t.paused || t.closing || t.eofSeen || t.pending != nil || t.pendingEOF {
		return
	}
	op := t.newOp(OpRead, t.getBuf())
	t.readOp = op
	t.count(func(s *Stats) { s.ReadsSubmitted++ })
	t.record(Event{Kind: EvSubmitRead, Op: op.ID, N: len(op.Buf), Off: -1})
	if err := t.submit(op); err != nil {
		t.readOp = nil
		t.count(func(s *Stats) { s.ReadsSubmitted-- })
		t.fail(err)
	}
}

func (t *Transport) readDone(c Completion, st *opState) {
	off := t.rxOff
	n := c.N
	t.rxOff += int64(n)
	t.count(func(s *Stats) { s.ReadsCompleted++; s.BytesCompleted += int64(n) })
	ev := Event{Kind: EvComplete, Op: c.Op.ID, N: n, Off: off}
	if c.Err != nil {
		ev.Detail = c.Err.Error()
	}
	t.record(ev)
	if t.readOp == c.Op {
		t.readOp = nil
	}

	switch {
	case st.cancelled:
		// Legacy: asyncio saw a cancelled future and ignored its result,
		// whatever it carried. This is the bpo-33694 loss.
		if n > 0 {
			t.discard(c.Op, n, off, "cancelled", st.cancelResult)
		}
		t.putBuf(c.Op.Buf)
		return
	case t.closing:
		if n > 0 {
			t.discard(c.Op, n, off, "closed", st.cancelResult)
		}
		t.putBuf(c.Op.Buf)
		return
	}

	switch {
	case n > 0:
		if t.paused {
			t.hold(c.Op, n, off)
			return
		}
		// As asyncio does: keep the socket busy while the protocol works.
		t.postRead()
		t.deliver(c.Op.Buf[:n], off, c.Op.ID)
		t.putBuf(c.Op.Buf)
	case c.Err == nil || errors.Is(c.Err, io.EOF):
		t.putBuf(c.Op.Buf)
		if t.paused {
			t.pendingEOF = true
			return
		}
		t.eof()
	case errors.Is(c.Err, ErrCanceled):
		t.putBuf(c.Op.Buf)
		t.postRead()
	default:
		t.putBuf(c.Op.Buf)
		t.fail(c.Err)
	}
}

func (t *Transport) discard(op *Op, n int, off int64, reason, cancel string) {
	if t.cfg.Mode == Fixed && reason != "closed" {
		t.violation("fixed mode discarded %d bytes of op %d", n, op.ID)
	}
	t.count(func(s *Stats) {
		s.BytesDiscarded += int64(n)
		if reason == "cancelled" {
			s.BytesLostToCancel += int64(n)
		}
	})
	t.record(Event{Kind: EvDiscard, Op: op.ID, N: n, Off: off, Cancel: cancel, Detail: reason})
}

func (t *Transport) hold(op *Op, n int, off int64) {
	if t.pending != nil {
		t.violation("second pending chunk (op %d) while op %d is held", op.ID, t.pendingOp)
	}
	t.pending, t.pendingBuf, t.pendingOff, t.pendingOp = op.Buf[:n], op.Buf, off, op.ID
	t.count(func(s *Stats) { s.BytesPending += int64(n) })
	t.record(Event{Kind: EvHold, Op: op.ID, N: n, Off: off})
}

func (t *Transport) deliver(b []byte, off int64, op OpID) {
	if t.paused {
		t.violation("delivered %d bytes of op %d while paused", len(b), op)
	}
	if t.eofSeen {
		t.violation("delivered %d bytes of op %d after EOF", len(b), op)
	}
	t.count(func(s *Stats) { s.BytesDelivered += int64(len(b)) })
	t.record(Event{Kind: EvDeliver, Op: op, N: len(b), Off: off})
	t.proto.DataReceived(b)
}

func (t *Transport) eof() {
	if t.eofSeen {
		t.violation("second EOF")
		return
	}
	if t.pending != nil {
		t.violation("EOF before %d pending bytes", len(t.pending))
	}
	t.eofSeen = true
	t.count(func(s *Stats) { s.EOFs++ })
	t.record(Event{Kind: EvEOF, Off: -1})
	if !t.proto.EOFReceived() {
		t.Close()
	}
}

// Paused reports whether reading is paused.
func (t *Transport) Paused() bool { return t.paused }

// PauseReading stops DataReceived callbacks until ResumeReading. In Fixed
// mode the outstanding read stays posted and its data is held; in Legacy
// mode the read is cancelled and forgotten, and the cancel's result is
// recorded but ignored, as pre-fix asyncio's Overlapped.cancel() did.
func (t *Transport) PauseReading() {
	if t.closing || t.paused {
		return
	}
	t.paused = true
	t.count(func(s *Stats) { s.Pauses++ })
	t.record(Event{Kind: EvPause, Off: -1})
	if t.cfg.Mode != Legacy || t.readOp == nil {
		return
	}
	op := t.readOp
	t.readOp = nil
	st := t.queuedRead(op)
	if st == nil {
		t.violation("the outstanding read %d is not queued", op.ID)
		return
	}
	// It may have completed already, its result queued behind an earlier
	// read's: the cancel then finds nothing and its bytes are lost, as
	// with a completion not yet dequeued.
	st.cancelled = true
	t.record(Event{Kind: EvCancel, Op: op.ID, Off: -1})
	err := t.port.Cancel(op)
	switch {
	case err == nil:
		st.cancelResult = CancelOK
	case errors.Is(err, ErrNotFound):
		st.cancelResult = CancelNotFound
	default:
		st.cancelResult = "error: " + err.Error()
	}
	t.count(func(s *Stats) {
		s.Cancels++
		switch st.cancelResult {
		case CancelOK:
			s.CancelsOK++
		case CancelNotFound:
			s.CancelsNotFound++
		default:
			s.CancelsFailed++
		}
	})
	t.record(Event{Kind: EvCancelResult, Op: op.ID, Off: -1, Cancel: st.cancelResult})
}

// queuedRead returns the state of read op. Reads stay queued, in order,
// until delivered, even after their completion has arrived (when it left
// t.inflight), so this finds it either way.
func (t *Transport) queuedRead(op *Op) *opState {
	for _, st := range t.reads {
		if st.op == op {
			return st
		}
	}
	return nil
}

// ResumeReading undoes PauseReading. Held data (and a held EOF) is
// delivered on a later loop turn, before a new read is posted, and paused
// is re-checked after each callback, as CPython's fix does.
func (t *Transport) ResumeReading() {
	if t.closing || !t.paused {
		return
	}
	t.paused = false
	t.count(func(s *Stats) { s.Resumes++ })
	t.record(Event{Kind: EvResume, Off: -1})
	if t.resumeScheduled {
		return
	}
	t.resumeScheduled = true
	_ = t.loop.CallSoon(t.afterResume)
}

func (t *Transport) afterResume() {
	t.resumeScheduled = false
	if t.paused || t.closing {
		return
	}
	if t.pending != nil {
		b, buf, off, op := t.pending, t.pendingBuf, t.pendingOff, t.pendingOp
		t.pending, t.pendingBuf = nil, nil
		t.count(func(s *Stats) { s.BytesPending -= int64(len(b)) })
		t.deliver(b, off, op)
		t.putBuf(buf)
		if t.paused || t.closing {
			return
		}
	}
	if t.pendingEOF {
		t.pendingEOF = false
		t.eof()
		return
	}
	t.postRead()
}
