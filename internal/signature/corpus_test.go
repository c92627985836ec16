package signature

import (
	"bufio"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// heldOutMarker opens the part of SOURCES.tsv collected for issue 13.
// Clusters listed after it whose directory name hashes odd (FNV-1a, 32
// bits) are held out: nobody tuning the algorithm looks at them, so their
// figures say how it does on texts it was not built on.
const heldOutMarker = "# wave 2:"

// corpusText is one labelled failure text of testdata/corpus: texts with
// the same label are the same bug.
type corpusText struct {
	file, label, source, text string
	// heldOut texts are scored but never printed, titled or listed.
	heldOut bool
}

// isHeldOut reports whether a cluster listed after the wave-2 marker is
// held out: the fixed rule chosen before any of them was seen.
func isHeldOut(label string) bool {
	h := fnv.New32a()
	h.Write([]byte(label))
	return h.Sum32()%2 == 1
}

// loadCorpus reads testdata/corpus/SOURCES.tsv: one "label/NN.txt<TAB>URL"
// line per text, the label being the directory.
func loadCorpus(t testing.TB) []corpusText {
	t.Helper()
	dir := filepath.Join("testdata", "corpus")
	f, err := os.Open(filepath.Join(dir, "SOURCES.tsv"))
	if err != nil {
		t.Fatalf("open corpus manifest: %v", err)
	}
	defer f.Close()
	var out []corpusText
	wave2 := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, heldOutMarker) {
			wave2 = true
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		file, source, ok := strings.Cut(line, "\t")
		if !ok {
			// No line content: it may be a held-out one.
			t.Fatalf("manifest line %d: want file<TAB>source", len(out)+1)
		}
		label := filepath.Dir(filepath.FromSlash(file))
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(file)))
		if err != nil {
			t.Fatalf("read corpus text %d: %v", len(out)+1, err)
		}
		out = append(out, corpusText{file: file, label: label, source: source, text: string(b),
			heldOut: wave2 && isHeldOut(label)})
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read corpus manifest: %v", err)
	}
	return out
}

// training returns the texts that may be looked at while tuning.
func training(texts []corpusText) []corpusText {
	var out []corpusText
	for _, c := range texts {
		if !c.heldOut {
			out = append(out, c)
		}
	}
	return out
}

// heldOut returns the texts that are only ever scored.
func heldOut(texts []corpusText) []corpusText {
	var out []corpusText
	for _, c := range texts {
		if c.heldOut {
			out = append(out, c)
		}
	}
	return out
}
