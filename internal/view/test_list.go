package view

import (
	"context"
	"time"

	"github.com/triaged/triaged/internal/stats"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/verdict"
)

// TestList is a page of /tests: the tests a filter selects, with their
// figures in the window. JSON: {"tests": […], "next_cursor": "…"}, the
// cursor empty on the last page.
type TestList struct {
	Filter     Filter    `json:"-"`
	Since      time.Time `json:"since"`
	Until      time.Time `json:"until"`
	Tests      []TestRow `json:"tests"`
	NextCursor string    `json:"next_cursor"`
}

// TestRow is a test in the list: its stored verdict, its rate in the
// window with the Wilson interval, and its latest failure with the
// signature and CI job.
type TestRow struct {
	ID          int64             `json:"id"`
	Repo        string            `json:"repo"`
	Name        string            `json:"name"`
	Class       verdict.Class     `json:"class"`
	Since       string            `json:"since,omitempty"` // a broken test's first failing revision
	Rate        stats.Rate        `json:"rate"`
	Impact      float64           `json:"impact"`
	LastFailure *store.FailureRef `json:"last_failure"`
}

// Tests builds a page of the test list.
func (v *Views) Tests(ctx context.Context, f Filter) (TestList, error) {
	l := TestList{Filter: f, Tests: []TestRow{}}
	c, ok, err := decodeCursor(f, v.now())
	if err != nil {
		return l, err
	}
	sort := f.sort()
	if ok {
		if sort == store.SortName {
			if c.Seg != 0 {
				return l, badCursor("a field is out of range")
			}
		} else if err := numericKey(c.Key); err != nil {
			return l, err
		}
	}
	asOf, mark, err := v.firstPage(func() (int64, error) { return v.store.ResultMark(ctx) }, c, ok)
	if err != nil {
		return l, err
	}
	sf, err := v.storeFilter(f, asOf, mark)
	if err != nil {
		return l, err
	}
	l.Since, l.Until = sf.Since, sf.Until
	var after *store.ListKey
	if ok {
		after = c.listKey()
	}
	n := f.limit()
	rows, err := v.store.Tests(ctx, sf, sort, after, n+1)
	if err != nil {
		return l, err
	}
	if len(rows) > n {
		last := rows[n-1]
		l.NextCursor = cursor{AsOf: asOf.UnixNano(), Mark: mark, Seg: last.Seg, Key: last.Key, ID: last.ID}.encode(f)
		rows = rows[:n]
	}
	for _, r := range rows {
		l.Tests = append(l.Tests, TestRow{ID: r.ID, Repo: r.Repo, Name: r.Name, Class: verdict.Class(r.Class), Since: r.Since,
			Rate: stats.NewRate(r.Failures, r.Runs), Impact: r.Impact, LastFailure: r.Last})
	}
	return l, nil
}
