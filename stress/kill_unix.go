//go:build unix

package stress

import (
	"os/exec"
	"syscall"
)

// killTree makes cancelling cmd kill its whole process group, so test
// runners that fork workers (regrtest -j, go test) leave nothing behind.
func killTree(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
