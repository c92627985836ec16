package report

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors, wrapped in a *ParseError where a position is known, so the
// upload endpoint can pick a status with errors.Is (413 for the limits, 415 for
// a content type it cannot read).
var (
	ErrTooManyResults         = errors.New("too many results")
	ErrInputTooLarge          = errors.New("input too large")
	ErrLineTooLong            = errors.New("line too long")
	ErrUnknownFormat          = errors.New("unknown report format")
	ErrUnsupportedContentType = errors.New("unsupported content type")
)

// ParseError describes malformed or over-limit input and where it was found.
type ParseError struct {
	Format Format
	// Line is 1-based; 0 when the parser cannot tell.
	Line int
	// Offset is the byte offset from the start of the input; -1 when unknown.
	Offset int64
	Msg    string
	// Err is the underlying cause, if any (a sentinel above, a read error).
	Err error
}

// Error formats the error as "format: line L, byte B: message".
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Format))
	b.WriteString(": ")
	switch {
	case e.Line > 0 && e.Offset >= 0:
		fmt.Fprintf(&b, "line %d, byte %d: ", e.Line, e.Offset)
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	case e.Offset >= 0:
		fmt.Fprintf(&b, "byte %d: ", e.Offset)
	}
	b.WriteString(e.Msg)
	if e.Err != nil && !strings.Contains(e.Msg, e.Err.Error()) {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *ParseError) Unwrap() error { return e.Err }
