package report

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// xmlRecorder keeps the bytes of the token being decoded, so that an
// illegal character can be located exactly. It is an io.ByteReader, so
// encoding/xml reads from it without buffering ahead.
type xmlRecorder struct {
	r         *bufio.Reader
	buf       []byte
	start     int64 // input offset of buf[0]
	total     int64 // bytes read
	converted bool  // a charset reader now sits between: offsets no longer match
}

func (x *xmlRecorder) ReadByte() (byte, error) {
	b, err := x.r.ReadByte()
	if err == nil {
		x.buf = append(x.buf, b)
		x.total++
	}
	return b, err
}

func (x *xmlRecorder) Read(p []byte) (int, error) {
	n, err := x.r.Read(p)
	x.buf = append(x.buf, p[:n]...)
	x.total += int64(n)
	return n, err
}

// startToken forgets what came before offset off, where the decoder is
// about to read; a byte it read and put back stays.
func (x *xmlRecorder) startToken(off int64) {
	keep := x.total - off
	if keep < 0 || keep > int64(len(x.buf)) {
		keep = 0
	}
	n := copy(x.buf, x.buf[int64(len(x.buf))-keep:])
	x.buf = x.buf[:n]
	x.start = off
}

// illegal finds the first character XML does not allow in the current
// token: its input offset and how many lines into the token it is.
func (x *xmlRecorder) illegal() (int64, int, bool) {
	if x.converted {
		return 0, 0, false
	}
	for i := 0; i < len(x.buf); {
		r, size := utf8.DecodeRune(x.buf[i:])
		if r == utf8.RuneError && size == 1 || !isXMLChar(r) {
			return x.start + int64(i), bytes.Count(x.buf[:i], []byte("\n")), true
		}
		i += size
	}
	return 0, 0, false
}

// isXMLChar is the XML 1.0 Char production.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

const (
	maxXMLDepth               = 64
	maxCaseVerdicts           = 256 // failure/error/rerun elements in one testcase
	regrtestUnexpectedSuccess = "UNEXPECTED_SUCCESS"
)

// juVerdict is a failure, error, skipped, outcome (regrtest), or Surefire
// flaky/rerun element of a testcase.
type juVerdict struct {
	kind           string
	message, typ   string
	body           *cappedText
	stdout, stderr *cappedText // Surefire nests these inside flaky/rerun elements
}

type juCase struct {
	id             string
	dur            time.Duration
	line           int
	off            int64
	verdicts       []*juVerdict
	stdout, stderr *cappedText
	suiteLevel     bool // a verdict directly inside <testsuite>, not in a case
}

type juParser struct {
	c      *collector
	d      *xml.Decoder
	suites []string
	cs     *juCase
	v      *juVerdict
	// captures is a stack: text inside <stackTrace> or <system-out> nested
	// in a verdict goes to their buffers, then back to the verdict's body.
	captures []capture
	depth    int
	root     bool
	rec      *xmlRecorder
}

// parseJUnit reads JUnit XML. DTDs are refused outright, so entity tricks
// (billion laughs, external entities) never reach a parser that would
// expand them; encoding/xml itself expands no entities beyond the standard
// five. encoding/xml hands over each text node whole before it is capped,
// so a single huge node costs its size in memory: bound the input
// (Options.MaxBytes or the HTTP body limit).
func parseJUnit(r io.Reader, c *collector) error {
	rec := &xmlRecorder{r: bufio.NewReader(r)}
	p := &juParser{c: c, d: xml.NewDecoder(rec), rec: rec}
	p.d.CharsetReader = func(charset string, input io.Reader) (io.Reader, error) {
		rec.converted = true
		return charsetReader(charset, input)
	}
	for {
		rec.startToken(p.d.InputOffset())
		line, _ := p.d.InputPos()
		tok, err := p.d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return p.xmlErr(err, line)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return p.errAt("DTDs and XML directives are not allowed in a test report")
		case xml.StartElement:
			if err := p.start(t); err != nil {
				return err
			}
		case xml.EndElement:
			if err := p.end(t.Name.Local); err != nil {
				return err
			}
		case xml.CharData:
			if n := len(p.captures); n > 0 {
				p.captures[n-1].buf.WriteString(string(t))
			}
		}
	}
	if !p.root {
		return p.errAt("no <testsuites> or <testsuite> element")
	}
	return nil
}

func (p *juParser) start(t xml.StartElement) error {
	p.depth++
	if p.depth > maxXMLDepth {
		return p.errAt(fmt.Sprintf("elements nested deeper than %d", maxXMLDepth))
	}
	name := t.Name.Local
	if !p.root {
		if name != "testsuites" && name != "testsuite" {
			return p.errAt(fmt.Sprintf("root element is <%s>, want <testsuites> or <testsuite>", name))
		}
		p.root = true
	}
	switch name {
	case "testsuite":
		if p.cs == nil {
			p.suites = append(p.suites, attr(t, "name"))
		}
		return nil
	case "testcase":
		if p.cs != nil {
			return p.errAt("<testcase> inside <testcase>")
		}
		line, off := p.pos()
		if err := p.c.room(1, line, off); err != nil {
			return err
		}
		dur, err := parseSeconds(attr(t, "time"))
		if err != nil {
			return &ParseError{Format: FormatJUnit, Line: line, Offset: off, Msg: "testcase " + err.Error()}
		}
		p.cs = &juCase{id: junitID(attr(t, "classname"), attr(t, "name"), p.suites), dur: dur, line: line, off: off}
		return nil
	}
	if p.cs == nil && (name == "failure" || name == "error") && len(p.suites) > 0 {
		// A suite-level failure (a crashed fixture) becomes a result named
		// after the suite; Jenkins reports these the same way.
		line, off := p.pos()
		p.cs = &juCase{id: lastNonEmpty(p.suites), line: line, off: off, suiteLevel: true}
	}
	if p.cs == nil {
		return nil
	}
	switch name {
	case "failure", "error", "skipped", "outcome", "flakyFailure", "flakyError", "rerunFailure", "rerunError":
		if p.v != nil {
			return nil
		}
		if len(p.cs.verdicts) >= maxCaseVerdicts {
			return p.errAt(fmt.Sprintf("more than %d verdicts in one testcase", maxCaseVerdicts))
		}
		p.v = &juVerdict{kind: name, message: capString(attr(t, "message"), p.c.opts.MaxFailureText),
			typ: capString(attr(t, "type"), 256), body: p.c.newText()}
		p.setCapture(p.v.body)
	case "stackTrace":
		if p.v != nil {
			p.setCapture(p.v.body)
		}
	case "system-out", "system-err":
		p.setCapture(p.outputBuf(name))
	}
	return nil
}

