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
