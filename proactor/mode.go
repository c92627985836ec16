package proactor

import "fmt"

// Mode selects the pause semantics of a Transport.
type Mode uint8

const (
	// Fixed is the zero Mode and the post-bpo-33694 behaviour (CPython
	// commit 79790bc3): PauseReading never cancels the outstanding read;
	// its data is held as pending and delivered on ResumeReading before a
	// new read is posted.
	Fixed Mode = iota
	// Legacy reproduces pre-fix asyncio (3.7.0b5) on purpose: PauseReading
	// cancels the outstanding read and a completion for a cancelled read is
	// ignored, so a cancel that lost the race (ErrNotFound) loses bytes. It
	// is the positive control for the data-loss detector; never use it to
	// move data you care about.
	Legacy
)

// String returns "fixed" or "legacy", the names used on the command line
// and in stress output.
func (m Mode) String() string {
	switch m {
	case Fixed:
		return "fixed"
	case Legacy:
		return "legacy"
	}
	return fmt.Sprintf("Mode(%d)", uint8(m))
}

// ParseMode maps "fixed" or "legacy" to a Mode. The empty string is an
// error rather than Fixed, so a missing flag value is caught instead of
// silently picking a mode.
func ParseMode(s string) (Mode, error) {
	switch s {
	case "fixed":
		return Fixed, nil
	case "legacy":
		return Legacy, nil
	}
	return Fixed, fmt.Errorf("unknown proactor mode %q: want fixed or legacy", s)
}

// Config tunes a Transport. The zero Config is valid: Fixed mode, 64 KiB
// reads, a 4096-event trace.
type Config struct {
	// Mode is Fixed unless Legacy is set explicitly.
	Mode Mode
	// ReadSize is the buffer size of each posted read.
	ReadSize int
	// TraceEvents bounds the trace ring; discards are kept apart from the
	// ring so evidence of loss is not overwritten by later traffic.
	TraceEvents int
	// Phase is the initial phase label of the trace, "plaintext" if empty.
	Phase string
}

func (c Config) withDefaults() Config {
	if c.ReadSize <= 0 {
		c.ReadSize = 64 << 10
	}
	if c.TraceEvents <= 0 {
		c.TraceEvents = 4096
	}
	if c.Phase == "" {
		c.Phase = "plaintext"
	}
	return c
}
