package proactor

import "fmt"

// State is a snapshot of a transport's read and write state, for the
// stall reports of the data-loss detector.
type State struct {
	Mode           string `json:"mode"`
	Phase          string `json:"phase"`
	Paused         bool   `json:"paused"`
	Closing        bool   `json:"closing"`
	EOF            bool   `json:"eof"`
	ReadPosted     OpID   `json:"read_posted"` // 0 when no read is outstanding
	InFlight       int    `json:"in_flight"`
	PendingBytes   int    `json:"pending_bytes"`
	PendingEOF     bool   `json:"pending_eof"`
	ReceivedOffset int64  `json:"received_offset"`
	WriteBuffered  int    `json:"write_buffered"`
	Protocol       string `json:"protocol"`
}

// State returns a snapshot of the transport; call it on the loop goroutine
// (Loop.Call from elsewhere).
func (t *Transport) State() State {
	s := State{
		Mode: t.cfg.Mode.String(), Phase: t.trace.Phase(), Paused: t.paused, Closing: t.closing,
		EOF: t.eofSeen, InFlight: len(t.inflight), PendingBytes: len(t.pending), PendingEOF: t.pendingEOF,
		ReceivedOffset: t.rxOff, WriteBuffered: t.WriteBufferSize(), Protocol: fmt.Sprintf("%T", t.proto),
	}
	if t.readOp != nil {
		s.ReadPosted = t.readOp.ID
	}
	return s
}

// String formats the snapshot on one line.
func (s State) String() string {
	return fmt.Sprintf("mode=%s phase=%s paused=%t closing=%t eof=%t read=%d inflight=%d pending=%d pending_eof=%t rx=%d wbuf=%d proto=%s",
		s.Mode, s.Phase, s.Paused, s.Closing, s.EOF, s.ReadPosted, s.InFlight, s.PendingBytes, s.PendingEOF,
		s.ReceivedOffset, s.WriteBuffered, s.Protocol)
}
