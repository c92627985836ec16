package report

import (
	"io"
	"strings"
)

// pyTest is one test pytest named, by node id.
type pyTest struct {
	nodeid  string
	outcome Outcome
	reruns  int // pytest-rerunfailures RERUN lines before the verdict
	texts   []string
	output  []string
	blocks  map[string]bool // sections ("FAILURES", "ERRORS") that gave it a block
	line    int
	off     int64
}

// pyBlock is a "____ name ____" block of the FAILURES or ERRORS section.
type pyBlock struct {
	section, title string
	body, output   *cappedText
	line           int
	off            int64
}

type pyParser struct {
	c       *collector
	lr      *lineReader
	tests   map[string]*pyTest
	order   []*pyTest
	blocks  []*pyBlock
	section string // the "==== title ====" section being read
	blk     *pyBlock
	inOut   bool // in a "---- Captured … ----" part of the block
	seen    bool
}

// parsePytest reads pytest's terminal output: -v result lines
// ("path::Class::test PASSED [ 50%]"), the short test summary
// ("FAILED path::test - msg"), and the FAILURES and ERRORS sections, whose
// blocks become the failure texts (captured output goes to Output, as
// pytest's own JUnit XML keeps it apart). Without -v only the summary names
// tests, so only failures and errors are reported.
func parsePytest(r io.Reader, c *collector) error {
	p := &pyParser{c: c, lr: newLineReader(r, FormatPytest, c.opts.MaxLineLength), tests: map[string]*pyTest{}}
	for p.lr.Scan() {
		if err := p.handle(stripANSI(string(p.lr.Bytes()))); err != nil {
			return err
		}
	}
	if err := p.lr.Err(); err != nil {
		return err
	}
	if !p.seen {
		return p.lr.errAt("no pytest result lines found (is this pytest output?)")
	}
	return p.emit()
}

func (p *pyParser) handle(line string) error {
	if title, ok := ruleTitle(line, '='); ok {
		p.section, p.blk, p.inOut = title, nil, false
		if title == "FAILURES" || title == "ERRORS" || strings.Contains(title, "test session starts") {
			p.seen = true
		}
		return nil
	}
	switch p.section {
	case "FAILURES", "ERRORS":
		if title, ok := ruleTitle(line, '_'); ok {
			if err := p.c.room(len(p.blocks)+1, p.lr.line, p.lr.start); err != nil {
				return err
			}
			p.blk = &pyBlock{section: p.section, title: title, body: p.c.newText(), line: p.lr.line, off: p.lr.start}
			p.blocks = append(p.blocks, p.blk)
			p.inOut = false
			return nil
		}
		if p.blk == nil {
			return nil
		}
		if title, ok := ruleTitle(line, '-'); ok && strings.HasPrefix(title, "Captured ") {
			if p.blk.output == nil {
				p.blk.output = p.c.newText()
			}
			p.blk.output.WriteString(line + "\n")
			p.inOut = true
			return nil
		}
		if p.inOut {
			p.blk.output.WriteString(line + "\n")
		} else {
			p.blk.body.WriteString(line + "\n")
		}
		return nil
	case "short test summary info":
		word, rest, _ := strings.Cut(line, " ")
		o, ok := pytestOutcome(word)
		if !ok || rest == "" || strings.HasPrefix(rest, "[") {
			return nil // "SKIPPED [1] file.py:3: why" names no test
		}
		nodeid, _, _ := strings.Cut(rest, " - ")
		if word == "XPASS" {
			nodeid, _, _ = strings.Cut(rest, " ")
		}
		return p.verdict(nodeid, o, word)
	}
	if nodeid, word, ok := parsePytestLine(line); ok {
		o, _ := pytestOutcome(word)
		return p.verdict(nodeid, o, word)
	}
	return nil
}

func (p *pyParser) verdict(nodeid string, o Outcome, word string) error {
	p.seen = true
	t := p.tests[nodeid]
	if t == nil {
		if err := p.c.room(len(p.order)+1, p.lr.line, p.lr.start); err != nil {
			return err
		}
		t = &pyTest{nodeid: nodeid, line: p.lr.line, off: p.lr.start, blocks: map[string]bool{}}
		p.tests[nodeid] = t
		p.order = append(p.order, t)
	}
	if word == "RERUN" {
		if p.section == "" || p.section == "test session starts" {
			t.reruns++
		}
		return nil
	}
	t.outcome = worse(t.outcome, o)
	return nil
}

