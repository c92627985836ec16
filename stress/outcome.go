package stress

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/triaged/triaged/proactor"
	"github.com/triaged/triaged/stress/detect"
)

// Outcome is what one scenario iteration found: the figures of the stream,
// the detector's anomalies each with the transport trace that explains it,
// and any error (a failed handshake, a timeout). It is stored as the
// result's detector report.
//
// A watchdog ends an iteration that stalls or outlives its limit (see
// watchdog); a stall is an anomaly of kind "stall", a spent limit sets
// TimedOut, and neither counts as lost data.
type Outcome struct {
	Scenario       string `json:"scenario"`
	Proactor       string `json:"proactor"`
	Backend        string `json:"backend"`
	Seed           int64  `json:"seed"`
	TLS            string `json:"tls,omitempty"`
	BytesSent      int64  `json:"bytes_sent"`
	BytesDelivered int64  `json:"bytes_delivered"`
	// BytesSent and BytesDelivered count bytes of the framed test streams,
	// both directions summed: sent by their writers, and received by their
	// readers (the protocol on the transport under test, or the peer).
	// BytesLost is stream bytes that never arrived or, inside TLS where the
	// detector cannot see, BytesLostInTLS: bytes of TLS records the
	// transport read and threw away (counted from its trace). Delivery
	// words them.
	BytesLost      int64  `json:"bytes_lost"`
	BytesLostInTLS int64  `json:"bytes_lost_in_tls,omitempty"`
	Duplicates     int64  `json:"duplicates"`
	Reordered      int64  `json:"reordered"`
	Corrupt        int64  `json:"corrupt"`
	Stalls         int64  `json:"stalls"`
	PrematureEOFs  int64  `json:"premature_eofs"`
	Error          string `json:"error,omitempty"`
	// TimedOut is set when the iteration used up its time limit while
	// still moving: too slow, not stalled, not losing data.
	TimedOut  bool            `json:"timed_out,omitempty"`
	Anomalies []Finding       `json:"anomalies"`
	Transport *proactor.Stats `json:"transport,omitempty"`
	// RunSeconds is how long the iteration took in run time (see runClock),
	// WallSeconds on the wall clock; the difference is time the process
	// was starved of CPU or stopped.
	RunSeconds  float64 `json:"run_seconds"`
	WallSeconds float64 `json:"wall_seconds"`

	mu        sync.Mutex
	streams   []watched
	transport *proactor.Transport
	stall     *Finding
}

// Finding is one anomaly, explained.
type Finding struct {
	Kind string `json:"kind"`
	// Phase says when, in words a signature can key on, e.g. "after
	// pause_reading during start_tls".
	Phase       string `json:"phase"`
	StreamPhase string `json:"stream_phase,omitempty"`
	// Direction is "to-proactor" for bytes the transport under test
	// received, "from-proactor" for bytes it sent.
	Direction string   `json:"direction"`
	Offset    int64    `json:"offset"`
	Length    int64    `json:"length"`
	Position  int64    `json:"position"`
	Detail    string   `json:"detail,omitempty"`
	Trace     []string `json:"trace,omitempty"`
}

// watched is a detector receiver and which side of the transport it checks.
type watched struct {
	r         *detect.Receiver
	direction string
}

func newOutcome(c ScenarioConfig, seed int64) *Outcome {
	return &Outcome{Scenario: c.Name, Proactor: c.Mode.String(), Backend: c.Backend, Seed: seed, Anomalies: []Finding{}}
}

func (o *Outcome) watch(r *detect.Receiver, direction string) {
	if r == nil {
		return
	}
	o.mu.Lock()
	o.streams = append(o.streams, watched{r, direction})
	o.mu.Unlock()
}

func (o *Outcome) setTransport(t *proactor.Transport) {
	o.mu.Lock()
	o.transport = t
	o.mu.Unlock()
}

func (o *Outcome) sent(n int64) {
	o.mu.Lock()
	o.BytesSent += n
	o.mu.Unlock()
}

