package emu_test

import (
	"errors"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/triaged/triaged/proactor"
	"github.com/triaged/triaged/proactor/emu"
)

func tcpPair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	a, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	b, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

func closeAndDrain(t *testing.T, p *emu.Port) {
	t.Helper()
	_ = p.Close()
	for {
		if _, err := p.Dequeue(); errors.Is(err, proactor.ErrPortClosed) {
			return
		}
	}
}

func readOp(id proactor.OpID, n int) *proactor.Op {
	return &proactor.Op{ID: id, Kind: proactor.OpRead, Buf: make([]byte, n)}
}

// dataWinsConn models the race Wine cannot produce: the receive returns
// data just as the cancel's deadline lands, so an accepted cancel is still
// followed by a completion that carries bytes.
type dataWinsConn struct {
	net.Conn
	mu       sync.Mutex
	deadline chan struct{}
}

func (c *dataWinsConn) Read(b []byte) (int, error) {
	<-c.deadline
	return copy(b, "late"), nil
}

func (c *dataWinsConn) SetReadDeadline(d time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !d.IsZero() {
		close(c.deadline)
	}
	return nil
}

func (c *dataWinsConn) Close() error { return nil }

func TestCancelOutcomes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		conn       func(t *testing.T) (net.Conn, net.Conn)
		faults     emu.Faults
		peerWrites bool
		wantCancel error
		wantN      int
		wantErr    error
	}{
		{name: "pending read is cancelled", conn: tcpPair,
			wantCancel: nil, wantN: 0, wantErr: proactor.ErrCanceled},
		{name: "completed read is not found and keeps its data", conn: tcpPair,
			faults:     emu.Faults{PostDelay: 1, PostDelayMax: 200 * time.Millisecond},
			peerWrites: true, wantCancel: proactor.ErrNotFound, wantN: 5},
		{name: "forced complete-before-cancel", conn: tcpPair,
			faults:     emu.Faults{CompleteBeforeCancel: 1, CancelWait: time.Second},
			peerWrites: true, wantCancel: proactor.ErrNotFound, wantN: 5},
		{name: "accepted cancel still delivers data", conn: func(*testing.T) (net.Conn, net.Conn) {
			return &dataWinsConn{deadline: make(chan struct{})}, nil
		}, wantCancel: nil, wantN: 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, b := tc.conn(t)
			// A delay drawn near its maximum keeps the completion unposted
			// well past the cancel below.
			for tc.faults.PostDelay > 0 && tc.faults.Plan(1, proactor.OpRead, 64).PostDelay < 150*time.Millisecond {
				tc.faults.Seed++
			}
			p := emu.New(a, tc.faults)
			op := readOp(1, 64)
			if c, err := p.Submit(op); err != nil || c != nil {
				t.Fatalf("Submit: %v %v", c, err)
			}
			if tc.peerWrites {
				if _, err := b.Write([]byte("hello")); err != nil {
					t.Fatal(err)
				}
				if tc.faults.PostDelay > 0 {
					time.Sleep(30 * time.Millisecond)
				}
			} else {
				time.Sleep(10 * time.Millisecond)
			}
			if err := p.Cancel(op); !errors.Is(err, tc.wantCancel) {
				t.Fatalf("Cancel: got %v, want %v", err, tc.wantCancel)
			}
			c, err := p.Dequeue()
			if err != nil {
				t.Fatal(err)
			}
			if c.Op != op || c.N != tc.wantN || !errors.Is(c.Err, tc.wantErr) {
				t.Fatalf("completion N=%d err=%v, want N=%d err=%v", c.N, c.Err, tc.wantN, tc.wantErr)
			}
			if err := p.Cancel(op); !errors.Is(err, proactor.ErrNotFound) {
				t.Fatalf("cancel after dequeue: %v, want ErrNotFound", err)
			}
			closeAndDrain(t, p)
		})
	}
}

