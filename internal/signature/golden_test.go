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

var update = flag.Bool("update", false, "rewrite testdata/golden.tsv with the current signatures")

// TestGolden pins the signature of every corpus text. Stored failures are
// grouped by these hashes, so a change here without a Version bump would
// silently split every group in the database: when this test fails on
// purpose, bump Version and run `go test -run TestGolden -update`.
func TestGolden(t *testing.T) {
	path := filepath.Join("testdata", "golden.tsv")
	var b strings.Builder
	fmt.Fprintf(&b, "# algorithm %d\n", Version)
	for _, c := range loadCorpus(t) {
		s := Compute(c.text)
		fmt.Fprintf(&b, "%s\t%s\t%s\n", c.file, s.Hash, s.Title)
	}
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
