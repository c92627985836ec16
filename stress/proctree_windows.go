package stress

import (
	"os/exec"
	"strconv"
	"syscall"
)

// On Windows, which has no process groups to signal, a run's tree is what
// taskkill /T finds from the command at the timeout.
type procTree struct{}

func newProcTree() (*procTree, error) { return &procTree{}, nil }

func (t *procTree) prepare(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
	cmd.Cancel = func() error {
		if err := exec.Command("taskkill", "/T", "/F", "/PID", strconv.Itoa(cmd.Process.Pid)).Run(); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
}

func (t *procTree) started(cmd *exec.Cmd) error { return nil }

func (t *procTree) close() error { return nil }
