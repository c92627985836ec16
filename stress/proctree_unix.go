//go:build unix

package stress

import (
	"os/exec"
	"syscall"
)

// On Unix a run's tree is its process group, killed at the timeout while
// the command's pid still names the group.
type procTree struct{}

func newProcTree() (*procTree, error) { return &procTree{}, nil }

func (t *procTree) prepare(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}

func (t *procTree) started(cmd *exec.Cmd) error { return nil }

func (t *procTree) close() error { return nil }
