package streamtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/triaged/triaged/proactor"
)

// Dialer connects a backend's Port to a loopback address.
type Dialer func(ctx context.Context, addr string) (proactor.Port, error)

// Options describe one stream run.
type Options struct {
	Mode           proactor.Mode
	ReadSize       int
	PeerBytes      int64 // bytes the peer sends to the transport
	TransportBytes int64 // bytes the transport sends to the peer
	Chunk          int   // peer write size
	Seed           uint64
	// PauseProb is the chance of PauseReading after each DataReceived;
	// the resume comes on the next loop turn or after up to MaxPause.
	PauseProb float64
	MaxPause  time.Duration
	// SwapProb is the chance of a start_tls-style pause, protocol swap
	// and resume after a DataReceived.
	SwapProb float64
	Timeout  time.Duration
}

// Result is what a run observed.
type Result struct {
	Delivered []byte // every byte handed to the protocols, in order
	Stats     proactor.Stats
	Trace     *proactor.Trace
	PeerGot   int64
	Swaps     int
	LostErr   error
}

// run is the state shared by the chain of recorder protocols; it is only
// touched on the loop goroutine until done is closed.
type run struct {
	opt  Options
	rng  *rand.Rand
	t    *proactor.Transport
	res  Result
	done chan struct{}
}

type recorder struct{ r *run }

func (p recorder) ConnectionMade(t *proactor.Transport) {
	p.r.t = t
	buf := make([]byte, p.r.opt.TransportBytes)
	Fill(p.r.opt.Seed+1, 0, buf)
	if err := t.Write(buf); err != nil {
		t.Abort()
	}
	t.WriteEOF()
}

func (p recorder) DataReceived(b []byte) {
	r := p.r
	r.res.Delivered = append(r.res.Delivered, b...)
	if r.rng.Float64() < r.opt.SwapProb {
		r.t.PauseReading()
		r.res.Swaps++
		r.t.SetPhase(fmt.Sprintf("swap-%d", r.res.Swaps))
		r.t.SetProtocol(recorder{r})
		r.t.ResumeReading()
	}
	if r.rng.Float64() < r.opt.PauseProb {
		r.t.PauseReading()
		t := r.t
		if d := time.Duration(r.rng.Int64N(int64(r.opt.MaxPause) + 1)); d > 0 && r.rng.IntN(2) == 0 {
			t.Loop().CallLater(d, t.ResumeReading)
		} else {
			_ = t.Loop().CallSoon(t.ResumeReading)
		}
	}
}

func (p recorder) EOFReceived() bool { return false }

func (p recorder) ConnectionLost(err error) {
	p.r.res.LostErr = err
	close(p.r.done)
}

// Run streams opt.PeerBytes from a plain net.Conn peer into a transport
// dialled with dial, and opt.TransportBytes back, under the seeded
// schedule. It returns once the transport is closed and the loop stopped.
func Run(ctx context.Context, dial Dialer, opt Options) (Result, error) {
	if opt.Chunk <= 0 {
		opt.Chunk = 16 << 10
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 20 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	pr, err := startPeer(opt.Seed, opt.Seed+1, opt.PeerBytes, opt.Chunk)
	if err != nil {
		return Result{}, err
	}
	port, err := dial(ctx, pr.addr())
	if err != nil {
		pr.ln.Close()
		<-pr.result
		return Result{}, err
	}
	loop := proactor.NewLoop()
	loopErr := make(chan error, 1)
	go func() { loopErr <- loop.Run(context.Background()) }()
	r := &run{opt: opt, rng: rand.New(rand.NewPCG(opt.Seed, 0x5eed)), done: make(chan struct{})}
	tr, err := proactor.NewTransport(loop, port, recorder{r}, proactor.Config{Mode: opt.Mode, ReadSize: opt.ReadSize})
	if err != nil {
		loop.Close()
		return Result{}, err
	}
	var runErr error
	select {
	case <-r.done:
	case <-ctx.Done():
		runErr = fmt.Errorf("stream run timed out: stats %+v", tr.Stats())
	}
	loop.Close()
	<-loopErr
	p := <-pr.result
	r.res.Stats = tr.Stats()
	r.res.Trace = tr.Trace()
	r.res.PeerGot = p.received
	return r.res, errors.Join(runErr, p.err)
}
