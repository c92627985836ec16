package view

import (
	"context"
	"strconv"
	"time"

	"github.com/triaged/triaged/internal/stats"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/vcs"
	"github.com/triaged/triaged/internal/verdict"
)

// builderWorst is how many of its worst tests each builder of the list
// shows; its own page shows builderPageWorst.
const (
	builderWorst     = 3
	builderPageWorst = 10
)

// BuilderList is a page of /builders, by name. JSON: {"builders": […],
// "next_cursor": "…"}.
type BuilderList struct {
	Filter     Filter       `json:"-"`
	Since      time.Time    `json:"since"`
	Until      time.Time    `json:"until"`
	Builders   []BuilderRow `json:"builders"`
	NextCursor string       `json:"next_cursor"`
}

// BuilderRow is a builder with its failure rate (failing results over
// results that ran) and infrastructure rate (batches that failed as a
// whole) in the window, with their Wilson intervals.
type BuilderRow struct {
	store.BuilderRow
	FailureRate stats.Rate `json:"failure_rate"`
	InfraRate   stats.Rate `json:"infra_rate"`
}

func newBuilderRow(b store.BuilderRow) BuilderRow {
	return BuilderRow{BuilderRow: b, FailureRate: stats.NewRate(b.Failures, b.Results-b.Skips),
		InfraRate: stats.NewRate(b.InfraBatches, b.Batches)}
}

// Builders builds a page of the builder list.
func (v *Views) Builders(ctx context.Context, f Filter) (BuilderList, error) {
	l := BuilderList{Filter: f, Builders: []BuilderRow{}}
	c, ok, err := decodeCursor(f, v.now())
	if err != nil {
		return l, err
	}
	if ok && vcs.CheckBuilder(c.Key) != nil {
		return l, badCursor("its key is not a builder")
	}
	asOf := v.now().UTC()
	if ok {
		asOf = c.asOf()
	}
	sf, err := v.storeFilter(f, asOf, 0)
	if err != nil {
		return l, err
	}
	l.Since, l.Until = sf.Since, sf.Until
	// A builder belongs to a repo by its batches there.
	sf.Ran = sf.Ran || f.Repo != ""
	n := f.limit()
	rows, err := v.store.Builders(ctx, sf, c.Key, builderWorst, n+1)
	if err != nil {
		return l, err
	}
	if len(rows) > n {
		l.NextCursor = cursor{AsOf: asOf.UnixNano(), Key: rows[n-1].Name}.encode(f)
		rows = rows[:n]
	}
	for _, b := range rows {
		l.Builders = append(l.Builders, newBuilderRow(b))
	}
	return l, nil
}

// Builder is /builders/{name}: a builder's figures and worst tests in the
// window, and a page of its batches, newest first, each with its CI job.
// JSON: {"builder": {…}, "worst_tests": […], "batches": […],
// "next_cursor": "…"}.
type Builder struct {
	Filter     Filter           `json:"-"`
	Since      time.Time        `json:"since"`
	Until      time.Time        `json:"until"`
	Builder    BuilderRow       `json:"builder"`
	Worst      []TestRow        `json:"worst_tests"`
	Batches    []store.BatchRow `json:"batches"`
	NextCursor string           `json:"next_cursor"`
}

// Builder builds the view of the builder called name.
func (v *Views) Builder(ctx context.Context, name string, f Filter) (Builder, error) {
	b := Builder{Filter: f, Worst: []TestRow{}, Batches: []store.BatchRow{}}
	if vcs.CheckBuilder(name) != nil {
		return b, ErrNotFound
	}
	c, ok, err := decodeCursor(f, v.now())
	if err != nil {
		return b, err
	}
	if ok {
		if _, err := strconv.ParseInt(c.Key, 10, 64); err != nil || c.Tie == "" {
			return b, badCursor("its key is not a batch")
		}
	}
	asOf := v.now().UTC()
	if ok {
		asOf = c.asOf()
	}
	sf, err := v.storeFilter(f, asOf, 0)
	if err != nil {
		return b, err
	}
	b.Since, b.Until = sf.Since, sf.Until
	row, err := v.store.BuilderByName(ctx, sf, name)
	if err != nil {
		return b, notFound(err)
	}
	b.Builder = newBuilderRow(row)
	// Its worst tests are the test list narrowed to it.
	mark, err := v.store.ResultMark(ctx)
	if err != nil {
		return b, err
	}
	worst := sf
	worst.Builder, worst.Mark, worst.Ran = name, mark, true
	tests, err := v.store.Tests(ctx, worst, store.SortFailures, nil, builderPageWorst)
	if err != nil {
		return b, err
	}
	for _, r := range tests {
		if r.Failures > 0 {
			b.Worst = append(b.Worst, TestRow{ID: r.ID, Repo: r.Repo, Name: r.Name, Class: verdict.Class(r.Class), Since: r.Since,
				Rate: stats.NewRate(r.Failures, r.Runs), Impact: r.Impact, LastFailure: r.Last})
		}
	}
	var after *store.ListKey
	if ok {
		after = c.listKey()
	}
	n := f.limit()
	batches, err := v.store.BuilderBatches(ctx, name, sf, after, n+1)
	if err != nil {
		return b, err
	}
	if len(batches) > n {
		last := batches[n-1]
		b.NextCursor = cursor{AsOf: asOf.UnixNano(), Key: strconv.FormatInt(last.Micros, 10), Tie: last.ID}.encode(f)
		batches = batches[:n]
	}
	b.Batches = append(b.Batches, batches...)
	return b, nil
}
