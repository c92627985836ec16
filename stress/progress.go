package stress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/triaged/triaged/internal/stats"
)

// Progress draws a campaign's progress: a live bar on a terminal, a plain
// line every few seconds otherwise (CI logs, files).
type Progress struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	total    int
	runs     int
	failures int
	start    time.Time
	last     time.Time
	unit     string // set for plain counting: no failures or rates
}

// NewProgress returns a progress display for total iterations on w.
func NewProgress(w io.Writer, total int) *Progress {
	return &Progress{w: w, tty: isTerminal(w), total: total, start: time.Now()}
}

// NewCounter returns a progress display that only counts total units of
// work (e.g. "results"), for long jobs that are not campaigns.
func NewCounter(w io.Writer, total int, unit string) *Progress {
	p := NewProgress(w, total)
	p.unit = unit
	return p
}

// Add counts a finished iteration and redraws when due.
func (p *Progress) Add(failed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.runs++
	if failed {
		p.failures++
	}
	now := time.Now()
	every := 5 * time.Second
	if p.tty {
		every = 100 * time.Millisecond
	}
	if now.Sub(p.last) >= every || p.runs == p.total {
		p.last = now
		p.draw()
	}
}

// Done finishes the display.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.runs > 0 {
		fmt.Fprintln(p.w)
	}
}

func (p *Progress) draw() {
	line := fmt.Sprintf("%d/%d runs · %d failed · %s · %s", p.runs, p.total, p.failures,
		FormatRate(stats.NewRate(p.failures, p.runs)), time.Since(p.start).Round(time.Second))
	if p.unit != "" {
		line = fmt.Sprintf("%d/%d %s · %s", p.runs, p.total, p.unit, time.Since(p.start).Round(time.Second))
	}
	if !p.tty {
		fmt.Fprintln(p.w, line)
		return
	}
	const width = 24
	filled := 0
	if p.total > 0 {
		filled = min(width, p.runs*width/p.total)
	}
	fmt.Fprintf(p.w, "\r\033[K[%s%s] %s", strings.Repeat("█", filled), strings.Repeat("░", width-filled), line)
}

// FormatRate writes a rate with its interval, e.g. "2.1% (95% CI 0.9–4.6%)",
// or with no failure "0% (95% upper bound 1.49%, exact one-sided)".
func FormatRate(r stats.Rate) string {
	if r.Runs == 0 {
		return "no runs"
	}
	if r.ZeroFailures() {
		return fmt.Sprintf("0%% (95%% upper bound %s, %s)", pct(r.High), stats.ExactOneSided)
	}
	return fmt.Sprintf("%s (95%% CI %s–%s)", pct(r.Rate), pct(r.Low), pct(r.High))
}

func pct(x float64) string { return stats.Percent(x) }

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
