// Package e2e holds triaged's end-to-end and reliability tests: the real
// binary, a real PostgreSQL, real processes killed and restarted. Figures
// the reliability tests measure are logged and, with TRIAGED_FIGURES=FILE,
// appended to FILE for docs/RELIABILITY.md (scripts/reliability.sh).
package e2e

import (
	"fmt"
	"os"
	"testing"

	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/proctest"
)

// binary is triaged built once for every test here.
var binary string

func TestMain(m *testing.M) {
	bin, remove, err := proctest.Build("../cmd/triaged")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	binary = bin
	code := m.Run()
	pgtest.Stop()
	remove()
	os.Exit(code)
}
