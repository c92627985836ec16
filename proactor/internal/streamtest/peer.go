package streamtest

import (
	"fmt"
	"io"
	"net"
)

// peer is the plain Go side: it sends n pattern bytes in chunks, half-closes,
// and reads back and checks everything the transport sends until EOF.
type peer struct {
	ln       net.Listener
	sendSeed uint64
	recvSeed uint64
	send     int64
	chunk    int
	result   chan peerResult
}

type peerResult struct {
	received int64
	err      error
}

func startPeer(sendSeed, recvSeed uint64, send int64, chunk int) (*peer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	p := &peer{ln: ln, sendSeed: sendSeed, recvSeed: recvSeed, send: send, chunk: chunk,
		result: make(chan peerResult, 1)}
	go p.run()
	return p, nil
}

func (p *peer) addr() string { return p.ln.Addr().String() }

func (p *peer) run() {
	c, err := p.ln.Accept()
	p.ln.Close()
	if err != nil {
		p.result <- peerResult{err: fmt.Errorf("accept: %w", err)}
		return
	}
	defer c.Close()
	sent := make(chan error, 1)
	go func() { sent <- p.sendAll(c.(*net.TCPConn)) }()
	got, rerr := p.recvAll(c)
	serr := <-sent
	if rerr == nil {
		rerr = serr
	}
	p.result <- peerResult{received: got, err: rerr}
}

func (p *peer) sendAll(c *net.TCPConn) error {
	buf := make([]byte, p.chunk)
	for off := int64(0); off < p.send; {
		n := int(min(int64(len(buf)), p.send-off))
		Fill(p.sendSeed, off, buf[:n])
		if _, err := c.Write(buf[:n]); err != nil {
			return fmt.Errorf("peer write at %d: %w", off, err)
		}
		off += int64(n)
	}
	return c.CloseWrite()
}

func (p *peer) recvAll(c net.Conn) (int64, error) {
	buf := make([]byte, 64<<10)
	var off int64
	for {
		n, err := c.Read(buf)
		if i := FirstMismatch(p.recvSeed, off, buf[:n]); i >= 0 {
			return off, fmt.Errorf("peer received a wrong byte at offset %d", off+int64(i))
		}
		off += int64(n)
		if err == io.EOF {
			return off, nil
		}
		if err != nil {
			return off, fmt.Errorf("peer read at %d: %w", off, err)
		}
	}
}
