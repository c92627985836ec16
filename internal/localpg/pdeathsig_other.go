//go:build unix && !linux

package localpg

import "syscall"

// setParentDeathSignal has no equivalent outside Linux; stopLeftover stops a
// server left by a killed triaged on the next start instead.
func setParentDeathSignal(*syscall.SysProcAttr) {}
