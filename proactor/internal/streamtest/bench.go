package streamtest

import (
	"context"
	"io"
	"net"
	"testing"

	"github.com/triaged/triaged/proactor"
)

// BenchChunk is the write and read size of the receive benchmarks.
const BenchChunk = 64 << 10

func send(c net.Conn, n int) {
	buf := make([]byte, BenchChunk)
	for range n {
		if _, err := c.Write(buf); err != nil {
			break
		}
	}
	c.Close()
}

type sink struct {
	n    int64
	eof  chan int64
	lost chan error
}

func (s *sink) ConnectionMade(*proactor.Transport) {}
func (s *sink) DataReceived(b []byte)              { s.n += int64(len(b)) }
func (s *sink) EOFReceived() bool                  { s.eof <- s.n; return false }
func (s *sink) ConnectionLost(err error)           { s.lost <- err }

// BenchReceive runs two sub-benchmarks in one run: a plain io.Copy from a
// loopback net.Conn, and a Fixed-mode transport over a port from dial
// receiving the same bulk stream; the ratio of their MB/s is the
// transport's cost.
func BenchReceive(b *testing.B, name string, dial Dialer) {
	listen := func(b *testing.B) net.Listener {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { ln.Close() })
		return ln
	}
	b.Run("iocopy-netconn", func(b *testing.B) {
		b.SetBytes(BenchChunk)
		ln := listen(b)
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		peer, err := ln.Accept()
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		go send(peer, b.N)
		n, err := io.CopyBuffer(io.Discard, c, make([]byte, BenchChunk))
		if err != nil || n != int64(b.N)*BenchChunk {
			b.Fatalf("copied %d bytes (%v)", n, err)
		}
	})
	b.Run("transport-fixed-"+name, func(b *testing.B) {
		b.SetBytes(BenchChunk)
		l := proactor.NewLoop()
		done := make(chan struct{})
		go func() { _ = l.Run(context.Background()); close(done) }()
		defer func() { l.Close(); <-done }()
		ln := listen(b)
		port, err := dial(context.Background(), ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		peer, err := ln.Accept()
		if err != nil {
			b.Fatal(err)
		}
		s := &sink{eof: make(chan int64, 1), lost: make(chan error, 1)}
		b.ResetTimer()
		if _, err := proactor.NewTransport(l, port, s, proactor.Config{ReadSize: BenchChunk}); err != nil {
			b.Fatal(err)
		}
		go send(peer, b.N)
		if n := <-s.eof; n != int64(b.N)*BenchChunk {
			b.Fatalf("delivered %d bytes, want %d", n, int64(b.N)*BenchChunk)
		}
		<-s.lost
	})
}
