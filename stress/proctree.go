package stress

import (
	"os/exec"
	"time"
)

// A procTree is every process one run of a command starts: the command
// itself, its children, and whatever they leave behind, however they detach
// (setsid, double fork, an exited parent). Each platform decides membership
// its own way (proctree_linux.go, proctree_windows.go). On Linux and Windows
// the whole tree dies when the run times out and when the command exits, so
// that a test's daemons and hung workers never outlive its run; elsewhere
// only the process group dies, at the timeout.
//
// The platform files provide newProcTree and three steps around exec's own:
// prepare (before Start), started (after it) and close (after Wait).

// killWait bounds how long killing a tree waits for its processes to die.
// A kill is not refused, but a process blocked in the kernel (a hung NFS
// read) dies only when the call returns.
const killWait = 10 * time.Second

// run runs cmd as the root of the tree, then kills what it left behind.
// It returns cmd's own error, or, when the command succeeded, the error of
// tracking or killing its processes.
func (t *procTree) run(cmd *exec.Cmd) error {
	t.prepare(cmd)
	err := cmd.Start()
	if err == nil {
		// started kills the command when it cannot track it, so Wait
		// always returns.
		startErr := t.started(cmd)
		err = cmd.Wait()
		if startErr != nil {
			err = startErr
		}
	}
	if cerr := t.close(); cerr != nil && err == nil {
		err = cerr
	}
	return err
}
