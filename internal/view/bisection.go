package view

import (
	"context"
	"errors"

	"github.com/triaged/triaged/internal/bisect"
	"github.com/triaged/triaged/internal/stats"
	"github.com/triaged/triaged/internal/store"
)

// Bisection is a bisection as its page and GET /api/v1/bisections/{id}
// show it: the request, the state, each step with its figures and
// verdict, and once done the first bad commit with its figures and its
// parent's.
type Bisection struct {
	bisect.Bisection
	// Commits is how many commits the search spans (0 until the bad end's
	// runner listed them).
	Commits int `json:"commits"`
	// BadRate is the bad end's measured rate; Needed the clean runs that
	// make a commit good.
	BadRate *stats.Rate    `json:"bad_rate"`
	Needed  int            `json:"needed"`
	Answer  *bisect.Answer `json:"answer"`
}

// Bisection builds the view of bisection id.
func (v *Views) Bisection(ctx context.Context, id int64) (Bisection, error) {
	b, err := v.store.BisectionByID(ctx, id)
	if err != nil {
		return Bisection{}, notFound(err)
	}
	if b.Steps == nil {
		b.Steps = []bisect.Step{}
	}
	bv := Bisection{Bisection: b, Commits: len(b.History), Answer: b.Answer()}
	if r, ok := b.Rate(); ok {
		bv.BadRate = &r
		bv.Needed = bisect.Needed(r.Failures, r.Runs)
	}
	return bv, nil
}

// Bisections lists the newest bisections.
func (v *Views) Bisections(ctx context.Context) ([]bisect.Bisection, error) {
	return v.store.Bisections(ctx, listLimit)
}

// BisectionDraft is the bisection form prefilled for a test: its repo,
// the ends its history suggests (bisect.Suggest) and the repository's
// command for it.
type BisectionDraft struct {
	TestID int64  `json:"test_id"`
	Test   string `json:"test"`
	Repo   string `json:"repo"`
	Good   string `json:"good"`
	Bad    string `json:"bad"`
	// Command is the repository's command for the test; Note says why
	// there is none, or that the repository must be registered first.
	Command    []string `json:"command"`
	Registered bool     `json:"registered"`
	Note       string   `json:"note"`
}

// BisectionDraft prefills the bisection form for test id.
func (v *Views) BisectionDraft(ctx context.Context, id int64) (BisectionDraft, error) {
	t, err := v.store.TestByID(ctx, id)
	if err != nil {
		return BisectionDraft{}, notFound(err)
	}
	d := BisectionDraft{TestID: id, Test: t.Name, Repo: t.Repo}
	cells, err := v.store.TestHistory(ctx, id, testCells)
	if err != nil {
		return d, err
	}
	byRev := map[string]*bisect.RevisionRuns{}
	var revs []bisect.RevisionRuns
	for _, c := range cells {
		if c.Repo != t.Repo {
			continue
		}
		r, ok := byRev[c.Revision]
		if !ok {
			revs = append(revs, bisect.RevisionRuns{Revision: c.Revision, FirstSeen: c.FirstSeen})
			r = &revs[len(revs)-1]
			byRev[c.Revision] = r
		}
		r.Runs, r.Failures = r.Runs+c.Runs, r.Failures+c.Failures
		if c.FirstSeen.Before(r.FirstSeen) {
			r.FirstSeen = c.FirstSeen
		}
	}
	d.Good, d.Bad = bisect.Suggest(revs)
	rp, err := v.store.RepoByName(ctx, t.Repo)
	switch {
	case errors.Is(err, store.ErrNotFound):
		d.Note = t.Repo + " is not registered: register it on /repos so runners can check its commits out."
		return d, nil
	case err != nil:
		return d, err
	}
	d.Registered = true
	if d.Command, err = rp.CommandFor(t.Name); err != nil {
		d.Note = err.Error() + "; give a command that reads the test from $TRIAGED_TEST."
	}
	return d, nil
}
