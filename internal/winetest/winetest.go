// Package winetest runs Windows builds of triaged's code under Wine from
// Linux tests: it prepares the Wine prefix with .ci/wine-setup.sh and hands
// back the environment a Wine process needs.
//
// Without Wine a test that needs it skips on a developer's machine but
// fails under CI (the CI variable set): a CI run that silently skipped the
// Windows side would prove nothing.
package winetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Env prepares Wine and returns the process environment for Wine commands
// and the path of the wine64 loader.
func Env(t testing.TB) (env []string, wine string) {
	t.Helper()
	if testing.Short() && os.Getenv("CI") == "" {
		t.Skip("-short: not running Windows builds under Wine")
	}
	_, file, _, _ := runtime.Caller(0)
	setup := filepath.Join(filepath.Dir(file), "..", "..", ".ci", "wine-setup.sh")
	loader := os.Getenv("WINE")
	if loader == "" {
		loader = "/usr/lib/wine/wine64"
	}
	if _, err := os.Stat(loader); err != nil && os.Getenv("CI") == "" {
		t.Skipf("no Wine at %s (run %s to install it)", loader, setup)
	}
	// In CI the setup script installs Wine, or fails loudly.
	out, err := exec.Command("bash", setup).Output()
	if err != nil {
		t.Fatalf("%s: %v", setup, err)
	}
	vars := parseExports(string(out))
	env = os.Environ()
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env, vars["WINE"]
}

// WindowsPath names a Linux path the way a Windows program under Wine sees
// it: through drive Z:, which Wine maps to /.
func WindowsPath(p string) string {
	return `Z:` + strings.ReplaceAll(p, "/", `\`)
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
