package report

import (
	"io"
	"strings"
	"time"
)

// tapPoint is a test point whose YAML diagnostics may still follow.
type tapPoint struct {
	id       string
	outcome  Outcome
	parent   bool // deeper test points came before it: it has subtests
	kidFail  bool // and one of them failed
	dur      time.Duration
	yaml     *cappedText
	inYAML   bool
	yamlInd  int
	ownError bool // its diagnostics name a failure of its own
	timeout  bool
	line     int
	off      int64
}

// tapLevel is an open nesting level: a "# Subtest: name" announcement, or
// test points seen at that indent.
type tapLevel struct {
	indent  int
	name    string
	kidFail bool
}

type tapParser struct {
	c      *collector
	lr     *lineReader
	levels []tapLevel
	cur    *tapPoint
	seen   bool
	bailed bool
}

// parseTAP reads TAP 13/14, including the indented subtests and YAML
// diagnostics node --test prints: a result per test point, named by its
// "# Subtest:" ancestors joined with " > " ("parser > errors > rejects
// garbage"). A test with subtests is reported only when it failed on its
// own (a hook, a timeout), not merely because a subtest failed. # SKIP and
// # TODO points are skips; a test that timed out or was cancelled is an
// error. The failure text is the YAML block, without its duration.
func parseTAP(r io.Reader, c *collector) error {
	p := &tapParser{c: c, lr: newLineReader(r, c.format, c.opts.MaxLineLength)}
	for p.lr.Scan() && !p.bailed {
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
		return p.lr.errAt("no TAP test points found (is this TAP output?)")
	}
	return nil
}

func (p *tapParser) handle(line string) error {
	trimmed := strings.TrimLeft(line, " ")
	ind := len(line) - len(trimmed)
	if cur := p.cur; cur != nil {
		switch {
		case !cur.inYAML && trimmed == "---" && ind > cur.yamlInd-2:
			cur.inYAML, cur.yamlInd = true, ind
			return nil
		case cur.inYAML && trimmed == "..." && ind == cur.yamlInd:
			cur.inYAML = false
			return p.flush()
		case cur.inYAML && (ind >= cur.yamlInd || trimmed == ""):
			return p.yamlLine(cur, line[min(ind, cur.yamlInd):])
		}
		if err := p.flush(); err != nil {
			return err
		}
	}
	switch {
	case strings.HasPrefix(trimmed, "# Subtest: "):
		p.pop(ind)
		if len(p.levels) >= maxXMLDepth {
			return p.lr.errAt("subtests nested too deep")
		}
		p.levels = append(p.levels, tapLevel{indent: ind, name: unescapeTAP(strings.TrimPrefix(trimmed, "# Subtest: "))})
		return nil
	case strings.HasPrefix(trimmed, "Bail out!"):
		p.bailed = true
		return nil
	}
	ok, desc, directive, isPoint := parseTAPPoint(trimmed)
	if !isPoint {
		return nil
	}
	p.seen = true
	if err := p.c.room(1, p.lr.line, p.lr.start); err != nil {
		return err
	}
	pt := &tapPoint{outcome: Pass, yamlInd: ind + 2, line: p.lr.line, off: p.lr.start, yaml: p.c.newText()}
	if !ok {
		pt.outcome = Fail
	}
	switch d := strings.ToUpper(directive); {
	case strings.HasPrefix(d, "SKIP"), strings.HasPrefix(d, "TODO"):
		pt.outcome = Skip
	}
	// Levels deeper than this point are its subtests; the level at its own
	// indent is its "# Subtest:" announcement.
	var names []string
	for i := range p.levels {
		l := &p.levels[i]
		switch {
		case l.indent > ind:
			pt.parent = true
			pt.kidFail = pt.kidFail || l.kidFail
		case l.indent < ind:
			names = append(names, l.name)
		case l.name != "" && l.name == desc:
			pt.kidFail = pt.kidFail || l.kidFail
		}
	}
	if desc == "" {
		desc = "(unnamed)"
	}
	pt.id = strings.Join(append(names, desc), " > ")
	p.pop(ind)
	// Test points seen at this indent keep their level, so a later parent
	// point without a "# Subtest:" line still knows it has subtests.
	p.levels = append(p.levels, tapLevel{indent: ind})
	p.cur = pt
	return nil
}

// pop closes the levels at indent ind and deeper.
func (p *tapParser) pop(ind int) {
	for len(p.levels) > 0 && p.levels[len(p.levels)-1].indent >= ind {
		p.levels = p.levels[:len(p.levels)-1]
	}
}

func (p *tapParser) yamlLine(pt *tapPoint, line string) error {
	key, val, _ := strings.Cut(line, ": ")
	switch key {
	case "duration_ms":
		d, err := parseDuration(strings.TrimSpace(val), time.Millisecond)
		if err != nil {
			return p.lr.errAt("duration_ms: " + err.Error())
		}
		pt.dur = d
		return nil
	case "failureType":
		switch strings.Trim(val, "'\" ") {
		case "subtestsFailed":
		case "testTimeoutFailure", "cancelledByParent":
			pt.ownError, pt.timeout = true, true
		default:
			pt.ownError = true
		}
	}
	pt.yaml.WriteString(line + "\n")
	return nil
}

// flush reports the current test point: a leaf always, a test with
// subtests only when it failed by itself.
func (p *tapParser) flush() error {
	pt := p.cur
	if pt == nil {
		return nil
	}
	p.cur = nil
	if pt.outcome.Failed() {
		for i := range p.levels {
			if p.levels[i].indent <= pt.yamlInd-2 {
				p.levels[i].kidFail = true
			}
		}
	}
	if pt.parent && (pt.outcome != Fail || pt.kidFail && !pt.ownError) {
		return nil
	}
	o := pt.outcome
	if o == Fail && pt.timeout {
		o = Error
	}
	return p.c.add(Result{Test: pt.id, Outcome: o, Duration: pt.dur, FailureText: pt.yaml.String()}, pt.line, pt.off)
}

// parseTAPPoint reads "ok 1 - name # SKIP why" or "not ok 2 name".
func parseTAPPoint(s string) (ok bool, desc, directive string, isPoint bool) {
	switch {
	case strings.HasPrefix(s, "ok"):
		s, ok = s[2:], true
	case strings.HasPrefix(s, "not ok"):
		s = s[6:]
	default:
		return false, "", "", false
	}
	if s != "" && s[0] != ' ' {
		return false, "", "", false
	}
	s = strings.TrimLeft(s, " ")
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n > 0 && n < len(s) && s[n] != ' ' {
		return false, "", "", false
	}
	s = strings.TrimPrefix(strings.TrimLeft(s[n:], " "), "- ")
	// An unescaped " # " starts the directive.
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == '#' && (i == 0 || s[i-1] == ' ') {
			desc, directive = s[:i], strings.TrimSpace(s[i+1:])
			return ok, unescapeTAP(strings.TrimSpace(desc)), directive, true
		}
	}
	return ok, unescapeTAP(strings.TrimSpace(s)), "", true
}

// unescapeTAP undoes the "\#" and "\\" escapes of a TAP description.
func unescapeTAP(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	return strings.NewReplacer(`\#`, "#", `\\`, `\`).Replace(s)
}
