package stress

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/triaged/triaged/internal/report"
)

// maxOutput bounds the output kept of one run of a command: the head and the
// tail, where test runners print what matters.
const maxOutput = 32 << 20

// Command is an external test command to stress.
type Command struct {
	Argv    []string
	Dir     string
	Env     []string      // added to the environment
	Timeout time.Duration // per run; the whole process tree is killed after it
	// Format of the results: report.FormatAuto sniffs the output; JUnitPath,
	// when set, names the JUnit file the command writes ({iteration} is
	// replaced by the iteration number).
	Format    report.Format
	JUnitPath string
	Limits    report.Options
}

// ErrCommandNotFound means the command's program does not exist: a usage
// error, reported before any iteration runs.
var ErrCommandNotFound = errors.New("command not found")

// Check verifies that the command can be started. A relative program path
// (./run-tests.sh) is looked for in Dir, where the command will run: a
// repository's own script in a worktree.
func (c Command) Check() error {
	if len(c.Argv) == 0 {
		return fmt.Errorf("%w: no command given", ErrCommandNotFound)
	}
	prog := c.Argv[0]
	if c.Dir != "" && !filepath.IsAbs(prog) && strings.ContainsAny(prog, `/`+string(filepath.Separator)) {
		prog = filepath.Join(c.Dir, prog)
	}
	if _, err := exec.LookPath(prog); err != nil {
		return fmt.Errorf("%w: %s", ErrCommandNotFound, c.Argv[0])
	}
	return nil
}

// ID names the command as a test when its output holds no per-test results.
func (c Command) ID() string {
	argv := append([]string{filepath.Base(c.Argv[0])}, c.Argv[1:]...)
	return strings.Join(argv, " ")
}

// Iteration returns the campaign iteration that runs the command once and
// turns what it printed (or wrote as JUnit) into results. A failing
// iteration keeps what the command printed in Record.Output, and its first
// failing test carries the output's tail (report.Result.Output), so that
// an upload shows a real example beside the test's own failure text.
func (c Command) Iteration(seed int64) Iteration {
	return func(ctx context.Context, i int) Record {
		start := time.Now()
		rec := Record{Iteration: i, Seed: seed + int64(i)}
		out, exitErr, timedOut := c.run(ctx, i, rec.Seed)
		rec.Duration = time.Since(start)
		rec.Results, rec.WholeCommand = c.results(i, out, exitErr, timedOut, rec.Duration)
		rec.Outcome = report.Pass
		for k := range rec.Results {
			rec.Results[k].Iteration, rec.Results[k].Seed = i, rec.Seed
			if rec.Results[k].Outcome.Failed() && !rec.Outcome.Failed() {
				rec.Outcome = rec.Results[k].Outcome
			}
		}
		if rec.Failed() {
			rec.Output = out
		}
		return rec
	}
}

func (c Command) run(ctx context.Context, i int, seed int64) (out []byte, exitErr error, timedOut bool) {
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	// Every process the command starts dies at the timeout or, left
	// behind, when the command exits (proctree.go).
	tree, err := newProcTree()
	if err != nil {
		return nil, fmt.Errorf("prepare to track the command's processes: %w", err), false
	}
	cmd := exec.CommandContext(ctx, c.Argv[0], c.Argv[1:]...)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), c.Env...)
	cmd.Env = append(cmd.Env, "TRIAGED_ITERATION="+strconv.Itoa(i), "TRIAGED_SEED="+strconv.FormatInt(seed, 10))
	buf := &headTail{max: maxOutput}
	cmd.Stdout, cmd.Stderr = buf, buf
	cmd.WaitDelay = 5 * time.Second // a grandchild holding the pipes must not hang us
	exitErr = tree.run(cmd)
	return buf.Bytes(), exitErr, errors.Is(ctx.Err(), context.DeadlineExceeded)
}

