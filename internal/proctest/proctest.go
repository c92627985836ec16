// Package proctest helps tests that run triaged as a real process: build the
// binary once, find a free loopback address, wait for a condition.
package proctest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Build compiles the triaged command at pkg (a path relative to the test's
// package, e.g. "../cmd/triaged") into a temporary directory, for TestMain.
// remove deletes it.
func Build(pkg string) (binary string, remove func(), err error) {
	dir, err := os.MkdirTemp("", "triaged-bin-")
	if err != nil {
		return "", nil, err
	}
	binary = filepath.Join(dir, "triaged")
	if out, err := exec.Command("go", "build", "-o", binary, pkg).CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("build triaged: %v\n%s", err, out)
	}
	return binary, func() { os.RemoveAll(dir) }, nil
}

// FreeAddr returns a loopback address nothing listens on right now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// WaitFor polls ok until it holds, failing the test after d.
func WaitFor(t testing.TB, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
