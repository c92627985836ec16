package signature

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// corpusText is one labelled failure text of testdata/corpus: texts with
// the same label are the same bug.
type corpusText struct {
	file, label, source, text string
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
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		file, source, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("manifest line %q: want file<TAB>source", line)
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(file)))
		if err != nil {
			t.Fatalf("read corpus text: %v", err)
		}
		out = append(out, corpusText{file: file, label: filepath.Dir(filepath.FromSlash(file)), source: source, text: string(b)})
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read corpus manifest: %v", err)
	}
	return out
}

// pairScore counts, over all pairs of texts, those that share a label
// and those that share a key, and returns pairwise precision and recall.
func pairScore(texts []corpusText, keys []string) (precision, recall float64) {
	var tp, fp, fn int
	for i := range texts {
		for j := i + 1; j < len(texts); j++ {
			same := texts[i].label == texts[j].label
			grouped := keys[i] == keys[j]
			switch {
			case same && grouped:
				tp++
			case grouped:
				fp++
			case same:
				fn++
			}
		}
	}
	precision, recall = 1, 1
	if tp+fp > 0 {
		precision = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		recall = float64(tp) / float64(tp+fn)
	}
	return precision, recall
}

func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

var (
	baselineHex = regexp.MustCompile(`0[xX][0-9a-fA-F]+`)
	baselineNum = regexp.MustCompile(`[0-9]+`)
	pyExcLine   = regexp.MustCompile(`^[A-Za-z_][\w.]*(Error|Exception|Failure|FailTest|Exit|Interrupt|timeout|Warning)\b`)
	goMsgLine   = regexp.MustCompile(`^\s*[\w.-]+\.go:\d+: `)
)

// baselineKey is the simple baseline the issue compares against, in the
// style of LUCI Analysis's failure-reason clustering: take the last
// exception (or t.Errorf, or panic) line and mask numbers and hex in it.
func baselineKey(text string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	pick := ""
	for i := len(lines) - 1; i >= 0 && pick == ""; i-- {
		l := strings.TrimSpace(lines[i])
		if pyExcLine.MatchString(l) || goMsgLine.MatchString(lines[i]) ||
			strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") {
			pick = l
		}
	}
	for i := len(lines) - 1; i >= 0 && pick == ""; i-- {
		if l := strings.TrimSpace(lines[i]); !noiseLine(l) {
			pick = l
		}
	}
	pick = baselineHex.ReplaceAllString(pick, "<HEX>")
	return baselineNum.ReplaceAllString(pick, "<NUM>")
}

func TestCorpusGrouping(t *testing.T) {
	texts := loadCorpus(t)
	labels := map[string]int{}
	for _, c := range texts {
		labels[c.label]++
	}
	if len(texts) < 80 || len(labels) < 25 {
		t.Errorf("corpus has %d texts in %d groups; want at least 80 in 25", len(texts), len(labels))
	}
	ours := make([]string, len(texts))
	base := make([]string, len(texts))
	for i, c := range texts {
		ours[i] = Compute(c.text).Hash
		base[i] = baselineKey(c.text)
	}
	p, r := pairScore(texts, ours)
	bp, br := pairScore(texts, base)
	t.Logf("corpus: %d texts, %d groups", len(texts), len(labels))
	t.Logf("signature: precision %.3f recall %.3f F1 %.3f", p, r, f1(p, r))
	t.Logf("baseline (last exception line, numbers and hex masked): precision %.3f recall %.3f F1 %.3f", bp, br, f1(bp, br))
	if p < 0.95 || r < 0.90 {
		t.Errorf("signature precision %.3f recall %.3f; want >= 0.95 and >= 0.90", p, r)
	}
	if testing.Verbose() || t.Failed() {
		reportMistakes(t, texts, ours)
	}
}

// reportMistakes names the texts that were split from their group or
// merged into another, which is what someone changing the algorithm needs.
func reportMistakes(t *testing.T, texts []corpusText, keys []string) {
	t.Helper()
	for i := range texts {
		for j := i + 1; j < len(texts); j++ {
			same, grouped := texts[i].label == texts[j].label, keys[i] == keys[j]
			if same != grouped {
				what := "split"
				if grouped {
					what = "merged"
				}
				t.Logf("%s: %s and %s", what, texts[i].file, texts[j].file)
			}
		}
	}
}
