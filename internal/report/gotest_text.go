package report

import (
	"io"
	"strings"
	"time"
)

// gtTest is one run of a test in plain `go test` output.
type gtTest struct {
	name    string
	out     *cappedText
	outcome Outcome // 0 while it runs
	dur     time.Duration
	verdict string // its "--- FAIL: …" line, dedented
	crash   bool   // a crash in the binary ended it
	line    int
	off     int64
}

// gtParser reads plain `go test` output. go test prints each package's
// output whole and then its "ok"/"FAIL" line, so a package's tests are
// held until that line names their package.
type gtParser struct {
	c         *collector
	lr        *lineReader
	tests     []*gtTest          // the current package's tests, in order of appearance
	byName    map[string]*gtTest // the latest run of each name
	owner     *gtTest            // a running test whose output this is (-v)
	after     *gtTest            // the test whose "---" line came last
	afterInd  int                // the indent of that line
	lastFail  *gtTest            // set while only a FAIL line and its output came last
	failed    int                // failing tests in the current package
	pkgOut    *cappedText        // lines of the package outside any test
	crash     *cappedText        // a panic that killed the test binary
	timedOut  []string           // tests named in "panic: test timed out" as running
	inTimeout bool               // reading that list
	builds    map[string]*cappedText
	buildSeq  []string
	build     *cappedText // the "# pkg" block being read
	sawAny    bool
}

// parseGoTestText reads plain `go test` output, with or without -v: one
// result per "--- PASS/FAIL/SKIP" line (without -v, only failures are
// printed), a test left running by a crash as an error carrying the panic,
// and a package that failed without a failing test (a build failure,
// TestMain exiting, a panic outside tests) as an error for the package.
// Ids are those parseGoTest gives for the same run.
func parseGoTestText(r io.Reader, c *collector) error {
	p := &gtParser{c: c, lr: newLineReader(r, FormatGoTest, c.opts.MaxLineLength),
		byName: map[string]*gtTest{}, pkgOut: c.newText(), builds: map[string]*cappedText{}}
	for p.lr.Scan() {
		if err := p.handle(string(p.lr.Bytes())); err != nil {
			return err
		}
	}
	if err := p.lr.Err(); err != nil {
		return err
	}
	// Without a closing "ok"/"FAIL" line the package is unknown: a test
	// binary run by hand, or output cut short.
	if len(p.tests) > 0 || p.crash != nil {
		if err := p.endPackage("", p.crash != nil, ""); err != nil {
			return err
		}
	}
	for _, path := range p.buildSeq {
		if b := p.builds[path]; b != nil {
			// A "# pkg" block no "[build failed]" line claimed: vet or
			// compile errors of a package whose summary line was lost.
			if err := p.c.add(Result{Test: path, Outcome: Error, FailureText: b.String()}, p.lr.line, p.lr.start); err != nil {
				return err
			}
		}
	}
	if !p.sawAny {
		return p.lr.errAt("no go test result lines found (is this `go test` output?)")
	}
	return nil
}

