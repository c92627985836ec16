package view

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/triaged/triaged/internal/quarantine"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/vcs"
	"github.com/triaged/triaged/internal/verdict"
)

// Revision is what ran on one commit, its failures judged by the one
// classifier the commit status uses. Its counts are the stable
// /api/v1/revisions/{sha} fields: results, passed, failed, errors, skipped,
// new_failures (failing results classed new or broken: what fails the
// status) and known_flaky (classed flaky or known).
type Revision struct {
	Repo     string `json:"repo"`
	Revision string `json:"revision"`
	store.RevisionTotals
	NewFailures   int `json:"new_failures"`
	Broken        int `json:"broken"`
	KnownFlaky    int `json:"known_flaky"`
	InfraFailures int `json:"infra"`
	// Quarantined counts failing results under a quarantine, whatever
	// their class; they are in no other count.
	Quarantined int               `json:"quarantined"`
	Failures    []RevisionFailure `json:"failures"`
	// Branches are the branches the commit was seen on; Batches the
	// uploads for it, newest first (at most revisionBatches), each with
	// its builder and CI job.
	Branches []string         `json:"branches"`
	Batches  []store.BatchRow `json:"batches"`
	// Window is how far back the verdicts looked.
	Window time.Duration `json:"-"`
}

// RevisionFailure is a commit's failures of one test on one runner OS with
// one signature, with their class.
type RevisionFailure struct {
	TestID      int64  `json:"test_id"`
	Test        string `json:"test"`
	RunnerOS    string `json:"runner_os"`
	SignatureID int64  `json:"signature_id"`
	Title       string `json:"title"`
	Failures    int    `json:"failures"`
	verdict.Verdict
	// Latest is the latest of these failures, with its CI job.
	Latest *store.FailureRef `json:"latest"`
	// Quarantine covers these failures when set: they keep their class
	// but do not fail the status.
	Quarantine *quarantine.Quarantine `json:"quarantine,omitempty"`
}

// revisionBatches bounds the batches a revision's view lists.
const revisionBatches = 200

// ErrBadRevision is returned for a revision asked for without a valid repo
// or commit id.
var ErrBadRevision = errors.New("name the repository and commit: /revisions/SHA?repo=owner/name")

// revision builds the view of repo at revision.
func (v *Views) revision(ctx context.Context, repo, revision string) (Revision, error) {
	rv := Revision{Repo: repo, Revision: revision, Failures: []RevisionFailure{}, Window: v.Window}
	if vcs.CheckRepo(repo) != nil || vcs.CheckRevision(revision) != nil {
		return rv, ErrBadRevision
	}
	var err error
	if rv.RevisionTotals, err = v.store.RevisionSummary(ctx, repo, revision); err != nil {
		return rv, notFound(err)
	}
	c, err := v.store.CommitFacts(ctx, repo, revision, v.Window)
	if err != nil {
		return rv, err
	}
	var sigs []int64
	for _, f := range c.Failures {
		sigs = append(sigs, f.Signature)
	}
	titles, err := v.store.SignatureTitles(ctx, sigs)
	if err != nil {
		return rv, err
	}
	refs, err := v.store.RevisionFailureRefs(ctx, repo, revision)
	if err != nil {
		return rv, err
	}
	for _, f := range c.Failures {
		vd := c.Classify(f)
		rf := RevisionFailure{TestID: f.Test.TestID, Test: c.Names[f.Test.TestID], RunnerOS: f.Test.OS,
			SignatureID: f.Signature, Title: titles[f.Signature], Failures: f.Count, Verdict: vd, Quarantine: f.Quarantine}
		if ref, ok := refs[store.FailureKey{TestID: f.Test.TestID, RunnerOS: f.Test.OS, SignatureID: f.Signature}]; ok {
			rf.Latest = &ref
		}
		rv.Failures = append(rv.Failures, rf)
		if f.Quarantine != nil {
			rv.Quarantined += f.Count
			continue
		}
		switch vd.Class {
		case verdict.New:
			rv.NewFailures += f.Count
		case verdict.Broken:
			rv.NewFailures += f.Count
			rv.Broken += f.Count
		case verdict.Infra:
			rv.InfraFailures += f.Count
		default:
			rv.KnownFlaky += f.Count
		}
	}
	if rv.Branches, err = v.store.RevisionBranches(ctx, repo, revision); err != nil {
		return rv, err
	}
	if rv.Batches, err = v.store.RevisionBatches(ctx, repo, revision, revisionBatches); err != nil {
		return rv, err
	}
	slices.SortFunc(rv.Failures, func(a, b RevisionFailure) int {
		return cmp.Or(cmp.Compare(a.Test, b.Test), cmp.Compare(a.RunnerOS, b.RunnerOS), cmp.Compare(a.SignatureID, b.SignatureID))
	})
	return rv, nil
}
