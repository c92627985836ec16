package report

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// rtPending is a test whose line was seen but whose verdict was not yet:
// the verdict may follow stderr noise or a docstring line, or never come
// (a crash or a timeout).
type rtPending struct {
	tl   testLine
	out  *cappedText
	sub  Outcome // worst failing subtest, 0 if none
	line int
	off  int64
}

// rtBlock is a "FAIL: …" / "ERROR: …" report block being read.
type rtBlock struct {
	kind   Outcome
	tl     testLine
	header string
	body   *cappedText
	gotSep bool // the "-----" rule under the header was seen
	sep2   bool // the previous body line was a "-----" rule, held back
	line   int
	off    int64
}

type rtParser struct {
	c         *collector
	lr        *lineReader
	attempt   int
	byID      map[string]int // results of the current unittest run, by id
	noVerdict map[int]bool   // results that got no verdict; a block may give one
	pend      *rtPending
	blk       *rtBlock
	prevSep   bool // the previous line was a "=====" rule
}

// parseRegrtest reads CPython regrtest (`python -m test -v`) or unittest
// (`python -m unittest -v`) verbose output: one result per test line, failure
// text from the FAIL:/ERROR: blocks, failing subtests folded into their
// parent, and regrtest's re-run of failed tests as Attempt 1.
func parseRegrtest(r io.Reader, c *collector) error {
	p := &rtParser{c: c, lr: newLineReader(r, FormatRegrtest, c.opts.MaxLineLength),
		byID: map[string]int{}, noVerdict: map[int]bool{}}
	for p.lr.Scan() {
		if err := p.handle(string(p.lr.Bytes())); err != nil {
			return err
		}
	}
	if err := p.lr.Err(); err != nil {
		return err
	}
	if p.blk != nil {
		if err := p.endBlock(); err != nil {
			return err
		}
	}
	return p.finish(0, 0, false)
}

func (p *rtParser) handle(line string) error {
	if p.blk != nil {
		if !p.blockLine(line) {
			return nil
		}
		if err := p.endBlock(); err != nil {
			return err
		}
	}
	if c, ok := controlChar(line); ok && namesTestWithControl(line) {
		return p.lr.errAt(fmt.Sprintf("test id contains the control character %U", c))
	}
	sep := isSeparator(line, '=')
	defer func() { p.prevSep = sep }()
	if p.prevSep {
		if kind, tl, ok := blockHeader(line); ok {
			if err := p.finish(0, 0, false); err != nil {
				return err
			}
			p.blk = &rtBlock{kind: kind, tl: tl, header: line, body: p.c.newText(), line: p.lr.line, off: p.lr.start}
			return nil
		}
	}
	if isProgressLine(line) || strings.Contains(line, "Re-running ") && strings.Contains(line, "in verbose mode") {
		if err := p.finish(0, 0, false); err != nil {
			return err
		}
		clear(p.byID)
		if strings.Contains(line, "Re-running ") {
			p.attempt = 1
		}
		return nil
	}
	// A line without " ... " is taken as a test only in the unambiguous 3.11+
	// form, so "Error (socket.timeout)" in test output starts nothing.
	if tl, ok := parseTestLine(line); ok && (tl.hasDots || tl.modern && !tl.indent) {
		return p.testLine(tl)
	}
	if p.pend != nil {
		if o, d, ok := parseStatus(line); ok {
			return p.finish(o, d, true)
		}
		// A docstring description: "First line of docstring ... ok".
		if k := strings.LastIndex(line, " ... "); k >= 0 {
			if o, d, ok := parseStatus(line[k+5:]); ok {
				return p.finish(o, d, true)
			}
		}
		p.pend.out.WriteString(line)
		p.pend.out.WriteString("\n")
	}
	return nil
}

