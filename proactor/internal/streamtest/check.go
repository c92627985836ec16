package streamtest

import (
	"errors"
	"fmt"
	"sort"

	"github.com/triaged/triaged/proactor"
)

// CheckLossless verifies a Fixed-mode run: every byte the peer sent was
// delivered once, in order; the peer got every byte the transport sent; the
// transport's accounting holds and nothing was discarded.
func CheckLossless(opt Options, res Result) error {
	var errs []error
	if int64(len(res.Delivered)) != opt.PeerBytes {
		errs = append(errs, fmt.Errorf("delivered %d bytes, peer sent %d", len(res.Delivered), opt.PeerBytes))
	}
	if i := FirstMismatch(opt.Seed, 0, res.Delivered); i >= 0 {
		errs = append(errs, fmt.Errorf("delivered stream differs at offset %d; trace: %v", i, res.Trace.Explain(int64(i))))
	}
	if res.PeerGot != opt.TransportBytes {
		errs = append(errs, fmt.Errorf("peer received %d bytes, transport sent %d", res.PeerGot, opt.TransportBytes))
	}
	if err := res.Stats.Check(); err != nil {
		errs = append(errs, err)
	}
	if !res.Stats.Closed {
		errs = append(errs, errors.New("transport not closed"))
	}
	if res.Stats.BytesDiscarded != 0 {
		errs = append(errs, fmt.Errorf("discarded %d bytes", res.Stats.BytesDiscarded))
	}
	if res.LostErr != nil {
		errs = append(errs, fmt.Errorf("connection lost: %w", res.LostErr))
	}
	return errors.Join(errs...)
}

// CheckLossExplained verifies a Legacy-mode run: the delivered stream is
// exactly the sent stream with the ranges of the discarded, cancelled reads
// cut out, so every lost byte is accounted for by a completed-but-discarded
// read and by nothing else. It returns the number of lost bytes.
func CheckLossExplained(opt Options, res Result) (int64, error) {
	discards, dropped := res.Trace.Discards()
	if dropped > 0 {
		return 0, fmt.Errorf("%d discards dropped from the trace", dropped)
	}
	sort.Slice(discards, func(i, j int) bool { return discards[i].Off < discards[j].Off })
	var errs []error
	var lost int64
	delivered := res.Delivered
	var off int64 // stream offset of delivered[0]
	for _, d := range discards {
		if d.Detail != "cancelled" {
			errs = append(errs, fmt.Errorf("unexpected discard %v", d))
			continue
		}
		if d.Cancel != proactor.CancelNotFound && d.Cancel != proactor.CancelOK {
			errs = append(errs, fmt.Errorf("discard with odd cancel result %v", d))
		}
		keep := d.Off - off
		if keep < 0 || keep > int64(len(delivered)) {
			return lost, fmt.Errorf("discard %v does not fit the delivered stream at %d", d, off)
		}
		if i := FirstMismatch(opt.Seed, off, delivered[:keep]); i >= 0 {
			return lost, fmt.Errorf("delivered byte at stream offset %d is wrong before discard %v", off+int64(i), d)
		}
		delivered = delivered[keep:]
		off = d.End()
		lost += int64(d.N)
	}
	if i := FirstMismatch(opt.Seed, off, delivered); i >= 0 {
		errs = append(errs, fmt.Errorf("delivered byte at stream offset %d is wrong", off+int64(i)))
	}
	if end := off + int64(len(delivered)); end != opt.PeerBytes {
		errs = append(errs, fmt.Errorf("stream ends at %d, peer sent %d", end, opt.PeerBytes))
	}
	if lost != res.Stats.BytesLostToCancel {
		errs = append(errs, fmt.Errorf("trace discards %d bytes, stats say %d", lost, res.Stats.BytesLostToCancel))
	}
	if err := res.Stats.Check(); err != nil {
		errs = append(errs, err)
	}
	return lost, errors.Join(errs...)
}
