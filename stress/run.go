package stress

import (
	"fmt"
	"os/exec"
)

// RunTree runs cmd to its end as the root of a process tree: every process
// it starts dies when it exits, and when cmd's context ends (see procTree).
// Builds and other one-off commands run on a runner use it, so that a build
// that times out leaves no compiler behind.
func RunTree(cmd *exec.Cmd) error {
	tree, err := newProcTree()
	if err != nil {
		return fmt.Errorf("prepare to track the command's processes: %w", err)
	}
	return tree.run(cmd)
}
