package emu

import (
	"errors"
	"os"
	"time"

	"github.com/triaged/triaged/proactor"
)

// worker performs the operations of one direction serially, as the kernel
// satisfies overlapped receives on one socket in order, and posts each
// result exactly once.
func (p *Port) worker(q *[]*proactor.Op, do func(*proactor.Op, *opRec) (int, error)) {
	p.mu.Lock()
	for {
		for len(*q) == 0 && !p.closed {
			p.work.Wait()
		}
		if len(*q) == 0 {
			p.workers--
			p.ready.Broadcast()
			p.mu.Unlock()
			return
		}
		op := (*q)[0]
		*q = (*q)[1:]
		rec := p.ops[op]
		if rec.cancel {
			rec.state = stDone
			close(rec.done)
			p.post(op, rec, 0, proactor.ErrCanceled)
			continue
		}
		rec.state = stRunning
		p.mu.Unlock()
		n, err := do(op, rec)
		p.mu.Lock()
		rec.state = stDone
		close(rec.done)
		if rec.cancel {
			p.mu.Unlock()
			// Only this worker reads, so clearing here cannot undo a
			// cancel aimed at a later read.
			_ = p.conn.SetReadDeadline(time.Time{})
			if n == 0 && errors.Is(err, os.ErrDeadlineExceeded) {
				err = proactor.ErrCanceled
			}
			p.mu.Lock()
		}
		if n > 0 && errors.Is(err, os.ErrDeadlineExceeded) {
			err = nil // the data won the race; it must be reported
		}
		if d := rec.plan.PostDelay; d > 0 {
			p.mu.Unlock()
			time.Sleep(d)
			p.mu.Lock()
		}
		p.post(op, rec, n, err)
	}
}

// post hands a completion to a waiting Submit or queues it; p.mu is held.
func (p *Port) post(op *proactor.Op, rec *opRec, n int, err error) {
	c := proactor.Completion{Op: op, N: n, Err: err}
	if rec.syncWait {
		rec.syncWait = false
		delete(p.ops, op)
		rec.syncCh <- c
		p.ready.Broadcast()
		return
	}
	p.queue = append(p.queue, c)
	p.ready.Signal()
}

func (p *Port) read(op *proactor.Op, rec *opRec) (int, error) {
	b := op.Buf
	if rec.plan.ShortRead > 0 && rec.plan.ShortRead < len(b) {
		b = b[:rec.plan.ShortRead]
	}
	return p.conn.Read(b)
}

func (p *Port) write(op *proactor.Op, _ *opRec) (int, error) {
	return p.conn.Write(op.Buf)
}
