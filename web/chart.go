package web

import (
	"fmt"
	"math"
	"slices"
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
			Title: p.Label + ": " + itoa(p.Failures) + " of " + itoa(p.Runs) + " failed, " + percent(r.Rate) + " (" + bound(r) + ")",
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

// histogram counts stream offsets in equal bins spanning the data: from
// the smallest value, rounded down to a bin, to the largest, so the bars
// show where values fall rather than one bar on a distant axis.
type histogram struct {
	Title   string
	Caption string // what the chart shows, in words
	Bars    []bar
	Ticks   []tick // x labels (Y holds the x position)
	Total   int
	Most    int // the tallest bar's count
	// Single is set when every value is the same: a chart would be one
	// bar, so the page says it in words instead.
	Single bool
}

type bar struct {
	X, Y, W, H float64
	Title      string
}

// newHistogram lays out values (byte offsets) in at most bins bars whose
// width is a round number of bytes (1, 2 or 5 times a power of ten, or a
// power of two from 1 KiB up). what says what a value is, for the caption.
func newHistogram(title, what string, values []int64, bins int) histogram {
	h := histogram{Title: title, Total: len(values)}
	if len(values) == 0 {
		return h
	}
	// Offsets come from runners' reports: keep them where arithmetic on
	// them cannot overflow, whatever a report says.
	values = slices.Clone(values)
	for i, v := range values {
		values[i] = min(max(v, 0), maxOffset)
	}
	lo, hi := slices.Min(values), slices.Max(values)
	if lo == hi {
		h.Single = true
		h.Caption = fmt.Sprintf("All %d %s at stream offset %s.", len(values), what, bytesLabel(float64(lo)))
		return h
	}
	width := binWidth(hi-lo+1, bins)
	start := lo / width * width
	n := int((hi-start)/width) + 1
	counts := make([]int, n)
	for _, v := range values {
		counts[(v-start)/width]++
	}
	h.Most = slices.Max(counts)
	plotW, plotH := chartW-padL-padR, chartH-padT-padB
	bw := plotW / float64(n)
	for i, c := range counts {
		bh := plotH * float64(c) / float64(h.Most)
		from := start + int64(i)*width
		h.Bars = append(h.Bars, bar{
			X: padL + bw*float64(i) + 1, Y: padT + plotH - bh, W: max(bw-2, 1), H: bh,
			Title: fmt.Sprintf("%d at offsets %d–%d", c, from, from+width-1),
		})
	}
	for _, i := range []int{0, n / 2, n} {
		h.Ticks = append(h.Ticks, tick{Y: padL + bw*float64(i), Label: bytesLabel(float64(start + int64(i)*width))})
	}
	h.Caption = fmt.Sprintf("Stream offset of each of %d %s, from %s to %s; each bar counts a span of %s.",
		len(values), what, bytesLabel(float64(lo)), bytesLabel(float64(hi)), bytesLabel(float64(width)))
	return h
}

// maxOffset bounds the offsets a histogram lays out (1 PiB), far above
// any stream a scenario sends.
const maxOffset = 1 << 50

// binWidth is the smallest round width that fits span in at most bins:
// 1, 2 or 5 times a power of ten below 1 KiB, a power of two from there.
func binWidth(span int64, bins int) int64 {
	for p := int64(1); p < 1024; p *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if w := m * p; w < 1024 && w*int64(bins) >= span {
				return w
			}
		}
	}
	k := int64(1024)
	for k*int64(bins) < span {
		k *= 2
	}
	return k
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
