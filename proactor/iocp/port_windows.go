//go:build windows

package iocp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"

	"golang.org/x/sys/windows"

	"github.com/triaged/triaged/proactor"
)

// wakeKey marks the packet Close posts to wake an idle Dequeue.
const wakeKey = 1

// opRec is an operation as the kernel sees it. It stays reachable from
// Port.ops, and pinned, from submission until its completion is dequeued,
// because the kernel writes the OVERLAPPED and the buffer until then.
type opRec struct {
	ov  windows.Overlapped
	op  *proactor.Op
	buf windows.WSABuf
	pin runtime.Pinner
}

// Port is a proactor.Port over an overlapped socket and its own I/O
// completion port. FILE_SKIP_COMPLETION_PORT_ON_SUCCESS is left off, so
// every accepted WSARecv/WSASend queues exactly one packet.
type Port struct {
	sock windows.Handle
	iocp windows.Handle

	local, remote net.Addr

	mu       sync.Mutex
	ops      map[*windows.Overlapped]*opRec
	byOp     map[*proactor.Op]*opRec
	closed   bool
	iocpDone bool

	// Dequeue-goroutine only.
	entries []overlappedEntry
	batch   []proactor.Completion
}

// Dial connects a new overlapped TCP socket to an IPv4 address such as
// 127.0.0.1:port and associates it with a new completion port.
func Dial(ctx context.Context, addr string) (*Port, error) {
	if err := wsaStartup(); err != nil {
		return nil, fmt.Errorf("iocp dial: WSAStartup: %w", err)
	}
	ta, err := net.ResolveTCPAddr("tcp4", addr)
	if err != nil {
		return nil, fmt.Errorf("iocp dial %s: %w", addr, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s, err := windows.WSASocket(windows.AF_INET, windows.SOCK_STREAM, windows.IPPROTO_TCP, nil, 0, windows.WSA_FLAG_OVERLAPPED)
	if err != nil {
		return nil, fmt.Errorf("iocp dial: WSASocket: %w", err)
	}
	sa := &windows.SockaddrInet4{Port: ta.Port}
	copy(sa.Addr[:], ta.IP.To4())
	if err := windows.Connect(s, sa); err != nil {
		windows.Closesocket(s)
		return nil, fmt.Errorf("iocp dial %s: connect: %w", addr, err)
	}
	port, err := windows.CreateIoCompletionPort(s, 0, 0, 1)
	if err != nil {
		windows.Closesocket(s)
		return nil, fmt.Errorf("iocp dial: CreateIoCompletionPort: %w", err)
	}
	p := &Port{
		sock: s, iocp: port,
		ops:     make(map[*windows.Overlapped]*opRec),
		byOp:    make(map[*proactor.Op]*opRec),
		entries: make([]overlappedEntry, 64),
		remote:  ta,
	}
	if la, err := windows.Getsockname(s); err == nil {
		if in4, ok := la.(*windows.SockaddrInet4); ok {
			p.local = &net.TCPAddr{IP: net.IP(in4.Addr[:]), Port: in4.Port}
		}
	}
	return p, nil
}

// LocalAddr returns the socket's local address.
func (p *Port) LocalAddr() net.Addr { return p.local }

// RemoteAddr returns the address the socket connected to.
func (p *Port) RemoteAddr() net.Addr { return p.remote }

// Submit implements proactor.Port. A call that fails at once queues no
// packet, so its failure is returned as a synchronous completion.
func (p *Port) Submit(op *proactor.Op) (*proactor.Completion, error) {
	if len(op.Buf) == 0 {
		return nil, errors.New("iocp: empty buffer")
	}
	rec := &opRec{op: op, buf: windows.WSABuf{Len: uint32(len(op.Buf)), Buf: &op.Buf[0]}}
	rec.pin.Pin(rec)
	rec.pin.Pin(&op.Buf[0])
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		rec.pin.Unpin()
		return nil, errors.New("iocp: submit on closed port")
	}
	p.ops[&rec.ov] = rec
	p.byOp[op] = rec
	p.mu.Unlock()

	var n, flags uint32
	var err error
	if op.Kind == proactor.OpRead {
		err = windows.WSARecv(p.sock, &rec.buf, 1, &n, &flags, &rec.ov, nil)
	} else {
		err = windows.WSASend(p.sock, &rec.buf, 1, &n, 0, &rec.ov, nil)
	}
	if err == nil || errors.Is(err, windows.ERROR_IO_PENDING) {
		return nil, nil
	}
	p.mu.Lock()
	delete(p.ops, &rec.ov)
	delete(p.byOp, op)
	p.mu.Unlock()
	rec.pin.Unpin()
	return &proactor.Completion{Op: op, Err: fmt.Errorf("iocp %s: %w", op.Kind, err)}, nil
}

// Cancel implements proactor.Port with CancelIoEx; ERROR_NOT_FOUND means
// the operation completed and its packet is queued or already dequeued.
func (p *Port) Cancel(op *proactor.Op) error {
	p.mu.Lock()
	rec, ok := p.byOp[op]
	p.mu.Unlock()
	if !ok {
		return proactor.ErrNotFound
	}
	// rec stays reachable here even if its completion is dequeued now, so
	// the pointer is valid; the kernel then just reports ERROR_NOT_FOUND.
	err := windows.CancelIoEx(p.sock, &rec.ov)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, windows.ERROR_NOT_FOUND):
		return proactor.ErrNotFound
	}
	return fmt.Errorf("iocp: CancelIoEx: %w", err)
}

