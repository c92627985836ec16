// Package proactor is an asyncio-style, completion-based transport: a
// single-goroutine Loop owns all transport state, a Port (one per
// connection) reports finished overlapped operations, and a Transport turns
// completions into Protocol callbacks with PauseReading/ResumeReading and
// protocol swap, as asyncio's start_tls and set_protocol use them.
//
// It exists to prove, byte by byte, that pause/resume never loses data in
// Fixed mode, and to reproduce CPython's bpo-33694 on demand in Legacy mode,
// where pausing cancels the outstanding receive and the completion of a
// cancelled receive is ignored even when it carried data. Backends live in
// the emu (portable, fault injection) and iocp (Windows overlapped I/O)
// subpackages.
package proactor

import (
	"errors"
	"fmt"
)

// OpID identifies an operation within one Port; ids are assigned by the
// Transport in submission order, so a seed plus a schedule names the same
// operation on every replay.
type OpID uint64

// OpKind says whether an operation receives or sends.
type OpKind uint8

// The operation kinds.
const (
	OpRead OpKind = iota + 1
	OpWrite
)

// String returns "read" or "write".
func (k OpKind) String() string {
	switch k {
	case OpRead:
		return "read"
	case OpWrite:
		return "write"
	}
	return fmt.Sprintf("OpKind(%d)", uint8(k))
}

// Op is one overlapped operation. The Port owns Buf from Submit until the
// operation's completion has been dequeued; the kernel (or the emu worker)
// may write into it at any moment in between.
type Op struct {
	ID   OpID
	Kind OpKind
	Buf  []byte
}

// Completion is the single result of a submitted Op. A read with N == 0 and
// Err == io.EOF is end of stream; Err == ErrCanceled means a cancel won and
// no bytes were transferred. A completion may carry N > 0 even after a
// cancel was accepted: the data is real and must not be dropped.
type Completion struct {
	Op  *Op
	N   int
	Err error
}

// Errors reported by ports and transports.
var (
	// ErrCanceled is the error of a completion whose operation was
	// cancelled before it transferred any byte.
	ErrCanceled = errors.New("proactor: operation cancelled")
	// ErrNotFound is what Port.Cancel returns when the operation had
	// already completed (Windows' ERROR_NOT_FOUND): its completion, with
	// its data, is still on its way.
	ErrNotFound = errors.New("proactor: cancel: operation already completed")
	// ErrPortClosed is what Port.Dequeue returns once the port is closed
	// and every submitted operation's completion has been dequeued.
	ErrPortClosed = errors.New("proactor: port closed")
	// ErrLoopClosed is returned when work is handed to a stopped Loop.
	ErrLoopClosed = errors.New("proactor: loop closed")
	// ErrTransportClosed is returned by writes to a closing transport.
	ErrTransportClosed = errors.New("proactor: transport closed")
)

// Port is a completion port bound to one connection. Every Op accepted by
// Submit yields exactly one Completion: either returned by Submit itself
// (a synchronous completion for which no packet is queued, as with
// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS or an immediate failure) or later by
// Dequeue. Submit, Cancel, CloseWrite and Close are called from the loop
// goroutine; Dequeue from one dedicated goroutine.
type Port interface {
	// Submit starts op. A non-nil Completion means op finished
	// synchronously and Dequeue will not report it.
	Submit(op *Op) (*Completion, error)
	// Cancel asks for op to be cancelled. It returns nil when the request
	// was accepted (the completion still follows, with or without data)
	// and ErrNotFound when op had already completed.
	Cancel(op *Op) error
	// Dequeue blocks until a completion is available. It returns
	// ErrPortClosed after Close once all completions were dequeued.
	Dequeue() (Completion, error)
	// CloseWrite half-closes the connection so the peer reads EOF.
	CloseWrite() error
	// Close closes the connection; outstanding operations still complete
	// (usually with an error) and must still be dequeued.
	Close() error
}
