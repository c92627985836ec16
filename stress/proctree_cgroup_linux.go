package stress

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// A runCgroup is the cgroup v2 of one run of a command, made under triaged's
// own cgroup: the command starts in it and everything it forks stays in it.
type runCgroup struct {
	dir string
	fd  int // the directory, for clone3's CLONE_INTO_CGROUP
}

// ownCgroupDir returns the directory of this process's cgroup v2 when it
// may make cgroups under it, or "". On a cgroup v1 or hybrid host only the
// unified hierarchy counts; in a container /sys/fs/cgroup is often
// read-only, and the run goes without.
func ownCgroupDir() string {
	mount, root := cgroup2Mount()
	if mount == "" {
		return ""
	}
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return ""
	}
	var path string
	for line := range strings.Lines(string(b)) {
		if p, ok := strings.CutPrefix(strings.TrimSpace(line), "0::"); ok {
			path = p
		}
	}
	// Seen from another cgroup namespace the path may lie outside the
	// mount, shown as "/../…".
	rel, ok := strings.CutPrefix(path, root)
	if path == "" || !ok || strings.Contains(rel, "..") {
		return ""
	}
	dir := filepath.Join(mount, rel)
	// Moving the command into a child cgroup takes write access to the
	// cgroup.procs of the common ancestor, this one.
	if unix.Access(filepath.Join(dir, "cgroup.procs"), unix.W_OK) != nil {
		return ""
	}
	return dir
}

// cgroup2Mount finds where the cgroup2 filesystem is mounted, and which of
// its cgroups is the root of that mount.
func cgroup2Mount() (mount, root string) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// "id parent major:minor root mount options [optional…] - fstype source superoptions"
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		fields, after := strings.Fields(pre), strings.Fields(post)
		if ok && len(fields) >= 5 && len(after) > 0 && after[0] == "cgroup2" {
			return unescapeMountinfo(fields[4]), unescapeMountinfo(fields[3])
		}
	}
	return "", ""
}

// unescapeMountinfo undoes the octal escapes (\040 for a space) of a path
// in /proc/self/mountinfo.
func unescapeMountinfo(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if c, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(c))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// newRunCgroup makes the cgroup name under base. It refuses a kernel
// without cgroup.kill (before 5.14) or where clone3 is unavailable (some
// seccomp profiles): the command could not start in the cgroup, or it
// could not be killed at once. What it cannot check, an LSM denying the
// move, makes starting the command fail, loudly, on every run.
func newRunCgroup(base, name string) (*runCgroup, error) {
	// clone3 with no arguments fails with EINVAL when it exists and ENOSYS
	// (or EPERM) when it does not or a filter forbids it; it never forks.
	if _, _, errno := unix.Syscall(unix.SYS_CLONE3, 0, 0, 0); errno != unix.EINVAL {
		return nil, fmt.Errorf("clone3: %w", errno)
	}
	dir := filepath.Join(base, name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("make cgroup: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "cgroup.kill")); err != nil {
		os.Remove(dir)
		return nil, fmt.Errorf("cgroup.kill: %w", err)
	}
	// A threaded cgroup takes threads, not processes.
	if b, err := os.ReadFile(filepath.Join(dir, "cgroup.type")); err != nil || strings.TrimSpace(string(b)) != "domain" {
		os.Remove(dir)
		return nil, fmt.Errorf("cgroup %s: not a domain cgroup (%q, %v)", dir, b, err)
	}
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		os.Remove(dir)
		return nil, fmt.Errorf("open cgroup: %w", err)
	}
	return &runCgroup{dir: dir, fd: fd}, nil
}

// kill sends SIGKILL to every process in the cgroup and the cgroups under
// it, in one step that a fork cannot race.
func (c *runCgroup) kill() error {
	return os.WriteFile(filepath.Join(c.dir, "cgroup.kill"), []byte("1"), 0)
}

// populated reports whether a live process remains in the cgroup or under
// it; zombies do not count.
func (c *runCgroup) populated() bool {
	b, err := os.ReadFile(filepath.Join(c.dir, "cgroup.events"))
	return err == nil && strings.Contains(string(b), "populated 1")
}

// remove deletes the cgroup, and any the command made under it, once
// empty.
func (c *runCgroup) remove() error {
	unix.Close(c.fd)
	var dirs []string
	filepath.WalkDir(c.dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, path)
		}
		return nil
	})
	var errs []error
	for _, d := range slices.Backward(dirs) { // children first
		if err := unix.Rmdir(d); err != nil && !errors.Is(err, unix.ENOENT) {
			errs = append(errs, fmt.Errorf("remove cgroup %s: %w", d, err))
		}
	}
	return errors.Join(errs...)
}
