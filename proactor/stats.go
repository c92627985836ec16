package proactor

import (
	"errors"
	"fmt"
)

// Stats are a transport's counters. They are kept on the loop goroutine and
// copied under a lock, so Transport.Stats may be called from anywhere,
// including after close, and feed the stress JSON output.
type Stats struct {
	Mode string `json:"mode"`

	ReadsSubmitted  uint64 `json:"reads_submitted"`
	ReadsCompleted  uint64 `json:"reads_completed"`
	WritesSubmitted uint64 `json:"writes_submitted"`
	WritesCompleted uint64 `json:"writes_completed"`
	SyncCompletions uint64 `json:"sync_completions"`

	// BytesCompleted counts received bytes carried by read completions.
	BytesCompleted int64 `json:"bytes_completed"`
	BytesDelivered int64 `json:"bytes_delivered"`
	// BytesPending is held data not yet delivered (paused at close).
	BytesPending   int64 `json:"bytes_pending"`
	BytesDiscarded int64 `json:"bytes_discarded"`
	// BytesLostToCancel is the part of BytesDiscarded that Legacy mode
	// threw away because the read had been cancelled: the bpo-33694 loss.
	BytesLostToCancel int64 `json:"bytes_lost_to_cancel"`
	BytesWritten      int64 `json:"bytes_written"`

	Cancels         uint64 `json:"cancels"`
	CancelsOK       uint64 `json:"cancels_ok"`
	CancelsNotFound uint64 `json:"cancels_not_found"`
	CancelsFailed   uint64 `json:"cancels_failed"`

	Pauses     uint64 `json:"pauses"`
	Resumes    uint64 `json:"resumes"`
	EOFs       uint64 `json:"eofs"`
	Violations uint64 `json:"violations"`
	Closed     bool   `json:"closed"`
}

// OpsSubmitted returns the number of operations handed to the port.
func (s Stats) OpsSubmitted() uint64 { return s.ReadsSubmitted + s.WritesSubmitted }

// OpsCompleted returns the number of completions the transport processed.
func (s Stats) OpsCompleted() uint64 { return s.ReadsCompleted + s.WritesCompleted }

// Check verifies the accounting invariants: completed bytes = delivered +
// pending + discarded, no recorded violation, and, once closed, exactly one
// completion per submitted operation.
func (s Stats) Check() error {
	var errs []error
	if got := s.BytesDelivered + s.BytesPending + s.BytesDiscarded; got != s.BytesCompleted {
		errs = append(errs, fmt.Errorf("bytes completed %d != delivered %d + pending %d + discarded %d",
			s.BytesCompleted, s.BytesDelivered, s.BytesPending, s.BytesDiscarded))
	}
	if s.Violations > 0 {
		errs = append(errs, fmt.Errorf("%d invariant violations recorded in the trace", s.Violations))
	}
	if s.Closed && s.OpsSubmitted() != s.OpsCompleted() {
		errs = append(errs, fmt.Errorf("closed with %d operations submitted but %d completed",
			s.OpsSubmitted(), s.OpsCompleted()))
	}
	return errors.Join(errs...)
}
