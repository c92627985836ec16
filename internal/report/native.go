package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// nativeResult is one element of the native document's "results" array.
// Pointers tell a missing field from a zero one where that matters.
type nativeResult struct {
	Test            string          `json:"test"`
	Outcome         string          `json:"outcome"`
	DurationSeconds *float64        `json:"duration_seconds"`
	FailureText     string          `json:"failure_text"`
	Output          string          `json:"output"`
	Iteration       int             `json:"iteration"`
	Attempt         int             `json:"attempt"`
	Seed            int64           `json:"seed"`
	Detector        json.RawMessage `json:"detector"`
}

// parseNative reads the native JSON document (schema in the package
// documentation), one result at a time so a large upload is never held
// twice. Decoding is strict: unknown fields, a second document or trailing
// garbage are errors.
func parseNative(r io.Reader, c *collector) error {
	dec := json.NewDecoder(fullReads{r})
	dec.DisallowUnknownFields()
	fail := func(off int64, msg string, err error) error {
		var pe *ParseError
		if errors.As(err, &pe) {
			return err
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		var ae *absError
		if errors.As(err, &ae) {
			off = ae.off
		}
		var te *json.UnmarshalTypeError
		if ae == nil && errors.As(err, &te) {
			off += te.Offset // Decode reports it relative to the value
		}
		return &ParseError{Format: FormatJSON, Offset: off, Msg: msg, Err: err}
	}
	if err := expectDelim(dec, '{'); err != nil {
		return fail(dec.InputOffset(), "want a JSON object {\"results\": [...]}", err)
	}
	sawResults := false
	for dec.More() {
		off := dec.InputOffset()
		tok, err := token(dec)
		if err != nil {
			return fail(off, "malformed document", err)
		}
		switch key, _ := tok.(string); key {
		case "version":
			var v int
			if err := dec.Decode(&v); err != nil || v != 1 {
				return fail(off, "unsupported version (want 1)", err)
			}
		case "results":
			if sawResults {
				return fail(off, `duplicate "results"`, nil)
			}
			sawResults = true
			if err := parseNativeResults(dec, c, fail); err != nil {
				return err
			}
		default:
			return fail(off, fmt.Sprintf("unknown field %q (want version, results)", key), nil)
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return fail(dec.InputOffset(), "malformed document", err)
	}
	if !sawResults {
		return fail(dec.InputOffset(), `missing "results"`, nil)
	}
	if _, err := token(dec); !errors.Is(err, io.EOF) {
		return fail(dec.InputOffset(), "trailing data after the document", err)
	}
	return nil
}

func parseNativeResults(dec *json.Decoder, c *collector, fail func(int64, string, error) error) error {
	if err := expectDelim(dec, '['); err != nil {
		return fail(dec.InputOffset(), `"results" must be an array`, err)
	}
	for i := 0; dec.More(); i++ {
		off := dec.InputOffset()
		if err := c.room(1, 0, off); err != nil {
			return err
		}
		var nr nativeResult
		if err := dec.Decode(&nr); err != nil {
			return fail(off, fmt.Sprintf("results[%d]", i), err)
		}
		res, err := nr.result(c.opts)
		if err != nil {
			return fail(off, fmt.Sprintf("results[%d]: %v", i, err), nil)
		}
		if err := c.add(res, 0, off); err != nil {
			return err
		}
	}
	if err := expectDelim(dec, ']'); err != nil {
		return fail(dec.InputOffset(), "malformed results array", err)
	}
	return nil
}

// result validates nr. Unlike the other formats, whose producers we do not
// control, the native document is ours, so bad values are refused rather
// than repaired.
func (nr *nativeResult) result(opts Options) (Result, error) {
	var r Result
	switch {
	case strings.TrimSpace(nr.Test) == "":
		return r, errors.New(`"test" is required`)
	case len(nr.Test) > MaxTestIDLen:
		return r, fmt.Errorf(`"test" is longer than %d bytes`, MaxTestIDLen)
	case !utf8.ValidString(nr.Test) || strings.ContainsAny(nr.Test, "\x00\n\r"):
		return r, errors.New(`"test" must be one line of valid UTF-8`)
	case nr.Iteration < 0 || nr.Attempt < 0:
		return r, errors.New(`"iteration" and "attempt" must not be negative`)
	case nr.Iteration > MaxIteration || nr.Attempt > MaxIteration:
		return r, fmt.Errorf(`"iteration" and "attempt" must be at most %d`, MaxIteration)
	}
	if c, ok := controlChar(nr.Test); ok {
		return r, fmt.Errorf(`"test" contains the control character %U`, c)
	}
	o, err := ParseOutcome(nr.Outcome)
	if err != nil {
		return r, fmt.Errorf(`"outcome": %w`, err)
	}
	r = Result{Test: nr.Test, Outcome: o, Iteration: nr.Iteration, Attempt: nr.Attempt, Seed: nr.Seed,
		FailureText: capString(nr.FailureText, opts.MaxFailureText), Output: capString(nr.Output, opts.MaxFailureText)}
	if d := nr.DurationSeconds; d != nil {
		d, err := durationOf(*d, time.Second)
		if err != nil {
			return r, fmt.Errorf(`"duration_seconds": %v (want 0 to %v in seconds)`, err, MaxDuration.Seconds())
		}
		r.Duration = d
	}
	if det := bytes.TrimSpace(nr.Detector); len(det) > 0 && !bytes.Equal(det, []byte("null")) {
		if det[0] != '{' {
			return r, errors.New(`"detector" must be a JSON object`)
		}
		if len(det) > MaxDetectorLen {
			return r, fmt.Errorf(`"detector" is larger than %d bytes`, MaxDetectorLen)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, det); err != nil {
			return r, fmt.Errorf(`"detector": %w`, err)
		}
		r.Detector = buf.Bytes()
	}
	return r, nil
}

// fullReads fills each buffer it is given unless the input ends first.
// json.Decoder, looking for the next token, scans again from where it
// stopped each time it reads more, so over a run of white space every
// read cost the whole run: a chunked body arriving a few KiB at a time made
// that quadratic (30 MB of spaces in an array took 11.8 s of CPU). Filled
// reads double with the decoder's buffer, so the rescans add up to a few
// times the input: linear work for any body.
type fullReads struct{ r io.Reader }

func (f fullReads) Read(p []byte) (int, error) {
	n, err := io.ReadFull(f.r, p)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = io.EOF
	}
	return n, err
}

// absError carries a position that is already absolute. Token, unlike
// Decode, reports a number too large for float64 at its offset in the whole
// input, not relative to where the value began.
type absError struct {
	off int64
	err error
}

func (e *absError) Error() string { return e.err.Error() }
func (e *absError) Unwrap() error { return e.err }

func token(dec *json.Decoder) (json.Token, error) {
	tok, err := dec.Token()
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		// At the end of the input it can point one byte past it.
		return nil, &absError{off: min(te.Offset, dec.InputOffset()), err: err}
	}
	return tok, err
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := token(dec)
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("found %v, want %q", tok, string(want))
	}
	return nil
}
