package stress

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// tokenEnv names the environment variable that marks every process of one
// run of a command: its value is random and unique to the run.
const tokenEnv = "TRIAGED_ITERATION_TOKEN"

// On Linux a run's processes are found three ways, so that each covers what
// the others miss:
//   - its own cgroup v2, when this process may create one: nothing can leave
//     it without privilege, whatever it does to its environment or parents,
//     and cgroup.kill kills it all at once;
//   - the tokenEnv marker, which every descendant inherits, setsid or not;
//     this works everywhere, but a process started with a fresh environment
//     (env -i, or a test passing env=) is found only through its parent;
//   - the parent links in /proc from any process found, and, while the
//     command has not been reaped, its process group.
//
// Only a process that clears its environment, leaves the process group and
// is orphaned escapes the last two, so where no cgroup can be made (a
// container with a read-only /sys/fs/cgroup) such a process survives.
//
// triaged also becomes a child subreaper (proctree_reap_linux.go): orphans
// of a run are reparented to it rather than to init, which in a container
// may not reap them, and it reaps them once they are killed.
type procTree struct {
	token    string
	cgroup   *runCgroup // nil when this process cannot make one
	reaper   bool       // this process is a subreaper and reaps its orphans
	root     int        // the command's pid, once started
	watching chan struct{}
}

// newProcTree prepares the tree of one run, with its own cgroup when this
// process can make one under its own.
func newProcTree() (*procTree, error) {
	return newProcTreeIn(ownCgroupDir())
}

// newProcTreeIn prepares the tree of one run with a cgroup made under base,
// or without one when base is "" or a cgroup cannot be made there.
func newProcTreeIn(base string) (*procTree, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("make a run token: %w", err)
	}
	t := &procTree{token: fmt.Sprintf("%x", b), reaper: becomeSubreaper()}
	if base != "" {
		// Without a cgroup the other two ways still work: not an error.
		t.cgroup, _ = newRunCgroup(base, "triaged-"+t.token)
	}
	return t, nil
}

func (t *procTree) prepare(cmd *exec.Cmd) {
	cmd.Env = append(cmd.Env, tokenEnv+"="+t.token)
	// The process group makes a terminal's ^C reach triaged alone, and
	// finds the plain children of the command at once.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if t.cgroup != nil {
		// Started inside its cgroup (clone3 with CLONE_INTO_CGROUP), the
		// command cannot fork before being moved into it.
		cmd.SysProcAttr.UseCgroupFD, cmd.SysProcAttr.CgroupFD = true, t.cgroup.fd
	}
	// exec calls Cancel when the context ends, in practice before it reaps
	// the command, so its pid and group still name the run (see started).
	cmd.Cancel = func() error { return t.kill(cmd.Process.Pid, true) }
}

// started watches for the command's exit, to kill what it leaves behind at
// once: a daemon holding its output pipes would otherwise make Wait sit
// out WaitDelay and report ErrWaitDelay for a test that passed.
func (t *procTree) started(cmd *exec.Cmd) error {
	t.root = cmd.Process.Pid
	// Wait has not run yet, so the pid still names the command.
	pidfd, err := unix.PidfdOpen(t.root, 0)
	if err != nil {
		return nil // an old kernel: close kills the leftovers after Wait
	}
	t.watching = make(chan struct{})
	go func() {
		defer close(t.watching)
		defer unix.Close(pidfd)
		fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
		for {
			// A pidfd polls readable when its process exits; it does not
			// reap it, which stays exec's job.
			if _, err := unix.Poll(fds, -1); err != unix.EINTR {
				break
			}
		}
		// The command is a zombie until Wait reaps it. Wait may do so
		// at this very moment, but the kernel hands out a pid again only
		// after cycling through all the others, so for now the pid and the
		// group still name the run.
		t.kill(t.root, true)
	}()
	return nil
}

func (t *procTree) close() error {
	if t.watching != nil {
		<-t.watching
	}
	// The command is reaped: its pid may name another process by now, so
	// only the token and the cgroup say what belongs to the run.
	err := t.kill(0, false)
	if t.cgroup != nil {
		err = errors.Join(err, t.cgroup.remove())
	}
	if t.reaper {
		reapOrphans()
	}
	return err
}

// kill kills every process of the run and waits for them to die. With
// rootHeld, root is the command's pid, not yet reaped, and its process
// group is the run's too.
func (t *procTree) kill(root int, rootHeld bool) error {
	deadline := time.Now().Add(killWait)
	for {
		// Both kills repeat until nothing is left: a process forked between
		// a scan and its kill is found by the next scan.
		if t.cgroup != nil {
			t.cgroup.kill()
		}
		pids, err := t.members(root, rootHeld)
		if err != nil {
			return fmt.Errorf("find the command's processes: %w", err)
		}
		if len(pids) == 0 && (t.cgroup == nil || !t.cgroup.populated()) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("processes of the command survived SIGKILL for %v: %v", killWait, pids)
		}
		for _, pid := range pids {
			unix.Kill(pid, unix.SIGKILL)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// members lists the live processes of the run found without its cgroup:
// those carrying its token, those in the command's process group while
// rootHeld, and the descendants of all of them.
func (t *procTree) members(root int, rootHeld bool) ([]int, error) {
	all, err := procs()
	if err != nil {
		return nil, err
	}
	self := os.Getpid()
	children := make(map[int][]proc)
	var queue []proc
	for _, p := range all {
		children[p.ppid] = append(children[p.ppid], p)
		if p.live() && p.pid != self &&
			(rootHeld && root > 0 && (p.pid == root || p.pgrp == root) || hasEnv(p.pid, tokenEnv, t.token)) {
			queue = append(queue, p)
		}
	}
	seen := make(map[int]bool)
	var pids []int
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p.pid] || !p.live() || p.pid == self {
			continue
		}
		seen[p.pid] = true
		pids = append(pids, p.pid)
		queue = append(queue, children[p.pid]...)
	}
	return pids, nil
}