// Dequeue implements proactor.Port with GetQueuedCompletionStatusEx,
// taking up to 64 packets per call.
func (p *Port) Dequeue() (proactor.Completion, error) {
	for len(p.batch) == 0 {
		p.mu.Lock()
		if p.closed && len(p.ops) == 0 {
			if !p.iocpDone {
				p.iocpDone = true
				windows.CloseHandle(p.iocp)
			}
			p.mu.Unlock()
			return proactor.Completion{}, proactor.ErrPortClosed
		}
		p.mu.Unlock()
		n, err := getQueuedCompletionStatusEx(p.iocp, p.entries, windows.INFINITE)
		if err != nil {
			return proactor.Completion{}, fmt.Errorf("iocp: GetQueuedCompletionStatusEx: %w", err)
		}
		for _, e := range p.entries[:n] {
			if e.key == wakeKey || e.overlapped == nil {
				continue
			}
			if c, ok := p.finish(e); ok {
				p.batch = append(p.batch, c)
			}
		}
	}
	c := p.batch[0]
	p.batch[0] = proactor.Completion{}
	p.batch = p.batch[1:]
	return c, nil
}

// finish turns a dequeued packet into a Completion. The status comes from
// the OVERLAPPED's NTSTATUS, which stays valid after closesocket, unlike a
// WSAGetOverlappedResult call on the closed socket.
func (p *Port) finish(e overlappedEntry) (proactor.Completion, bool) {
	p.mu.Lock()
	rec, ok := p.ops[e.overlapped]
	if !ok {
		// Not ours: only this package submits on the port, so this would
		// be a bug; dropping it beats dereferencing a stranger's memory.
		p.mu.Unlock()
		return proactor.Completion{}, false
	}
	delete(p.ops, e.overlapped)
	delete(p.byOp, rec.op)
	p.mu.Unlock()
	rec.pin.Unpin()
	c := proactor.Completion{Op: rec.op, N: int(e.bytes)}
	if st := windows.NTStatus(rec.ov.Internal); st != windows.STATUS_SUCCESS {
		errno := st.Errno()
		if errno == windows.ERROR_OPERATION_ABORTED && c.N == 0 {
			c.Err = proactor.ErrCanceled
		} else {
			c.Err = fmt.Errorf("iocp %s: %w", rec.op.Kind, errno)
		}
	}
	return c, true
}

// CloseWrite implements proactor.Port with shutdown(SD_SEND).
func (p *Port) CloseWrite() error {
	if err := windows.Shutdown(p.sock, windows.SHUT_WR); err != nil {
		return fmt.Errorf("iocp: shutdown: %w", err)
	}
	return nil
}

// Close implements proactor.Port: outstanding operations are cancelled
// and the socket closed; their completions still arrive and must be
// dequeued, after which Dequeue closes the completion port.
func (p *Port) Close() error {
	// Held throughout so Dequeue cannot close the completion port between
	// closed being set and the wake packet being posted.
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	_ = windows.CancelIoEx(p.sock, nil)
	err := windows.Closesocket(p.sock)
	if perr := windows.PostQueuedCompletionStatus(p.iocp, 0, wakeKey, nil); perr != nil && err == nil {
		err = perr
	}
	if err != nil {
		return fmt.Errorf("iocp close: %w", err)
	}
	return nil
}
