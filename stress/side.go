package stress

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/triaged/triaged/proactor"
	"github.com/triaged/triaged/stress/detect"
)

// frameSize is the detector's frame size: small enough that a lost read
// buffer leaves whole frames on both sides of the gap to resynchronise on.
const frameSize = 4 << 10

// side is the transport under test: its loop, its transport, and what it
// does with the bytes it receives.
type side struct {
	loop *proactor.Loop
	t    *proactor.Transport
}

// openSide dials addr with the backend and wraps the port in a transport on
// a fresh loop. The caller closes it.
func openSide(ctx context.Context, c ScenarioConfig, addr string, seed int64, proto proactor.Protocol) (*side, error) {
	port, err := dialPort(ctx, c, addr, seed)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	s := &side{loop: proactor.NewLoop()}
	go s.loop.Run(context.Background())
	s.t, err = proactor.NewTransport(s.loop, port, proto, proactor.Config{Mode: c.Mode, Phase: "plaintext"})
	if err != nil {
		s.loop.Close()
		return nil, err
	}
	return s, nil
}

// close stops the loop, which aborts the transport and waits for its
// operations, so nothing outlives the iteration.
func (s *side) close() { s.loop.Close() }

// state describes the transport for a stall report. It asks the loop and
// gives up after a second, so that a loop which no longer runs callbacks
// is reported rather than waited for.
func (s *side) state() string {
	st := make(chan string, 1)
	if err := s.loop.CallSoon(func() { st <- s.t.State().String() }); err != nil {
		return "loop closed"
	}
	select {
	case v := <-st:
		return v
	case <-time.After(time.Second):
		return "the loop did not answer within 1s"
	}
}

// moved counts the bytes the transport has received and sent, for a
// progressCheck.
func (s *side) moved() int64 {
	st := s.t.Stats()
	return st.BytesCompleted + st.BytesWritten
}

// send writes a generated stream through the transport in packets, waiting
// while more than highWater bytes are queued so memory stays bounded, then
// half-closes when eof is set.
func (s *side) send(ctx context.Context, g *detect.Generator, packet int, eof bool, o *Outcome) error {
	const highWater = 4 << 20
	buf := make([]byte, packet)
	for {
		n, rerr := g.Read(buf)
		if n > 0 {
			var werr error
			queued := 0
			if err := s.loop.Call(func() { werr = s.t.Write(buf[:n]); queued = s.t.WriteBufferSize() }); err != nil {
				return err
			}
			if werr != nil {
				return werr
			}
			o.sent(int64(n))
			for queued > highWater {
				if err := pause(ctx, 200*time.Microsecond); err != nil {
					return err
				}
				if err := s.loop.Call(func() { queued = s.t.WriteBufferSize() }); err != nil {
					return err
				}
			}
		}
		if rerr == io.EOF {
			if eof {
				return s.loop.Call(s.t.WriteEOF)
			}
			return nil
		}
	}
}

// drained waits until every queued byte was sent.
func (s *side) drained(ctx context.Context) error {
	for {
		queued := 0
		if err := s.loop.Call(func() { queued = s.t.WriteBufferSize() }); err != nil {
			return err
		}
		if queued == 0 {
			return nil
		}
		if err := pause(ctx, 200*time.Microsecond); err != nil {
			return err
		}
	}
}

// pauser injects pause/resume cycles on the loop: periodic, or at seeded
// random intervals. Stop it before closing the transport.
type pauser struct {
	s       *side
	every   time.Duration
	rng     *rand.Rand
	random  bool
	stopped bool
	cancel  func() bool
}

func startPauser(s *side, c ScenarioConfig, seed int64) *pauser {
	p := &pauser{s: s, every: c.PauseEvery, rng: rand.New(rand.NewPCG(uint64(seed), 0x9e3779b9)), random: c.Pauses == "random"}
	s.loop.CallSoon(p.schedule)
	return p
}

func (p *pauser) schedule() {
	if p.stopped {
		return
	}
	wait := p.every
	if p.random {
		wait = time.Duration(p.rng.Int64N(int64(2*p.every))) + time.Millisecond
	}
	p.cancel = p.s.loop.CallLater(wait, p.cycle)
}

// cycle pauses reading, as asyncio flow control or start_tls does, and
// resumes a little later.
func (p *pauser) cycle() {
	if p.stopped || p.s.t.IsClosing() {
		return
	}
	p.s.t.PauseReading()
	hold := min(p.every/4, 10*time.Millisecond)
	if p.random {
		hold = time.Duration(p.rng.Int64N(int64(p.every/2) + 1))
	}
	p.s.loop.CallLater(hold, func() {
		if !p.s.t.IsClosing() && p.s.t.Paused() {
			p.s.t.ResumeReading()
		}
		p.schedule()
	})
}

func (p *pauser) stop() {
	p.s.loop.Call(func() {
		p.stopped = true
		if p.cancel != nil {
			p.cancel()
		}
		if !p.s.t.IsClosing() && p.s.t.Paused() {
			p.s.t.ResumeReading()
		}
	})
}

func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// newReceiver returns a detector receiver for a stream of total bytes, or
// nil when the detector is off.
func newReceiver(c ScenarioConfig, seed uint64, stream uint32, total int64) (*detect.Receiver, error) {
	if c.NoDetector {
		return nil, nil
	}
	return detect.NewReceiver(detect.Config{Seed: seed, Stream: stream, Total: total, FrameSize: frameSize, StallAfter: stallAfter})
}

// sink takes the bytes a stream delivers: the detector's receiver, or a
// plain count when the detector is off.
type sink struct {
	r *detect.Receiver
	n atomic.Int64
}

func (k *sink) Write(p []byte) (int, error) {
	k.n.Add(int64(len(p)))
	if k.r != nil {
		k.r.Write(p)
	}
	return len(p), nil
}

func (k *sink) eof() {
	if k.r != nil {
		k.r.CloseEOF()
	}
}

func (k *sink) phase(name string) {
	if k.r != nil {
		k.r.SetPhase(name)
	}
}
