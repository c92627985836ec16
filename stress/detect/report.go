package detect

import (
	"fmt"
	"sort"
)

// Kind names a class of anomaly. The strings are stable: campaign records
// and dashboards key on them.
type Kind string

// The anomaly kinds a Receiver reports.
const (
	KindLostBytes    Kind = "lost-bytes"     // stream bytes that never arrived
	KindDuplicate    Kind = "duplicate"      // bytes that arrived more than once
	KindReordered    Kind = "reordered"      // bytes that arrived after later bytes
	KindCorrupt      Kind = "corrupt"        // bytes that arrived with the wrong value
	KindMisdelivered Kind = "misdelivered"   // frames of another stream
	KindStall        Kind = "stall"          // no progress while the peer had bytes in flight
	KindPrematureEOF Kind = "premature-eof"  // EOF before the declared end of the stream
	KindDataAfterEOF Kind = "data-after-eof" // bytes past the declared end, or after EOF
)

// AllKinds returns every Kind in a fixed order, for tables and columns.
func AllKinds() []Kind {
	return []Kind{KindLostBytes, KindDuplicate, KindReordered, KindCorrupt,
		KindMisdelivered, KindStall, KindPrematureEOF, KindDataAfterEOF}
}

// Anomaly is one finding, with the evidence needed to explain it.
//
// Offset and Length are in the sent stream (wire offsets, headers
// included). Position is in the received stream: the number of bytes fed to
// the receiver before the anomaly's first received byte, or, for lost bytes,
// before the first byte that arrived after the gap. A transport trace can
// map Position to the read operation that delivered (or dropped) the bytes.
//
// For a stall, Offset is the end of the data received and Length the peer's
// count of unacknowledged bytes; for a premature EOF, Length is the count of
// bytes that never came.
type Anomaly struct {
	Kind     Kind   `json:"kind"`
	Offset   int64  `json:"offset"`
	Length   int64  `json:"length"`
	Position int64  `json:"position"`
	Frame    int64  `json:"frame"` // sequence of the frame holding Offset, -1 if unknown
	Phase    string `json:"phase,omitempty"`
	Detail   string `json:"detail,omitempty"`
	// State is the transport state dump supplied for a stall.
	State string `json:"state,omitempty"`
	// Trace is what the transport trace says about Position; see
	// Report.Explain.
	Trace string `json:"trace,omitempty"`
}

func (a Anomaly) String() string {
	s := fmt.Sprintf("%s at offset %d length %d (received position %d", a.Kind, a.Offset, a.Length, a.Position)
	if a.Phase != "" {
		s += ", phase " + a.Phase
	}
	s += ")"
	if a.Detail != "" {
		s += ": " + a.Detail
	}
	return s
}

// Report summarises what a Receiver saw.
type Report struct {
	Seed      uint64 `json:"seed"`
	Stream    uint32 `json:"stream"`
	Total     int64  `json:"total"`      // declared stream length, -1 until a header is seen
	FrameSize int64  `json:"frame_size"` // bytes per frame, -1 until a header is seen

	BytesReceived     int64 `json:"bytes_received"` // bytes fed to the receiver
	BytesVerified     int64 `json:"bytes_verified"` // distinct stream bytes that arrived intact
	BytesLost         int64 `json:"bytes_lost"`     // total length of lost-bytes anomalies
	BytesDuplicate    int64 `json:"bytes_duplicate"`
	BytesReordered    int64 `json:"bytes_reordered"`
	BytesCorrupt      int64 `json:"bytes_corrupt"`
	BytesMisdelivered int64 `json:"bytes_misdelivered"`
	BytesAfterEOF     int64 `json:"bytes_after_eof"`
	BytesMissingAtEOF int64 `json:"bytes_missing_at_eof"`
	// BytesPending are bytes still waiting for a frame header to place them.
	BytesPending int64 `json:"bytes_pending"`
	Frames       int64 `json:"frames"` // frame headers accepted in order

	EOF      bool `json:"eof"`      // CloseEOF was called
	Complete bool `json:"complete"` // every stream byte arrived

	Counts    map[Kind]int `json:"counts"`    // anomalies by kind, including omitted ones
	Anomalies []Anomaly    `json:"anomalies"` // the first ones, by received position
	Omitted   int          `json:"omitted"`   // anomalies counted but not listed
}

// OK reports whether the whole stream arrived exactly once, intact and in
// order, with EOF at its end.
func (r *Report) OK() bool {
	for _, n := range r.Counts {
		if n > 0 {
			return false
		}
	}
	return r.EOF && r.Complete && r.BytesPending == 0
}

// Explain sets the Trace of each listed anomaly to explain's account of it,
// typically the read operation (id, cancel result) whose completion held or
// should have held the byte at its Position.
func (r *Report) Explain(explain func(Anomaly) string) {
	for i := range r.Anomalies {
		r.Anomalies[i].Trace = explain(r.Anomalies[i])
	}
}

// First returns the first anomaly by received position, if any.
func (r *Report) First() (Anomaly, bool) {
	if len(r.Anomalies) == 0 {
		return Anomaly{}, false
	}
	return r.Anomalies[0], true
}

// finish orders the anomalies and applies the cap.
func (r *Report) finish(max int) {
	sort.SliceStable(r.Anomalies, func(i, j int) bool {
		return r.Anomalies[i].Position < r.Anomalies[j].Position
	})
	if len(r.Anomalies) > max {
		r.Omitted += len(r.Anomalies) - max
		r.Anomalies = r.Anomalies[:max]
	}
}
