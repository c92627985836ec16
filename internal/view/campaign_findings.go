package view

import (
	"cmp"
	"context"
	"slices"

	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/stress"
	"github.com/triaged/triaged/stress/detect"
)

// campaignFindings bounds the failing results read for one view.
const campaignFindings = 500

// Finding is a failing result of a campaign with what the data-loss
// detector found in it.
type Finding struct {
	store.FailedIteration
	// Report is the detector JSON parsed as the stress scenario wrote it;
	// nil when the result carries none (an exec campaign) or one that is
	// not a scenario outcome. The JSON keeps the raw "detector".
	Report *stress.Outcome `json:"-"`
}

// Kind is what went wrong: the first anomaly's kind ("lost-bytes"), or
// the outcome ("fail", "error") when the detector found none.
func (f Finding) Kind() string {
	if f.Report != nil && len(f.Report.Anomalies) > 0 {
		return f.Report.Anomalies[0].Kind
	}
	return f.Outcome
}

// Phase is when the first anomaly happened ("after pause_reading during
// start_tls"), or "".
func (f Finding) Phase() string {
	if f.Report != nil && len(f.Report.Anomalies) > 0 {
		return f.Report.Anomalies[0].Phase
	}
	return ""
}

// FindingGroup is the failures of a campaign that failed the same way: one
// signature, which for a scenario is the first anomaly's kind and phase
// (stress.Sign) and otherwise the failure's reason.
type FindingGroup struct {
	SignatureID *int64 `json:"signature_id"`
	Title       string `json:"title"`
	Kind        string `json:"kind"`
	Phase       string `json:"phase,omitempty"`
	Count       int    `json:"count"`
	// Iterations lists the group's iterations in order; the first is the
	// example a page shows expanded.
	Iterations []int `json:"iterations"`
	// Findings are the group's failures, Findings[0] the example; the JSON
	// has them in the top-level list.
	Findings []Finding `json:"-"`
}

// Example is the failure a page shows in full.
func (g FindingGroup) Example() Finding { return g.Findings[0] }

// Rest is the group's failures after the example, shown on demand.
func (g FindingGroup) Rest() []Finding { return g.Findings[1:] }

// CampaignFindings is a campaign's failing results in iteration order,
// grouped by how they failed, with the stream offsets of its losses.
type CampaignFindings struct {
	ID       int64     `json:"id"`
	Findings []Finding `json:"findings"`
	// Truncated says Findings holds only the first failures (at most 500).
	Truncated bool `json:"truncated"`
	// Groups are the findings by kind and phase (their signature), the
	// largest first.
	Groups []FindingGroup `json:"groups"`
	// LossOffsets are the stream offsets of every lost-bytes anomaly, in
	// finding order: where in the stream data was lost.
	LossOffsets []int64 `json:"loss_offsets"`
	// LossIterations counts the findings with at least one loss.
	LossIterations int `json:"loss_iterations"`
}

// findingsOf reads campaign id's failing results with the detector's
// report of each, parsed with the type stress writes it as, and groups
// them: once, for the page and its JSON twin alike.
func (v *Views) findingsOf(ctx context.Context, id int64) (CampaignFindings, error) {
	if _, err := v.store.CampaignByID(ctx, id); err != nil {
		return CampaignFindings{}, notFound(err)
	}
	failed, err := v.store.CampaignFailures(ctx, id, campaignFindings+1)
	if err != nil {
		return CampaignFindings{}, err
	}
	out := CampaignFindings{ID: id, Truncated: len(failed) > campaignFindings}
	failed = failed[:min(len(failed), campaignFindings)]
	out.Findings = make([]Finding, len(failed))
	for i, f := range failed {
		out.Findings[i] = Finding{FailedIteration: f}
		if o, err := stress.ParseOutcome(f.Detector); err == nil {
			out.Findings[i].Report = o
		}
	}
	out.Groups, out.LossOffsets, out.LossIterations = groupFindings(out.Findings)
	return out, nil
}

// groupFindings groups findings by signature (kind and phase), largest
// group first and, among equals, the one seen first; and collects the
// offsets of their losses.
func groupFindings(fs []Finding) (groups []FindingGroup, offsets []int64, lossIterations int) {
	groups, offsets = []FindingGroup{}, []int64{}
	index := map[string]int{}
	for _, f := range fs {
		key := f.Title
		if f.SignatureID == nil {
			key = "\x00" + f.Kind() + "\x00" + f.Phase()
		}
		k, ok := index[key]
		if !ok {
			k = len(groups)
			index[key] = k
			groups = append(groups, FindingGroup{SignatureID: f.SignatureID, Title: f.Title, Kind: f.Kind(), Phase: f.Phase()})
		}
		g := &groups[k]
		g.Count++
		g.Iterations = append(g.Iterations, f.Iteration)
		g.Findings = append(g.Findings, f)
		lost := false
		if f.Report != nil {
			for _, a := range f.Report.Anomalies {
				if a.Kind == string(detect.KindLostBytes) {
					offsets, lost = append(offsets, a.Offset), true
				}
			}
		}
		if lost {
			lossIterations++
		}
	}
	slices.SortStableFunc(groups, func(a, b FindingGroup) int { return cmp.Compare(b.Count, a.Count) })
	return groups, offsets, lossIterations
}
