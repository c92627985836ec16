package stress

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// FailureLog keeps every failing iteration's output in a directory, one
// file per failure, as x/tools' stress does: the summary names the
// directory and quotes the first failure's tail, and a person reads the
// rest as the test printed it. Add is called from Options.OnRecord, one
// record at a time.
type FailureLog struct {
	dir   string // "" until the first failure when none was given
	given bool
	files int
	first *Record
	path  string // the first failure's file
}

// NewFailureLog keeps failures in dir, made if needed; with dir "" a new
// directory under os.TempDir is made at the first failure.
func NewFailureLog(dir string) *FailureLog { return &FailureLog{dir: dir, given: dir != ""} }

// Add writes r's file if r failed.
func (l *FailureLog) Add(r Record) error {
	if !r.Failed() {
		return nil
	}
	if l.dir == "" {
		d, err := os.MkdirTemp("", "triaged-stress-")
		if err != nil {
			return fmt.Errorf("keep failing output: %w", err)
		}
		l.dir = d
	} else if err := os.MkdirAll(l.dir, 0o755); err != nil {
		return fmt.Errorf("keep failing output: %w", err)
	}
	path := filepath.Join(l.dir, fmt.Sprintf("iteration-%06d.log", r.Iteration))
	if err := os.WriteFile(path, failureFile(r), 0o644); err != nil {
		return fmt.Errorf("keep failing output: %w", err)
	}
	l.files++
	if l.first == nil || r.Iteration < l.first.Iteration {
		rr := r
		l.first, l.path = &rr, path
	}
	return nil
}

// Dir is where the failures are, or "" when none was kept.
func (l *FailureLog) Dir() string {
	if l.files == 0 && !l.given {
		return ""
	}
	return l.dir
}

// Files counts the files written.
func (l *FailureLog) Files() int { return l.files }

// First is the failing iteration with the lowest number, its file, and the
// last lines of what it printed (or, for a scenario, of the detector's
// account); ok is false when nothing failed.
func (l *FailureLog) First(lines int) (r Record, path, tail string, ok bool) {
	if l.first == nil {
		return Record{}, "", "", false
	}
	return *l.first, l.path, lastLines(failureBody(*l.first), lines), true
}

// failureFile is a failing iteration's file: what failed, each with the
// first line of its failure text, then everything the command printed or,
// for a scenario, the detector's whole account.
func failureFile(r Record) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "iteration %d, seed %d: %s after %v\n", r.Iteration, r.Seed, r.Outcome, r.Duration.Round(1e6))
	for _, res := range r.Results {
		if res.Outcome.Failed() {
			first, _, _ := strings.Cut(strings.TrimSpace(res.FailureText), "\n")
			fmt.Fprintf(&b, "  %s %s: %s\n", res.Outcome, res.Test, first)
		}
	}
	if r.WholeCommand {
		fmt.Fprintf(&b, "%s\n", WholeCommandHint)
	}
	if len(r.Output) > 0 {
		fmt.Fprintf(&b, "\n--- output ---\n")
		b.Write(r.Output)
		return b.Bytes()
	}
	for _, res := range r.Results {
		if res.Outcome.Failed() && res.FailureText != "" {
			fmt.Fprintf(&b, "\n--- %s ---\n%s\n", res.Test, strings.TrimRight(res.FailureText, "\n"))
		}
	}
	return b.Bytes()
}

// failureBody is what a summary quotes the tail of.
func failureBody(r Record) string {
	if len(r.Output) > 0 {
		return string(r.Output)
	}
	var b strings.Builder
	for _, res := range r.Results {
		if res.Outcome.Failed() {
			b.WriteString(FailureText(res))
		}
	}
	return b.String()
}

// lastLines returns the last n lines of s, each cut to a terminal's width.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	lines = lines[max(0, len(lines)-n):]
	for i, l := range lines {
		if len(l) > 240 {
			lines[i] = strings.ToValidUTF8(l[:240], "") + "…"
		}
	}
	return strings.Join(lines, "\n")
}