// outputBuf returns the buffer for a system-out/system-err element: the
// verdict's own for Surefire reruns, else the case's.
func (p *juParser) outputBuf(name string) *cappedText {
	out, errb := &p.cs.stdout, &p.cs.stderr
	if p.v != nil {
		out, errb = &p.v.stdout, &p.v.stderr
	}
	dst := out
	if name == "system-err" {
		dst = errb
	}
	if *dst == nil {
		*dst = p.c.newText()
	}
	return *dst
}

type capture struct {
	buf   *cappedText
	depth int
}

func (p *juParser) setCapture(c *cappedText) { p.captures = append(p.captures, capture{c, p.depth}) }

func (p *juParser) end(name string) error {
	defer func() { p.depth-- }()
	if n := len(p.captures); n > 0 && p.captures[n-1].depth == p.depth {
		p.captures = p.captures[:n-1]
	}
	switch name {
	case "testsuite":
		if p.cs == nil && len(p.suites) > 0 {
			p.suites = p.suites[:len(p.suites)-1]
		}
	case "testcase":
		if p.cs != nil && !p.cs.suiteLevel {
			cs := p.cs
			p.cs = nil
			return p.emit(cs)
		}
	case "failure", "error", "skipped", "outcome", "flakyFailure", "flakyError", "rerunFailure", "rerunError":
		if p.v != nil && p.v.kind == name {
			p.cs.verdicts = append(p.cs.verdicts, p.v)
			p.v = nil
			if p.cs.suiteLevel {
				cs := p.cs
				p.cs = nil
				return p.emit(cs)
			}
		}
	}
	return nil
}

func (p *juParser) pos() (int, int64) {
	line, _ := p.d.InputPos()
	off := p.d.InputOffset()
	if p.rec.converted && off > p.rec.total {
		// Offsets count the decoded text, which a charset reader made
		// longer than the input (one Latin-1 byte, two in UTF-8): no
		// further than what was read.
		off = p.rec.total
	}
	return line, off
}

func (p *juParser) errAt(msg string) error {
	line, off := p.pos()
	return &ParseError{Format: FormatJUnit, Line: line, Offset: off, Msg: msg}
}

// xmlErr positions a decoder error; startLine is the line the failed token
// began on.
func (p *juParser) xmlErr(err error, startLine int) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		return err // a limit hit by the counting reader, already positioned
	}
	line, off := p.pos()
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		line = se.Line
		// encoding/xml reads a whole text or attribute before it checks
		// its characters, so its own position is past the bad one.
		if strings.HasPrefix(se.Msg, "illegal character code") || se.Msg == "invalid UTF-8" {
			if o, l, ok := p.rec.illegal(); ok {
				off, line = o, startLine+l
			}
		}
		return &ParseError{Format: FormatJUnit, Line: line, Offset: off, Msg: "malformed XML: " + se.Msg}
	}
	return &ParseError{Format: FormatJUnit, Line: line, Offset: off, Msg: "read", Err: err}
}

// junitID builds the test id as the package documentation describes.
func junitID(classname, name string, suites []string) string {
	switch {
	case classname == "" && name == "":
		return ""
	case classname == "":
		if s := lastNonEmpty(suites); s != "" && !strings.Contains(name, ".") {
			return s + "." + name
		}
		return name
	case name == "" || classname == name:
		return classname
	}
	return classname + "." + name
}

func lastNonEmpty(ss []string) string {
	for i := len(ss) - 1; i >= 0; i-- {
		if ss[i] != "" {
			return ss[i]
		}
	}
	return ""
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// parseSeconds reads a time attribute: a decimal number of seconds, or
// nothing. Surefire once wrote thousands separators ("1,234.5"), which are
// read as such; any other comma ("1,5") is refused, because a decimal comma
// and a thousands separator cannot be told apart ("1,234" is either), and a
// duration read wrong by a factor of 1000 is worse than none.
func parseSeconds(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if strings.Contains(s, ",") {
		if !isGroupedThousands(s) {
			return 0, fmt.Errorf("time %q: a comma is allowed only between groups of thousands; write seconds as 1.5", s)
		}
		s = strings.ReplaceAll(s, ",", "")
	}
	return parseDuration(s, time.Second)
}

// isGroupedThousands matches "1,234" and "12,345,678.9".
func isGroupedThousands(s string) bool {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if hasFrac && (frac == "" || strings.Trim(frac, "0123456789") != "") {
		return false
	}
	groups := strings.Split(whole, ",")
	if len(groups[0]) < 1 || len(groups[0]) > 3 || groups[0][0] == '0' {
		return false
	}
	for i, g := range groups {
		if strings.Trim(g, "0123456789") != "" || i > 0 && len(g) != 3 {
			return false
		}
	}
	return true
}
