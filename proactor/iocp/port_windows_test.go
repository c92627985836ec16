//go:build windows

package iocp_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/triaged/triaged/proactor"
	"github.com/triaged/triaged/proactor/iocp"
)

// connected returns an iocp port dialled to a loopback listener and the
// plain peer connection.
func connected(t *testing.T) (*iocp.Port, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	p, err := iocp.Dial(context.Background(), ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	peer, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	return p, peer
}

func closeAndDrain(t *testing.T, p *iocp.Port) {
	t.Helper()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Dequeue(); !errors.Is(err, proactor.ErrPortClosed) {
		t.Fatalf("Dequeue after close: %v, want ErrPortClosed", err)
	}
}

// TestCancelAfterCompletionIsNotFound is bpo-33694 on real overlapped I/O:
// the receive completes at once because data is waiting, CancelIoEx fails
// with ERROR_NOT_FOUND, and the queued completion still carries the data.
func TestCancelAfterCompletionIsNotFound(t *testing.T) {
	p, peer := connected(t)
	if _, err := peer.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	op := &proactor.Op{ID: 1, Kind: proactor.OpRead, Buf: make([]byte, 64)}
	if c, err := p.Submit(op); err != nil || c != nil {
		t.Fatalf("Submit: %v, %v", c, err)
	}
	time.Sleep(20 * time.Millisecond)
	if err := p.Cancel(op); !errors.Is(err, proactor.ErrNotFound) {
		t.Fatalf("Cancel of a completed receive: got %v, want ErrNotFound", err)
	}
	c, err := p.Dequeue()
	if err != nil {
		t.Fatal(err)
	}
	if c.Op != op || c.Err != nil || string(op.Buf[:c.N]) != "hello" {
		t.Fatalf("completion %+v data %q; want the 5 bytes", c, op.Buf[:c.N])
	}
	closeAndDrain(t, p)
}

// TestCancelPendingReceive cancels a receive with no data: the cancel is
// accepted and the one completion reports ErrCanceled.
func TestCancelPendingReceive(t *testing.T) {
	p, _ := connected(t)
	op := &proactor.Op{ID: 1, Kind: proactor.OpRead, Buf: make([]byte, 64)}
	if _, err := p.Submit(op); err != nil {
		t.Fatal(err)
	}
	if err := p.Cancel(op); err != nil {
		t.Fatalf("Cancel of a pending receive: %v", err)
	}
	c, err := p.Dequeue()
	if err != nil {
		t.Fatal(err)
	}
	if c.Op != op || c.N != 0 || !errors.Is(c.Err, proactor.ErrCanceled) {
		t.Fatalf("completion %+v, want ErrCanceled with no bytes", c)
	}
	if err := p.Cancel(op); !errors.Is(err, proactor.ErrNotFound) {
		t.Fatalf("second cancel: %v, want ErrNotFound", err)
	}
	closeAndDrain(t, p)
}

// TestCloseCompletesOutstanding closes with a receive in flight: it still
// yields exactly one completion before Dequeue reports the port closed.
func TestCloseCompletesOutstanding(t *testing.T) {
	p, _ := connected(t)
	op := &proactor.Op{ID: 1, Kind: proactor.OpRead, Buf: make([]byte, 64)}
	if _, err := p.Submit(op); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := p.Dequeue()
	if err != nil || c.Op != op || c.Err == nil {
		t.Fatalf("completion %+v, %v; want op 1 failed", c, err)
	}
	if _, err := p.Dequeue(); !errors.Is(err, proactor.ErrPortClosed) {
		t.Fatalf("Dequeue: %v, want ErrPortClosed", err)
	}
}
