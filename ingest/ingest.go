// Package ingest is triaged's write path for test results: it parses an
// upload in any supported report format, refuses what cannot be stored
// with a reason, signs every failure, classifies it, and stores the batch
// in one transaction — or nothing. The JSON API's result uploads and the
// runner protocol's job results both come through here; the HTTP edges
// only translate requests and errors.
package ingest

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/triaged/triaged/internal/report"
	"github.com/triaged/triaged/internal/rule"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/verdict"
	"github.com/triaged/triaged/stress"
)

// Limits bound what one upload may hold.
type Limits struct {
	MaxBodyBytes   int64 // request body; 413 above
	MaxResults     int   // results in one batch; 413 above
	MaxFailureText int   // bytes of failure text kept per result; the rest is cut with a marker
	// InfraThreshold is the share of failing results in a batch (of at least
	// InfraMinResults) above which its failures count as infrastructure, not
	// as flakes or new failures.
	InfraThreshold  float64
	InfraMinResults int
	// Window is how far back the verdicts look at a test's history.
	Window time.Duration
}

// DefaultLimits are the limits used when the configuration does not say.
var DefaultLimits = Limits{
	MaxBodyBytes:    32 << 20,
	MaxResults:      50_000,
	MaxFailureText:  64 << 10,
	InfraThreshold:  0.5,
	InfraMinResults: 10,
	Window:          verdict.DefaultWindow,
}

// ErrInvalid marks results that parsed but cannot be stored as they are;
// the caller answers 400 with the error's text.
var ErrInvalid = errors.New("invalid results")

// Ingester stores uploads.
type Ingester struct {
	store  *store.Store
	limits Limits
	rules  ruleCache
}

// New returns the ingester over st. Zero limits take DefaultLimits.
func New(st *store.Store, limits Limits) *Ingester {
	d := DefaultLimits
	limits.MaxBodyBytes = cmp.Or(limits.MaxBodyBytes, d.MaxBodyBytes)
	limits.MaxResults = cmp.Or(limits.MaxResults, d.MaxResults)
	limits.MaxFailureText = cmp.Or(limits.MaxFailureText, d.MaxFailureText)
	limits.InfraThreshold = cmp.Or(limits.InfraThreshold, d.InfraThreshold)
	limits.InfraMinResults = cmp.Or(limits.InfraMinResults, d.InfraMinResults)
	limits.Window = cmp.Or(limits.Window, d.Window)
	return &Ingester{store: st, limits: limits}
}

// Limits returns the limits in force.
func (in *Ingester) Limits() Limits { return in.limits }

// Parse reads a report body in format within the limits: a body or a
// result count over them wraps report.ErrInputTooLarge or
// report.ErrTooManyResults, a malformed one is a *report.ParseError.
func (in *Ingester) Parse(body io.Reader, format report.Format) ([]report.Result, error) {
	return report.Parse(body, format, report.Options{MaxResults: in.limits.MaxResults, MaxFailureText: in.limits.MaxFailureText})
}

// Store signs, classifies and stores parsed results as batch b. It returns
// the upload's answer (an Answer, as stored with the batch) and whether the
// batch was a duplicate: a retry of a stored batch stores nothing and gets
// the first answer again.
func (in *Ingester) Store(ctx context.Context, b store.Batch, results []report.Result) (json.RawMessage, bool, error) {
	b.Results = make([]store.ResultRow, len(results))
	for i, res := range results {
		row, err := toRow(res)
		if err != nil {
			return nil, false, fmt.Errorf("%w: result %d (%s): %v", ErrInvalid, i+1, res.Test, err)
		}
		if b.CampaignID != nil {
			// In a campaign every result belongs to an iteration, 0 included.
			it := int32(res.Iteration)
			row.Iteration = &it
		}
		b.Results[i] = row
	}
	b.Infra, b.Since = infraBatch(b, in.limits), historySince(in.limits.Window)
	return in.ingestMatched(ctx, b, func(st store.Stored, rules []rule.Rule) (any, error) {
		return answer(b, st, rules), nil
	})
}

// maxIteration bounds an iteration number: a campaign has at most a
// million iterations per runner, and the column is 32-bit.
const maxIteration = 1<<31 - 1

func toRow(res report.Result) (store.ResultRow, error) {
	row := store.ResultRow{
		Test:       res.Test,
		Outcome:    res.Outcome.String(),
		DurationUS: res.Duration.Microseconds(),
		Detector:   res.Detector,
	}
	switch {
	case res.Duration < 0 || res.Duration > report.MaxDuration:
		return row, fmt.Errorf("duration %v out of range", res.Duration)
	case res.Iteration < 0 || res.Iteration > maxIteration:
		return row, fmt.Errorf("iteration %d out of range", res.Iteration)
	}
	if res.Iteration != 0 {
		it := int32(res.Iteration)
		row.Iteration = &it
	}
	if len(res.Detector) > 0 {
		if err := stress.CheckOutcome(res.Detector); err != nil {
			return row, err
		}
	}
	if !res.Outcome.Failed() {
		return row, nil
	}
	row.FailureText = stress.FailureText(res)
	if res.FailureText != "" {
		// Output the failure is not signed by is kept beside it: the
		// context a signature page shows with its example.
		row.Output = res.Output
	}
	sig := stress.Sign(row.FailureText, res.Detector)
	row.Signature = &store.SignatureRow{Algorithm: sig.Algorithm, Hash: sig.Hash, Title: sig.Title, Normalized: sig.Normalized}
	return row, nil
}
