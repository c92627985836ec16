package report

import (
	"io"
	"strconv"
	"strings"
	"time"
)

type mochaParser struct {
	c       *collector
	lr      *lineReader
	suites  []nodeGroup
	tests   []*jestTest
	failing map[int]*jestTest // "3) name" in the tree, by number
	summary bool              // past "N passing": the failure blocks
	blk     *jestTest
	blkText *cappedText
	inTitle bool // reading the block's title lines, up to the one ending in ":"
	seen    bool
}

// parseMocha reads mocha's spec reporter: the tree of suites and tests
// ("✔ name", "N) name" for a failure, "- name" for a pending test), then,
// after "N passing", the numbered failure blocks that give the failure
// texts. Ids are mocha's full titles, suites and test joined with spaces.
// A failed hook ("before all" hook for "x") is an error, and so is a
// timeout.
func parseMocha(r io.Reader, c *collector) error {
	p := &mochaParser{c: c, lr: newLineReader(r, c.format, c.opts.MaxLineLength), failing: map[int]*jestTest{}, blkText: c.newText()}
	for p.lr.Scan() {
		if err := p.handle(stripANSI(string(p.lr.Bytes()))); err != nil {
			return err
		}
	}
	if err := p.lr.Err(); err != nil {
		return err
	}
	p.endBlock()
	if !p.seen {
		return p.lr.errAt("no mocha results found (is this mocha spec output?)")
	}
	for _, t := range p.tests {
		o := t.outcome
		if o == Fail && (strings.HasPrefix(strings.TrimSpace(t.text), "Error: Timeout of ") || isMochaHook(t.id)) {
			o = Error
		}
		if err := p.c.add(Result{Test: t.id, Outcome: o, Duration: t.dur, FailureText: t.text}, t.line, t.off); err != nil {
			return err
		}
	}
	return nil
}

func (p *mochaParser) handle(line string) error {
	trimmed := strings.TrimLeft(line, " ")
	ind := len(line) - len(trimmed)
	if isMochaCount(trimmed, "passing") {
		p.summary, p.seen = true, true
		return nil
	}
	if p.summary {
		return p.blockLine(line, trimmed, ind)
	}
	if trimmed == "" || ind < 2 {
		return nil
	}
	var o Outcome
	var num int
	mark, rest, _ := strings.Cut(trimmed, " ")
	switch {
	case mark == "✔" || mark == "✓":
		o = Pass
	case mark == "-":
		o = Skip
	case strings.HasSuffix(mark, ")") && isDigits(mark[:len(mark)-1]):
		o = Fail
		num, _ = strconv.Atoi(mark[:len(mark)-1])
	default:
		for len(p.suites) > 0 && p.suites[len(p.suites)-1].indent >= ind {
			p.suites = p.suites[:len(p.suites)-1]
		}
		if len(p.suites) < maxXMLDepth {
			p.suites = append(p.suites, nodeGroup{indent: ind, name: trimmed})
		}
		return nil
	}
	var d time.Duration
	if o == Pass {
		var err error
		if rest, d, err = parseMochaDuration(rest); err != nil {
			return p.lr.errAt(err.Error())
		}
	}
	for len(p.suites) > 0 && p.suites[len(p.suites)-1].indent >= ind {
		p.suites = p.suites[:len(p.suites)-1]
	}
	parts := make([]string, 0, len(p.suites)+1)
	for _, s := range p.suites {
		parts = append(parts, s.name)
	}
	if err := p.c.room(len(p.tests)+1, p.lr.line, p.lr.start); err != nil {
		return err
	}
	t := &jestTest{id: strings.Join(append(parts, rest), " "), outcome: o, dur: d, line: p.lr.line, off: p.lr.start}
	p.tests = append(p.tests, t)
	if num > 0 {
		p.failing[num] = t
	}
	p.seen = true
	return nil
}

// blockLine reads the failure blocks: "  1) suite", indented title lines
// down to "test name:", then the error.
func (p *mochaParser) blockLine(line, trimmed string, ind int) error {
	if isMochaCount(trimmed, "pending") || isMochaCount(trimmed, "failing") {
		return nil
	}
	if mark, _, _ := strings.Cut(trimmed, " "); ind == 2 && strings.HasSuffix(mark, ")") && isDigits(mark[:len(mark)-1]) {
		p.endBlock()
		n, _ := strconv.Atoi(mark[:len(mark)-1])
		p.blk = p.failing[n]
		p.blkText.Reset()
		p.inTitle = !strings.HasSuffix(trimmed, ":")
		return nil
	}
	if p.blk == nil {
		return nil
	}
	if p.inTitle {
		p.inTitle = !strings.HasSuffix(trimmed, ":")
		return nil
	}
	p.blkText.WriteString(line + "\n")
	return nil
}

func (p *mochaParser) endBlock() {
	if p.blk != nil {
		p.blk.text = dedent(strings.Trim(p.blkText.String(), "\n"))
	}
	p.blk = nil
}

// isMochaCount matches the summary lines "2 passing (178ms)", "1 pending".
func isMochaCount(s, word string) bool {
	n, rest, ok := strings.Cut(s, " ")
	return ok && isDigits(n) && (rest == word || strings.HasPrefix(rest, word+" ("))
}

// isMochaHook matches the titles mocha gives failing hooks.
func isMochaHook(id string) bool {
	for _, h := range []string{`"before all" hook`, `"before each" hook`, `"after all" hook`, `"after each" hook`} {
		if strings.Contains(id, h) {
			return true
		}
	}
	return false
}

// parseMochaDuration splits the "(121ms)" mocha prints after slow tests.
func parseMochaDuration(s string) (string, time.Duration, error) {
	i := strings.LastIndex(s, " (")
	if i <= 0 || !strings.HasSuffix(s, "ms)") || !isDigits(s[i+2:len(s)-3]) {
		return s, 0, nil
	}
	d, err := parseDuration(s[i+2:len(s)-3], time.Millisecond)
	return s[:i], d, err
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// dedent removes the indent all non-blank lines share.
func dedent(s string) string {
	lines := strings.Split(s, "\n")
	common := -1
	for _, l := range lines {
		if t := strings.TrimLeft(l, " "); t != "" {
			if n := len(l) - len(t); common < 0 || n < common {
				common = n
			}
		}
	}
	if common <= 0 {
		return s
	}
	for i, l := range lines {
		lines[i] = l[min(common, len(l)):]
	}
	return strings.Join(lines, "\n")
}
