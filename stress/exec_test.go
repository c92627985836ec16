//go:build unix

package stress

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/report"
)

func runCommand(t *testing.T, c Command, iterations, parallel int) (Summary, []Record) {
	t.Helper()
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	var recs []Record
	sum := Run(context.Background(), Options{Iterations: iterations, Parallel: parallel, OnRecord: func(r Record) { recs = append(recs, r) }}, c.Iteration(1))
	return sum, recs
}

func TestExecFlakyExitCode(t *testing.T) {
	t.Parallel()
	// Fails on every third iteration.
	c := Command{Argv: []string{"sh", "-c", `echo "run $TRIAGED_ITERATION"; [ $((TRIAGED_ITERATION % 3)) -ne 2 ]`}, Format: report.FormatAuto}
	sum, recs := runCommand(t, c, 9, 3)
	if sum.Runs != 9 || sum.Failures != 3 {
		t.Fatalf("got %d/%d failed, want 3/9", sum.Failures, sum.Runs)
	}
	for _, r := range recs {
		if r.Failed() != (r.Iteration%3 == 2) {
			t.Errorf("iteration %d: failed=%v", r.Iteration, r.Failed())
		}
		if len(r.Results) != 1 || r.Results[0].Test != c.ID() || r.Results[0].Iteration != r.Iteration {
			t.Errorf("iteration %d: results %+v", r.Iteration, r.Results)
		}
		if r.Failed() && !strings.Contains(r.Results[0].FailureText, "exit status 1") {
			t.Errorf("failure text lacks the exit status: %q", r.Results[0].FailureText)
		}
	}
}

