package signature

import (
	"os"
	"path/filepath"
	"testing"
)

// loadEval reads testdata/eval: failure texts gathered after the rules
// were written, from bugs the corpus does not hold, and never read while
// tuning them. It is the out-of-sample check the corpus cannot be.
func loadEval(t testing.TB) []corpusText {
	t.Helper()
	dir := filepath.Join("testdata", "eval")
	var out []corpusText
	for _, row := range readTSV(t, filepath.Join(dir, "SOURCES.tsv")) {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(row[0])))
		if err != nil {
			t.Fatalf("read eval text: %v", err)
		}
		out = append(out, corpusText{file: row[0], label: "eval/" + filepath.Dir(filepath.FromSlash(row[0])), source: row[1], text: string(b)})
	}
	return out
}

// TestEvalGrouping scores Compute on the evaluation set, alone and mixed
// into the corpus: an evaluation text grouped with a corpus text is a
// wrong merge, as a new failure filed under an old, different one would
// be. It reports the figures beside the baseline's; it fails only if
// Compute groups worse than the baseline, which would mean the rules
// learnt the corpus and nothing else.
func TestEvalGrouping(t *testing.T) {
	eval := loadEval(t)
	mixed := append(loadCorpus(t), eval...)
	isEval := func(i int) bool { return i >= len(mixed)-len(eval) }
	keys := func(texts []corpusText, key func(string) string) []string {
		out := make([]string, len(texts))
		for i, c := range texts {
			out[i] = key(c.text)
		}
		return out
	}
	compute := func(text string) string { return Compute(text).Hash }
	alone := scoreKeys(eval, keys(eval, compute), all, allPairs)
	base := scoreKeys(eval, keys(eval, baselineKey), all, allPairs)
	inCorpus := scoreKeys(mixed, keys(mixed, compute), isEval, touching(isEval))
	baseInCorpus := scoreKeys(mixed, keys(mixed, baselineKey), isEval, touching(isEval))
	t.Logf("evaluation set: %d texts in %d clusters", alone.texts, alone.clusters)
	t.Logf("Version %d, alone:          %v", Version, alone)
	t.Logf("baseline, alone:            %v", base)
	t.Logf("Version %d, in the corpus:  %v", Version, inCorpus)
	t.Logf("baseline, in the corpus:    %v", baseInCorpus)
	if inCorpus.f1() < baseInCorpus.f1() {
		t.Errorf("Compute groups the evaluation set worse than the baseline: F1 %.3f < %.3f", inCorpus.f1(), baseInCorpus.f1())
	}
}
