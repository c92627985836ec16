package report

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Defaults for zero Options fields.
const (
	DefaultMaxResults     = 100_000
	DefaultMaxFailureText = 64 << 10
	DefaultMaxLineLength  = 1 << 20
	// MaxTestIDLen bounds a test id; longer ids are refused rather than cut,
	// since two cut ids could collide.
	MaxTestIDLen = 1024
	// MaxDetectorLen bounds a native detector report; JSON cannot be cut.
	MaxDetectorLen = 64 << 10
)

// Options bound what a parser keeps. Zero fields take the defaults above.
type Options struct {
	// MaxResults is the most results one report may yield; more is an error
	// wrapping ErrTooManyResults.
	MaxResults int
	// MaxFailureText is how many bytes of failure text are kept per result
	// (and of each captured stream in Output); the rest is cut from the
	// middle with a marker.
	MaxFailureText int
	// MaxLineLength bounds a line in the line-based formats (go test -json,
	// regrtest); longer is an error wrapping ErrLineTooLong.
	MaxLineLength int
	// MaxBytes, if positive, bounds the input; more is an error wrapping
	// ErrInputTooLarge. Zero leaves the bound to the caller (the upload
	// endpoint limits the body itself).
	MaxBytes int64
}

func (o Options) withDefaults() Options {
	if o.MaxResults <= 0 {
		o.MaxResults = DefaultMaxResults
	}
	if o.MaxFailureText <= 0 {
		o.MaxFailureText = DefaultMaxFailureText
	}
	if o.MaxLineLength <= 0 {
		o.MaxLineLength = DefaultMaxLineLength
	}
	return o
}

// Parse reads a whole report in format f and returns its results in report
// order. With FormatAuto the format is sniffed from the first SniffLen bytes.
// Errors about the input are *ParseError values.
func Parse(r io.Reader, f Format, opts Options) ([]Result, error) {
	opts = opts.withDefaults()
	cr := &countingReader{r: r, max: opts.MaxBytes}
	var src io.Reader = cr
	var prefix []byte
	if f == FormatAuto || f == FormatGoTest || f == FormatNode {
		// Read the prefix into a buffer that grows with the input, so a
		// small report costs little; then read it again before the rest.
		var buf bytes.Buffer
		if _, err := io.CopyN(&buf, cr, SniffLen); err != nil && !errors.Is(err, io.EOF) {
			return nil, &ParseError{Format: f, Offset: cr.n, Msg: "read", Err: err}
		}
		prefix = buf.Bytes()
		src = io.MultiReader(bytes.NewReader(prefix), cr)
	}
	if f == FormatAuto {
		var err error
		if f, err = Sniff(prefix); err != nil {
			return nil, &ParseError{Format: FormatAuto, Offset: 0, Msg: err.Error(), Err: ErrUnknownFormat}
		}
	}
	c := &collector{opts: opts, format: f}
	var err error
	switch f {
	case FormatJUnit:
		err = parseJUnit(src, c)
	case FormatGoTest:
		// One name for both shapes of go test output: -json or plain.
		if hasTest2JSON(prefix) {
			err = parseGoTest(src, c)
		} else {
			err = parseGoTestText(src, c)
		}
	case FormatRegrtest:
		err = parseRegrtest(src, c)
	case FormatPytest:
		err = parsePytest(src, c)
	case FormatCargo:
		err = parseCargo(src, c)
	case FormatTAP:
		err = parseTAP(src, c)
	case FormatNode:
		// node --test of Node 20 prints TAP when not on a terminal.
		if f, _ := sniffText(prefix); f == FormatTAP {
			err = parseTAP(src, c)
		} else {
			err = parseNodeSpec(src, c)
		}
	case FormatJest:
		err = parseJest(src, c)
	case FormatMocha:
		err = parseMocha(src, c)
	case FormatJSON:
		err = parseNative(src, c)
	default:
		return nil, fmt.Errorf("parse: %w %q", ErrUnknownFormat, f)
	}
	if err != nil {
		if cr.exceeded {
			// Line parsers see the cut-off last line before the read error;
			// whatever they made of it, the cause is the limit.
			return nil, &ParseError{Format: f, Offset: cr.max, Msg: fmt.Sprintf("more than %d bytes", cr.max), Err: ErrInputTooLarge}
		}
		if cr.err != nil && !errors.Is(err, cr.err) {
			// Likewise a failed read (a body that stopped arriving, an
			// upload refused midway): the caller answers by the cause.
			return nil, &ParseError{Format: f, Offset: cr.n, Msg: "read", Err: cr.err}
		}
		var pe *ParseError
		if !errors.As(err, &pe) {
			err = &ParseError{Format: f, Offset: cr.n, Msg: "read", Err: err}
		}
		return nil, err
	}
	return c.results, nil
}