func (p *gtParser) handle(line string) error {
	if p.crash != nil {
		if pkg, failed, build, ok := parseGoSummary(line); ok {
			p.sawAny = true
			return p.endPackage(pkg, failed, build)
		}
		p.crashLine(line)
		return nil
	}
	if p.build != nil {
		if !endsGoBuildBlock(line) {
			p.build.WriteString(line + "\n")
			return nil
		}
		p.build = nil
	}
	if pkg, failed, build, ok := parseGoSummary(line); ok {
		p.sawAny = true
		return p.endPackage(pkg, failed, build)
	}
	if strings.HasPrefix(line, "# ") && p.owner == nil {
		if path := buildPackage(line[2:]); path != "" && !strings.ContainsAny(path, " \t") {
			if p.builds[path] == nil {
				if err := p.c.room(len(p.builds)+1, p.lr.line, p.lr.start); err != nil {
					return err
				}
				p.builds[path] = p.c.newText()
				p.buildSeq = append(p.buildSeq, path)
			}
			p.build = p.builds[path]
			p.build.WriteString(line + "\n")
			return nil
		}
	}
	if verb, name, ok := parseGoFraming(line); ok {
		p.sawAny = true
		p.after, p.lastFail = nil, nil
		switch verb {
		case "RUN":
			t, err := p.newTest(name)
			if err != nil {
				return err
			}
			p.owner = t
		default: // PAUSE, CONT, NAME
			p.owner = nil
			if t := p.byName[name]; t != nil && t.outcome == 0 {
				p.owner = t
			}
		}
		return nil
	}
	if ind, o, name, d, ok, err := parseGoVerdict(line); err != nil {
		return p.lr.errAt(err.Error())
	} else if ok {
		p.sawAny = true
		return p.verdict(line[ind:], ind, o, name, d)
	}
	if strings.HasPrefix(line, "panic: ") || strings.HasPrefix(line, "fatal error: ") {
		p.crash = p.c.newText()
		p.crashLine(line)
		return nil
	}
	// Output indented under a "---" line is that test's (without -v).
	if p.after != nil && len(line) > p.afterInd+4 && strings.TrimLeft(line[:p.afterInd+4], " ") == "" {
		p.after.out.WriteString(line[p.afterInd:] + "\n")
		return nil
	}
	p.after, p.lastFail = nil, nil
	if p.owner != nil {
		p.owner.out.WriteString(line + "\n")
		return nil
	}
	if line != "PASS" && line != "FAIL" {
		p.pkgOut.WriteString(line + "\n")
	}
	return nil
}

func (p *gtParser) newTest(name string) (*gtTest, error) {
	if err := p.c.room(len(p.tests)+1, p.lr.line, p.lr.start); err != nil {
		return nil, err
	}
	t := &gtTest{name: name, out: p.c.newText(), line: p.lr.line, off: p.lr.start}
	p.tests = append(p.tests, t)
	p.byName[name] = t
	return t, nil
}

func (p *gtParser) verdict(line string, ind int, o Outcome, name string, d time.Duration) error {
	t := p.byName[name]
	if t == nil || t.outcome != 0 {
		var err error
		if t, err = p.newTest(name); err != nil {
			return err
		}
	}
	t.outcome, t.dur, t.verdict = o, d, line+"\n"
	if t == p.owner {
		p.owner = nil
	}
	p.after, p.afterInd, p.lastFail = t, ind, nil
	if o == Fail {
		p.failed++
		p.lastFail = t
	}
	return nil
}

// crashLine adds a line of a panic to the crash text, noting the tests a
// timeout panic names as running ("\t\tTestHang (3s)").
func (p *gtParser) crashLine(line string) {
	p.crash.WriteString(line + "\n")
	switch {
	case strings.HasPrefix(line, "panic: test timed out after "):
		p.inTimeout = true
	case p.inTimeout && strings.TrimSpace(line) == "running tests:":
	case p.inTimeout && strings.HasPrefix(line, "\t\t"):
		name := strings.TrimPrefix(line, "\t\t")
		if i := strings.LastIndex(name, " ("); i > 0 {
			name = name[:i]
		}
		if len(p.timedOut) < p.c.opts.MaxResults {
			p.timedOut = append(p.timedOut, name)
		}
	default:
		p.inTimeout = false
	}
}

