package signature

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusText is one labelled failure text of testdata/corpus: texts with
// the same label are the same bug.
type corpusText struct {
	file, label, source string
	// ecosystem is the language and test runners of the project the text
	// came from (ECOSYSTEMS.tsv): go, python, javascript, jvm, dotnet,
	// rust, c-cpp, php-ruby.
	ecosystem string
	text      string
}

// loadCorpus reads testdata/corpus/SOURCES.tsv, one "label/NN.txt<TAB>URL"
// line per text, the label being the directory, and gives each text the
// ecosystem ECOSYSTEMS.tsv names for the repository of its URL. The whole
// corpus is development data: the texts that score the rules out of sample
// are collected elsewhere, and tests here never read them.
func loadCorpus(t testing.TB) []corpusText {
	t.Helper()
	dir := filepath.Join("testdata", "corpus")
	eco := readTSV(t, filepath.Join(dir, "ECOSYSTEMS.tsv"))
	var out []corpusText
	for _, row := range readTSV(t, filepath.Join(dir, "SOURCES.tsv")) {
		file, source := row[0], row[1]
		label := filepath.Dir(filepath.FromSlash(file))
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(file)))
		if err != nil {
			t.Fatalf("read corpus text: %v", err)
		}
		e := ecosystemOf(eco, source)
		if e == "" {
			t.Fatalf("%s: no ecosystem in ECOSYSTEMS.tsv for %s", file, source)
		}
		out = append(out, corpusText{file: file, label: label, source: source, ecosystem: e, text: string(b)})
	}
	return out
}

// readTSV reads the two-column lines of a manifest, skipping comments.
func readTSV(t testing.TB, path string) [][2]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open corpus manifest: %v", err)
	}
	defer f.Close()
	var rows [][2]string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		a, b, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("%s:%d: want two tab-separated columns", path, n)
		}
		rows = append(rows, [2]string{a, b})
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return rows
}

// ecosystemOf finds the ecosystem of the repository a source URL
// ("https://github.com/owner/name/issues/12") points into.
func ecosystemOf(eco [][2]string, source string) string {
	parts := strings.Split(strings.TrimPrefix(source, "https://"), "/")
	if len(parts) < 3 {
		return ""
	}
	repo := parts[1] + "/" + parts[2]
	for _, row := range eco {
		if strings.EqualFold(row[0], repo) {
			return row[1]
		}
	}
	return ""
}
