package stress

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/triaged/triaged/internal/signature"
)

// ParseOutcome reads the report a scenario iteration stores with its
// result (the result's "detector" JSON), as this package writes it.
// Consumers (the signature rule, pages) read it here rather than guess its
// fields.
func ParseOutcome(raw []byte) (*Outcome, error) {
	if len(raw) == 0 {
		return nil, errors.New("no detector report")
	}
	o := new(Outcome)
	if err := json.Unmarshal(raw, o); err != nil {
		return nil, fmt.Errorf("detector report: %w", err)
	}
	return o, nil
}

// Sign is the signature of a failing result: a scenario failure by its
// first anomaly's class and phase ("lost-bytes after pause_reading during
// start_tls"), since offsets and counts are evidence that varies between
// runs of one bug; any other failure by its failure text. The server, the
// re-signing of stored failures and `triaged stress exec` all sign here,
// so a failure groups the same way wherever it was counted. The hint that
// ends a whole-command failure (WholeCommandHint) is not part of the
// failure, and is left out.
func Sign(failureText string, detector []byte) signature.Signature {
	if o, err := ParseOutcome(detector); err == nil && len(o.Anomalies) > 0 && o.Anomalies[0].Kind != "" {
		return signature.Detector(o.Anomalies[0].Kind, o.Anomalies[0].Phase)
	}
	return signature.Compute(strings.TrimSuffix(failureText, "\n\n"+WholeCommandHint))
}

// MaxReportedBytes bounds every byte count and stream offset a detector
// report may hold: far beyond any stream a scenario sends (MaxStreamSize
// each way), and far below where a float64 or int64 stops being exact.
const MaxReportedBytes = 1 << 40

// CheckOutcome checks a detector report as it enters from a runner: it
// must read as an Outcome, and its byte counts, offsets, lengths and
// positions must lie between 0 and MaxReportedBytes. Pages chart these
// numbers (an offset of 1e308 made negative histogram bins), so a report
// that would need repairing is refused instead.
func CheckOutcome(raw []byte) error {
	o, err := ParseOutcome(raw)
	if err != nil {
		return err
	}
	inRange := func(v int64) bool { return v >= 0 && v <= MaxReportedBytes }
	for name, v := range map[string]int64{"bytes_sent": o.BytesSent, "bytes_delivered": o.BytesDelivered, "bytes_lost": o.BytesLost,
		"duplicates": o.Duplicates, "reordered": o.Reordered, "corrupt": o.Corrupt, "stalls": o.Stalls, "premature_eofs": o.PrematureEOFs} {
		if !inRange(v) {
			return fmt.Errorf("detector report: %s = %d, want 0 to %d", name, v, int64(MaxReportedBytes))
		}
	}
	for i, f := range o.Anomalies {
		if !inRange(f.Offset) || !inRange(f.Length) || !inRange(f.Position) || !inRange(f.Offset+f.Length) {
			return fmt.Errorf("detector report: anomalies[%d]: offset %d, length %d, position %d: want each from 0 to %d",
				i, f.Offset, f.Length, f.Position, int64(MaxReportedBytes))
		}
	}
	return nil
}
