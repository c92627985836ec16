package proactor_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/triaged/triaged/proactor"
	"github.com/triaged/triaged/proactor/emu"
)

// collector is a test Protocol that records what it is given.
type collector struct {
	mu     sync.Mutex
	t      *proactor.Transport
	data   []byte
	events []string
	lost   chan error
	keep   bool
}

func newCollector() *collector { return &collector{lost: make(chan error, 1)} }

func (c *collector) ConnectionMade(t *proactor.Transport) {
	c.mu.Lock()
	c.t = t
	c.events = append(c.events, "made")
	c.mu.Unlock()
}

func (c *collector) DataReceived(b []byte) {
	c.mu.Lock()
	c.data = append(c.data, b...)
	c.events = append(c.events, "data:"+string(b))
	c.mu.Unlock()
}

func (c *collector) EOFReceived() bool {
	c.mu.Lock()
	c.events = append(c.events, "eof")
	c.mu.Unlock()
	return c.keep
}

func (c *collector) ConnectionLost(err error) {
	c.mu.Lock()
	c.events = append(c.events, "lost")
	c.mu.Unlock()
	c.lost <- err
}

func (c *collector) got() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.data)
}

// pair dials an emu transport to a fresh loopback listener and returns the
// transport and the accepted plain peer connection.
func pair(t *testing.T, l *proactor.Loop, p proactor.Protocol, cfg proactor.Config, f emu.Faults) (*proactor.Transport, *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port, err := emu.Dial(context.Background(), ln.Addr().String(), f)
	if err != nil {
		t.Fatal(err)
	}
	peer, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	tr, err := proactor.NewTransport(l, port, p, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tr, peer.(*net.TCPConn)
}

// waitFor polls cond on the loop until it holds or a second passes.
func waitFor(t *testing.T, l *proactor.Loop, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		var ok bool
		if err := l.Call(func() { ok = cond() }); err != nil {
			t.Fatal(err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
