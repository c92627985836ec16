package view

import (
	"context"
	"errors"

	"github.com/triaged/triaged/internal/store"
)

// A replica lags its primary by the time it takes to replay the primary's
// log: usually milliseconds, more under load. What people see must not go
// backwards across their own actions, so:
//
//   - a view of one thing by id (a campaign, a signature, a test, a runner,
//     a revision) that the replica does not have yet is read again from
//     the primary: a campaign someone just created is never a 404;
//   - after a write, the writer asks Fresh for its answer, so it shows
//     what it wrote;
//   - lists and the overview may trail the primary by the lag.

// WithReader returns builders that read from reader, a read-only copy of
// the primary (a streaming standby), with the rules above. A nil reader
// reads from the primary.
func (v *Views) WithReader(reader *store.Store) *Views {
	c := *v
	if reader != nil {
		c.store = reader
	}
	return &c
}

// Fresh returns builders that read from the primary: for the answer to a
// write, and for the pages a person sees right after one.
func (v *Views) Fresh() *Views {
	if v.store == v.primary {
		return v
	}
	c := *v
	c.store = c.primary
	return &c
}

// orPrimary builds a view of one thing and, when a replica does not have
// it, builds it again from the primary.
func orPrimary[T any](v *Views, build func(*Views) (T, error)) (T, error) {
	t, err := build(v)
	if errors.Is(err, ErrNotFound) && v.store != v.primary {
		return build(v.Fresh())
	}
	return t, err
}

// Campaign builds the view of campaign id.
func (v *Views) Campaign(ctx context.Context, id int64) (Campaign, error) {
	return orPrimary(v, func(v *Views) (Campaign, error) { return v.campaign(ctx, id) })
}

// CampaignFindings reads campaign id's failing iterations with the
// detector's findings.
func (v *Views) CampaignFindings(ctx context.Context, id int64) (CampaignFindings, error) {
	return orPrimary(v, func(v *Views) (CampaignFindings, error) { return v.findingsOf(ctx, id) })
}

// Revision builds the view of repo at revision.
func (v *Views) Revision(ctx context.Context, repo, revision string) (Revision, error) {
	return orPrimary(v, func(v *Views) (Revision, error) { return v.revision(ctx, repo, revision) })
}

// RunnerByID is one runner.
func (v *Views) RunnerByID(ctx context.Context, id int64) (Runner, error) {
	return orPrimary(v, func(v *Views) (Runner, error) { return v.runnerByID(ctx, id) })
}

// Signature builds the view of signature id.
func (v *Views) Signature(ctx context.Context, id int64) (Signature, error) {
	return orPrimary(v, func(v *Views) (Signature, error) { return v.signature(ctx, id) })
}

// Test builds the view of test id.
func (v *Views) Test(ctx context.Context, id int64) (Test, error) {
	return orPrimary(v, func(v *Views) (Test, error) { return v.test(ctx, id) })
}
