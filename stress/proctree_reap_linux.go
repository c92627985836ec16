package stress

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// becomeSubreaper makes this process a child subreaper, once: orphans of
// the commands it runs are then reparented to it instead of init, so they
// stay in reach, and it must reap them itself (reapOrphans).
//
// It does so only when Go tracks every child it starts with a pidfd (Linux
// 5.4 and later): an open pidfd is how reapOrphans tells exec's children,
// which exec reaps, from adopted orphans, which nobody else will. Without
// pidfds it reports false and init keeps its role. The setting is one per
// process, hence the package-level Once; everything else in triaged that
// starts processes does so through os/exec and is unaffected.
var becomeSubreaper = sync.OnceValue(func() bool {
	self := os.Getpid()
	p, err := os.FindProcess(self) // a pidfd when Go uses them
	if err != nil {
		return false
	}
	uses := heldPidfds()[self]
	p.Release()
	return uses && unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == nil
})

// reapOrphans reaps the zombie children of this process that no os.Process
// refers to: orphans it adopted as a subreaper. A blanket wait would steal
// the exit status of a child some exec.Cmd is about to Wait for (another
// run, or the server's embedded Postgres), so it waits only for pids it
// knows no pidfd of this process names.
//
// The children are listed before the pidfds: a child exec started has its
// pidfd from the moment it exists until exec has reaped it, so a child
// found without one is an orphan.
//
// A killed process leaves its cgroup and its environment before it turns
// zombie, and its own children are reparented to this process only then, so
// the tree just killed may still be dying: reapOrphans waits, for a while,
// until no orphan is.
func reapOrphans() {
	self := os.Getpid()
	deadline := time.Now().Add(killWait)
	for {
		all, err := procs()
		if err != nil {
			return
		}
		var orphans []proc
		for _, p := range all {
			if p.ppid == self && (p.exiting || !p.live()) {
				orphans = append(orphans, p)
			}
		}
		if len(orphans) == 0 {
			return
		}
		held := heldPidfds()
		dying := false
		for _, p := range orphans {
			switch {
			case held[p.pid]:
			case p.live():
				dying = true
			default:
				var ws unix.WaitStatus
				unix.Wait4(p.pid, &ws, unix.WNOHANG, nil)
			}
		}
		if !dying || time.Now().After(deadline) {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// heldPidfds returns the pids that the pidfds open in this process refer to,
// read from /proc/self/fdinfo, where a pidfd shows a "Pid:" line.
func heldPidfds() map[int]bool {
	held := make(map[int]bool)
	d, err := os.Open("/proc/self/fdinfo")
	if err != nil {
		return held
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	for _, n := range names {
		f, err := os.Open("/proc/self/fdinfo/" + n)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "Pid:"); ok {
				if pid, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && pid > 0 {
					held[pid] = true
				}
				break
			}
		}
		f.Close()
	}
	return held
}

// proc is one process as /proc/<pid>/stat shows it.
type proc struct {
	pid, ppid, pgrp int
	state           byte
	exiting         bool // killed or returning, it is on its way to zombie
}

// live reports whether the process still runs: a zombie has exited and
// waits only to be reaped.
func (p proc) live() bool { return p.state != 'Z' && p.state != 'X' && p.state != 'x' }

// procs lists the processes in /proc; one that exits while it reads is left
// out.
func procs() ([]proc, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return nil, err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return nil, err
	}
	all := make([]proc, 0, len(names))
	for _, n := range names {
		if n[0] < '0' || n[0] > '9' {
			continue
		}
		b, err := os.ReadFile("/proc/" + n + "/stat")
		if err != nil {
			continue
		}
		if p, err := parseStat(b); err == nil {
			all = append(all, p)
		}
	}
	return all, nil
}

// parseStat reads the pid, state, parent, process group and whether it is
// exiting from a line of /proc/<pid>/stat: "pid (comm) state ppid pgrp
// session tty tpgid flags …", where comm, the program's name, may itself
// hold spaces and parentheses.
func parseStat(b []byte) (proc, error) {
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return proc{}, fmt.Errorf("stat %q: no (comm)", b)
	}
	var p proc
	var err error
	if p.pid, err = strconv.Atoi(string(bytes.TrimSpace(b[:open]))); err != nil {
		return proc{}, fmt.Errorf("stat %q: pid: %w", b, err)
	}
	f := strings.Fields(string(b[end+1:]))
	if len(f) < 7 || len(f[0]) != 1 {
		return proc{}, fmt.Errorf("stat %q: too few fields", b)
	}
	p.state = f[0][0]
	if p.ppid, err = strconv.Atoi(f[1]); err != nil {
		return proc{}, fmt.Errorf("stat %q: ppid: %w", b, err)
	}
	if p.pgrp, err = strconv.Atoi(f[2]); err != nil {
		return proc{}, fmt.Errorf("stat %q: pgrp: %w", b, err)
	}
	flags, err := strconv.ParseUint(f[6], 10, 64)
	if err != nil {
		return proc{}, fmt.Errorf("stat %q: flags: %w", b, err)
	}
	const pfExiting = 0x4 // PF_EXITING in include/linux/sched.h
	p.exiting = flags&pfExiting != 0
	return p, nil
}

// hasEnv reports whether process pid was started with name=value in its
// environment. Changing its environment (clearenv, os.environ.clear) does
// not change what /proc shows; only execve with another one, or overwriting
// that memory as setproctitle does, loses the mark.
func hasEnv(pid int, name, value string) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return false
	}
	want := "\x00" + name + "=" + value + "\x00"
	return strings.Contains("\x00"+string(b), want)
}
