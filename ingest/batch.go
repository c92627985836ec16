package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/triaged/triaged/internal/report"
	"github.com/triaged/triaged/internal/signature"
	"github.com/triaged/triaged/internal/store"
)

// errInvalid marks results that parsed but cannot be stored as they are.
var errInvalid = errors.New("invalid results")

// ingest parses the request body and stores it as batch b.
func (a *API) ingest(w http.ResponseWriter, r *http.Request, b store.Batch, format report.Format) (json.RawMessage, bool, error) {
	body := http.MaxBytesReader(w, r.Body, a.limits.MaxBodyBytes)
	results, err := report.Parse(body, format, report.Options{MaxResults: a.limits.MaxResults, MaxFailureText: a.limits.MaxFailureText})
	if err != nil {
		return nil, false, err
	}
	return a.Store(r, b, results)
}

// Store signs, classifies and stores parsed results as batch b. The runner
// protocol uses it for job results.
func (a *API) Store(r *http.Request, b store.Batch, results []report.Result) (json.RawMessage, bool, error) {
	b.Results = make([]store.ResultRow, len(results))
	for i, res := range results {
		row, err := toRow(res)
		if err != nil {
			return nil, false, fmt.Errorf("%w: result %d (%s): %v", errInvalid, i+1, res.Test, err)
		}
		if b.CampaignID != nil {
			// In a campaign every result belongs to an iteration, 0 included.
			it := int32(res.Iteration)
			row.Iteration = &it
		}
		b.Results[i] = row
	}
	return a.store.IngestBatch(r.Context(), b, func(st store.Stored) (any, error) {
		return answer(b, st, a.limits), nil
	})
}

func toRow(res report.Result) (store.ResultRow, error) {
	row := store.ResultRow{
		Test:       res.Test,
		Outcome:    res.Outcome.String(),
		DurationUS: res.Duration.Microseconds(),
		Detector:   res.Detector,
	}
	if res.Duration < 0 || res.Duration > 7*24*time.Hour {
		return row, fmt.Errorf("duration %v out of range", res.Duration)
	}
	if res.Iteration != 0 {
		it := int32(res.Iteration)
		row.Iteration = &it
	}
	if res.Outcome != report.Fail && res.Outcome != report.Error {
		return row, nil
	}
	text := res.FailureText
	if text == "" {
		text = res.Output
	}
	row.FailureText = text
	sig := Sign(text, res.Detector)
	row.Signature = &store.SignatureRow{Algorithm: sig.Algorithm, Hash: sig.Hash, Title: sig.Title, Normalized: sig.Normalized}
	return row, nil
}

// Sign is the signature of a failure: a data-loss detector failure by its
// first anomaly's class and phase (the evidence, offsets and counts, stays
// out of it), any other by its failure text. Re-signing stored failures
// uses it too, so old and new failures group alike.
func Sign(text string, detector json.RawMessage) signature.Signature {
	if sig, ok := detectorSignature(detector); ok {
		return sig
	}
	return signature.Compute(text)
}

func detectorSignature(raw json.RawMessage) (signature.Signature, bool) {
	if len(raw) == 0 {
		return signature.Signature{}, false
	}
	var d struct {
		Anomalies []struct {
			Kind  string `json:"kind"`
			Phase string `json:"phase"`
		} `json:"anomalies"`
	}
	if json.Unmarshal(raw, &d) != nil || len(d.Anomalies) == 0 || d.Anomalies[0].Kind == "" {
		return signature.Signature{}, false
	}
	return signature.Detector(d.Anomalies[0].Kind, d.Anomalies[0].Phase), true
}
