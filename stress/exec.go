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
// turns what it printed (or wrote as JUnit) into results.
func (c Command) Iteration(seed int64) Iteration {
	return func(ctx context.Context, i int) Record {
		start := time.Now()
		rec := Record{Iteration: i, Seed: seed + int64(i)}
		out, exitErr, timedOut := c.run(ctx, i, rec.Seed)
		rec.Duration = time.Since(start)
		rec.Results = c.results(i, out, exitErr, timedOut, rec.Duration)
		rec.Outcome = report.Pass
		for k := range rec.Results {
			rec.Results[k].Iteration, rec.Results[k].Seed = i, rec.Seed
			if rec.Results[k].Outcome.Failed() && !rec.Outcome.Failed() {
				rec.Outcome = rec.Results[k].Outcome
			}
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

// results parses the run's results; with none to parse, the command itself
// is the test and its exit status the outcome.
func (c Command) results(i int, out []byte, exitErr error, timedOut bool, d time.Duration) []report.Result {
	var rs []report.Result
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
		return rs
	}
	own := report.Result{Test: c.ID(), Outcome: report.Pass, Duration: d}
	if why != "" {
		own.Outcome = report.Fail
		if timedOut || parseErr != nil || len(rs) > 0 {
			own.Outcome = report.Error
		}
		own.FailureText = capText(why+"\n\n"+string(out), c.Limits.MaxFailureText)
	}
	return append(rs, own)
}

func exitStatus(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ProcessState.String()
	}
	return err.Error()
}

// capText keeps the tail of an over-long text, where the failure usually is.
func capText(s string, limit int) string {
	if limit <= 0 {
		limit = report.DefaultMaxFailureText
	}
	if len(s) <= limit {
		return s
	}
	return fmt.Sprintf("… [%d bytes cut]\n", len(s)-limit) + s[len(s)-limit:]
}
