package proactor_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/triaged/triaged/proactor"
	"github.com/triaged/triaged/proactor/emu"
)

func startLoop(t *testing.T) *proactor.Loop {
	t.Helper()
	l := proactor.NewLoop()
	go func() { _ = l.Run(context.Background()) }()
	t.Cleanup(l.Close)
	return l
}

func TestLoopRunsCallbacksInOrder(t *testing.T) {
	t.Parallel()
	l := startLoop(t)
	var got []int
	for i := range 100 {
		if err := l.CallSoon(func() { got = append(got, i) }); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Call(func() { got = append(got, 100) }); err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("callback %d ran as %d; want FIFO order", i, v)
		}
	}
	if len(got) != 101 {
		t.Fatalf("ran %d callbacks, want 101", len(got))
	}
}

func TestLoopRefusesWorkAfterClose(t *testing.T) {
	t.Parallel()
	l := proactor.NewLoop()
	ran := make(chan struct{})
	_ = l.CallSoon(func() { close(ran) })
	go func() { _ = l.Run(context.Background()) }()
	<-ran
	l.Close()
	if err := l.CallSoon(func() {}); !errors.Is(err, proactor.ErrLoopClosed) {
		t.Fatalf("CallSoon after close: got %v, want ErrLoopClosed", err)
	}
	if err := l.Run(context.Background()); err == nil {
		t.Fatal("second Run succeeded; want an error")
	}
}

func TestLoopStopsOnContext(t *testing.T) {
	t.Parallel()
	l := proactor.NewLoop()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := l.Run(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run: got %v, want deadline exceeded", err)
	}
	<-l.Done()
}

func TestLoopCallLater(t *testing.T) {
	t.Parallel()
	l := startLoop(t)
	fired := make(chan time.Time, 1)
	start := time.Now()
	l.CallLater(10*time.Millisecond, func() { fired <- time.Now() })
	cancel := l.CallLater(time.Millisecond, func() { t.Error("cancelled timer fired") })
	cancel()
	if at := <-fired; at.Sub(start) < 10*time.Millisecond {
		t.Fatalf("CallLater fired after %v, want ≥ 10ms", at.Sub(start))
	}
}

func TestModeNames(t *testing.T) {
	t.Parallel()
	var zero proactor.Mode
	if zero != proactor.Fixed {
		t.Fatal("zero Mode is not Fixed")
	}
	for _, tc := range []struct {
		name string
		mode proactor.Mode
	}{{"fixed", proactor.Fixed}, {"legacy", proactor.Legacy}} {
		if got := tc.mode.String(); got != tc.name {
			t.Errorf("String: got %q, want %q", got, tc.name)
		}
		m, err := proactor.ParseMode(tc.name)
		if err != nil || m != tc.mode {
			t.Errorf("ParseMode(%q) = %v, %v", tc.name, m, err)
		}
	}
	for _, bad := range []string{"", "Legacy", "fix"} {
		if _, err := proactor.ParseMode(bad); err == nil {
			t.Errorf("ParseMode(%q) succeeded; want an error", bad)
		}
	}
}

// TestCloseWithoutRunReleasesTransports creates a transport on a loop that
// never ran; Close must still shut it down (goleak checks the workers).
func TestCloseWithoutRunReleasesTransports(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port, err := emu.Dial(context.Background(), ln.Addr().String(), emu.Faults{})
	if err != nil {
		t.Fatal(err)
	}
	l := proactor.NewLoop()
	c := newCollector()
	tr, err := proactor.NewTransport(l, port, c, proactor.Config{})
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	if s := tr.Stats(); !s.Closed || s.OpsSubmitted() != s.OpsCompleted() {
		t.Fatalf("stats after Close: %+v", s)
	}
	if err := l.CallSoon(func() {}); !errors.Is(err, proactor.ErrLoopClosed) {
		t.Fatalf("CallSoon: %v, want ErrLoopClosed", err)
	}
}
