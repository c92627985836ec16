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

// daemonPy, run as `python3 -c daemonPy UP`, writes its pid to the file UP
// and sleeps: a test's daemon, with UP, a path unique to the test, in its
// command line as a marker.
const daemonPy = `import os, sys, time
open(sys.argv[1] + ".tmp", "w").write(str(os.getpid()))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(1000)`

// detach is a shell script that starts daemonPy in a session of its own
// (setsid), waits until it is up, and then runs then. The daemon's parent is
// the script, so it is orphaned when the script dies.
const detach = `setsid python3 -c "$DAEMON_PY" "$UP" & while [ ! -e "$UP" ]; do sleep 0.01; done; echo daemon up; `

func TestExecTimeoutKillsSetsidGrandchild(t *testing.T) {
	t.Parallel()
	up := filepath.Join(t.TempDir(), "up")
	// Long enough for python3 to start on a loaded host: the daemon must be
	// up before the timeout for the test to mean anything.
	c := Command{Argv: []string{"sh", "-c", detach + "exec sleep 1000"}, Env: []string{"DAEMON_PY=" + daemonPy, "UP=" + up}, Timeout: 15 * time.Second}
	_, recs := runCommand(t, c, 1, 1)
	r := recs[0]
	if r.Outcome != report.Error || !strings.Contains(r.Results[0].FailureText, "timed out") {
		t.Errorf("got %v %q, want an error saying it timed out", r.Outcome, r.Results[0].FailureText)
	}
	assertGone(t, up)
}

// TestExecKillsLeftoverDaemon runs a command that passes but leaves a
// daemon behind, holding its output: the daemon dies when the command
// exits, and the run neither waits for it nor fails for it. A run that
// waited for the daemon's pipes would end only at its timeout, as an error.
func TestExecKillsLeftoverDaemon(t *testing.T) {
	t.Parallel()
	up := filepath.Join(t.TempDir(), "up")
	c := Command{Argv: []string{"sh", "-c", detach + "exit 0"}, Env: []string{"DAEMON_PY=" + daemonPy, "UP=" + up}, Timeout: time.Minute}
	_, recs := runCommand(t, c, 1, 1)
	if r := recs[0]; r.Outcome != report.Pass {
		t.Errorf("got %v %q, want a pass (an error saying it timed out means the run waited for the daemon's pipes)", r.Outcome, r.Results[0].FailureText)
	}
	assertGone(t, up)
}

// TestExecParallelRunsKillOnlyTheirOwn runs iterations side by side, each
// with a daemon it checks is alive after the others have ended: one run's
// cleanup must not kill another's processes.
func TestExecParallelRunsKillOnlyTheirOwn(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	script := `UP=$DIR/up-$TRIAGED_ITERATION; ` + detach + `sleep $((TRIAGED_ITERATION % 4)); kill -0 $(cat "$UP")`
	c := Command{Argv: []string{"sh", "-c", script}, Env: []string{"DAEMON_PY=" + daemonPy, "DIR=" + dir}, Timeout: 20 * time.Second}
	sum, recs := runCommand(t, c, 8, 4)
	if sum.Failures != 0 {
		for _, r := range recs {
			if r.Failed() {
				t.Errorf("iteration %d: %q", r.Iteration, r.Results[0].FailureText)
			}
		}
		t.Fatalf("%d of %d runs lost their daemon early", sum.Failures, sum.Runs)
	}
	for i := range 8 {
		assertGone(t, filepath.Join(dir, "up-"+strconv.Itoa(i)))
	}
}

// TestExecTimeoutKillsRegrtestWorker stresses CPython's regrtest with -j1 on
// a test that hangs: its worker, which starts a session of its own, must die
// at the timeout with the main process.
func TestExecTimeoutKillsRegrtestWorker(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	up := filepath.Join(dir, "up")
	test := `import os, time, unittest
class Hang(unittest.TestCase):
    def test_hang(self):
        open(` + strconv.Quote(up+".tmp") + `, "w").write(str(os.getpid()))
        os.rename(` + strconv.Quote(up+".tmp") + `, ` + strconv.Quote(up) + `)
        time.sleep(1000)
`
	if err := os.WriteFile(filepath.Join(dir, "test_hang.py"), []byte(test), 0o644); err != nil {
		t.Fatal(err)
	}
	c := Command{Argv: []string{"python3", "-m", "test", "-j1", "--testdir", dir, "test_hang"}, Dir: dir, Timeout: 10 * time.Second}
	_, recs := runCommand(t, c, 1, 1)
	if r := recs[0]; r.Outcome != report.Error || !strings.Contains(r.Results[0].FailureText, "timed out") {
		t.Errorf("got %v %q, want an error saying it timed out", r.Outcome, r.Results[0].FailureText)
	}
	// The worker's command line names the test directory.
	for _, pid := range withArg(dir) {
		t.Errorf("process %d survived the timeout: %s", pid, cmdline(pid))
	}
	assertGone(t, up)
}