// WholeCommandHint is said once per campaign when a command's output holds
// no per-test results triaged can read, and ends the failure text of the
// whole-command result; stress.Sign leaves it out, so it never changes a
// signature.
const WholeCommandHint = "[triaged] only a whole-command verdict is possible: the output names no test in a format triaged reads. " +
	"For per-test results, run the tests verbosely (go test -v, pytest -v, python -m test -v) and name the format if it is not recognised " +
	"(--format NAME: gotest, pytest, regrtest, cargo, tap, jest, mocha; see --help), or have the command write JUnit XML (--format junit=PATH)."

// results parses the run's results; with none to parse, the command itself
// is the test and its exit status the outcome (whole is then true).
func (c Command) results(i int, out []byte, exitErr error, timedOut bool, d time.Duration) (rs []report.Result, whole bool) {
	var parseErr error
	switch {
	case c.JUnitPath != "":
		path := strings.ReplaceAll(c.JUnitPath, "{iteration}", strconv.Itoa(i))
		f, err := os.Open(filepath.Join(c.Dir, path))
		if err != nil {
			parseErr = fmt.Errorf("read JUnit file: %w", err)
			break
		}
		rs, parseErr = report.Parse(f, report.FormatJUnit, c.Limits)
		f.Close()
	case c.Format != "":
		rs, parseErr = report.Parse(bytes.NewReader(out), c.Format, c.Limits)
		if c.Format == report.FormatAuto && errors.Is(parseErr, report.ErrUnknownFormat) {
			parseErr = nil // plain output: the exit status is the result
		}
	}
	whole = parseErr == nil && len(rs) == 0
	failing := 0
	for _, r := range rs {
		if r.Outcome.Failed() {
			failing++
		}
	}
	// The command's own verdict counts whenever the results do not explain
	// it: a crash after the tests, a timeout, unparsable output.
	var why string
	switch {
	case timedOut:
		why = fmt.Sprintf("timed out after %v; the process tree was killed", c.Timeout)
	case parseErr != nil:
		why = "could not read the results: " + parseErr.Error()
	case exitErr != nil && failing == 0:
		why = "exited with " + exitStatus(exitErr)
	case len(rs) > 0:
		c.attachOutput(rs, out)
		return rs, false
	}
	own := report.Result{Test: c.ID(), Outcome: report.Pass, Duration: d}
	if why != "" {
		own.Outcome = report.Fail
		if timedOut || parseErr != nil || len(rs) > 0 {
			own.Outcome = report.Error
		}
		var hint string
		if whole {
			hint = "\n\n" + WholeCommandHint
		}
		own.FailureText = why + "\n\n" + capTail(string(out), c.maxText()-len(why)-len(hint)-2) + hint
	}
	return append(rs, own), whole
}

// attachOutput gives the first failing result that has a failure text of
// its own the tail of what the command printed, so an upload carries the
// context of the failure (another test's panic, a timeout's goroutine
// dump) without changing what the failure is signed by.
func (c Command) attachOutput(rs []report.Result, out []byte) {
	for k := range rs {
		if rs[k].Outcome.Failed() && rs[k].FailureText != "" && rs[k].Output == "" {
			rs[k].Output = capTail(string(out), c.maxText())
			return
		}
	}
}

// maxText is the most failure text (or output) one result keeps.
func (c Command) maxText() int {
	if c.Limits.MaxFailureText > 0 {
		return c.Limits.MaxFailureText
	}
	return report.DefaultMaxFailureText
}

func exitStatus(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ProcessState.String()
	}
	return err.Error()
}

// capTail keeps the tail of an over-long text, where the failure usually
// is, within limit bytes, cut at a line break when one is near.
func capTail(s string, limit int) string {
	limit = max(limit, 1024)
	if len(s) <= limit {
		return s
	}
	marker := fmt.Sprintf("… [%d bytes cut]\n", len(s)-limit)
	tail := s[len(s)-limit+len(marker):]
	if k := strings.IndexByte(tail, '\n'); k >= 0 && k < 200 {
		tail = tail[k+1:]
	}
	return fmt.Sprintf("… [%d bytes cut]\n", len(s)-len(tail)) + strings.ToValidUTF8(tail, "")
}
