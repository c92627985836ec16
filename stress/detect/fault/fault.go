// Package fault damages byte streams on purpose, at known offsets, so that
// tests can prove a loss detector reports exactly what was done. A Reader
// (or a Conn around a net.Conn) applies a list of operations to the stream
// read through it; Apply does the same to a byte slice.
package fault

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"net"
	"slices"
)

// Kind names a fault.
type Kind int

// The faults. Offsets are source-stream offsets: positions in the stream
// before any fault is applied.
const (
	Drop      Kind = iota // remove [Off, Off+N)
	Duplicate             // deliver [Off, Off+N) twice, the copy right after the original
	Swap                  // deliver [Off+N, Off+N+N2) before [Off, Off+N)
	Flip                  // XOR the byte at Off with Mask
	Splice                // insert Data before the byte at Off
	Cut                   // end the stream at Off
	Append                // add Data after the end of the stream
	Stall                 // block before the byte at Off until Release is closed
)

func (k Kind) String() string {
	return [...]string{"drop", "duplicate", "swap", "flip", "splice", "cut", "append", "stall"}[k]
}

// Op is one fault. Ops given together must not overlap.
type Op struct {
	Kind    Kind
	Off     int64
	N, N2   int64
	Mask    byte
	Data    []byte
	Release <-chan struct{}
}

func (o Op) String() string {
	return fmt.Sprintf("%v(off=%d n=%d n2=%d data=%d)", o.Kind, o.Off, o.N, o.N2, len(o.Data))
}

// end returns the source offset at which the op is finished.
func (o Op) end() int64 {
	switch o.Kind {
	case Drop, Duplicate:
		return o.Off + o.N
	case Swap:
		return o.Off + o.N + o.N2
	case Flip:
		return o.Off + 1
	}
	return o.Off
}

// Reader applies ops to the stream read from src.
type Reader struct {
	src    io.Reader
	ops    []Op // sorted by offset, without Append
	tail   []byte
	i      int   // first op not finished
	off    int64 // source offset of the next byte read from src
	held   []byte
	out    []byte
	buf    []byte
	srcEOF bool
	done   bool
	err    error
}

// NewReader returns a Reader applying ops to src.
func NewReader(src io.Reader, ops ...Op) *Reader {
	r := &Reader{src: src, buf: make([]byte, 32<<10)}
	for _, o := range ops {
		if o.Kind == Append {
			r.tail = append(r.tail, o.Data...)
		} else {
			r.ops = append(r.ops, o)
		}
	}
	slices.SortStableFunc(r.ops, func(a, b Op) int { return cmp.Compare(a.Off, b.Off) })
	return r
}

// Read implements io.Reader.
func (r *Reader) Read(p []byte) (int, error) {
	for len(r.out) == 0 {
		if r.done {
			return 0, r.err
		}
		r.step()
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	return n, nil
}

// step produces the next output, or finishes the stream.
func (r *Reader) step() {
	r.events()
	if len(r.out) > 0 {
		return
	}
	if r.srcEOF {
		r.out = append(append(r.out, r.held...), r.tail...)
		r.held, r.done = nil, true
		if r.err == nil {
			r.err = io.EOF
		}
		return
	}
	limit := int64(len(r.buf))
	if r.i < len(r.ops) {
		o := r.ops[r.i]
		for _, b := range []int64{o.Off, o.Off + o.N, o.end()} {
			if b > r.off {
				limit = min(limit, b-r.off)
				break
			}
		}
	}
	n, err := r.src.Read(r.buf[:limit])
	c := r.buf[:n]
	r.emit(c)
	r.off += int64(n)
	if err != nil {
		r.srcEOF = true
		if err != io.EOF {
			r.err = err
		}
	}
}

// events handles what happens exactly at the current offset.
func (r *Reader) events() {
	for r.i < len(r.ops) && r.off >= r.ops[r.i].Off {
		o := r.ops[r.i]
		switch {
		case o.Kind == Cut:
			r.srcEOF = true
			r.i = len(r.ops)
			return
		case o.Kind == Splice:
			r.out = append(r.out, o.Data...)
		case o.Kind == Stall:
			if len(r.out) > 0 {
				return // deliver what precedes the stall first
			}
			if o.Release != nil {
				<-o.Release
			}
		case r.off < o.end():
			return
		case o.Kind == Duplicate || o.Kind == Swap:
			r.out = append(r.out, r.held...)
			r.held = r.held[:0]
		}
		r.i++
	}
}

// emit applies the current op to the source bytes c, which lie in a single
// region of it.
func (r *Reader) emit(c []byte) {
	if r.i >= len(r.ops) || r.off < r.ops[r.i].Off {
		r.out = append(r.out, c...)
		return
	}
	o := r.ops[r.i]
	switch o.Kind {
	case Drop:
	case Flip:
		r.out = append(r.out, c...)
		r.out[len(r.out)-len(c)] ^= o.Mask
	case Duplicate:
		r.out = append(r.out, c...)
		r.held = append(r.held, c...)
	case Swap:
		if r.off < o.Off+o.N {
			r.held = append(r.held, c...)
		} else {
			r.out = append(r.out, c...)
		}
	default:
		r.out = append(r.out, c...)
	}
}

// Apply returns src with ops applied. Stall ops are ignored.
func Apply(src []byte, ops ...Op) []byte {
	var keep []Op
	for _, o := range ops {
		if o.Kind != Stall {
			keep = append(keep, o)
		}
	}
	out, _ := io.ReadAll(NewReader(bytes.NewReader(src), keep...))
	return out
}

// Conn is a net.Conn whose reads go through a Reader.
type Conn struct {
	net.Conn
	r *Reader
}

// NewConn returns c with ops applied to the bytes read from it.
func NewConn(c net.Conn, ops ...Op) *Conn {
	return &Conn{Conn: c, r: NewReader(c, ops...)}
}

// Read implements net.Conn.
func (c *Conn) Read(p []byte) (int, error) { return c.r.Read(p) }
