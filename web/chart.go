package web

import (
	"math"
	"strconv"

	"github.com/triaged/triaged/internal/stats"
)

// Chart geometry, in SVG user units; the SVG scales to its container.
const (
	chartW, chartH         = 640.0, 220.0
	padL, padR, padT, padB = 48.0, 12.0, 14.0, 40.0
)

// ratePoint is one column of a repro-rate chart.
type ratePoint struct {
	Label string // x label, e.g. a short commit id
	Title string // tooltip: the full figures
	Href  string
	X     float64
	Y     float64 // rate
	YLow  float64
	YHigh float64
}

// rateChart is a repro rate with 95% interval bars over revisions.
type rateChart struct {
	Title  string
	Points []ratePoint
	Ticks  []tick
	Every  int // label every n-th column
}

type tick struct {
	Y     float64
	Label string
}

type rateInput struct {
	Label, Href    string
	Failures, Runs int
}

// newRateChart lays out rates with Wilson intervals; the y axis ends at a
// round value above the highest interval so rare failures stay visible.
func newRateChart(title string, in []rateInput) rateChart {
	c := rateChart{Title: title}
	top := 0.0
	rates := make([]stats.Rate, len(in))
	for i, p := range in {
		rates[i] = stats.NewRate(p.Failures, p.Runs)
		if p.Runs > 0 {
			top = math.Max(top, rates[i].High)
		}
	}
	top = niceCeil(top)
	plotW, plotH := chartW-padL-padR, chartH-padT-padB
	y := func(v float64) float64 { return padT + plotH*(1-v/top) }
	step := plotW / float64(max(len(in), 1))
	for i, p := range in {
		r := rates[i]
		c.Points = append(c.Points, ratePoint{
			Label: p.Label, Href: p.Href,
			Title: p.Label + ": " + itoa(p.Failures) + " of " + itoa(p.Runs) + " failed, " + percent(r.Rate) + " (95% " + interval(r.Low, r.High) + ")",
			X:     padL + step*(float64(i)+0.5), Y: y(r.Rate), YLow: y(r.Low), YHigh: y(math.Min(r.High, top)),
		})
	}
	for _, v := range []float64{0, top / 2, top} {
		c.Ticks = append(c.Ticks, tick{Y: y(v), Label: percent(v)})
	}
	c.Every = max(1, (len(in)+5)/6)
	return c
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten (at most 1).
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 0.01
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return math.Min(1, m*p)
		}
	}
	return 1
}

// histogram counts values in equal bins from 0 to the largest value.
type histogram struct {
	Title string
	Bars  []bar
	Ticks []tick // x labels (Y holds the x position)
	Total int
	Most  int // the tallest bar's count
}

type bar struct {
	X, Y, W, H float64
	Title      string
}

func newHistogram(title string, values []float64, bins int) histogram {
	h := histogram{Title: title, Total: len(values)}
	if len(values) == 0 {
		return h
	}
	hi := 0.0
	for _, v := range values {
		hi = math.Max(hi, v)
	}
	width := math.Max(1, math.Ceil((hi+1)/float64(bins)))
	counts := make([]int, bins)
	for _, v := range values {
		counts[min(bins-1, int(math.Max(0, v)/width))]++
	}
	most := 1
	for _, n := range counts {
		most = max(most, n)
	}
	h.Most = most
	plotW, plotH := chartW-padL-padR, chartH-padT-padB
	bw := plotW / float64(bins)
	for i, n := range counts {
		bh := plotH * float64(n) / float64(most)
		lo := int64(float64(i) * width)
		h.Bars = append(h.Bars, bar{
			X: padL + bw*float64(i) + 1, Y: padT + plotH - bh, W: bw - 2, H: bh,
			Title: itoa(n) + " at offsets " + strconv.FormatInt(lo, 10) + "–" + strconv.FormatInt(lo+int64(width)-1, 10),
		})
	}
	for _, i := range []int{0, bins / 2, bins} {
		h.Ticks = append(h.Ticks, tick{Y: padL + bw*float64(i), Label: bytesLabel(float64(i) * width)})
	}
	return h
}

// bytesLabel formats a stream offset compactly (12.5 KiB).
func bytesLabel(v float64) string {
	switch {
	case v >= 1<<20:
		return strconv.FormatFloat(v/(1<<20), 'f', 1, 64) + " MiB"
	case v >= 1<<10:
		return strconv.FormatFloat(v/(1<<10), 'f', 1, 64) + " KiB"
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + " B"
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