// TestSyncSuccessQueuesNoPacket checks the FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
// model: a completion Submit returns is never also dequeued.
func TestSyncSuccessQueuesNoPacket(t *testing.T) {
	t.Parallel()
	a, b := tcpPair(t)
	p := emu.New(a, emu.Faults{SyncSuccess: 1, SyncWait: time.Second})
	if _, err := b.Write([]byte("now")); err != nil {
		t.Fatal(err)
	}
	op := readOp(1, 64)
	c, err := p.Submit(op)
	if err != nil || c == nil {
		t.Fatalf("Submit: %v, %v; want a synchronous completion", c, err)
	}
	if string(op.Buf[:c.N]) != "now" {
		t.Fatalf("sync completion carried %q", op.Buf[:c.N])
	}
	_ = p.Close()
	if c, err := p.Dequeue(); !errors.Is(err, proactor.ErrPortClosed) {
		t.Fatalf("Dequeue: %+v, %v; want no packet and ErrPortClosed", c, err)
	}
}

func TestShortRead(t *testing.T) {
	t.Parallel()
	a, b := tcpPair(t)
	f := emu.Faults{Seed: 9, ShortRead: 1}
	p := emu.New(a, f)
	if _, err := b.Write(make([]byte, 1000)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	op := readOp(1, 1000)
	want := f.Plan(1, proactor.OpRead, 1000).ShortRead
	if _, err := p.Submit(op); err != nil {
		t.Fatal(err)
	}
	c, err := p.Dequeue()
	if err != nil || c.N != want || want >= 1000 {
		t.Fatalf("read %d bytes (%v), want the planned short read of %d", c.N, err, want)
	}
	closeAndDrain(t, p)
}

// TestPlansReplayFromSeed checks that fault decisions depend on the seed
// and operation only, so a failing run is replayed by its seed.
func TestPlansReplayFromSeed(t *testing.T) {
	t.Parallel()
	f := emu.DefaultFaults(42)
	g := emu.DefaultFaults(43)
	same := 0
	for id := proactor.OpID(1); id <= 1000; id++ {
		if f.Plan(id, proactor.OpRead, 4096) != f.Plan(id, proactor.OpRead, 4096) {
			t.Fatalf("op %d: plan differs between calls", id)
		}
		if f.Plan(id, proactor.OpRead, 4096) == g.Plan(id, proactor.OpRead, 4096) {
			same++
		}
	}
	if same > 900 {
		t.Fatalf("seeds 42 and 43 agree on %d of 1000 plans; the seed barely matters", same)
	}
}

// TestPlansFollowEachKindsOrder: the k-th read gets the same plan however
// many writes came before it, so a replay by seed is not undone by the
// order, decided by timing, in which a transport's reads and writes get
// their operation ids.
func TestPlansFollowEachKindsOrder(t *testing.T) {
	t.Parallel()
	f := emu.Faults{Seed: 5, ShortRead: 1}
	readPlans := func(writesFirst int) []emu.Plan {
		a, b := tcpPair(t)
		go io.Copy(io.Discard, b)
		p := emu.New(a, f)
		id := proactor.OpID(0)
		for range writesFirst {
			id++
			w := &proactor.Op{ID: id, Kind: proactor.OpWrite, Buf: []byte("x")}
			if _, err := p.Submit(w); err != nil {
				t.Fatal(err)
			}
			if _, err := p.Dequeue(); err != nil {
				t.Fatal(err)
			}
		}
		var plans []emu.Plan
		for range 3 {
			id++
			if _, err := p.Submit(readOp(id, 1000)); err != nil {
				t.Fatal(err)
			}
		}
		for _, pl := range p.Schedule() {
			if pl.ShortRead > 0 {
				pl.Op = 0
				plans = append(plans, pl)
			}
		}
		closeAndDrain(t, p)
		b.Close()
		return plans
	}
	first, later := readPlans(0), readPlans(4)
	if len(first) != 3 || !slices.Equal(first, later) {
		t.Errorf("read plans after no writes %v, after four writes %v; want the same three", first, later)
	}
}