func (p *rtParser) testLine(tl testLine) error {
	if tl.sub != "" && p.pend != nil && p.pend.tl.id == tl.id {
		if o, _, ok := parseStatus(tl.status); ok && o.Failed() {
			p.pend.sub = worse(p.pend.sub, o)
		}
		return nil
	}
	if err := p.finish(0, 0, false); err != nil {
		return err
	}
	if err := p.c.room(1, p.lr.line, p.lr.start); err != nil {
		return err
	}
	p.pend = &rtPending{tl: tl, out: p.c.newText(), line: p.lr.line, off: p.lr.start}
	if !tl.hasDots || tl.status == "" {
		return nil
	}
	if o, d, ok := parseStatus(tl.status); ok {
		return p.finish(o, d, true)
	}
	// Python < 3.11 leaves a parent with failing subtests without a verdict,
	// so the next test's line continues on the same line.
	if next, ok := parseTestLine(tl.status); ok {
		return p.testLine(next)
	}
	p.pend.out.WriteString(tl.status + "\n")
	return nil
}

// finish records the pending test with verdict o (if ok) and forgets it.
func (p *rtParser) finish(o Outcome, d time.Duration, ok bool) error {
	pd := p.pend
	if pd == nil {
		return nil
	}
	if d == badDuration {
		return p.lr.errAt(fmt.Sprintf("test timing out of range (0 to %v)", MaxDuration))
	}
	p.pend = nil
	res := Result{Test: pd.tl.id, Duration: d, Attempt: p.attempt}
	switch {
	case ok:
		res.Outcome = worse(o, pd.sub)
		if pd.tl.status == "unexpected success" || strings.HasSuffix(pd.tl.status, " unexpected success") {
			res.FailureText = "unexpected success"
		}
	case pd.sub != 0:
		res.Outcome = pd.sub
	default:
		res.Outcome = Error
		res.FailureText = pd.out.String() + "[triaged: no result reported for this test]\n"
	}
	if err := p.c.add(res, pd.line, pd.off); err != nil {
		return err
	}
	idx := len(p.c.results) - 1
	p.byID[res.Test] = idx
	if !ok && pd.sub == 0 {
		p.noVerdict[idx] = true
	}
	return nil
}

// blockLine feeds one line to the open block and reports whether the block
// ended, in which case the line still needs ordinary handling.
func (p *rtParser) blockLine(line string) bool {
	b := p.blk
	if !b.gotSep {
		if isSeparator(line, '-') {
			b.gotSep = true
			b.sep2 = true // "UNEXPECTED SUCCESS" blocks end right here
			return false
		}
		b.gotSep = true
	}
	// A progress line means the test process died mid-report.
	if isSeparator(line, '=') || b.sep2 && isRanLine(line) || isProgressLine(line) {
		return true
	}
	if b.sep2 {
		if b.body.Len() > 0 {
			b.body.WriteString(strings.Repeat("-", 70) + "\n")
		}
		b.sep2 = false
	}
	if isSeparator(line, '-') {
		b.sep2 = true
		return false
	}
	b.body.WriteString(line)
	b.body.WriteString("\n")
	return false
}

// endBlock attaches the block's traceback to its test, or records the test
// if no result line named it (setUpClass and module-level errors).
func (p *rtParser) endBlock() error {
	b := p.blk
	p.blk = nil
	text := b.body.String()
	if b.tl.sub != "" {
		text = b.header + "\n" + text
	}
	if text == "" && b.header != "" && strings.HasPrefix(b.header, "UNEXPECTED SUCCESS") {
		text = "unexpected success"
	}
	idx, ok := p.byID[b.tl.id]
	if !ok {
		if err := p.c.add(Result{Test: b.tl.id, Outcome: b.kind, FailureText: text, Attempt: p.attempt}, b.line, b.off); err != nil {
			return err
		}
		p.byID[b.tl.id] = len(p.c.results) - 1
		return nil
	}
	r := &p.c.results[idx]
	switch {
	case p.noVerdict[idx]:
		delete(p.noVerdict, idx)
		r.Outcome, r.FailureText = b.kind, text
	case r.FailureText == "" || r.FailureText == "unexpected success":
		r.Outcome, r.FailureText = worse(r.Outcome, b.kind), text
	default:
		r.Outcome = worse(r.Outcome, b.kind)
		r.FailureText += "\n" + text
	}
	if !r.Outcome.Failed() {
		r.FailureText = ""
	}
	// Several blocks for one test (failing subtests) may add up past the cap.
	r.FailureText = capString(r.FailureText, p.c.opts.MaxFailureText+len(truncMarker(1<<40)))
	return nil
}
