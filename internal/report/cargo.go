package report

import (
	"io"
	"path"
	"strings"
)

type cargoTest struct {
	name    string
	outcome Outcome
	text    *cappedText
	line    int
	off     int64
}

// cargoParser reads one test binary's run at a time: its "test … ... ok"
// lines, then its "failures:" blocks, then "test result:".
type cargoParser struct {
	c       *collector
	lr      *lineReader
	binary  string // the id prefix of the binary running
	tests   []*cargoTest
	byName  map[string]*cargoTest
	pending *cargoTest  // "test x ... " whose verdict follows its output
	block   *cappedText // the "---- x stdout ----" block being read
	inFail  bool        // in the "failures:" section
	running bool        // between "running N tests" and "test result:"
	stray   *cappedText // lines outside any run: compiler errors, crashes
	seen    bool
	binLine int
	binOff  int64
}

// parseCargo reads `cargo test` output (libtest's pretty format): a result
// per "test path::name ... ok|FAILED|ignored" line, the failure text from
// the "---- path::name stdout ----" blocks, several binaries told apart by
// their "Running" lines, doc-tests included. A binary that dies before its
// "test result:" line, or a crate that does not compile, becomes an error
// named after the binary.
func parseCargo(r io.Reader, c *collector) error {
	p := &cargoParser{c: c, lr: newLineReader(r, c.format, c.opts.MaxLineLength), byName: map[string]*cargoTest{}, stray: c.newText()}
	for p.lr.Scan() {
		if err := p.handle(stripANSI(string(p.lr.Bytes()))); err != nil {
			return err
		}
	}
	if err := p.lr.Err(); err != nil {
		return err
	}
	if !p.seen {
		return p.lr.errAt("no cargo test result lines found (is this `cargo test` output?)")
	}
	return p.endBinary(p.running, "test output ended before the binary reported its result")
}

func (p *cargoParser) handle(line string) error {
	trimmed := strings.TrimLeft(line, " ")
	switch {
	case strings.HasPrefix(trimmed, "Running ") && len(line) > len(trimmed):
		if err := p.endBinary(p.running, "the test binary exited before it reported a result"); err != nil {
			return err
		}
		p.binary = cargoBinary(strings.TrimPrefix(trimmed, "Running "))
		p.binLine, p.binOff = p.lr.line, p.lr.start
		p.seen = true
		return nil
	case strings.HasPrefix(trimmed, "Doc-tests ") && len(line) > len(trimmed):
		if err := p.endBinary(p.running, "the test binary exited before it reported a result"); err != nil {
			return err
		}
		p.binary = "Doc-tests " + strings.TrimPrefix(trimmed, "Doc-tests ")
		p.binLine, p.binOff = p.lr.line, p.lr.start
		p.seen = true
		return nil
	case isCargoRunning(line):
		if err := p.endBinary(p.running, "the test binary exited before it reported a result"); err != nil {
			return err
		}
		p.running, p.seen = true, true
		p.stray.Reset()
		return nil
	case strings.HasPrefix(line, "test result: "):
		p.seen = true
		return p.endBinary(false, "")
	}
	if !p.running {
		if strings.HasPrefix(line, "error: could not compile `") {
			crate, _, _ := strings.Cut(strings.TrimPrefix(line, "error: could not compile `"), "`")
			p.stray.WriteString(line + "\n")
			p.seen = true
			err := p.c.add(Result{Test: crate, Outcome: Error, FailureText: p.stray.String()}, p.lr.line, p.lr.start)
			p.stray.Reset()
			return err
		}
		p.stray.WriteString(line + "\n")
		return nil
	}
	if p.inFail {
		if name, ok := cargoBlockHeader(line); ok {
			p.block = nil
			if t := p.byName[name]; t != nil {
				p.block = t.text
			}
			return nil
		}
		if line == "failures:" {
			p.block = nil // the list of names that follows the blocks
			return nil
		}
		if p.block != nil {
			p.block.WriteString(line + "\n")
		}
		return nil
	}
	if line == "failures:" {
		p.inFail = true
		return nil
	}
	if name, status, early, ok := parseCargoLine(line); ok {
		if err := p.c.room(len(p.tests)+1, p.lr.line, p.lr.start); err != nil {
			return err
		}
		t := &cargoTest{name: name, text: p.c.newText(), line: p.lr.line, off: p.lr.start}
		p.tests = append(p.tests, t)
		p.byName[name] = t
		p.pending = nil
		if status == "" {
			p.pending = t // --nocapture: the output comes before the verdict
			if early != "" {
				t.text.WriteString(early + "\n")
			}
			return nil
		}
		t.outcome = cargoOutcome(status)
		return nil
	}
	if p.pending != nil {
		if o := cargoOutcome(line); o != 0 {
			p.pending.outcome, p.pending = o, nil
			return nil
		}
		p.pending.text.WriteString(line + "\n")
		return nil
	}
	// Kept for a binary that dies: "error: test failed … Caused by: …".
	p.stray.WriteString(line + "\n")
	return nil
}

