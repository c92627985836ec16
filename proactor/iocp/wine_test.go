//go:build !windows

package iocp_test

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/triaged/triaged/internal/winetest"
)

// TestUnderWine builds this package's Windows test binary and runs it under
// Wine, so `go test ./proactor/...` on Linux exercises real overlapped I/O.
// Without Wine it skips, except under CI (see winetest), where it fails.
// It leaves the wineserver alone: other packages' Wine tests may share the
// prefix, and the server exits by itself once its last client has.
func TestUnderWine(t *testing.T) {
	env, wine := winetest.Env(t)
	bin := filepath.Join(t.TempDir(), "iocp.test.exe")
	build := exec.Command("go", "test", "-c", "-o", bin, ".")
	build.Env = append(env, "GOOS=windows", "GOARCH=amd64")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the Windows test binary: %v\n%s", err, out)
	}
	run := exec.Command(wine, bin, "-test.v", "-test.count=1")
	run.Env = env
	out, err := run.CombinedOutput()
	t.Logf("Windows test binary under Wine:\n%s", out)
	if err != nil {
		t.Fatalf("iocp suite under Wine failed: %v", err)
	}
}
