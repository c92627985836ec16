//go:build linux

package checkout

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/triaged/triaged/internal/winetest"
)

// TestWindowsUnderWine builds this package's Windows test binary and runs
// its Windows tests under Wine: finding git.exe, running a build script
// by a path relative to the worktree, removing read-only trees. Git for
// Windows itself does not run under the Wine here, so the git commands are
// checked by TestGitCommandLines and run for real only on Linux.
func TestWindowsUnderWine(t *testing.T) {
	t.Parallel()
	env, wine := winetest.Env(t)
	bin := filepath.Join(t.TempDir(), "checkout.test.exe")
	build := exec.Command("go", "test", "-c", "-o", bin, ".")
	build.Env = append(env, "GOOS=windows", "GOARCH=amd64")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the Windows test binary: %v\n%s", err, out)
	}
	run := exec.Command(wine, bin, "-test.v", "-test.count=1", "-test.run", "^TestWindows|^TestGit|^TestFileURL$")
	run.Env = env
	out, err := run.CombinedOutput()
	t.Logf("Windows test binary under Wine:\n%s", out)
	if err != nil {
		t.Fatalf("Windows checkout tests under Wine failed: %v", err)
	}
}
