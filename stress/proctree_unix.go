//go:build unix && !linux

package stress

import (
	"os/exec"
	"syscall"
)

// On the BSDs and macOS a run's tree is its process group: nothing there
// matches a Linux subreaper or a Windows job object, so a process that
// starts its own session escapes, and leftovers are killed only at the
// timeout, while the command's pid still names its group.
type procTree struct{}

func newProcTree() (*procTree, error) { return &procTree{}, nil }

func (t *procTree) prepare(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}

func (t *procTree) started(cmd *exec.Cmd) error { return nil }

func (t *procTree) close() error { return nil }
