package stress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/triaged/triaged/proactor"
	"github.com/triaged/triaged/stress/detect"
)

// Stream ids of the scenarios' framed streams.
const (
	streamToProactor   = 1 // sent by the peer, received by the transport under test
	streamFromProactor = 2 // sent by the transport under test, received by the peer
)

// runEcho is bpo-33694's race.py: both sides send Packets×PacketSize bytes
// at once while the transport under test pauses and resumes reading every
// PauseEvery. Both directions go through the detector.
func runEcho(ctx context.Context, c ScenarioConfig, seed int64, o *Outcome, w *watchdog) {
	total := int64(c.Packets) * int64(c.PacketSize)
	useed := uint64(seed)
	toP, err1 := newReceiver(c, useed, streamToProactor, total)
	fromP, err2 := newReceiver(c, useed, streamFromProactor, total)
	if err := errors.Join(err1, err2); err != nil {
		o.fail("detector: %v", err)
		return
	}
	o.watch(toP, "to-proactor")
	o.watch(fromP, "from-proactor")
	in, out := &sink{r: toP}, &sink{r: fromP}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		o.fail("listen: %v", err)
		return
	}
	defer ln.Close()
	var peerSent atomic.Int64
	peerDone := make(chan error, 1)
	go func() { peerDone <- echoPeer(ctx, ln, c, useed, total, out, &peerSent, o) }()

	eof := make(chan struct{})
	proto := &streamProto{sink: in, eof: eof}
	s, err := openSide(ctx, c, ln.Addr().String(), seed, proto)
	if err != nil {
		o.fail("%v", err)
		return
	}
	defer s.close()
	o.setTransport(s.t)
	p := startPauser(s, c, seed)
	// The detector names a stall of the stream the transport receives by
	// its offset; any other stall is found by the bytes that stopped moving.
	progress := progressCheck(func() int64 { return s.moved() + in.n.Load() + out.n.Load() }, func(quiet time.Duration) *Finding {
		return &Finding{Kind: string(detect.KindStall), Phase: "during " + s.t.Trace().Phase(),
			Detail: fmt.Sprintf("no byte moved either way for %v of run time; the transport received %d of %d bytes; transport: %s",
				quiet, in.n.Load(), total, s.state())}
	})
	w.watch(func(now time.Time) (bool, *Finding) {
		if in.r != nil && in.r.Check(now, peerSent.Load()-in.n.Load(), s.state) {
			return true, nil
		}
		return progress(now)
	})

	g, _ := detect.NewGenerator(useed, streamFromProactor, total, frameSize)
	sendErr := s.send(ctx, g, c.PacketSize, true, o)
	received := false
	select {
	case <-eof:
		received = true
	case <-ctx.Done():
	}
	p.stop()
	perr := <-peerDone
	switch {
	case received && sendErr == nil && perr == nil:
		// Both streams went through: a limit the watchdog reached since
		// does not undo that.
	case o.stopped(ctx, s.t.Trace().Phase(), errors.Join(sendErr, perr)):
	case sendErr != nil:
		o.fail("send: %v", sendErr)
	case perr != nil:
		o.fail("peer: %v", perr)
	}
}

// echoPeer is the plain side: it sends its stream and reads the other one
// to EOF, both at once, with deadlines.
func echoPeer(ctx context.Context, ln net.Listener, c ScenarioConfig, seed uint64, total int64, out *sink, sent *atomic.Int64, o *Outcome) error {
	if d, ok := ctx.Deadline(); ok {
		ln.(*net.TCPListener).SetDeadline(d)
	}
	conn, err := ln.Accept()
	if err != nil {
		return err
	}
	defer conn.Close()
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	var wg sync.WaitGroup
	var werr error
	wg.Go(func() {
		g, _ := detect.NewGenerator(seed, streamToProactor, total, frameSize)
		buf := make([]byte, c.PacketSize)
		for werr == nil {
			n, rerr := g.Read(buf)
			if n > 0 {
				_, werr = conn.Write(buf[:n])
				sent.Add(int64(n))
				o.sent(int64(n))
			}
			if rerr == io.EOF {
				werr = conn.(*net.TCPConn).CloseWrite()
				return
			}
		}
	})
	_, rerr := io.Copy(out, conn)
	out.eof()
	wg.Wait()
	return errors.Join(werr, rerr)
}

// streamProto feeds what the transport delivers into a sink and signals
// EOF.
type streamProto struct {
	sink *sink
	eof  chan struct{}
	once sync.Once
}

func (p *streamProto) ConnectionMade(*proactor.Transport) {}
func (p *streamProto) DataReceived(b []byte)              { p.sink.Write(b) }
func (p *streamProto) ConnectionLost(error)               { p.once.Do(func() { close(p.eof) }) }
func (p *streamProto) EOFReceived() bool {
	p.sink.eof()
	p.once.Do(func() { close(p.eof) })
	return true // keep open: our own stream may still be going out
}
