// Package e2e holds triaged's end-to-end and reliability tests: the real
// binary, a real PostgreSQL, real processes killed and restarted. Figures
// the reliability tests measure are logged and, with TRIAGED_FIGURES=FILE,
// appended to FILE for docs/RELIABILITY.md (scripts/reliability.sh).
package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/triaged/triaged/internal/pgtest"
)

// binary is triaged built once for every test here.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "triaged-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	binary = filepath.Join(dir, "triaged")
	if out, err := exec.Command("go", "build", "-o", binary, "../cmd/triaged").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build triaged: %v\n%s", err, out)
		os.Exit(3)
	}
	code := m.Run()
	pgtest.Stop()
	os.RemoveAll(dir)
	os.Exit(code)
}
