package proactor_test

import (
	"context"
	"net"
	"testing"

	"github.com/triaged/triaged/proactor"
	"github.com/triaged/triaged/proactor/emu"
	"github.com/triaged/triaged/proactor/internal/streamtest"
)

// BenchmarkReceive compares a Fixed-mode emu transport receiving a bulk
// loopback stream with a plain io.Copy from a net.Conn, in one run, so the
// ratio of their MB/s is the transport's overhead.
func BenchmarkReceive(b *testing.B) {
	streamtest.BenchReceive(b, "emu", func(ctx context.Context, addr string) (proactor.Port, error) {
		return emu.Dial(ctx, addr, emu.Faults{})
	})
}

// sink counts delivered bytes and signals at EOF.
type sink struct {
	n    int64
	eof  chan int64
	lost chan error
}

func (s *sink) ConnectionMade(*proactor.Transport) {}
func (s *sink) DataReceived(b []byte)              { s.n += int64(len(b)) }
func (s *sink) EOFReceived() bool                  { s.eof <- s.n; return false }
func (s *sink) ConnectionLost(err error)           { s.lost <- err }

// BenchmarkPauseResume measures one PauseReading/ResumeReading cycle on an
// idle Fixed transport, including the loop turn that finishes the resume.
func BenchmarkPauseResume(b *testing.B) {
	l := proactor.NewLoop()
	done := make(chan struct{})
	go func() { _ = l.Run(b.Context()); close(done) }()
	defer func() { l.Close(); <-done }()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	port, err := emu.Dial(b.Context(), ln.Addr().String(), emu.Faults{})
	if err != nil {
		b.Fatal(err)
	}
	peer, err := ln.Accept()
	if err != nil {
		b.Fatal(err)
	}
	defer peer.Close()
	s := &sink{eof: make(chan int64, 1), lost: make(chan error, 1)}
	tr, err := proactor.NewTransport(l, port, s, proactor.Config{})
	if err != nil {
		b.Fatal(err)
	}
	finished := make(chan struct{})
	i := 0
	var step func()
	step = func() {
		if i == b.N {
			close(finished)
			return
		}
		i++
		tr.PauseReading()
		tr.ResumeReading()
		_ = l.CallSoon(step)
	}
	b.ResetTimer()
	_ = l.CallSoon(step)
	<-finished
	b.StopTimer()
	if st := tr.Stats(); st.Pauses != uint64(b.N) || st.Resumes != uint64(b.N) {
		b.Fatalf("stats %+v after %d cycles", st, b.N)
	}
}
