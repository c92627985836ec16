package view

import (
	"context"
	"errors"

	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/vcs"
)

// revisionFailures bounds the failures a revision's view lists.
const revisionFailures = 500

// Revision is what ran on one commit. Its counts are the stable
// /api/v1/revisions/{sha} fields.
type Revision struct {
	Repo     string `json:"repo"`
	Revision string `json:"revision"`
	store.RevisionTotals
	NewFailures int               `json:"new_failures"`
	KnownFlaky  int               `json:"known_flaky"`
	Failures    []RevisionFailure `json:"failures"`
}

// RevisionFailure is a failing test × signature × OS on the revision, with
// its class.
type RevisionFailure struct {
	store.RevisionFailure
	Class string `json:"class"`
}

// ErrBadRevision is returned for a revision asked for without a valid repo
// or commit id.
var ErrBadRevision = errors.New("name the repository and commit: /revisions/SHA?repo=owner/name")

// Revision builds the view of repo at revision.
func (v *Views) Revision(ctx context.Context, repo, revision string) (Revision, error) {
	rv := Revision{Repo: repo, Revision: revision, Failures: []RevisionFailure{}}
	if vcs.CheckRepo(repo) != nil || len(revision) == 0 || len(revision) > 200 {
		return rv, ErrBadRevision
	}
	var err error
	if rv.RevisionTotals, err = v.store.RevisionSummary(ctx, repo, revision); err != nil {
		return rv, notFound(err)
	}
	fs, err := v.store.RevisionFailures(ctx, repo, revision, revisionFailures)
	if err != nil {
		return rv, err
	}
	for _, f := range fs {
		rf := RevisionFailure{RevisionFailure: f, Class: "new"}
		switch {
		case f.Passes > 0:
			rf.Class = "flaky"
		case f.Elsewhere > 0:
			rf.Class = "known"
		}
		if rf.Class == "new" {
			rv.NewFailures += f.Failures
		} else {
			rv.KnownFlaky += f.Failures
		}
		rv.Failures = append(rv.Failures, rf)
	}
	return rv, nil
}
