package view

import (
	"context"
	"strconv"
	"strings"

	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/vcs"
)

// RevisionList is a page of /revisions: the commits seen on a branch (the
// default branch unless another is asked for), newest first, each with
// its failing results by class and the state of its status. JSON:
// {"revisions": […], "next_cursor": "…"}.
type RevisionList struct {
	Filter     Filter              `json:"-"`
	Branch     string              `json:"branch"` // "" for every branch
	Revisions  []store.RevisionRow `json:"revisions"`
	NextCursor string              `json:"next_cursor"`
}

// Revisions builds a page of the list of revisions. Commits whose status
// has not been recorded since triaged learnt to keep their verdict are
// judged here, by the same classifier.
func (v *Views) Revisions(ctx context.Context, f Filter) (RevisionList, error) {
	l := RevisionList{Filter: f, Branch: f.Branch, Revisions: []store.RevisionRow{}}
	if l.Branch == "" {
		l.Branch = v.DefaultBranch
	}
	if l.Branch == AllBranches {
		l.Branch = ""
	}
	c, ok, err := decodeCursor(f, v.now())
	if err != nil {
		return l, err
	}
	var after *store.ListKey
	if ok {
		repo, rev, cut := strings.Cut(c.Tie, "@")
		if _, err := strconv.ParseInt(c.Key, 10, 64); err != nil || !cut || vcs.CheckRepo(repo) != nil || vcs.CheckRevision(rev) != nil {
			return l, badCursor("its key is not a revision")
		}
		after = c.listKey()
	}
	sf := store.ListFilter{Repo: f.Repo, Branches: v.branches(l.Branch), Since: f.Since, Until: f.Until}
	n := f.limit()
	rows, err := v.store.RevisionList(ctx, sf, after, n+1)
	if err != nil {
		return l, err
	}
	if len(rows) > n {
		last := rows[n-1]
		l.NextCursor = cursor{AsOf: v.now().UnixNano(), Key: strconv.FormatInt(last.Micros, 10), Tie: last.Repo + "@" + last.Revision}.encode(f)
		rows = rows[:n]
	}
	for i, r := range rows {
		if r.Judged {
			continue
		}
		facts, err := v.store.CommitFacts(ctx, r.Repo, r.Revision, v.Window)
		if err != nil {
			return l, err
		}
		n := facts.Counts()
		rows[i].Tests, rows[i].New, rows[i].Broken, rows[i].Flaky, rows[i].Known, rows[i].Infra = facts.Ran, n.New, n.Broken, n.Flaky, n.Known, n.Infra
	}
	l.Revisions = append(l.Revisions, rows...)
	return l, nil
}
