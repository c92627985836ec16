package stress

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/report"
	"golang.org/x/sys/windows"
)

// helperEnv selects the part TestTreeHelperProcess plays when this test
// binary runs as a command's process; unset, it is an ordinary test that
// does nothing.
const helperEnv = "TRIAGED_TREE_HELPER"

// TestTreeHelperProcess is the command the Windows tree tests run:
//   - "root" starts a middle process and waits for it, then waits for the
//     grandchild to be up and then exits (TREE_ROOT=exit) or hangs;
//   - "middle" starts the grandchild and exits at once, orphaning it;
//   - "grandchild" writes its pid to the file UP and sleeps;
//   - "owner" plays triaged: it starts a grandchild in a tree, and once it
//     is up exits without closing the tree, as a crash would.
func TestTreeHelperProcess(t *testing.T) {
	switch os.Getenv(helperEnv) {
	case "":
		return
	case "root":
		if err := helper("middle").Run(); err != nil {
			t.Fatalf("middle: %v", err)
		}
		for !exists(os.Getenv("UP")) {
			time.Sleep(10 * time.Millisecond)
		}
		if os.Getenv("TREE_ROOT") == "exit" {
			return
		}
		time.Sleep(time.Hour)
	case "middle":
		if err := helper("grandchild").Start(); err != nil {
			t.Fatalf("grandchild: %v", err)
		}
	case "owner":
		tree, err := newProcTree()
		if err != nil {
			t.Fatal(err)
		}
		cmd := helper("grandchild")
		tree.prepare(cmd)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if err := tree.started(cmd); err != nil {
			t.Fatal(err)
		}
		for !exists(os.Getenv("UP")) {
			time.Sleep(10 * time.Millisecond)
		}
		os.Exit(0)
	case "grandchild":
		up := os.Getenv("UP")
		os.WriteFile(up+".tmp", []byte(strconv.Itoa(os.Getpid())), 0o644)
		os.Rename(up+".tmp", up)
		time.Sleep(time.Hour)
	}
}

// helper is this test binary run to play role in TestTreeHelperProcess.
func helper(role string) *exec.Cmd {
	exe, _ := os.Executable()
	// With a context, as the tree's Cancel requires; never cancelled.
	cmd := exec.CommandContext(context.Background(), exe, "-test.run=^TestTreeHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+role)
	return cmd
}

// TestExecTimeoutKillsOrphanedGrandchild times out a command whose
// grandchild outlives its parent: taskkill /T cannot find it through its
// dead parent, the job still holds it.
func TestExecTimeoutKillsOrphanedGrandchild(t *testing.T) {
	t.Parallel()
	up := upFile(t)
	root := helper("root")
	c := Command{Argv: root.Args, Env: []string{helperEnv + "=root", "UP=" + up}, Timeout: 5 * time.Second}
	if r := runOnce(t, c); r.Outcome != report.Error || !strings.Contains(r.Results[0].FailureText, "timed out") {
		t.Errorf("got %v %q, want an error saying it timed out", r.Outcome, r.Results[0].FailureText)
	}
	assertGone(t, up)
}

// TestExecKillsOrphanedGrandchildOnExit runs a command that passes but
// leaves an orphaned grandchild behind: it dies when the command exits.
func TestExecKillsOrphanedGrandchildOnExit(t *testing.T) {
	t.Parallel()
	up := upFile(t)
	root := helper("root")
	c := Command{Argv: root.Args, Env: []string{helperEnv + "=root", "TREE_ROOT=exit", "UP=" + up}, Timeout: time.Minute}
	if r := runOnce(t, c); r.Outcome != report.Pass {
		t.Errorf("got %v %q, want a pass", r.Outcome, r.Results[0].FailureText)
	}
	assertGone(t, up)
}

// upFile names a file, in a directory of its own, for the grandchild to
// write its pid to. Not t.TempDir: under Wine 8 its RemoveAll fails on a
// file with "Invalid function", where os.Remove succeeds. (Go's RemoveAll
// deletes through FileDispositionInformationEx and falls back only on the
// statuses Windows gives when that is unsupported; Wine gives another.)
func upFile(t *testing.T) string {
	dir, err := os.MkdirTemp("", "proctree-")
	if err != nil {
		t.Fatal(err)
	}
	up := filepath.Join(dir, "up")
	t.Cleanup(func() {
		os.Remove(up)
		os.Remove(dir)
	})
	return up
}

// TestJobKillsOnClose checks that a run's processes die with triaged: when
// it crashes, Windows closes its handle to the job, which kills the job.
func TestJobKillsOnClose(t *testing.T) {
	t.Parallel()
	up := upFile(t)
	owner := helper("owner")
	owner.Env = append(owner.Env, "UP="+up)
	if out, err := owner.CombinedOutput(); err != nil {
		t.Fatalf("owner: %v\n%s", err, out)
	}
	assertGone(t, up)
}

// runOnce runs c once, as triaged stress exec does.
func runOnce(t *testing.T, c Command) Record {
	t.Helper()
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	var rec Record
	Run(t.Context(), Options{Iterations: 1, Parallel: 1, OnRecord: func(r Record) { rec = r }}, c.Iteration(1))
	return rec
}

// assertGone fails the test unless the process whose pid is in the file up
// has exited, or does within a few seconds.
func assertGone(t *testing.T, up string) {
	t.Helper()
	b, err := os.ReadFile(up)
	if err != nil {
		t.Fatalf("the grandchild never started: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("the grandchild's pid: %v", err)
	}
	h, err := windows.OpenProcess(windows.SYNCHRONIZE|windows.PROCESS_TERMINATE, false, uint32(pid))
	if err != nil {
		return // no such process any more
	}
	defer windows.CloseHandle(h)
	if ev, _ := windows.WaitForSingleObject(h, 5000); ev != windows.WAIT_OBJECT_0 {
		windows.TerminateProcess(h, 1) // not to leave it to the next test
		t.Errorf("grandchild %d survived the run", pid)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
