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

// Revisions builds a page of the list of revisions. A commit whose status
// was last recorded before triaged kept verdicts with it says so (judged
// false) until its next upload.
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
	l.Revisions = append(l.Revisions, rows...)
	return l, nil
}
