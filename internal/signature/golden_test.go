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

// TestGolden pins the signature of every corpus text. Stored failures are
// grouped by these hashes, so a change here without a Version bump would
// silently split every group in the database: when this test fails on
// purpose, bump Version and run `go test -run TestGolden -update`.
//
// Training texts are pinned with their titles in golden.tsv. Held-out
// texts are pinned by hash alone in golden-heldout.tsv, and a difference
// there is only counted: their titles and names are not to be read while
// the algorithm is tuned.
func TestGolden(t *testing.T) {
	var train, held strings.Builder
	fmt.Fprintf(&train, "# algorithm %d\n", Version)
	fmt.Fprintf(&held, "# algorithm %d: held-out texts, hash only\n", Version)
	for _, c := range loadCorpus(t) {
		s := Compute(c.text)
		if c.heldOut {
			fmt.Fprintf(&held, "%s\t%s\n", c.file, s.Hash)
			continue
		}
		fmt.Fprintf(&train, "%s\t%s\t%s\n", c.file, s.Hash, s.Title)
	}
	trainPath := filepath.Join("testdata", "golden.tsv")
	heldPath := filepath.Join("testdata", "golden-heldout.tsv")
	if *update {
		for path, b := range map[string]string{trainPath: train.String(), heldPath: held.String()} {
			if err := os.WriteFile(path, []byte(b), 0o644); err != nil {
				t.Fatalf("write golden file: %v", err)
			}
		}
		return
	}
	want, err := os.ReadFile(trainPath)
	if err != nil {
		t.Fatalf("read golden file (create it with -update): %v", err)
	}
	if diff := cmp.Diff(string(want), train.String()); diff != "" {
		t.Errorf("signatures changed (-golden +now); if that is intended, bump Version and run with -update:\n%s", diff)
	}
	wantHeld, err := os.ReadFile(heldPath)
	if err != nil {
		t.Fatalf("read held-out golden file (create it with -update): %v", err)
	}
	if n := changedLines(string(wantHeld), held.String()); n > 0 {
		t.Errorf("%d held-out signatures changed; if that is intended, bump Version and run with -update", n)
	}
}

// changedLines counts the lines that differ between two golden files,
// without saying which.
func changedLines(a, b string) int {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	n := 0
	for i := 0; i < len(al) || i < len(bl); i++ {
		if i >= len(al) || i >= len(bl) || al[i] != bl[i] {
			n++
		}
	}
	return n
}
