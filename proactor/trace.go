package proactor

import (
	"fmt"
	"sync"
	"time"
)

// EventKind names what a trace Event records.
type EventKind uint8

// The trace event kinds. Their String forms are stable: detector reports
// and stress output quote them.
const (
	EvSubmitRead EventKind = iota + 1
	EvSubmitWrite
	EvComplete
	EvCancel
	EvCancelResult
	EvDiscard
	EvHold
	EvDeliver
	EvPause
	EvResume
	EvSetProtocol
	EvPhase
	EvEOF
	EvClose
	EvViolation
)

var eventNames = [...]string{
	EvSubmitRead:   "submit-read",
	EvSubmitWrite:  "submit-write",
	EvComplete:     "complete",
	EvCancel:       "cancel",
	EvCancelResult: "cancel-result",
	EvDiscard:      "discard",
	EvHold:         "hold",
	EvDeliver:      "deliver",
	EvPause:        "pause",
	EvResume:       "resume",
	EvSetProtocol:  "set-protocol",
	EvPhase:        "phase",
	EvEOF:          "eof",
	EvClose:        "close",
	EvViolation:    "violation",
}

// String returns the event kind's stable name, such as "cancel-result".
func (k EventKind) String() string {
	if int(k) < len(eventNames) && eventNames[k] != "" {
		return eventNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Cancel results as recorded in Event.Cancel.
const (
	CancelOK       = "ok"
	CancelNotFound = "not-found"
)

// Event is one entry of a transport's trace. Off and N give the
// received-stream byte range [Off, Off+N) for complete, hold, deliver and
// discard events; Off is -1 where no range applies.
type Event struct {
	Seq    uint64
	At     time.Duration // since the transport was created
	Kind   EventKind
	Op     OpID
	N      int
	Off    int64
	Phase  string
	Cancel string // cancel-result and discard: CancelOK, CancelNotFound or an error
	Detail string // discard reason ("cancelled", "closed"), error text, phase name
}

// End returns the end of the event's received-stream range.
func (e Event) End() int64 { return e.Off + int64(e.N) }

// String formats the event on one line for reports.
func (e Event) String() string {
	s := fmt.Sprintf("#%d +%v %s op=%d phase=%s", e.Seq, e.At, e.Kind, e.Op, e.Phase)
	if e.Off >= 0 {
		s += fmt.Sprintf(" bytes=[%d,%d) n=%d", e.Off, e.End(), e.N)
	}
	if e.Cancel != "" {
		s += " cancel=" + e.Cancel
	}
	if e.Detail != "" {
		s += " " + e.Detail
	}
	return s
}

// maxDiscards bounds the separate discard log; legacy runs discard rarely,
// so this only matters for pathological schedules.
const maxDiscards = 4096

// Trace is a bounded ring of transport events plus a separate log of every
// discard, so the evidence for lost bytes survives heavy later traffic. It
// is written on the loop goroutine and safe to read from any goroutine.
type Trace struct {
	mu       sync.Mutex
	start    time.Time
	phase    string
	ring     []Event
	next     int
	seq      uint64
	discards []Event
	dropped  int
}

func newTrace(size int, phase string) *Trace {
	return &Trace{start: time.Now(), phase: phase, ring: make([]Event, 0, size)}
}

func (tr *Trace) add(e Event) {
	tr.mu.Lock()
	tr.seq++
	e.Seq = tr.seq
	e.At = time.Since(tr.start)
	e.Phase = tr.phase
	if len(tr.ring) < cap(tr.ring) {
		tr.ring = append(tr.ring, e)
	} else {
		tr.ring[tr.next] = e
		tr.next = (tr.next + 1) % len(tr.ring)
	}
	if e.Kind == EvDiscard {
		if len(tr.discards) < maxDiscards {
			tr.discards = append(tr.discards, e)
		} else {
			tr.dropped++
		}
	}
	tr.mu.Unlock()
}

func (tr *Trace) setPhase(p string) {
	tr.mu.Lock()
	tr.phase = p
	tr.mu.Unlock()
}

// Phase returns the current phase label.
func (tr *Trace) Phase() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.phase
}

// Events returns the events still in the ring, oldest first.
func (tr *Trace) Events() []Event {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	out := make([]Event, 0, len(tr.ring))
	out = append(out, tr.ring[tr.next:]...)
	return append(out, tr.ring[:tr.next]...)
}

// Recorded returns how many events were ever recorded; more than
// len(Events()) means the ring overwrote old ones.
func (tr *Trace) Recorded() uint64 {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.seq
}

// Discards returns every recorded discard event (up to an internal bound)
// and how many were dropped past it.
func (tr *Trace) Discards() (events []Event, dropped int) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]Event(nil), tr.discards...), tr.dropped
}

// DiscardsOverlapping returns the discards whose byte range intersects the
// received-stream range [off, end): the operations that explain bytes a
// detector found missing there.
func (tr *Trace) DiscardsOverlapping(off, end int64) []Event {
	all, _ := tr.Discards()
	var out []Event
	for _, e := range all {
		if e.Off < end && off < e.End() {
			out = append(out, e)
		}
	}
	return out
}

// Explain returns the story of the read that carried received-stream
// offset off: the ring events of the operation whose completion covers it
// (submit, cancel, cancel result, completion, delivery or discard), or the
// bare discard event when the ring no longer holds the rest.
func (tr *Trace) Explain(off int64) []Event {
	var op OpID
	found := false
	for _, e := range tr.DiscardsOverlapping(off, off+1) {
		op, found = e.Op, true
	}
	events := tr.Events()
	if !found {
		for _, e := range events {
			if e.Kind == EvComplete && e.Off <= off && off < e.End() {
				op, found = e.Op, true
			}
		}
	}
	if !found {
		return nil
	}
	var out []Event
	for _, e := range events {
		if e.Op == op {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		out = tr.DiscardsOverlapping(off, off+1)
	}
	return out
}