// countingReader counts bytes read and enforces Options.MaxBytes.
type countingReader struct {
	r        io.Reader
	n        int64
	max      int64
	exceeded bool
	err      error // the first read error but EOF
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.max > 0 && c.n >= c.max {
		// One probe byte tells "exactly at the limit" from "over it".
		var b [1]byte
		if n, _ := io.ReadFull(c.r, b[:]); n > 0 {
			c.exceeded = true
			return 0, fmt.Errorf("%w: more than %d bytes", ErrInputTooLarge, c.max)
		}
		return 0, io.EOF
	}
	if c.max > 0 && int64(len(p)) > c.max-c.n {
		p = p[:c.max-c.n]
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}

// collector validates and accumulates results for one Parse call.
type collector struct {
	opts    Options
	format  Format
	results []Result
}

// room reports an error when n more results would exceed MaxResults; parsers
// call it before buffering state for a new test, so memory stays bounded.
func (c *collector) room(n int, line int, off int64) error {
	if len(c.results)+n > c.opts.MaxResults {
		return &ParseError{Format: c.format, Line: line, Offset: off,
			Msg: fmt.Sprintf("more than %d results", c.opts.MaxResults), Err: ErrTooManyResults}
	}
	return nil
}

// add checks r's test id and appends it; line and off locate the report
// element r came from, for the error.
func (c *collector) add(r Result, line int, off int64) error {
	if err := c.room(1, line, off); err != nil {
		return err
	}
	if strings.TrimSpace(r.Test) == "" {
		return &ParseError{Format: c.format, Line: line, Offset: off, Msg: "empty test id"}
	}
	if len(r.Test) > MaxTestIDLen {
		return &ParseError{Format: c.format, Line: line, Offset: off,
			Msg: fmt.Sprintf("test id longer than %d bytes", MaxTestIDLen)}
	}
	if ch, ok := controlChar(r.Test); ok {
		return &ParseError{Format: c.format, Line: line, Offset: off,
			Msg: fmt.Sprintf("test id %q contains the control character %U", r.Test, ch)}
	}
	r.Test = sanitize(r.Test)
	// Every result passes here, so this is where texts become storable,
	// whatever a parser pieced them together from.
	r.FailureText, r.Output = sanitize(r.FailureText), sanitize(r.Output)
	if !r.Outcome.Failed() {
		r.FailureText, r.Output = "", ""
	}
	c.results = append(c.results, r)
	return nil
}

func (c *collector) newText() *cappedText { return newCappedText(c.opts.MaxFailureText) }

// lineReader splits input into lines without the newline (and without a
// trailing \r), tracking the line number and the byte offset of its start.
type lineReader struct {
	sc     *bufio.Scanner
	format Format
	max    int
	line   int
	start  int64 // offset of the current line
	next   int64 // offset of the line after it
}

func newLineReader(r io.Reader, f Format, max int) *lineReader {
	lr := &lineReader{sc: bufio.NewScanner(r), format: f, max: max}
	lr.sc.Buffer(make([]byte, 0, min(max, 64<<10)), max)
	lr.sc.Split(func(data []byte, atEOF bool) (int, []byte, error) {
		adv, tok, err := bufio.ScanLines(data, atEOF)
		if tok != nil {
			lr.start, lr.next = lr.next, lr.next+int64(adv)
		}
		return adv, tok, err
	})
	return lr
}

// Scan advances to the next line, as bufio.Scanner.Scan does.
func (lr *lineReader) Scan() bool {
	if lr.sc.Scan() {
		lr.line++
		return true
	}
	return false
}

// Bytes returns the current line; valid until the next Scan.
func (lr *lineReader) Bytes() []byte { return lr.sc.Bytes() }

// Err returns a *ParseError for an over-long line or a read error.
func (lr *lineReader) Err() error {
	err := lr.sc.Err()
	if err == nil {
		return nil
	}
	if errors.Is(err, bufio.ErrTooLong) {
		return &ParseError{Format: lr.format, Line: lr.line + 1, Offset: lr.next,
			Msg: fmt.Sprintf("line longer than %d bytes", lr.max), Err: ErrLineTooLong}
	}
	return &ParseError{Format: lr.format, Line: lr.line + 1, Offset: lr.next, Msg: "read", Err: err}
}

// errAt builds a *ParseError at the current line.
func (lr *lineReader) errAt(msg string) error {
	return &ParseError{Format: lr.format, Line: lr.line, Offset: lr.start, Msg: msg}
}