func TestExecTimeoutKillsProcessTree(t *testing.T) {
	t.Parallel()
	pidFile := filepath.Join(t.TempDir(), "child")
	c := Command{Argv: []string{"sh", "-c", `sleep 300 & echo $! > ` + pidFile + `; echo started; wait`}, Timeout: 500 * time.Millisecond}
	start := time.Now()
	_, recs := runCommand(t, c, 1, 1)
	if time.Since(start) > 30*time.Second {
		t.Fatalf("took %v: the timeout did not stop the command", time.Since(start))
	}
	r := recs[0]
	if r.Outcome != report.Error || !strings.Contains(r.Results[0].FailureText, "timed out") || !strings.Contains(r.Results[0].FailureText, "started") {
		t.Errorf("got %v %q, want an error saying it timed out, with the output kept", r.Outcome, r.Results[0].FailureText)
	}
	b, _ := os.ReadFile(pidFile)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if pid <= 0 {
		t.Fatal("the command did not record its child")
	}
	deadline := time.Now().Add(5 * time.Second)
	for running(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("grandchild %d still running after the timeout", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestExecCommandNotFound(t *testing.T) {
	t.Parallel()
	if err := (Command{Argv: []string{"no-such-command-xyz"}}).Check(); !errors.Is(err, ErrCommandNotFound) {
		t.Errorf("got %v, want ErrCommandNotFound", err)
	}
}

func TestExecParsesJUnitFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	script := `i=$TRIAGED_ITERATION; if [ $i -eq 1 ]; then f='<failure message="boom">AssertionError: boom</failure>'; fi
echo "<testsuite><testcase classname=\"m.C\" name=\"test_a\">$f</testcase><testcase classname=\"m.C\" name=\"test_b\"/></testsuite>" > out-$i.xml
[ $i -ne 1 ]`
	c := Command{Argv: []string{"sh", "-c", script}, Dir: dir, JUnitPath: "out-{iteration}.xml"}
	sum, recs := runCommand(t, c, 3, 1)
	if sum.Failures != 1 {
		t.Fatalf("got %d failures, want 1", sum.Failures)
	}
	for _, r := range recs {
		if len(r.Results) != 2 {
			t.Errorf("iteration %d: %d results, want the two tests (a failing test explains the exit status)", r.Iteration, len(r.Results))
		}
	}
}

func TestExecUnreadableOutputIsRecorded(t *testing.T) {
	t.Parallel()
	c := Command{Argv: []string{"sh", "-c", `echo '{"Action":"run","Test":'`}, Format: report.FormatGoTest}
	sum, recs := runCommand(t, c, 2, 1)
	if sum.Runs != 2 || sum.Failures != 2 || recs[0].Outcome != report.Error {
		t.Fatalf("got %+v, want both iterations recorded as errors", sum)
	}
	if !strings.Contains(recs[0].Results[0].FailureText, "could not read the results") {
		t.Errorf("failure text: %q", recs[0].Results[0].FailureText)
	}
}

func TestHeadTailKeepsBothEnds(t *testing.T) {
	t.Parallel()
	h := &headTail{max: 100}
	h.Write([]byte("HEAD"))
	for range 1000 {
		h.Write([]byte("xxxxxxxxxx"))
	}
	h.Write([]byte("TAIL"))
	out := string(h.Bytes())
	if !strings.HasPrefix(out, "HEAD") || !strings.HasSuffix(out, "TAIL") || !strings.Contains(out, "bytes of output cut") || len(out) > 200 {
		t.Errorf("got %q", out)
	}
}

// running reports whether pid is a live process (a zombie waiting for its
// reaper does not count).
func running(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return exec.Command("kill", "-0", strconv.Itoa(pid)).Run() == nil
	}
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}

// TestExecWholeCommandHint: output no parser reads gives a whole-command
// result whose failure text ends with how to get per-test results, and
// the hint does not change its signature.
func TestExecWholeCommandHint(t *testing.T) {
	t.Parallel()
	c := Command{Argv: []string{"sh", "-c", `echo "it broke"; exit 1`}, Format: report.FormatAuto}
	_, recs := runCommand(t, c, 1, 1)
	r := recs[0]
	if !r.WholeCommand || len(r.Results) != 1 || string(r.Output) != "it broke\n" {
		t.Fatalf("got whole=%v results=%+v output=%q", r.WholeCommand, r.Results, r.Output)
	}
	text := r.Results[0].FailureText
	if !strings.HasPrefix(text, "exited with exit status 1\n\nit broke\n") || !strings.HasSuffix(text, WholeCommandHint) {
		t.Errorf("failure text %q: want the exit status, the output, then the hint", text)
	}
	if got, want := Sign(text, nil), Sign(strings.TrimSuffix(text, "\n\n"+WholeCommandHint), nil); got != want {
		t.Errorf("the hint changed the signature: %v, want %v", got, want)
	}
}

// TestExecPerTestCarriesOutput: a parsed failing test keeps its own
// failure text and carries the iteration's output beside it, for uploads.
func TestExecPerTestCarriesOutput(t *testing.T) {
	t.Parallel()
	script := `printf '=== RUN   TestA\n--- FAIL: TestA (0.00s)\n    a_test.go:3: bad\nother noise\nFAIL\nFAIL\tex.com/p\t0.01s\n'; exit 1`
	c := Command{Argv: []string{"sh", "-c", script}, Format: report.FormatAuto}
	_, recs := runCommand(t, c, 1, 1)
	r := recs[0]
	if r.WholeCommand || len(r.Results) != 1 || r.Results[0].Test != "ex.com/p.TestA" {
		t.Fatalf("got whole=%v results=%+v", r.WholeCommand, r.Results)
	}
	res := r.Results[0]
	if !strings.Contains(res.FailureText, "a_test.go:3: bad") || !strings.Contains(res.Output, "other noise") {
		t.Errorf("failure text %q, output %q: want the test's text and the iteration's output", res.FailureText, res.Output)
	}
}

func TestCapTailKeepsTheEnd(t *testing.T) {
	t.Parallel()
	s := strings.Repeat("line of output\n", 1000) + "the failure\n"
	got := capTail(s, 2000)
	if len(got) > 2100 || !strings.HasSuffix(got, "the failure\n") || !strings.HasPrefix(got, "… [") {
		t.Errorf("capTail: %d bytes, %q…", len(got), got[:40])
	}
}

// TestCommandInDir runs a program given relative to the command's
// directory, as a repository's own script is in a worktree.
func TestCommandInDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "run.sh"), []byte("#!/bin/sh\necho in \"$PWD\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := (Command{Argv: []string{"./run.sh"}}).Check(); err == nil {
		t.Error("./run.sh was found outside its directory")
	}
	cmd := Command{Argv: []string{"./run.sh"}, Dir: dir, Timeout: time.Minute}
	if err := cmd.Check(); err != nil {
		t.Fatal(err)
	}
	rec := cmd.Iteration(1)(context.Background(), 0)
	if rec.Failed() {
		t.Errorf("./run.sh in %s failed: %+v", dir, rec.Results)
	}
}
