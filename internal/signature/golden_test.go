package signature

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files with the current signatures")

// TestGolden pins the signature and title of every corpus text. Stored
// failures are grouped by these hashes, so a change here without a
// Version bump would silently split every group in the database: when
// this test fails on purpose, bump Version and run
// `go test -run TestGolden -update`.
func TestGolden(t *testing.T) {
	var b strings.Builder
	fmt.Fprintf(&b, "# algorithm %d\n", Version)
	for _, c := range loadCorpus(t) {
		s := Compute(c.text)
		fmt.Fprintf(&b, "%s\t%s\t%s\n", c.file, s.Hash, s.Title)
	}
	path := filepath.Join("testdata", "golden.tsv")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatalf("write golden file: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (create it with -update): %v", err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("signatures changed (-golden +now); if that is intended, bump Version and run with -update:\n%s", diff)
	}
}
