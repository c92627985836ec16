package proactor

import (
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// Conn is a net.Conn view of a Transport and, at the same time, the
// Protocol that feeds it: DataReceived fills its read buffer and Write goes
// through Transport.Write. It lets crypto/tls run over a transport after a
// start_tls-style protocol swap (see Upgrade). Its net.Conn methods may be
// called from any goroutine except the loop's.
type Conn struct {
	t    *Transport
	loop *Loop

	mu           sync.Mutex
	cond         *sync.Cond
	buf          []byte
	eof          bool
	lost         bool
	lostErr      error
	closed       bool
	pausedByConn bool
	readDeadline time.Time
	rdTimer      *time.Timer
	wrDeadline   time.Time
	readAhead    int
}

// Flow-control marks of a Conn's read buffer: above connHigh it pauses the
// transport, and once a Read drains it to connLow it resumes, as asyncio's
// SSLProtocol does, so TLS traffic exercises pause/resume too.
const (
	connHigh = 256 << 10
	connLow  = 64 << 10
)

// Upgrade swaps t's protocol for a new Conn the way asyncio's start_tls
// does: pause reading, set the protocol, resume. readAhead holds bytes the
// old protocol received but did not consume; Conn returns them first, so
// they reach the TLS layer (the gh-142352 bug class). Bytes the transport
// holds or receives after the swap are delivered to the Conn. Call it on
// the loop goroutine.
func Upgrade(t *Transport, readAhead []byte) *Conn {
	c := &Conn{t: t, loop: t.loop, buf: append([]byte(nil), readAhead...), readAhead: len(readAhead)}
	c.cond = sync.NewCond(&c.mu)
	t.PauseReading()
	t.SetProtocol(c)
	t.ResumeReading()
	return c
}

// Transport returns the transport under the view.
func (c *Conn) Transport() *Transport { return c.t }

// ConnectionMade implements Protocol; Upgrade attaches a Conn to a
// transport that is already connected, so there is nothing to do.
func (c *Conn) ConnectionMade(*Transport) {}

// DataReceived implements Protocol.
func (c *Conn) DataReceived(b []byte) {
	c.mu.Lock()
	c.buf = append(c.buf, b...)
	pause := len(c.buf) >= connHigh && !c.pausedByConn
	if pause {
		c.pausedByConn = true
	}
	c.cond.Broadcast()
	c.mu.Unlock()
	if pause {
		c.t.PauseReading()
	}
}

// EOFReceived implements Protocol and keeps the transport open, so the
// upper layer can still answer after the peer finished sending.
func (c *Conn) EOFReceived() bool {
	c.mu.Lock()
	c.eof = true
	c.cond.Broadcast()
	c.mu.Unlock()
	return true
}

// ConnectionLost implements Protocol.
func (c *Conn) ConnectionLost(err error) {
	c.mu.Lock()
	c.lost, c.lostErr = true, err
	c.cond.Broadcast()
	c.mu.Unlock()
}

// Read implements net.Conn.
func (c *Conn) Read(p []byte) (int, error) {
	c.mu.Lock()
	for len(c.buf) == 0 {
		switch {
		case c.closed:
			c.mu.Unlock()
			return 0, net.ErrClosed
		case c.eof:
			c.mu.Unlock()
			return 0, io.EOF
		case c.lost:
			err := c.lostErr
			c.mu.Unlock()
			if err == nil {
				err = io.EOF
			}
			return 0, err
		case !c.readDeadline.IsZero() && !time.Now().Before(c.readDeadline):
			c.mu.Unlock()
			return 0, os.ErrDeadlineExceeded
		}
		c.cond.Wait()
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	resume := c.pausedByConn && len(c.buf) <= connLow
	if resume {
		c.pausedByConn = false
	}
	c.mu.Unlock()
	if resume {
		_ = c.loop.CallSoon(c.t.ResumeReading)
	}
	return n, nil
}

// Write implements net.Conn: it returns once the bytes were sent (or the
// write deadline passed), which gives the writer backpressure.
func (c *Conn) Write(p []byte) (int, error) {
	c.mu.Lock()
	closed, deadline := c.closed, c.wrDeadline
	c.mu.Unlock()
	if closed {
		return 0, net.ErrClosed
	}
	b := append([]byte(nil), p...)
	done := make(chan error, 1)
	err := c.loop.CallSoon(func() {
		if err := c.t.write(b, func(err error) { done <- err }); err != nil {
			done <- err
		}
	})
	if err != nil {
		return 0, err
	}
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		tm := time.NewTimer(time.Until(deadline))
		defer tm.Stop()
		timeout = tm.C
	}
	select {
	case err := <-done:
		if err != nil {
			return 0, err
		}
		return len(p), nil
	case <-timeout:
		return 0, os.ErrDeadlineExceeded
	}
}

// CloseWrite half-closes the transport once queued writes are sent.
func (c *Conn) CloseWrite() error {
	return c.loop.CallSoon(c.t.WriteEOF)
}

// Close implements net.Conn: the transport closes after queued writes.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	if c.rdTimer != nil {
		c.rdTimer.Stop()
	}
	c.cond.Broadcast()
	c.mu.Unlock()
	return c.loop.CallSoon(c.t.Close)
}

// LocalAddr implements net.Conn with the port's address when it has one.
func (c *Conn) LocalAddr() net.Addr {
	if a, ok := c.t.port.(interface{ LocalAddr() net.Addr }); ok {
		return a.LocalAddr()
	}
	return transportAddr{}
}

// RemoteAddr implements net.Conn with the port's peer address when known.
func (c *Conn) RemoteAddr() net.Addr {
	if a, ok := c.t.port.(interface{ RemoteAddr() net.Addr }); ok {
		return a.RemoteAddr()
	}
	return transportAddr{}
}

// SetDeadline implements net.Conn.
func (c *Conn) SetDeadline(d time.Time) error {
	_ = c.SetReadDeadline(d)
	return c.SetWriteDeadline(d)
}

// SetReadDeadline implements net.Conn.
func (c *Conn) SetReadDeadline(d time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.readDeadline = d
	if c.rdTimer != nil {
		c.rdTimer.Stop()
		c.rdTimer = nil
	}
	if !d.IsZero() {
		c.rdTimer = time.AfterFunc(time.Until(d), func() {
			c.mu.Lock()
			c.cond.Broadcast()
			c.mu.Unlock()
		})
	}
	c.cond.Broadcast()
	return nil
}

// SetWriteDeadline implements net.Conn; it bounds how long Write waits.
func (c *Conn) SetWriteDeadline(d time.Time) error {
	c.mu.Lock()
	c.wrDeadline = d
	c.mu.Unlock()
	return nil
}

type transportAddr struct{}

func (transportAddr) Network() string { return "proactor" }
func (transportAddr) String() string  { return "proactor-transport" }
