package proactor

// writeReq is a queued write; done, if set, runs on the loop once every
// byte was sent or the transport failed.
type writeReq struct {
	b    []byte
	done func(error)
}

// Write queues a copy of b for sending. Writes are sent in order, one
// operation at a time, so a short write is simply resubmitted.
func (t *Transport) Write(b []byte) error {
	return t.write(append([]byte(nil), b...), nil)
}

// write queues b without copying; done runs once b is fully sent or failed.
func (t *Transport) write(b []byte, done func(error)) error {
	if t.closing || t.writeEOF {
		return ErrTransportClosed
	}
	if len(b) == 0 {
		if done != nil {
			done(nil)
		}
		return nil
	}
	t.writeQ = append(t.writeQ, writeReq{b: b, done: done})
	t.pumpWrites()
	return nil
}

// WriteBufferSize returns the number of bytes queued and not yet sent.
func (t *Transport) WriteBufferSize() int {
	n := 0
	for _, r := range t.writeQ {
		n += len(r.b)
	}
	return n
}

// WriteEOF half-closes the connection once queued writes are sent, so the
// peer reads EOF while this side can still receive.
func (t *Transport) WriteEOF() {
	if t.closing || t.writeEOF {
		return
	}
	t.writeEOF = true
	t.pumpWrites()
}

func (t *Transport) pumpWrites() {
	if t.writeOp != nil || t.aborted {
		return
	}
	if len(t.writeQ) == 0 {
		if t.writeEOF && !t.writeEOFSent {
			t.writeEOFSent = true
			if err := t.port.CloseWrite(); err != nil {
				t.fail(err)
			}
		}
		t.maybeFinish()
		return
	}
	op := t.newOp(OpWrite, t.writeQ[0].b)
	t.writeOp = op
	t.count(func(s *Stats) { s.WritesSubmitted++ })
	t.record(Event{Kind: EvSubmitWrite, Op: op.ID, N: len(op.Buf), Off: -1})
	if err := t.submit(op); err != nil {
		t.writeOp = nil
		t.count(func(s *Stats) { s.WritesSubmitted-- })
		t.fail(err)
	}
}

func (t *Transport) writeDone(c Completion) {
	t.writeOp = nil
	t.count(func(s *Stats) { s.WritesCompleted++; s.BytesWritten += int64(c.N) })
	if t.aborted {
		return
	}
	if c.Err != nil {
		t.fail(c.Err)
		return
	}
	req := &t.writeQ[0]
	req.b = req.b[c.N:]
	if len(req.b) == 0 {
		done := req.done
		t.writeQ[0] = writeReq{}
		t.writeQ = t.writeQ[1:]
		if done != nil {
			done(nil)
		}
	}
	t.pumpWrites()
}

// Close closes the transport after queued writes are sent, as asyncio's
// close does: no more data is delivered, outstanding operations are
// completed, and then ConnectionLost(nil) is called.
func (t *Transport) Close() {
	if t.closing {
		return
	}
	t.closing = true
	t.record(Event{Kind: EvClose, Off: -1})
	t.maybeFinish()
}

// Abort closes the transport at once, dropping queued writes.
func (t *Transport) Abort() {
	if t.aborted {
		return
	}
	if !t.closing {
		t.closing = true
		t.record(Event{Kind: EvClose, Off: -1, Detail: "abort"})
	}
	t.aborted = true
	q := t.writeQ
	t.writeQ = nil
	for _, r := range q {
		if r.done != nil {
			r.done(ErrTransportClosed)
		}
	}
	t.maybeFinish()
}

// fail aborts the transport with err, which ConnectionLost will report.
func (t *Transport) fail(err error) {
	if t.closeErr == nil {
		t.closeErr = err
	}
	t.Abort()
}

// maybeFinish closes the port once writes are flushed (or dropped) and
// calls ConnectionLost once every operation has completed and the port's
// dequeuer has exited: close waits for outstanding operations.
func (t *Transport) maybeFinish() {
	if !t.closing || t.lost {
		return
	}
	if !t.portClosed && (t.aborted || (len(t.writeQ) == 0 && t.writeOp == nil)) {
		t.portClosed = true
		if err := t.port.Close(); err != nil && t.closeErr == nil {
			t.closeErr = err
		}
	}
	if !t.portClosed || !t.drained || len(t.inflight) > 0 {
		return
	}
	t.lost = true
	t.count(func(s *Stats) { s.Closed = true })
	delete(t.loop.transports, t)
	t.proto.ConnectionLost(t.closeErr)
}
