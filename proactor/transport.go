package proactor

import (
	"errors"
	"fmt"
	"sync"
)

// Protocol receives a transport's events, always on the loop goroutine.
type Protocol interface {
	// ConnectionMade is called once, before any other callback.
	ConnectionMade(t *Transport)
	// DataReceived delivers the next bytes of the stream. b is valid only
	// during the call.
	DataReceived(b []byte)
	// EOFReceived reports the peer's end of stream, once and after every
	// byte before it. Returning false closes the transport.
	EOFReceived() (keepOpen bool)
	// ConnectionLost is called once, after the transport closed and all its
	// operations completed; err is nil for a requested close.
	ConnectionLost(err error)
}

// opState is what the transport remembers about an operation in flight.
type opState struct {
	op           *Op
	cancelled    bool
	cancelResult string
	done         bool
	result       Completion
}

// Transport is an asyncio-style read/write transport over a Port. All
// methods except Stats, Trace, Mode and Loop must be called on the loop
// goroutine (from a Protocol callback or via Loop.Call).
type Transport struct {
	loop  *Loop
	port  Port
	cfg   Config
	proto Protocol
	trace *Trace

	nextID   OpID
	inflight map[*Op]*opState
	// reads lists read operations in submission order, which is the order
	// their bytes appear in the stream; completions are processed in this
	// order even when a synchronous completion overtakes a queued one.
	reads []*opState
	free  [][]byte

	// Read side.
	paused          bool
	resumeScheduled bool
	readOp          *Op
	rxOff           int64
	pending         []byte
	pendingBuf      []byte
	pendingOff      int64
	pendingOp       OpID
	pendingEOF      bool
	eofSeen         bool

	// Write side.
	writeQ       []writeReq
	writeOp      *Op
	writeEOF     bool
	writeEOFSent bool

	// Shutdown.
	closing    bool
	aborted    bool
	portClosed bool
	drained    bool
	lost       bool
	closeErr   error

	statsMu sync.Mutex
	stats   Stats
}

// NewTransport wraps port in a transport driven by loop and calls
// proto.ConnectionMade on the loop. It may be called from any goroutine.
// The transport owns port from now on, even when an error is returned.
func NewTransport(loop *Loop, port Port, proto Protocol, cfg Config) (*Transport, error) {
	cfg = cfg.withDefaults()
	t := &Transport{
		loop:     loop,
		port:     port,
		cfg:      cfg,
		proto:    proto,
		trace:    newTrace(cfg.TraceEvents, cfg.Phase),
		inflight: make(map[*Op]*opState),
	}
	t.stats.Mode = cfg.Mode.String()
	if err := loop.CallSoon(t.start); err != nil {
		_ = port.Close()
		return nil, fmt.Errorf("new transport: %w", err)
	}
	return t, nil
}

func (t *Transport) start() {
	t.loop.transports[t] = struct{}{}
	go t.dequeue()
	t.proto.ConnectionMade(t)
	t.postRead()
}

// dequeue runs on its own goroutine and forwards completions to the loop.
// The loop cannot close while the transport is registered, so CallSoon
// cannot fail here.
func (t *Transport) dequeue() {
	for {
		c, err := t.port.Dequeue()
		if err != nil {
			_ = t.loop.CallSoon(func() { t.portDrained(err) })
			return
		}
		_ = t.loop.CallSoon(func() { t.complete(c) })
	}
}

func (t *Transport) portDrained(err error) {
	t.drained = true
	if !errors.Is(err, ErrPortClosed) {
		t.violation("port dequeue failed: %v", err)
		t.fail(err)
	}
	if len(t.inflight) > 0 {
		t.violation("port drained with %d operations still in flight", len(t.inflight))
	}
	t.maybeFinish()
}

func (t *Transport) complete(c Completion) {
	st, ok := t.inflight[c.Op]
	if !ok {
		t.violation("second or unknown completion for op %d", c.Op.ID)
		return
	}
	delete(t.inflight, c.Op)
	switch c.Op.Kind {
	case OpRead:
		st.done, st.result = true, c
		for len(t.reads) > 0 && t.reads[0].done {
			head := t.reads[0]
			t.reads[0] = nil
			t.reads = t.reads[1:]
			t.readDone(head.result, head)
		}
	case OpWrite:
		t.writeDone(c)
	}
	t.maybeFinish()
}

// Loop returns the loop the transport runs on.
func (t *Transport) Loop() *Loop { return t.loop }

// Mode returns the transport's pause semantics.
func (t *Transport) Mode() Mode { return t.cfg.Mode }

// Trace returns the transport's event trace.
func (t *Transport) Trace() *Trace { return t.trace }

// Protocol returns the current protocol.
func (t *Transport) Protocol() Protocol { return t.proto }

// SetProtocol makes p receive all later callbacks, as asyncio's
// set_protocol does; it does not call p.ConnectionMade.
func (t *Transport) SetProtocol(p Protocol) {
	t.proto = p
	t.record(Event{Kind: EvSetProtocol, Off: -1, Detail: fmt.Sprintf("%T", p)})
}

// SetPhase labels later trace events, e.g. "plaintext", "upgrade", "tls",
// so a loss can be attributed to the phase it happened in.
func (t *Transport) SetPhase(phase string) {
	t.trace.setPhase(phase)
	t.record(Event{Kind: EvPhase, Off: -1, Detail: phase})
}

// IsClosing reports whether Close or Abort was called.
func (t *Transport) IsClosing() bool { return t.closing }

// Stats returns a copy of the counters; safe from any goroutine.
func (t *Transport) Stats() Stats {
	t.statsMu.Lock()
	defer t.statsMu.Unlock()
	return t.stats
}

func (t *Transport) count(f func(s *Stats)) {
	t.statsMu.Lock()
	f(&t.stats)
	t.statsMu.Unlock()
}

func (t *Transport) record(e Event) { t.trace.add(e) }

// violation records a broken invariant in the trace and the counters; tests
// and Stats.Check turn it into a failure without crashing a campaign.
func (t *Transport) violation(format string, args ...any) {
	t.count(func(s *Stats) { s.Violations++ })
	t.record(Event{Kind: EvViolation, Off: -1, Detail: fmt.Sprintf(format, args...)})
}

func (t *Transport) newOp(kind OpKind, buf []byte) *Op {
	t.nextID++
	op := &Op{ID: t.nextID, Kind: kind, Buf: buf}
	st := &opState{op: op}
	t.inflight[op] = st
	if kind == OpRead {
		t.reads = append(t.reads, st)
	}
	return op
}

// submit hands op to the port; a synchronous completion is processed on a
// later loop turn so callbacks never nest inside Submit's caller.
func (t *Transport) submit(op *Op) error {
	c, err := t.port.Submit(op)
	if err != nil {
		delete(t.inflight, op)
		if op.Kind == OpRead {
			t.reads = t.reads[:len(t.reads)-1]
		}
		return err
	}
	if c != nil {
		t.count(func(s *Stats) { s.SyncCompletions++ })
		cc := *c
		_ = t.loop.CallSoon(func() { t.complete(cc) })
	}
	return nil
}
