package report

import (
	"io"
	"strings"
	"time"
)

// nodeGroup is an open "▶ name" group of the spec reporter.
type nodeGroup struct {
	indent int
	name   string
}

type nodeParser struct {
	c      *collector
	lr     *lineReader
	groups []nodeGroup
	cur    *Result // the last ✖ test, whose error text follows
	curInd int
	curRes bool // cur is a group's own verdict, reported only with text
	text   *cappedText
	line   int
	off    int64
	seen   bool
	done   bool
}

// parseNodeSpec reads the spec reporter of node --test ("✔ name (1.2ms)",
// "✖ name (3ms)" and its indented error, "﹣ name # reason" for skips,
// "▶ group" for tests with subtests). Ids are as parseTAP gives them, the
// group names and the test joined with " > ". A group is reported only when
// it failed with an error of its own. The "✖ failing tests:" recap at the
// end repeats what was read and is skipped.
func parseNodeSpec(r io.Reader, c *collector) error {
	p := &nodeParser{c: c, lr: newLineReader(r, c.format, c.opts.MaxLineLength), text: c.newText()}
	for p.lr.Scan() && !p.done {
		if err := p.handle(stripANSI(string(p.lr.Bytes()))); err != nil {
			return err
		}
	}
	if err := p.lr.Err(); err != nil {
		return err
	}
	if err := p.flush(); err != nil {
		return err
	}
	if !p.seen {
		return p.lr.errAt("no node --test results found (is this node --test spec output?)")
	}
	return nil
}

func (p *nodeParser) handle(line string) error {
	trimmed := strings.TrimLeft(line, " ")
	ind := len(line) - len(trimmed)
	if p.cur != nil && (trimmed == "" || ind > p.curInd) {
		p.text.WriteString(line[min(ind, p.curInd+2):] + "\n")
		return nil
	}
	if err := p.flush(); err != nil {
		return err
	}
	if trimmed == "✖ failing tests:" || strings.HasPrefix(trimmed, "ℹ ") {
		p.seen = p.seen || strings.HasPrefix(trimmed, "ℹ tests ")
		p.done = trimmed == "✖ failing tests:"
		return nil
	}
	mark, rest, _ := strings.Cut(trimmed, " ")
	var o Outcome
	switch mark {
	case "▶":
		for len(p.groups) > 0 && p.groups[len(p.groups)-1].indent >= ind {
			p.groups = p.groups[:len(p.groups)-1]
		}
		if len(p.groups) >= maxXMLDepth {
			return p.lr.errAt("groups nested too deep")
		}
		p.groups = append(p.groups, nodeGroup{indent: ind, name: rest})
		p.seen = true
		return nil
	case "✔":
		o = Pass
	case "✖":
		o = Fail
	case "﹣":
		o = Skip
	default:
		return nil
	}
	name, d, directive, ok, err := parseNodeVerdict(rest)
	if err != nil {
		return p.lr.errAt(err.Error())
	}
	if !ok {
		return nil
	}
	p.seen = true
	if strings.HasPrefix(strings.ToUpper(directive), "TODO") || strings.HasPrefix(strings.ToUpper(directive), "SKIP") {
		o = Skip
	}
	// A verdict at a group's own indent, with its name, closes the group.
	var names []string
	own := false
	for len(p.groups) > 0 && p.groups[len(p.groups)-1].indent >= ind {
		g := p.groups[len(p.groups)-1]
		own = own || g.indent == ind && g.name == name
		p.groups = p.groups[:len(p.groups)-1]
	}
	for _, g := range p.groups {
		names = append(names, g.name)
	}
	if err := p.c.room(1, p.lr.line, p.lr.start); err != nil {
		return err
	}
	p.cur = &Result{Test: strings.Join(append(names, name), " > "), Outcome: o, Duration: d}
	p.curInd, p.curRes, p.line, p.off = ind, own, p.lr.line, p.lr.start
	p.text.Reset()
	return nil
}

// flush reports the pending verdict with the error text read under it.
func (p *nodeParser) flush() error {
	r := p.cur
	if r == nil {
		return nil
	}
	p.cur = nil
	text := strings.Trim(p.text.String(), "\n")
	if p.curRes && text == "" {
		return nil // a group that failed only because a subtest did
	}
	if r.Outcome == Fail && (strings.HasPrefix(text, "'test timed out after") ||
		strings.HasPrefix(text, "'test did not finish before its parent")) {
		r.Outcome = Error
	}
	r.FailureText = text
	return p.c.add(*r, p.line, p.off)
}

// parseNodeVerdict splits "name (1.69ms) # reason" into its parts. A
// duration that is not in range is an error; a line without one is not a
// verdict.
func parseNodeVerdict(s string) (name string, d time.Duration, directive string, ok bool, err error) {
	if i := strings.LastIndex(s, "ms) # "); i >= 0 {
		s, directive = s[:i+3], s[i+6:]
	} else if i := strings.LastIndex(s, "ms) #"); i >= 0 && i+5 == len(s) {
		s = s[:i+3]
	}
	i := strings.LastIndex(s, " (")
	if i <= 0 || !strings.HasSuffix(s, "ms)") || !isDecimal(s[i+2:len(s)-3]) {
		return "", 0, "", false, nil
	}
	if d, err = parseDuration(s[i+2:len(s)-3], time.Millisecond); err != nil {
		return "", 0, "", false, err
	}
	return s[:i], d, directive, true, nil
}
