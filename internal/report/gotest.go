package report

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"time"
)

// goEvent is one test2json event (cmd/test2json), plus the build events
// `go test -json` adds since Go 1.24.
type goEvent struct {
	Action      string
	Package     string
	Test        string
	Elapsed     float64
	Output      string
	ImportPath  string
	FailedBuild string
}

// goRun is a test that has started and not yet reported its end.
type goRun struct {
	id   string
	out  *cappedText
	line int
	off  int64
}

// goPkg is the state of one package's test binary.
type goPkg struct {
	running map[string]*goRun
	order   []string // start order, so unfinished tests are reported stably
	out     *cappedText
	failed  int // tests of this package that reported fail
}

type goParser struct {
	c      *collector
	lr     *lineReader
	pkgs   map[string]*goPkg
	pkgSeq []string
	builds map[string]*cappedText // build output by package import path
	// buildSeq and buildFailed keep build outputs in order and remember
	// build-fail events, for builds no package event ever claims.
	buildSeq    []string
	buildFailed map[string]bool
	stray       *cappedText // non-JSON lines, e.g. pre-1.24 build errors on stderr
	events      int
}

// parseGoTest reads `go test -json` output. Each test's failure text is its
// collected output without the "=== RUN"-style framing lines. A test that
// never reports an end (a timeout panic, a crash, a killed run) becomes an
// error carrying what it printed; a package that fails with no failing test
// (a build failure, TestMain exiting) becomes an error for the package id.
func parseGoTest(r io.Reader, c *collector) error {
	p := &goParser{c: c, lr: newLineReader(r, FormatGoTest, c.opts.MaxLineLength),
		pkgs: map[string]*goPkg{}, builds: map[string]*cappedText{}, buildFailed: map[string]bool{},
		stray: c.newText()}
	for p.lr.Scan() {
		line := bytes.TrimSpace(p.lr.Bytes())
		if len(line) == 0 {
			continue
		}
		if line[0] != '{' {
			p.stray.WriteString(string(line) + "\n")
			continue
		}
		var ev goEvent
		if err := json.Unmarshal(line, &ev); err != nil {
			return p.lr.errAt("invalid test2json event: " + err.Error())
		}
		p.events++
		if err := p.event(&ev); err != nil {
			return err
		}
	}
	if err := p.lr.Err(); err != nil {
		return err
	}
	if p.events == 0 && p.stray.Len() > 0 {
		return p.lr.errAt("no test2json events found (is this `go test -json` output?)")
	}
	// Output ended with tests still running: the binary was killed or the
	// stream was cut. Report them rather than lose them.
	for _, name := range p.pkgSeq {
		if pkg := p.pkgs[name]; pkg != nil {
			if err := p.endPackage(name, pkg, false, "", "test output ended before the test reported a result"); err != nil {
				return err
			}
		}
	}
	// A build that failed for a package whose tests never started.
	for _, path := range p.buildSeq {
		if out := p.builds[path]; out != nil && p.buildFailed[path] {
			if err := p.c.add(Result{Test: path, Outcome: Error, FailureText: out.String()}, p.lr.line, p.lr.start); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *goParser) pkg(name string) (*goPkg, error) {
	pkg := p.pkgs[name]
	if pkg == nil {
		// Packages hold state until they end; bound them like results.
		if err := p.c.room(len(p.pkgs)+1, p.lr.line, p.lr.start); err != nil {
			return nil, err
		}
		pkg = &goPkg{running: map[string]*goRun{}, out: p.c.newText()}
		p.pkgs[name] = pkg
		p.pkgSeq = append(p.pkgSeq, name)
	}
	return pkg, nil
}

func (p *goParser) event(ev *goEvent) error {
	switch ev.Action {
	case "build-output":
		path := buildPackage(ev.ImportPath)
		if p.builds[path] == nil {
			if err := p.c.room(len(p.builds)+1, p.lr.line, p.lr.start); err != nil {
				return err
			}
			p.builds[path] = p.c.newText()
			p.buildSeq = append(p.buildSeq, path)
		}
		p.builds[path].WriteString(ev.Output)
		return nil
	case "build-fail":
		p.buildFailed[buildPackage(ev.ImportPath)] = true
		return nil
	case "start", "pause", "cont", "bench":
		return nil
	}
	pkg, err := p.pkg(ev.Package)
	if err != nil {
		return err
	}
	if ev.Test == "" {
		switch ev.Action {
		case "output":
			pkg.out.WriteString(ev.Output)
		case "fail":
			return p.endPackage(ev.Package, pkg, true, ev.FailedBuild, "")
		case "pass", "skip":
			return p.endPackage(ev.Package, pkg, false, "", "")
		}
		return nil
	}
	id := goTestID(ev.Package, ev.Test)
	switch ev.Action {
	case "run":
		if err := p.c.room(len(pkg.running)+1, p.lr.line, p.lr.start); err != nil {
			return err
		}
		if _, dup := pkg.running[ev.Test]; !dup {
			pkg.order = append(pkg.order, ev.Test)
		}
		pkg.running[ev.Test] = &goRun{id: id, out: p.c.newText(), line: p.lr.line, off: p.lr.start}
	case "output":
		if run := pkg.running[ev.Test]; run != nil {
			if !isFraming(ev.Output) {
				run.out.WriteString(ev.Output)
			}
		} else {
			pkg.out.WriteString(ev.Output)
		}
	case "pass", "fail", "skip":
		o := map[string]Outcome{"pass": Pass, "fail": Fail, "skip": Skip}[ev.Action]
		d, err := durationOf(ev.Elapsed, time.Second)
		if err != nil {
			return p.lr.errAt("Elapsed: " + err.Error())
		}
		res := Result{Test: id, Outcome: o, Duration: d}
		if run := pkg.running[ev.Test]; run != nil {
			res.FailureText = run.out.String()
			delete(pkg.running, ev.Test)
		}
		if o == Fail {
			pkg.failed++
		}
		return p.c.add(res, p.lr.line, p.lr.start)
	}
	return nil
}

// endPackage reports the package's unfinished tests and, when the package
// failed without a failing test to show for it, the package itself. why, if
// set, says why unfinished tests are unfinished (the stream ended).
func (p *goParser) endPackage(name string, pkg *goPkg, failed bool, failedBuild, why string) error {
	delete(p.pkgs, name)
	unfinished := 0
	for _, test := range pkg.order {
		run := pkg.running[test]
		if run == nil {
			continue
		}
		delete(pkg.running, test)
		unfinished++
		text := run.out.String()
		if why != "" {
			text += "\n[triaged: " + why + "]\n"
		} else {
			// A crash may be printed at package level, after the test's lines.
			text += pkg.out.String()
		}
		if err := p.c.add(Result{Test: run.id, Outcome: Error, FailureText: text}, run.line, run.off); err != nil {
			return err
		}
	}
	build := p.builds[name]
	delete(p.builds, name)
	if failedBuild != "" {
		if b := p.builds[buildPackage(failedBuild)]; b != nil {
			build = b
			delete(p.builds, buildPackage(failedBuild))
		}
	}
	if failedBuild == "" && !(failed && unfinished == 0 && pkg.failed == 0) {
		return nil
	}
	var text strings.Builder
	if build != nil {
		text.WriteString(build.String())
	} else if failedBuild != "" {
		text.WriteString(p.stray.String()) // before Go 1.24 build errors went to stderr
	}
	text.WriteString(pkg.out.String())
	return p.c.add(Result{Test: name, Outcome: Error, FailureText: text.String()}, p.lr.line, p.lr.start)
}

// goTestID joins package and test as the package documentation describes.
func goTestID(pkg, test string) string {
	if pkg == "" {
		return test
	}
	return pkg + "." + test
}

// buildPackage strips the " [pkg.test]" variant suffix from an import path.
func buildPackage(importPath string) string {
	if i := strings.IndexByte(importPath, ' '); i >= 0 {
		return importPath[:i]
	}
	return importPath
}

// isFraming reports lines the testing package prints to mark test state
// changes; they carry no failure information and vary with parallelism.
func isFraming(s string) bool {
	return strings.HasPrefix(s, "=== RUN ") || strings.HasPrefix(s, "=== PAUSE ") ||
		strings.HasPrefix(s, "=== CONT ") || strings.HasPrefix(s, "=== NAME ")
}