func (o *Outcome) fail(format string, args ...any) {
	o.mu.Lock()
	if o.Error == "" {
		o.Error = fmt.Sprintf(format, args...)
	}
	o.mu.Unlock()
}

func (o *Outcome) failed() bool { return o.Error != "" || len(o.Anomalies) > 0 }

// stopped records why the watchdog ended the iteration, if it did, and
// reports whether it did. phase is where the iteration was and err what
// the scenario saw as a result (a read that timed out, say).
func (o *Outcome) stopped(ctx context.Context, phase string, err error) bool {
	var st *stopped
	if !errors.As(context.Cause(ctx), &st) {
		return false
	}
	if st.stall && st.finding != nil {
		o.mu.Lock()
		o.stall = st.finding
		o.mu.Unlock()
	}
	if !st.stall {
		o.TimedOut = true
	}
	if err != nil {
		o.fail("%v, in phase %s: %v", st, phase, err)
	} else {
		o.fail("%v, in phase %s", st, phase)
	}
	return true
}

// finish gathers the detectors' reports and explains each anomaly the
// transport under test received with its trace; losses the detectors could
// not see (inside TLS records) are reported from the trace's discards.
func (o *Outcome) finish() {
	o.mu.Lock()
	defer o.mu.Unlock()
	var tr *proactor.Trace
	if o.transport != nil {
		st := o.transport.Stats()
		o.Transport, tr = &st, o.transport.Trace()
	}
	explained := map[uint64]bool{}
	for _, w := range o.streams {
		rep := w.r.Report()
		o.BytesDelivered += rep.BytesReceived
		// Bytes missing at EOF were lost too: the tail of the stream, with
		// no later frame to show the gap.
		o.BytesLost += rep.BytesLost + rep.BytesMissingAtEOF
		o.Duplicates += rep.BytesDuplicate
		o.Reordered += rep.BytesReordered
		o.Corrupt += rep.BytesCorrupt
		o.Stalls += int64(rep.Counts[detect.KindStall])
		o.PrematureEOFs += int64(rep.Counts[detect.KindPrematureEOF])
		for _, a := range rep.Anomalies {
			f := Finding{Kind: string(a.Kind), StreamPhase: a.Phase, Direction: w.direction, Offset: a.Offset,
				Length: a.Length, Position: a.Position, Detail: a.Detail, Phase: "during " + a.Phase}
			if a.State != "" {
				f.Detail = strings.TrimSpace(f.Detail + " transport: " + a.State)
			}
			if tr != nil && w.direction == "to-proactor" && (a.Kind == detect.KindLostBytes || a.Kind == detect.KindPrematureEOF) {
				// The trace counts every byte the port read, delivered or
				// not, so its offsets are the sender's stream offsets.
				for _, ev := range tr.DiscardsOverlapping(a.Offset, a.Offset+a.Length) {
					explained[ev.Seq] = true
					f.Phase = o.discardPhase(ev)
					if a.Kind == detect.KindPrematureEOF {
						// The transport threw the stream's tail away; the early
						// EOF is only its consequence, and the same bug as a
						// loss in the middle must sign the same.
						f.Kind = string(detect.KindLostBytes)
						f.Detail = strings.TrimSpace("the stream's tail, before EOF; " + f.Detail)
					}
				}
				for _, ev := range tr.Explain(a.Offset) {
					f.Trace = append(f.Trace, ev.String())
				}
			}
			o.Anomalies = append(o.Anomalies, f)
		}
	}
	if tr != nil {
		o.explainDiscards(tr, explained)
	}
	// A stall the watchdog found goes after the losses: when the transport
	// threw bytes away, the stall is their consequence, and the loss is
	// what the failure is signed by.
	if o.stall != nil {
		o.Stalls++
		o.Anomalies = append(o.Anomalies, *o.stall)
	}
}