// TestTreeKillsDetachedProcesses runs the setsid daemon through a tree with
// each way of finding a run's processes: the token alone (any Linux) and
// the cgroup (where this process may make one).
func TestTreeKillsDetachedProcesses(t *testing.T) {
	t.Parallel()
	cgroupBase := ownCgroupDir()
	for _, tc := range []struct {
		name, base, script string
		cancel             bool // cancel the run once the daemon is up, as a timeout does
		needCgroup         bool
	}{
		{name: "token/timeout", script: detach + "exec sleep 1000", cancel: true},
		{name: "token/exit", script: detach + "exit 0"},
		{name: "cgroup/timeout", base: cgroupBase, script: detach + "exec sleep 1000", cancel: true, needCgroup: true},
		{name: "cgroup/exit", base: cgroupBase, script: detach + "exit 0", needCgroup: true},
		// Only a cgroup holds a process with no token and no parent in
		// the run: a fresh environment, its own session, orphaned.
		{name: "cgroup/fresh-environment", base: cgroupBase, needCgroup: true,
			script: `(env -i "$PYTHON" -c "import os; os.setsid(); exec($DAEMON_PY_REPR)" "$UP" &); while [ ! -e "$UP" ]; do sleep 0.01; done; exit 0`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.needCgroup && tc.base == "" {
				t.Skip("this process cannot make cgroups: the token alone is tested")
			}
			tree, err := newProcTreeIn(tc.base)
			if err != nil {
				t.Fatal(err)
			}
			if tc.needCgroup && tree.cgroup == nil {
				t.Fatalf("no cgroup made under %s", tc.base)
			}
			if !tc.needCgroup && tree.cgroup != nil {
				t.Fatal("a cgroup was made, so the token is not what is tested")
			}
			up := filepath.Join(t.TempDir(), "up")
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			cmd := exec.CommandContext(ctx, "sh", "-c", tc.script)
			cmd.Env = append(os.Environ(), "DAEMON_PY="+daemonPy, "DAEMON_PY_REPR="+strconv.Quote(daemonPy), "UP="+up, "PYTHON="+python(t))
			cmd.WaitDelay = 5 * time.Second
			if tc.cancel {
				go func() {
					for ctx.Err() == nil && !exists(up) {
						time.Sleep(10 * time.Millisecond)
					}
					cancel()
				}()
			}
			err = tree.run(cmd)
			if tc.cancel != (err != nil) {
				t.Errorf("run: %v", err)
			}
			assertGone(t, up)
			if tree.cgroup != nil && exists(tree.cgroup.dir) {
				t.Errorf("cgroup %s left behind", tree.cgroup.dir)
			}
		})
	}
}

// TestReapOrphansSparesExecChildren checks that reaping adopted orphans
// leaves alone a child an exec.Cmd will Wait for, even once it is a zombie.
func TestReapOrphansSparesExecChildren(t *testing.T) {
	t.Parallel()
	if !becomeSubreaper() {
		t.Fatal("this process cannot become a subreaper: Go does not track children with pidfds here")
	}
	child := exec.Command("sh", "-c", "exit 3")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	// An orphan: a process whose parent exits first, adopted by this one.
	up := filepath.Join(t.TempDir(), "up")
	orphan := exec.Command("sh", "-c", `(sh -c 'echo $$ > "$0.tmp"; mv "$0.tmp" "$0"' "$UP" &)`)
	orphan.Env = append(os.Environ(), "UP="+up)
	if out, err := orphan.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !zombie(child.Process.Pid) || !exists(up) {
		if time.Now().After(deadline) {
			t.Fatal("the child did not exit, or the orphan did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	b, _ := os.ReadFile(up)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	for running(pid) {
		if time.Now().After(deadline) {
			t.Fatal("the orphan did not exit")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Another test's run may have reaped the orphan already; if not, it
	// must be this process's to reap.
	if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil {
		if p, err := parseStat(b); err == nil && p.ppid != os.Getpid() {
			t.Fatalf("the orphan's parent is %d, not this process: it is no subreaper", p.ppid)
		}
	}
	reapOrphans()
	var ee *exec.ExitError
	if err := child.Wait(); !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Errorf("Wait: got %v, want exit status 3: reapOrphans stole the child", err)
	}
	assertGone(t, up)
}

func TestParseStat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, line string
		want       proc
	}{
		{"plain", "42 (sleep) S 1 42 42 0 -1 4194560 0 0", proc{pid: 42, ppid: 1, pgrp: 42, state: 'S'}},
		{"comm with spaces and parentheses", "7 (a) b (c) Z 6 5 5 0 -1 4194308 0", proc{pid: 7, ppid: 6, pgrp: 5, state: 'Z', exiting: true}},
	} {
		got, err := parseStat([]byte(tc.line))
		if err != nil || got != tc.want {
			t.Errorf("%s: got %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "42 sleep S 1 42", "42 (sleep) S 1", "x (sleep) S 1 42 42 0 -1 0"} {
		if _, err := parseStat([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// assertGone fails the test unless the process whose pid is in the file up
// has died and been reaped: neither running nor a zombie.
func assertGone(t *testing.T, up string) {
	t.Helper()
	b, err := os.ReadFile(up)
	if err != nil {
		t.Fatalf("the daemon never started: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("the daemon's pid: %v", err)
	}
	if running(pid) {
		t.Errorf("process %d survived: %s", pid, cmdline(pid))
	} else if zombie(pid) {
		t.Errorf("process %d is dead but nobody reaped it", pid)
	}
	for _, other := range withArg(up) {
		if other != pid {
			t.Errorf("process %d survived: %s", other, cmdline(other))
		}
	}
}

// withArg lists the live processes with arg in their command line.
func withArg(arg string) []int {
	all, _ := procs()
	var pids []int
	for _, p := range all {
		if p.live() && strings.Contains(cmdline(p.pid), arg) {
			pids = append(pids, p.pid)
		}
	}
	return pids
}

func cmdline(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	return strings.ReplaceAll(string(b), "\x00", " ")
}

func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	p, err := parseStat(b)
	return err == nil && !p.live()
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// python returns the path of the python3 binary itself, for a command run
// with no PATH.
func python(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		t.Fatalf("python3 is needed: %v", err)
	}
	return strings.TrimSpace(string(out))
}
