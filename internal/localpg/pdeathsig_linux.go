package localpg

import "syscall"

// setParentDeathSignal asks the kernel to send the server a fast-shutdown
// signal if triaged dies without stopping it (kill -9, a crash), so no
// orphaned postgres keeps the data directory locked.
func setParentDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGINT }
