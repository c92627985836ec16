package proactor_test

import (
	"slices"
	"testing"
	"time"

	"github.com/triaged/triaged/proactor"
	"github.com/triaged/triaged/proactor/emu"
)

// TestPauseAfterReadCompleted replays bpo-33694 deterministically: the read
// has copied "hello" but its completion is not yet posted when
// PauseReading runs, so a cancel finds it already completed.
func TestPauseAfterReadCompleted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		mode      proactor.Mode
		want      string
		discarded int64
		cancels   uint64
	}{
		{name: "fixed holds and delivers", mode: proactor.Fixed, want: "helloworld"},
		{name: "legacy cancels and loses", mode: proactor.Legacy, want: "world", discarded: 5, cancels: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := startLoop(t)
			c := newCollector()
			// The completion sits in PostDelay long after the pause below;
			// in Legacy the cancel also waits for the copy, so it must lose.
			f := emu.Faults{PostDelay: 1, PostDelayMax: 400 * time.Millisecond, CompleteBeforeCancel: 1, CancelWait: 5 * time.Second}
			for f.Plan(1, proactor.OpRead, 64<<10).PostDelay < 300*time.Millisecond {
				f.Seed++
			}
			tr, peer := pair(t, l, c, proactor.Config{Mode: tc.mode}, f)
			waitFor(t, l, "first read", func() bool { return tr.Stats().ReadsSubmitted == 1 })
			if _, err := peer.Write([]byte("hello")); err != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond) // the worker copies, then sits in PostDelay
			if err := l.Call(tr.PauseReading); err != nil {
				t.Fatal(err)
			}
			waitFor(t, l, "first completion", func() bool { return tr.Stats().ReadsCompleted == 1 })
			if got := c.got(); got != "" {
				t.Fatalf("delivered %q while paused", got)
			}
			_ = l.Call(tr.ResumeReading)
			if _, err := peer.Write([]byte("world")); err != nil {
				t.Fatal(err)
			}
			_ = peer.CloseWrite()
			if err := <-c.lost; err != nil {
				t.Fatalf("ConnectionLost: %v", err)
			}
			if got := c.got(); got != tc.want {
				t.Fatalf("delivered %q, want %q", got, tc.want)
			}
			s := tr.Stats()
			if s.BytesLostToCancel != tc.discarded || s.Cancels != tc.cancels || s.CancelsNotFound != tc.cancels {
				t.Fatalf("stats %+v: want %d lost to %d not-found cancel", s, tc.discarded, tc.cancels)
			}
			if err := s.Check(); err != nil {
				t.Fatal(err)
			}
			d := tr.Trace().DiscardsOverlapping(0, 5)
			if tc.discarded == 0 {
				if len(d) != 0 {
					t.Fatalf("fixed mode discards: %v", d)
				}
				return
			}
			if len(d) != 1 || d[0].Off != 0 || d[0].N != 5 || d[0].Cancel != proactor.CancelNotFound || d[0].Detail != "cancelled" {
				t.Fatalf("discards over [0,5): %v; want one not-found cancelled read of [0,5)", d)
			}
			kinds := kindsOf(tr.Trace().Explain(2))
			want := []string{"submit-read", "cancel", "cancel-result", "complete", "discard"}
			if !slices.Equal(kinds, want) {
				t.Fatalf("Explain(2) kinds %v, want %v", kinds, want)
			}
		})
	}
}

func kindsOf(evs []proactor.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Kind.String())
	}
	return out
}

// TestEOFWhilePausedComesAfterPendingData checks EOF ordering: a held
// chunk and a held EOF are delivered on resume, data first, EOF once.
func TestEOFWhilePausedComesAfterPendingData(t *testing.T) {
	t.Parallel()
	l := startLoop(t)
	c := newCollector()
	tr, peer := pair(t, l, c, proactor.Config{}, emu.Faults{})
	waitFor(t, l, "first read", func() bool { return tr.Stats().ReadsSubmitted == 1 })
	_ = l.Call(tr.PauseReading)
	if _, err := peer.Write([]byte("abc")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, l, "held data", func() bool { return tr.Stats().BytesPending == 3 })
	var st proactor.State
	_ = l.Call(func() { st = tr.State() })
	if !st.Paused || st.PendingBytes != 3 || st.ReadPosted != 0 || st.ReceivedOffset != 3 {
		t.Fatalf("state while holding: %v; want paused, 3 pending, no read posted", st)
	}
	_ = peer.CloseWrite()
	time.Sleep(10 * time.Millisecond)
	if got := c.got(); got != "" {
		t.Fatalf("delivered %q while paused", got)
	}
	_ = l.Call(tr.ResumeReading)
	if err := <-c.lost; err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	events := c.events
	c.mu.Unlock()
	want := []string{"made", "data:abc", "eof", "lost"}
	if !slices.Equal(events, want) {
		t.Fatalf("events %v, want %v", events, want)
	}
	if s := tr.Stats(); s.EOFs != 1 || s.OpsSubmitted() != s.OpsCompleted() || !s.Closed {
		t.Fatalf("stats %+v", s)
	}
}