// explainDiscards reports the reads the transport discarded that no
// detector finding covers: losses inside the TLS stream.
func (o *Outcome) explainDiscards(tr *proactor.Trace, explained map[uint64]bool) {
	discards, _ := tr.Discards()
	for _, ev := range discards {
		// Reads discarded because the iteration was over and the transport
		// closed are bookkeeping, not losses.
		if explained[ev.Seq] || ev.N == 0 || ev.Detail == "closed" {
			continue
		}
		if o.BytesLost == 0 && o.Transport != nil {
			o.BytesLost = o.Transport.BytesLostToCancel
			o.BytesLostInTLS = o.BytesLost
		}
		f := Finding{Kind: string(detect.KindLostBytes), Phase: o.discardPhase(ev), StreamPhase: ev.Phase, Direction: "to-proactor",
			Offset: ev.Off, Length: int64(ev.N), Position: ev.Off,
			Detail: fmt.Sprintf("the transport discarded a completed read of %d bytes (%s); the detector could not see them inside the TLS stream", ev.N, ev.Detail)}
		for _, e := range tr.Explain(ev.Off) {
			f.Trace = append(f.Trace, e.String())
		}
		o.Anomalies = append(o.Anomalies, f)
	}
}

// discardPhase describes when a discarded read was lost, in the words the
// failure signature keys on. In the start_tls scenarios the peer sends
// nothing before its TLS handshake, so whatever the transport lost, in
// whichever phase it was, belonged to start_tls.
func (o *Outcome) discardPhase(ev proactor.Event) string {
	s := "after pause_reading"
	if ev.Detail != "" && ev.Detail != "cancelled" {
		s = "on " + ev.Detail
	}
	switch {
	case o.TLS != "" || ev.Phase == "upgrade" || ev.Phase == "tls":
		return s + " during start_tls"
	case ev.Phase == "" || ev.Phase == "plaintext":
		return s
	}
	return s + " during " + ev.Phase
}

// failureText is the readable account stored as the failure text.
func (o *Outcome) failureText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (proactor %s, backend %s, seed %d", o.Scenario, o.Proactor, o.Backend, o.Seed)
	if o.TLS != "" {
		fmt.Fprintf(&b, ", %s", o.TLS)
	}
	b.WriteString(")\n")
	if o.Error != "" {
		fmt.Fprintf(&b, "error: %s\n", o.Error)
	}
	for i, f := range o.Anomalies {
		if i == 10 {
			fmt.Fprintf(&b, "… %d more anomalies\n", len(o.Anomalies)-i)
			break
		}
		if f.Direction == "" {
			// A finding about the connection (a stall), not a stream range.
			fmt.Fprintf(&b, "%s %s; %s\n", f.Kind, f.Phase, f.Detail)
		} else {
			fmt.Fprintf(&b, "%s %s: %d bytes at stream offset %d (received position %d), %s; %s\n",
				f.Kind, f.Direction, f.Length, f.Offset, f.Position, f.Phase, f.Detail)
		}
		for _, t := range f.Trace {
			fmt.Fprintf(&b, "    %s\n", t)
		}
	}
	return b.String()
}

// Delivery words the stream figures so that they cannot read as a
// contradiction: what was sent, what reached its reader, and what was
// lost where. lostInTLS is the part of lost that the transport discarded
// below TLS, where the detector cannot see (Outcome.BytesLostInTLS). The
// CLI (summed over iterations) and the campaign page both say it this way.
func Delivery(sent, delivered, lost, lostInTLS int64) string {
	s := fmt.Sprintf("test streams: %d bytes sent, %d delivered to their readers", sent, delivered)
	switch seen := lost - lostInTLS; {
	case lost == 0:
		s += ", none lost"
	case seen > 0:
		s += fmt.Sprintf(", %d lost on the way (never delivered)", seen)
	}
	if lostInTLS > 0 {
		s += fmt.Sprintf("; below TLS the transport under test discarded %d bytes of TLS records it had read (the detector cannot see inside TLS)", lostInTLS)
	}
	return s
}

// Delivery words the outcome's stream figures (see the function Delivery).
func (o *Outcome) Delivery() string {
	return Delivery(o.BytesSent, o.BytesDelivered, o.BytesLost, o.BytesLostInTLS)
}
