//go:build !windows

package stress

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/triaged/triaged/internal/winetest"
)

// TestScenariosUnderWine builds this package's Windows test binary and runs
// its scenario tests under Wine, where the default backend is iocp: all
// three scenarios on real overlapped I/O, the legacy control losing data.
func TestScenariosUnderWine(t *testing.T) {
	t.Parallel()
	env, wine := winetest.Env(t)
	bin := filepath.Join(t.TempDir(), "stress.test.exe")
	build := exec.Command("go", "test", "-c", "-o", bin, ".")
	build.Env = append(env, "GOOS=windows", "GOARCH=amd64")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the Windows test binary: %v\n%s", err, out)
	}
	run := exec.Command(wine, bin, "-test.v", "-test.count=1", "-test.run", "Scenario|Legacy|StartTLS")
	run.Env = env
	out, err := run.CombinedOutput()
	t.Logf("Windows test binary under Wine:\n%s", out)
	if err != nil {
		t.Fatalf("scenarios under Wine failed: %v", err)
	}
}
