//go:build !windows

package iocp_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestUnderWine builds this package's Windows test binary and runs it under
// Wine, so `go test ./proactor/...` on Linux exercises real overlapped I/O.
// Without Wine it skips, except under CI (CI set), where it fails: a CI run
// that silently skipped the iocp suite would prove nothing.
func TestUnderWine(t *testing.T) {
	if testing.Short() && os.Getenv("CI") == "" {
		t.Skip("-short: not building the Windows test binary")
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	setup := filepath.Join(root, ".ci", "wine-setup.sh")
	wine := os.Getenv("WINE")
	if wine == "" {
		wine = "/usr/lib/wine/wine64"
	}
	if _, err := os.Stat(wine); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("no Wine at %s (run %s to install it)", wine, setup)
		}
		// In CI, let the setup script install it; it fails loudly if it cannot.
	}
	out, err := exec.Command("bash", setup).Output()
	if err != nil {
		t.Fatalf("%s: %v", setup, err)
	}
	vars := parseExports(string(out))
	env := os.Environ()
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	bin := filepath.Join(t.TempDir(), "iocp.test.exe")
	build := exec.Command("go", "test", "-c", "-o", bin, ".")
	build.Env = append(env, "GOOS=windows", "GOARCH=amd64")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the Windows test binary: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command(vars["WINESERVER"], "-k").Run() })
	run := exec.Command(vars["WINE"], bin, "-test.v", "-test.count=1")
	run.Env = env
	out, err = run.CombinedOutput()
	t.Logf("Windows test binary under Wine:\n%s", out)
	if err != nil {
		t.Fatalf("iocp suite under Wine failed: %v", err)
	}
}

// parseExports turns the "export K=V" lines wine-setup.sh prints into a
// map of variables.
func parseExports(s string) map[string]string {
	vars := make(map[string]string)
	for line := range strings.Lines(s) {
		if kv, ok := strings.CutPrefix(strings.TrimSpace(line), "export "); ok {
			if k, v, ok := strings.Cut(kv, "="); ok {
				vars[k] = v
			}
		}
	}
	return vars
}
