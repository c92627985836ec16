// Package emu is the portable proactor backend: a Port over any net.Conn
// that behaves like a completion port (one serial worker per direction,
// cancel by read deadline, ErrNotFound once a read has returned data) and
// injects seeded, replayable faults into the cancel-versus-complete race.
package emu

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/triaged/triaged/proactor"
)

// Operation states, in order.
const (
	stQueued = iota
	stRunning
	stDone // I/O returned: data is in the buffer, completion not yet posted
)

type opRec struct {
	plan     Plan
	state    int
	cancel   bool
	done     chan struct{} // closed when the I/O returned
	syncWait bool          // Submit is waiting to take the completion itself
	syncCh   chan proactor.Completion
}

// Port is a proactor.Port over a net.Conn.
type Port struct {
	conn   net.Conn
	faults Faults

	mu       sync.Mutex
	ready    *sync.Cond // completions queued, workers exited
	work     *sync.Cond // submissions for workers
	queue    []proactor.Completion
	reads    []*proactor.Op
	writes   []*proactor.Op
	ops      map[*proactor.Op]*opRec
	closed   bool
	workers  int
	schedule []Plan
	// seq numbers operations per kind, in submission order: the keys of
	// their fault plans.
	seq map[proactor.OpKind]proactor.OpID
}

// New returns a Port that owns conn. It starts two worker goroutines that
// exit once the port is closed and drained.
func New(conn net.Conn, f Faults) *Port {
	p := &Port{conn: conn, faults: f, ops: make(map[*proactor.Op]*opRec), workers: 2, seq: map[proactor.OpKind]proactor.OpID{}}
	p.ready = sync.NewCond(&p.mu)
	p.work = sync.NewCond(&p.mu)
	go p.worker(&p.reads, p.read)
	go p.worker(&p.writes, p.write)
	return p
}

// Dial connects to a TCP address (loopback in tests and scenarios) and
// returns a Port over the connection.
func Dial(ctx context.Context, addr string, f Faults) (*Port, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("emu dial %s: %w", addr, err)
	}
	return New(c, f), nil
}

// Conn returns the underlying connection, e.g. for its addresses.
func (p *Port) Conn() net.Conn { return p.conn }

// Schedule returns the fault plans of every operation that had a fault,
// in submission order: the log that the seed replays.
func (p *Port) Schedule() []Plan {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Plan(nil), p.schedule...)
}

// Submit implements proactor.Port.
func (p *Port) Submit(op *proactor.Op) (*proactor.Completion, error) {
	rec := &opRec{done: make(chan struct{})}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errors.New("emu: submit on closed port")
	}
	p.seq[op.Kind]++
	rec.plan = p.faults.Plan(p.seq[op.Kind], op.Kind, len(op.Buf))
	rec.plan.Op = op.ID
	if rec.plan.Any() {
		p.schedule = append(p.schedule, rec.plan)
	}
	if rec.plan.Sync {
		rec.syncWait = true
		rec.syncCh = make(chan proactor.Completion, 1)
	}
	p.ops[op] = rec
	if op.Kind == proactor.OpRead {
		p.reads = append(p.reads, op)
	} else {
		p.writes = append(p.writes, op)
	}
	p.work.Broadcast()
	p.mu.Unlock()
	if !rec.plan.Sync {
		return nil, nil
	}
	timer := time.NewTimer(p.faults.SyncWait)
	defer timer.Stop()
	select {
	case c := <-rec.syncCh:
		return &c, nil
	case <-timer.C:
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !rec.syncWait { // the worker handed it over just now
		c := <-rec.syncCh
		return &c, nil
	}
	rec.syncWait = false
	return nil, nil
}

// Cancel implements proactor.Port: a read that already returned data, or
// whose completion was already dequeued, reports ErrNotFound; otherwise the
// cancel is accepted and the read is interrupted by an expired deadline,
// though it may still complete with data.
func (p *Port) Cancel(op *proactor.Op) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	rec, ok := p.ops[op]
	if !ok || rec.state == stDone {
		return proactor.ErrNotFound
	}
	if op.Kind != proactor.OpRead {
		return errors.New("emu: only reads can be cancelled")
	}
	if rec.plan.CompleteBeforeCancel {
		p.mu.Unlock()
		t := time.NewTimer(p.faults.CancelWait)
		select {
		case <-rec.done:
		case <-t.C:
		}
		t.Stop()
		p.mu.Lock()
		if rec.state == stDone {
			return proactor.ErrNotFound
		}
	}
	rec.cancel = true
	if rec.state == stRunning {
		_ = p.conn.SetReadDeadline(time.Unix(1, 0))
	}
	return nil
}

// Dequeue implements proactor.Port.
func (p *Port) Dequeue() (proactor.Completion, error) {
	p.mu.Lock()
	for len(p.queue) == 0 && !(p.closed && len(p.ops) == 0 && p.workers == 0) {
		p.ready.Wait()
	}
	if len(p.queue) == 0 {
		p.mu.Unlock()
		return proactor.Completion{}, proactor.ErrPortClosed
	}
	c := p.queue[0]
	p.queue[0] = proactor.Completion{}
	p.queue = p.queue[1:]
	d := p.ops[c.Op].plan.DequeueDelay
	delete(p.ops, c.Op)
	p.mu.Unlock()
	if d > 0 {
		time.Sleep(d)
	}
	return c, nil
}

// CloseWrite implements proactor.Port for connections that can half-close.
func (p *Port) CloseWrite() error {
	cw, ok := p.conn.(interface{ CloseWrite() error })
	if !ok {
		return fmt.Errorf("emu: %T cannot half-close", p.conn)
	}
	return cw.CloseWrite()
}

// Close implements proactor.Port: the connection is closed, so running
// operations fail and queued ones complete with an error.
func (p *Port) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.work.Broadcast()
	p.ready.Broadcast()
	p.mu.Unlock()
	return p.conn.Close()
}

// LocalAddr returns the connection's local address.
func (p *Port) LocalAddr() net.Addr { return p.conn.LocalAddr() }

// RemoteAddr returns the connection's remote address.
func (p *Port) RemoteAddr() net.Addr { return p.conn.RemoteAddr() }
