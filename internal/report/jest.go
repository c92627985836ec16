package report

import (
	"io"
	"strings"
	"time"
)

type jestTest struct {
	id      string
	outcome Outcome
	dur     time.Duration
	text    string
	line    int
	off     int64
}

type jestParser struct {
	c        *collector
	lr       *lineReader
	file     string // the "PASS ./x.test.js" file being read
	tests    []*jestTest
	describe []nodeGroup // open describe blocks of the --verbose tree
	blk      *jestTest   // the "● a › b" block being read
	blkText  *cappedText
	console  bool // the block is "● Console": output, not a failure
	seen     bool
	done     bool
}

// parseJest reads jest's default reporter, with or without --verbose:
// "PASS"/"FAIL" file lines, the --verbose tree ("✓ name (3 ms)", "✕ …",
// "○ skipped …", "✎ todo …" under describe names) and the "● a › b" failure
// blocks, which give the failure texts (and, without --verbose, the only
// names). Ids are jest's full names, describe blocks and test joined with
// spaces, as jest-junit names them by default. A suite that fails to run
// is an error named after its file.
func parseJest(r io.Reader, c *collector) error {
	p := &jestParser{c: c, lr: newLineReader(r, c.format, c.opts.MaxLineLength), blkText: c.newText()}
	for p.lr.Scan() && !p.done {
		if err := p.handle(stripANSI(string(p.lr.Bytes()))); err != nil {
			return err
		}
	}
	if err := p.lr.Err(); err != nil {
		return err
	}
	if err := p.endFile(); err != nil {
		return err
	}
	if !p.seen {
		return p.lr.errAt("no jest results found (is this jest output?)")
	}
	return nil
}

func (p *jestParser) handle(line string) error {
	if file, ok := jestFileLine(line); ok {
		if err := p.endFile(); err != nil {
			return err
		}
		p.file, p.seen = file, true
		return nil
	}
	if isJestSummary(line) {
		p.done = strings.HasPrefix(line, "Summary of all failing tests")
		p.seen = p.seen || strings.HasPrefix(line, "Tests:")
		return p.endFile()
	}
	if title, ok := strings.CutPrefix(line, "  ● "); ok {
		if err := p.endBlock(); err != nil {
			return err
		}
		p.blk = &jestTest{id: strings.Join(strings.Split(title, " › "), " "), outcome: Fail, line: p.lr.line, off: p.lr.start}
		p.console = title == "Console"
		if title == "Test suite failed to run" {
			p.blk.id, p.blk.outcome = p.file, Error
		}
		p.blkText.Reset()
		return nil
	}
	if p.blk != nil {
		p.blkText.WriteString(strings.TrimPrefix(line, "    ") + "\n")
		return nil
	}
	if p.file == "" {
		return nil
	}
	trimmed := strings.TrimLeft(line, " ")
	ind := len(line) - len(trimmed)
	if trimmed == "" || ind < 2 {
		return nil
	}
	mark, rest, _ := strings.Cut(trimmed, " ")
	var o Outcome
	switch mark {
	case "✓", "√":
		o = Pass
	case "✕", "×":
		o = Fail
	case "○":
		o, rest = Skip, strings.TrimPrefix(rest, "skipped ")
	case "✎":
		o, rest = Skip, strings.TrimPrefix(rest, "todo ")
	default:
		// A describe name in the --verbose tree.
		for len(p.describe) > 0 && p.describe[len(p.describe)-1].indent >= ind {
			p.describe = p.describe[:len(p.describe)-1]
		}
		if len(p.describe) < maxXMLDepth {
			p.describe = append(p.describe, nodeGroup{indent: ind, name: trimmed})
		}
		return nil
	}
	name, d, err := parseJestDuration(rest)
	if err != nil {
		return p.lr.errAt(err.Error())
	}
	for len(p.describe) > 0 && p.describe[len(p.describe)-1].indent >= ind {
		p.describe = p.describe[:len(p.describe)-1]
	}
	parts := make([]string, 0, len(p.describe)+1)
	for _, g := range p.describe {
		parts = append(parts, g.name)
	}
	if err := p.c.room(len(p.tests)+1, p.lr.line, p.lr.start); err != nil {
		return err
	}
	p.tests = append(p.tests, &jestTest{id: strings.Join(append(parts, name), " "), outcome: o, dur: d, line: p.lr.line, off: p.lr.start})
	return nil
}

// endBlock gives a failure block's text to its test from the tree, or
// makes it a result of its own when there is no tree (no --verbose).
func (p *jestParser) endBlock() error {
	b := p.blk
	p.blk = nil
	if b == nil || p.console {
		return nil
	}
	b.text = strings.Trim(p.blkText.String(), "\n")
	for _, t := range p.tests {
		if t.id == b.id && t.outcome.Failed() && t.text == "" {
			t.text = b.text
			return nil
		}
	}
	if b.id == "" {
		b.id = "(unknown test file)"
	}
	if err := p.c.room(len(p.tests)+1, b.line, b.off); err != nil {
		return err
	}
	p.tests = append(p.tests, b)
	return nil
}

func (p *jestParser) endFile() error {
	if err := p.endBlock(); err != nil {
		return err
	}
	for _, t := range p.tests {
		if err := p.c.add(Result{Test: t.id, Outcome: t.outcome, Duration: t.dur, FailureText: t.text}, t.line, t.off); err != nil {
			return err
		}
	}
	p.tests, p.describe, p.file = p.tests[:0], p.describe[:0], ""
	return nil
}

// jestFileLine reads "PASS ./x.test.js" or "FAIL src/y.test.ts (5.1 s)".
func jestFileLine(line string) (string, bool) {
	var rest string
	switch {
	case strings.HasPrefix(line, "PASS "):
		rest = line[5:]
	case strings.HasPrefix(line, "FAIL "):
		rest = line[5:]
	default:
		return "", false
	}
	if i := strings.LastIndex(rest, " ("); i > 0 && strings.HasSuffix(rest, ")") {
		rest = rest[:i]
	}
	rest = strings.TrimSpace(rest)
	if rest == "" || strings.ContainsAny(rest, " \t") || !strings.Contains(rest, ".") {
		return "", false
	}
	return strings.TrimPrefix(rest, "./"), true
}

func isJestSummary(line string) bool {
	for _, p := range []string{"Test Suites: ", "Tests: ", "Snapshots: ", "Time: ", "Ran all test suites", "Summary of all failing tests"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// parseJestDuration splits "name (3 ms)" or "name (1.2 s)"; a name without
// a duration is returned whole.
func parseJestDuration(s string) (string, time.Duration, error) {
	i := strings.LastIndex(s, " (")
	if i <= 0 || !strings.HasSuffix(s, ")") {
		return s, 0, nil
	}
	num, unit, _ := strings.Cut(s[i+2:len(s)-1], " ")
	u := time.Millisecond
	switch unit {
	case "ms":
	case "s":
		u = time.Second
	default:
		return s, 0, nil
	}
	if !isDecimal(num) {
		return s, 0, nil
	}
	d, err := parseDuration(num, u)
	return s[:i], d, err
}