// emit gives each block to its test and reports the tests in the order
// they were first named. A block's title is the test's name within its
// file ("TestGroup.test_raises"), so blocks go to the first test of that
// name that has none from the same section yet.
func (p *pyParser) emit() error {
	var orphans []*pyTest
	for _, b := range p.blocks {
		kind := Fail
		name, target := b.title, (*pyTest)(nil)
		if b.section == "ERRORS" {
			kind = Error
			for _, pre := range []string{"ERROR at setup of ", "ERROR at teardown of ", "ERROR collecting "} {
				if strings.HasPrefix(name, pre) {
					name = name[len(pre):]
					break
				}
			}
			if strings.HasPrefix(b.title, "ERROR collecting ") {
				target = p.tests[name]
			}
		}
		for _, t := range p.order {
			if target != nil {
				break
			}
			if pytestDomain(t.nodeid) == name && !t.blocks[b.section] && (t.outcome.Failed() || t.outcome == 0) {
				target = t
			}
		}
		if target == nil {
			// No line named the test (pytest -rN): the block's title is
			// all there is.
			if err := p.c.room(len(p.order)+len(orphans)+1, b.line, b.off); err != nil {
				return err
			}
			target = &pyTest{nodeid: name, line: b.line, off: b.off, blocks: map[string]bool{}}
			orphans = append(orphans, target)
		}
		target.blocks[b.section] = true
		target.outcome = worse(target.outcome, kind)
		target.texts = append(target.texts, b.body.String())
		if b.output != nil {
			target.output = append(target.output, b.output.String())
		}
	}
	for _, t := range append(p.order, orphans...) {
		id := pytestID(t.nodeid)
		for i := 0; i < t.reruns; i++ {
			if err := p.c.add(Result{Test: id, Outcome: Fail, Attempt: i,
				FailureText: "[triaged: pytest re-ran this test after a failure]"}, t.line, t.off); err != nil {
				return err
			}
		}
		o := t.outcome
		if o == 0 {
			o = Error
		}
		text := capString(strings.Trim(strings.Join(t.texts, "\n"), "\n"), p.c.opts.MaxFailureText)
		out := capString(strings.TrimRight(strings.Join(t.output, ""), "\n"), p.c.opts.MaxFailureText)
		if err := p.c.add(Result{Test: id, Outcome: o, Attempt: t.reruns, FailureText: text, Output: out}, t.line, t.off); err != nil {
			return err
		}
	}
	return nil
}

// parsePytestLine reads a -v result line, "path::test[p] PASSED  [ 50%]",
// or pytest-xdist's "[gw0] [ 50%] PASSED path::test".
func parsePytestLine(line string) (nodeid, word string, ok bool) {
	if strings.HasPrefix(line, "[gw") {
		_, rest, _ := strings.Cut(line, "] ")
		if strings.HasPrefix(rest, "[") {
			_, rest, _ = strings.Cut(rest, "] ")
		}
		word, nodeid, _ = strings.Cut(rest, " ")
		nodeid = strings.TrimSpace(nodeid)
		if _, ok := pytestOutcome(word); ok && strings.Contains(nodeid, "::") {
			return nodeid, word, true
		}
		return "", "", false
	}
	if i := strings.LastIndex(line, " ["); i > 0 && strings.HasSuffix(line, "%]") {
		line = line[:i]
	}
	line = strings.TrimRight(line, " ")
	for i := strings.Index(line, "::"); i >= 0 && i < len(line); {
		j := strings.IndexByte(line[i:], ' ')
		if j < 0 {
			return "", "", false
		}
		i += j
		word, rest, _ := strings.Cut(line[i+1:], " ")
		if _, ok := pytestOutcome(word); ok && (rest == "" || strings.HasPrefix(rest, "(")) {
			return line[:i], word, true
		}
		i++
	}
	return "", "", false
}

// pytestOutcome maps pytest's verdict words. An xfail is a skip, as in
// pytest's JUnit XML; an xpass passes unless strict, when pytest itself
// prints FAILED.
func pytestOutcome(word string) (Outcome, bool) {
	switch word {
	case "PASSED", "XPASS":
		return Pass, true
	case "FAILED":
		return Fail, true
	case "ERROR":
		return Error, true
	case "SKIPPED", "XFAIL":
		return Skip, true
	case "RERUN":
		return 0, true
	}
	return 0, false
}

// pytestID turns a node id into the id pytest's JUnit XML gives: the file
// path as a dotted module, then the classes and the test, parameters kept
// ("sub/test_x.py::TestC::test_y[1]" is "sub.test_x.TestC.test_y[1]").
func pytestID(nodeid string) string {
	path, params, hasParams := strings.Cut(nodeid, "[")
	parts := strings.Split(path, "::")
	parts[0] = strings.TrimSuffix(strings.ReplaceAll(parts[0], "/", "."), ".py")
	id := strings.Join(parts, ".")
	if hasParams {
		id += "[" + params
	}
	return id
}

// pytestDomain is how a FAILURES block names a test: the node id without
// its file, "::" as ".".
func pytestDomain(nodeid string) string {
	path, params, hasParams := strings.Cut(nodeid, "[")
	_, rest, ok := strings.Cut(path, "::")
	if !ok {
		return nodeid
	}
	rest = strings.ReplaceAll(rest, "::", ".")
	if hasParams {
		rest += "[" + params
	}
	return rest
}

// ruleTitle reads pytest's "==== title ====" rules (of c), returning the
// title, which may be empty.
func ruleTitle(line string, c byte) (string, bool) {
	if len(line) < 6 || line[0] != c || line[1] != c || line[2] != c || line[len(line)-1] != c {
		return "", false
	}
	t := strings.Trim(line, string(c))
	if t != "" && (t[0] != ' ' || t[len(t)-1] != ' ') {
		return "", false
	}
	return strings.TrimSpace(t), true
}