// endPackage emits the package's tests under their ids. A crash goes to
// the test whose FAIL line it follows (a panic in a test prints that line
// first), to the tests a timeout names, and to tests that never finished.
func (p *gtParser) endPackage(pkg string, failed bool, build string) error {
	crash := ""
	if p.crash != nil {
		crash = p.crash.String()
		if p.lastFail != nil {
			p.lastFail.crash = true
		}
		for _, name := range p.timedOut {
			t := p.byName[name]
			if t == nil || t.outcome != 0 {
				var err error
				if t, err = p.newTest(name); err != nil {
					return err
				}
			}
		}
	}
	attributed := false
	for _, t := range p.tests {
		res := Result{Test: goTestID(pkg, t.name), Outcome: t.outcome, Duration: t.dur}
		text := t.out.String() + t.verdict
		switch {
		case t.outcome == 0 && crash != "":
			res.Outcome, text, attributed = Error, text+crash, true
		case t.outcome == 0:
			res.Outcome, text = Error, text+"\n[triaged: test output ended before the test reported a result]\n"
		case t.crash:
			text, attributed = text+crash, true
		}
		res.FailureText = text
		if err := p.c.add(res, t.line, t.off); err != nil {
			return err
		}
	}
	var text strings.Builder
	if b := p.builds[pkg]; b != nil {
		text.WriteString(b.String())
		delete(p.builds, pkg)
	}
	text.WriteString(p.pkgOut.String())
	if !attributed {
		text.WriteString(crash)
	}
	if build != "" {
		text.WriteString("FAIL\t" + pkg + " [" + build + "]\n")
	}
	var err error
	if pkg != "" && failed && (p.failed == 0 && !attributed || build != "") {
		err = p.c.add(Result{Test: pkg, Outcome: Error, FailureText: text.String()}, p.lr.line, p.lr.start)
	}
	p.tests, p.owner, p.after, p.lastFail, p.failed = p.tests[:0], nil, nil, nil, 0
	clear(p.byName)
	p.pkgOut.Reset()
	p.crash, p.timedOut, p.inTimeout = nil, nil, false
	return err
}

// parseGoSummary reads go test's per-package line: "ok  \tpkg\t0.1s",
// "FAIL\tpkg\t0.1s", "FAIL\tpkg [build failed]", "?   \tpkg\t[no test files]".
func parseGoSummary(line string) (pkg string, failed bool, build string, ok bool) {
	var rest string
	switch {
	case strings.HasPrefix(line, "ok  \t"):
		rest = line[5:]
	case strings.HasPrefix(line, "FAIL\t"):
		rest, failed = line[5:], true
	case strings.HasPrefix(line, "?   \t"):
		rest = line[5:]
	default:
		return "", false, "", false
	}
	pkg, _, _ = strings.Cut(rest, "\t")
	if i := strings.Index(pkg, " ["); i > 0 && strings.HasSuffix(pkg, "]") {
		build = pkg[i+2 : len(pkg)-1]
		pkg = pkg[:i]
	}
	if pkg == "" || strings.ContainsAny(pkg, " ") {
		return "", false, "", false
	}
	return pkg, failed, build, true
}

// parseGoFraming reads "=== RUN   TestX" and its PAUSE, CONT and NAME kin.
func parseGoFraming(line string) (verb, name string, ok bool) {
	if !strings.HasPrefix(line, "=== ") {
		return "", "", false
	}
	verb, name, _ = strings.Cut(line[4:], " ")
	switch verb {
	case "RUN", "PAUSE", "CONT", "NAME":
		name = strings.TrimLeft(name, " ")
		return verb, name, name != "" || verb == "NAME"
	}
	return "", "", false
}

// parseGoVerdict reads "    --- FAIL: TestX/sub (0.01s)", returning the
// indent, the outcome, the name and the duration; an absurd duration is an
// error.
func parseGoVerdict(line string) (ind int, o Outcome, name string, d time.Duration, ok bool, err error) {
	s := strings.TrimLeft(line, " ")
	ind = len(line) - len(s)
	switch {
	case strings.HasPrefix(s, "--- PASS: "):
		o = Pass
	case strings.HasPrefix(s, "--- FAIL: "):
		o = Fail
	case strings.HasPrefix(s, "--- SKIP: "):
		o = Skip
	default:
		return 0, 0, "", 0, false, nil
	}
	s = s[len("--- PASS: "):]
	i := strings.LastIndex(s, " (")
	if i <= 0 || !strings.HasSuffix(s, "s)") || !isDecimal(s[i+2:len(s)-2]) {
		return 0, 0, "", 0, false, nil
	}
	if d, err = parseDuration(s[i+2:len(s)-2], time.Second); err != nil {
		return 0, 0, "", 0, false, err
	}
	return ind, o, s[:i], d, true, nil
}

// endsGoBuildBlock reports lines that cannot be compiler output.
func endsGoBuildBlock(line string) bool {
	if _, _, _, ok := parseGoSummary(line); ok {
		return true
	}
	for _, p := range []string{"# ", "=== ", "--- ", "panic: ", "ok  ", "?   "} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return line == "PASS" || line == "FAIL"
}
