package web

import (
	"slices"

	"github.com/triaged/triaged/internal/store"
)

// heatmap is a grid of outcomes: one row per runner OS, one column per
// revision, oldest on the left.
type heatmap struct {
	Rows    []string
	Columns []heatColumn
	Cells   []heatCell
	W, H    float64
}

type heatColumn struct {
	Label, Repo, Revision string
	X                     float64
}

type heatCell struct {
	X, Y  float64
	Class string // pass, fail, flaky
	Title string
	Href  string
}

const cellW, cellH, heatLeft, heatTop = 14.0, 18.0, 70.0, 4.0

func newHeatmap(cells []store.RevisionCell, maxCols int) heatmap {
	type key struct{ repo, rev string }
	first := map[key]store.RevisionCell{}
	var oses []string
	for _, c := range cells {
		k := key{c.Repo, c.Revision}
		if f, ok := first[k]; !ok || c.FirstSeen.Before(f.FirstSeen) {
			first[k] = c
		}
		if !slices.Contains(oses, c.RunnerOS) {
			oses = append(oses, c.RunnerOS)
		}
	}
	slices.Sort(oses)
	cols := make([]store.RevisionCell, 0, len(first))
	for _, c := range first {
		cols = append(cols, c)
	}
	slices.SortFunc(cols, func(a, b store.RevisionCell) int { return a.FirstSeen.Compare(b.FirstSeen) })
	if len(cols) > maxCols {
		cols = cols[len(cols)-maxCols:]
	}
	h := heatmap{Rows: oses}
	colX := map[key]float64{}
	for i, c := range cols {
		x := heatLeft + float64(i)*cellW
		colX[key{c.Repo, c.Revision}] = x
		h.Columns = append(h.Columns, heatColumn{Label: short(c.Revision), Repo: c.Repo, Revision: c.Revision, X: x})
	}
	for _, c := range cells {
		x, ok := colX[key{c.Repo, c.Revision}]
		if !ok {
			continue
		}
		class := "pass"
		switch {
		case c.Failures > 0 && c.Passes > 0:
			class = "flaky"
		case c.Failures > 0:
			class = "fail"
		case c.Passes == 0:
			class = "skip"
		}
		h.Cells = append(h.Cells, heatCell{
			X: x, Y: heatTop + float64(slices.Index(oses, c.RunnerOS))*cellH, Class: class,
			Title: short(c.Revision) + " on " + osName(c.RunnerOS) + ": " + itoa(c.Failures) + " failed, " + itoa(c.Passes) + " passed of " + itoa(c.Runs),
			Href:  string(revisionPath(c.Repo, c.Revision)),
		})
	}
	h.W = heatLeft + float64(max(len(cols), 1))*cellW + 4
	h.H = heatTop + float64(max(len(oses), 1))*cellH + 4
	return h
}
