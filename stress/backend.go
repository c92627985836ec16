package stress

import (
	"context"
	"runtime"

	"github.com/triaged/triaged/proactor"
	"github.com/triaged/triaged/proactor/emu"
	"github.com/triaged/triaged/proactor/iocp"
)

// DefaultBackend is the backend scenarios use unless told otherwise: real
// overlapped I/O on Windows, the portable emulation elsewhere.
var DefaultBackend = map[bool]string{true: "iocp", false: "emu"}[runtime.GOOS == "windows"]

const iocpSupported = iocp.Supported

// dialPort connects the side under test. The emu backend carries the
// default fault hooks, seeded per iteration so a failure replays.
func dialPort(ctx context.Context, c ScenarioConfig, addr string, seed int64) (proactor.Port, error) {
	if c.Backend == "iocp" {
		return iocp.DialPort(ctx, addr)
	}
	faults := emu.DefaultFaults(seed)
	if c.NoFaults {
		faults = emu.Faults{}
	}
	return emu.Dial(ctx, addr, faults)
}