// endBinary reports the binary's tests. crashed means it never printed
// "test result:", so tests without a verdict are errors and, if none
// failed, the binary itself is one.
func (p *cargoParser) endBinary(crashed bool, why string) error {
	failed := false
	for _, t := range p.tests {
		text := strings.Trim(t.text.String(), "\n")
		o := t.outcome
		if o == 0 {
			o, text = Error, text+"\n[triaged: "+why+"]"
		}
		failed = failed || o.Failed()
		if err := p.c.add(Result{Test: cargoID(p.binary, t.name), Outcome: o, FailureText: text}, t.line, t.off); err != nil {
			return err
		}
	}
	var err error
	if crashed && !failed && p.binary != "" {
		err = p.c.add(Result{Test: p.binary, Outcome: Error,
			FailureText: p.stray.String() + "[triaged: " + why + "]"}, p.binLine, p.binOff)
	}
	p.tests, p.pending, p.block, p.inFail, p.running = p.tests[:0], nil, nil, false, false
	clear(p.byName)
	return err
}

// cargoBinary names a binary from its "Running" line: the source path
// ("unittests src/lib.rs (target/debug/deps/flaky-0a1b…)" is src/lib.rs),
// or, from older cargo that printed only the executable, its name without
// the hash.
func cargoBinary(s string) string {
	s = strings.TrimPrefix(s, "unittests ")
	if i := strings.LastIndex(s, " ("); i > 0 && strings.HasSuffix(s, ")") {
		return s[:i]
	}
	base := path.Base(strings.ReplaceAll(s, "\\", "/"))
	base = strings.TrimSuffix(base, ".exe")
	if i := strings.LastIndexByte(base, '-'); i > 0 {
		base = base[:i]
	}
	return base
}

func cargoID(binary, name string) string {
	if binary == "" {
		return name
	}
	return binary + "::" + name
}

// isCargoRunning matches libtest's "running 3 tests".
func isCargoRunning(line string) bool {
	rest, ok := strings.CutPrefix(line, "running ")
	if !ok {
		return false
	}
	n, unit, _ := strings.Cut(rest, " ")
	return n != "" && strings.Trim(n, "0123456789") == "" && (unit == "tests" || unit == "test")
}

// parseCargoLine reads "test path::name ... ok", dropping libtest's
// " - should panic" and " - compile fail" notes from the name. With
// --nocapture the test's output follows " ... " and the verdict comes on
// a later line: status is then empty and early holds that output.
func parseCargoLine(line string) (name, status, early string, ok bool) {
	rest, found := strings.CutPrefix(line, "test ")
	if !found {
		return "", "", "", false
	}
	i := strings.Index(rest, " ...")
	if i <= 0 {
		return "", "", "", false
	}
	name, status = rest[:i], strings.TrimSpace(rest[i+4:])
	if status != "" && cargoOutcome(status) == 0 {
		status, early = "", status
	}
	for _, note := range []string{" - should panic", " - compile fail"} {
		name = strings.TrimSuffix(name, note)
	}
	return name, status, early, true
}

func cargoOutcome(status string) Outcome {
	switch {
	case status == "ok":
		return Pass
	case status == "FAILED":
		return Fail
	case status == "ignored" || strings.HasPrefix(status, "ignored, "):
		return Skip
	case strings.HasPrefix(status, "bench:"):
		return Pass
	}
	return 0
}

// cargoBlockHeader reads "---- path::name stdout ----".
func cargoBlockHeader(line string) (string, bool) {
	rest, ok := strings.CutPrefix(line, "---- ")
	if !ok {
		return "", false
	}
	for _, suffix := range []string{" stdout ----", " stderr ----"} {
		if name, ok := strings.CutSuffix(rest, suffix); ok {
			return name, true
		}
	}
	return "", false
}
