//go:build linux

package stress

import (
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/triaged/triaged/internal/winetest"
)

// TestProcTreeUnderWine builds this package's Windows test binary and runs
// its process-tree tests under Wine: a command's orphaned grandchild must
// die with the command's job, at the timeout and at a normal exit.
func TestProcTreeUnderWine(t *testing.T) {
	t.Parallel()
	env, wine := winetest.Env(t)
	bin := filepath.Join(t.TempDir(), "stress.test.exe")
	build := exec.Command("go", "test", "-c", "-o", bin, ".")
	build.Env = append(env, "GOOS=windows", "GOARCH=amd64")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the Windows test binary: %v\n%s", err, out)
	}
	// Should the job fail to kill them, the Windows processes are Linux
	// ones running bin: end them, not to leave them to wineserver.
	t.Cleanup(func() {
		for _, pid := range withArg(bin) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	run := exec.Command(wine, bin, "-test.v", "-test.count=1", "-test.run", "^(TestExecTimeoutKillsOrphanedGrandchild|TestExecKillsOrphanedGrandchildOnExit|TestJobKillsOnClose)$")
	run.Env = env
	out, err := run.CombinedOutput()
	t.Logf("Windows test binary under Wine:\n%s", out)
	if err != nil {
		t.Fatalf("process-tree tests under Wine failed: %v", err)
	}
}
