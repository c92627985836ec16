package proactor

import (
	"slices"
	"testing"
)

func TestTraceRingKeepsNewestAndAllDiscards(t *testing.T) {
	t.Parallel()
	tr := newTrace(4, "plaintext")
	for i := range 10 {
		e := Event{Kind: EvDeliver, Op: OpID(i), N: 10, Off: int64(i) * 10}
		if i == 2 {
			e.Kind, e.Detail, e.Cancel = EvDiscard, "cancelled", CancelNotFound
		}
		if i == 5 {
			tr.setPhase("tls")
		}
		tr.add(e)
	}
	var ops []OpID
	for _, e := range tr.Events() {
		ops = append(ops, e.Op)
	}
	if want := []OpID{6, 7, 8, 9}; !slices.Equal(ops, want) {
		t.Fatalf("ring ops %v, want %v", ops, want)
	}
	if tr.Recorded() != 10 {
		t.Fatalf("Recorded %d, want 10", tr.Recorded())
	}
	for _, tc := range []struct {
		name     string
		off, end int64
		want     int
	}{
		{"inside", 25, 26, 1}, {"straddles start", 15, 21, 1}, {"touches end", 30, 40, 0},
		{"before", 0, 20, 0}, {"covers", 0, 100, 1},
	} {
		if got := len(tr.DiscardsOverlapping(tc.off, tc.end)); got != tc.want {
			t.Errorf("%s: %d discards over [%d,%d), want %d", tc.name, got, tc.off, tc.end, tc.want)
		}
	}
	// The discard left the ring long ago; Explain still names it.
	ex := tr.Explain(27)
	if len(ex) != 1 || ex[0].Op != 2 || ex[0].Phase != "plaintext" || ex[0].Cancel != CancelNotFound {
		t.Fatalf("Explain(27) = %v", ex)
	}
	if ev := tr.Events()[0]; ev.Phase != "tls" {
		t.Fatalf("phase of a late event %q, want tls", ev.Phase)
	}
}

func TestStatsCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		s    Stats
		ok   bool
	}{
		{"balanced", Stats{BytesCompleted: 10, BytesDelivered: 4, BytesPending: 3, BytesDiscarded: 3}, true},
		{"lost bytes", Stats{BytesCompleted: 10, BytesDelivered: 4}, false},
		{"violation", Stats{Violations: 1}, false},
		{"closed with op in flight", Stats{Closed: true, ReadsSubmitted: 2, ReadsCompleted: 1}, false},
		{"open with op in flight", Stats{ReadsSubmitted: 2, ReadsCompleted: 1}, true},
	} {
		if err := tc.s.Check(); (err == nil) != tc.ok {
			t.Errorf("%s: Check() = %v, want ok=%t", tc.name, err, tc.ok)
		}
	}
}