// TestCloseWhilePausedKeepsAccounting closes with data held: ConnectionLost
// waits for the outstanding operations, and the held bytes stay counted
// as pending so completed = delivered + pending + discarded.
func TestCloseWhilePausedKeepsAccounting(t *testing.T) {
	t.Parallel()
	l := startLoop(t)
	c := newCollector()
	tr, peer := pair(t, l, c, proactor.Config{}, emu.Faults{})
	if _, err := peer.Write([]byte("first")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, l, "delivery", func() bool { return c.got() == "first" })
	_ = l.Call(tr.PauseReading)
	if _, err := peer.Write([]byte("held")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, l, "held data", func() bool { return tr.Stats().BytesPending == 4 })
	_ = l.Call(func() { _ = tr.Write([]byte("bye")); tr.Close() })
	if err := <-c.lost; err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	_ = peer.SetReadDeadline(time.Now().Add(time.Second))
	n, _ := peer.Read(buf)
	if string(buf[:n]) != "bye" {
		t.Fatalf("peer read %q, want the write queued before Close", buf[:n])
	}
	s := tr.Stats()
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	if s.BytesPending != 4 || s.BytesDelivered != 5 || !s.Closed {
		t.Fatalf("stats %+v: want 5 delivered, 4 pending, closed", s)
	}
}

// TestStopAbortsTransports checks that stopping the loop closes open
// transports and waits for their operations; goleak in TestMain catches a
// dequeuer or worker goroutine that survives.
func TestStopAbortsTransports(t *testing.T) {
	t.Parallel()
	l := startLoop(t)
	c := newCollector()
	tr, _ := pair(t, l, c, proactor.Config{}, emu.Faults{})
	waitFor(t, l, "first read", func() bool { return tr.Stats().ReadsSubmitted == 1 })
	l.Close()
	<-c.lost
	if s := tr.Stats(); !s.Closed || s.OpsSubmitted() != s.OpsCompleted() {
		t.Fatalf("after Stop: %+v", s)
	}
}

// TestLegacyPauseWithALaterReadCompletedFirst pauses a Legacy transport
// whose outstanding read has already completed while an earlier, cancelled
// read's completion has not reached the loop: completions are delivered in
// order, so the later read is still the transport's read, waiting behind
// the earlier one. Pausing must cancel it (and lose its bytes, as pre-fix
// asyncio did), not crash: a stress campaign once died here with a nil
// dereference. Whatever the timing, every byte sent is either delivered or
// recorded as lost.
func TestLegacyPauseWithALaterReadCompletedFirst(t *testing.T) {
	t.Parallel()
	l := startLoop(t)
	c := newCollector()
	// Read 1's completion waits most of a second before the loop sees it;
	// read 2 completes synchronously, in Submit, as IOCP may.
	f := emu.Faults{DequeueDelay: 0.5, DequeueDelayMax: 2 * time.Second, SyncSuccess: 0.5, SyncWait: time.Second}
	for p1, p2 := f.Plan(1, proactor.OpRead, 64<<10), f.Plan(2, proactor.OpRead, 64<<10); p1.Sync || p1.DequeueDelay < 1500*time.Millisecond || !p2.Sync; p1, p2 = f.Plan(1, proactor.OpRead, 64<<10), f.Plan(2, proactor.OpRead, 64<<10) {
		f.Seed++
	}
	tr, peer := pair(t, l, c, proactor.Config{Mode: proactor.Legacy}, f)
	waitFor(t, l, "first read", func() bool { return tr.Stats().ReadsSubmitted == 1 })
	sent := 0
	write := func(s string) {
		if _, err := peer.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
		sent += len(s)
	}
	write("hello")
	time.Sleep(50 * time.Millisecond) // read 1 completes; its completion waits to be dequeued
	_ = l.Call(tr.PauseReading)       // cancels read 1, which has completed: not found
	write("world")
	time.Sleep(50 * time.Millisecond)
	_ = l.Call(tr.ResumeReading) // read 2 reads "world" synchronously
	time.Sleep(50 * time.Millisecond)
	_ = l.Call(tr.PauseReading) // read 2 is the transport's read, completed, behind read 1
	_ = l.Call(tr.ResumeReading)
	time.Sleep(2 * time.Second) // read 1's completion arrives; both are delivered or dropped
	write("!")
	_ = peer.CloseWrite()
	if err := <-c.lost; err != nil {
		t.Fatalf("ConnectionLost: %v", err)
	}
	s := tr.Stats()
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	if got := int64(len(c.got())); got+s.BytesLostToCancel != int64(sent) {
		t.Fatalf("delivered %q and lost %d bytes of %d sent (stats %+v)", c.got(), s.BytesLostToCancel, sent, s)
	}
}
