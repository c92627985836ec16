package signature

import (
	"fmt"
	"hash/fnv"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// score is pairwise grouping quality: over the pairs of texts scored,
// those that share a label (same bug) against those that share a key
// (grouped).
type score struct {
	texts, clusters int
	tp, fp, fn      int
}

// scoreKeys scores the pairs of texts for which pair is true; texts and
// clusters count the texts for which in is true.
func scoreKeys(texts []corpusText, keys []string, in func(i int) bool, pair func(i, j int) bool) score {
	var s score
	labels := map[string]bool{}
	for i := range texts {
		if in(i) {
			s.texts++
			labels[texts[i].label] = true
		}
		for j := i + 1; j < len(texts); j++ {
			if !pair(i, j) {
				continue
			}
			same := texts[i].label == texts[j].label
			grouped := keys[i] == keys[j]
			switch {
			case same && grouped:
				s.tp++
			case grouped:
				s.fp++
			case same:
				s.fn++
			}
		}
	}
	s.clusters = len(labels)
	return s
}

func all(int) bool           { return true }
func allPairs(_, _ int) bool { return true }

// within is the pairs of two texts in a part: what rules are chosen on.
func within(in func(int) bool) func(i, j int) bool {
	return func(i, j int) bool { return in(i) && in(j) }
}

// touching is the pairs with a text in a part: a held-out part is scored
// on them, so that a held-out text merged with a text it was not held out
// with counts against the rules, as it would against a stored failure.
func touching(in func(int) bool) func(i, j int) bool {
	return func(i, j int) bool { return in(i) || in(j) }
}

// precision and recall are 1 where nothing was grouped or nothing was
// to be grouped; defined says whether they were measured at all.
func (s score) precision() float64 { return ratio(s.tp, s.tp+s.fp) }
func (s score) recall() float64    { return ratio(s.tp, s.tp+s.fn) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func (s score) f1() float64 {
	p, r := s.precision(), s.recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func (s *score) add(o score) {
	s.texts, s.clusters = s.texts+o.texts, s.clusters+o.clusters
	s.tp, s.fp, s.fn = s.tp+o.tp, s.fp+o.fp, s.fn+o.fn
}

func (s score) String() string {
	return fmt.Sprintf("precision %.3f recall %.3f F1 %.3f (pairs: %d grouped right, %d merged wrongly, %d split wrongly)",
		s.precision(), s.recall(), s.f1(), s.tp, s.fp, s.fn)
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

// signer signs the corpus once for each set of rules switched off.
type signer struct {
	texts []corpusText
	keys  map[rule][]string
}

func newSigner(texts []corpusText) *signer {
	return &signer{texts: texts, keys: map[rule][]string{}}
}

func (sg *signer) sign(off rule) []string {
	if k, ok := sg.keys[off]; ok {
		return k
	}
	k := make([]string, len(sg.texts))
	for i, c := range sg.texts {
		k[i] = computeRules(c.text, off).Hash
	}
	sg.keys[off] = k
	return k
}

// chooseRules is the tuning step of cross-validation: on the texts for
// which in is true, a rule stays on only if switching it off scores a
// lower F1 there. A rule that changes nothing there is switched off, so
// a rule made for one ecosystem earns nothing when that one is held out.
// It returns the rules switched off.
func chooseRules(sg *signer, in func(i int) bool) rule {
	base := scoreKeys(sg.texts, sg.sign(0), in, within(in)).f1()
	var off rule
	for _, r := range rules {
		if scoreKeys(sg.texts, sg.sign(r.r), in, within(in)).f1() >= base {
			off |= r.r
		}
	}
	return off
}

// fold is one held-out part of a cross-validation.
type fold struct {
	name string
	off  rule  // rules switched off, chosen on the other parts
	s    score // the held-out part's pairs, with those rules
}

// crossValidate holds out each part that part names in turn, chooses the
// rules on the others (chooseRules), and scores the held-out part's pairs
// with them. With tune false the rules are all on, so the score is of the
// rules as built.
func crossValidate(sg *signer, part func(c corpusText) string, tune bool) []fold {
	var names []string
	seen := map[string]bool{}
	of := make([]string, len(sg.texts))
	for i, c := range sg.texts {
		of[i] = part(c)
		if !seen[of[i]] {
			seen[of[i]] = true
			names = append(names, of[i])
		}
	}
	sort.Strings(names)
	var out []fold
	for _, name := range names {
		in := func(i int) bool { return of[i] == name }
		var off rule
		if tune {
			off = chooseRules(sg, func(i int) bool { return !in(i) })
		}
		out = append(out, fold{name: name, off: off, s: scoreKeys(sg.texts, sg.sign(off), in, touching(in))})
	}
	return out
}

// cvSummary is a cross-validation's figures: the mean over the held-out
// parts of their precision, recall and F1 (a part with no pair to group,
// or none grouped, has no recall or precision to count), and their pairs
// pooled.
type cvSummary struct {
	precision, recall, f1 float64
	pooled                score
}

func summarize(folds []fold) cvSummary {
	var sum cvSummary
	var np, nr, nf int
	for _, f := range folds {
		sum.pooled.add(f.s)
		if f.s.tp+f.s.fp > 0 {
			sum.precision += f.s.precision()
			np++
		}
		if f.s.tp+f.s.fn > 0 {
			sum.recall += f.s.recall()
			nr++
		}
		if f.s.tp+f.s.fp > 0 && f.s.tp+f.s.fn > 0 {
			sum.f1 += f.s.f1()
			nf++
		}
	}
	sum.precision /= float64(max(np, 1))
	sum.recall /= float64(max(nr, 1))
	sum.f1 /= float64(max(nf, 1))
	return sum
}

func (c cvSummary) String() string {
	return fmt.Sprintf("mean precision %.3f recall %.3f F1 %.3f; pooled %s", c.precision, c.recall, c.f1, c.pooled)
}

// kFolds is how many parts the k-fold cross-validation cuts the corpus
// into, by a hash of the cluster's name: every text of a bug is in one.
const kFolds = 5

func clusterFold(c corpusText) string {
	h := fnv.New32a()
	h.Write([]byte(c.label))
	return fmt.Sprintf("fold %d", h.Sum32()%kFolds)
}

func byEcosystem(c corpusText) string { return c.ecosystem }

// offNames names the rules in off.
func offNames(off rule) string {
	var n []string
	for _, r := range rules {
		if off&r.r != 0 {
			n = append(n, r.name)
		}
	}
	if len(n) == 0 {
		return "none"
	}
	return strings.Join(n, ", ")
}

// Floors under the grouping, where it stands less a margin: issue 13's
// targets are precision 0.95 and recall 0.90. Recall cannot reach them on
// this corpus: one cluster (node-debian8-crashed-signal-6-same-root-cause,
// 10 of the pairs) groups texts of five different tests, three of them cut
// before any sign of the crash, which no rule reading the texts can group.
// README.md gives the figures.
const (
	wantPrecision     = 0.90
	wantRecall        = 0.74
	wantLOEOPrecision = 0.92
	wantLOEORecall    = 0.84
)

func TestCorpusGrouping(t *testing.T) {
	texts := loadCorpus(t)
	if n := len(texts); n < 300 {
		t.Errorf("corpus has %d texts; want at least 300", n)
	}
	sg := newSigner(texts)
	keys := sg.sign(0)
	base := make([]string, len(texts))
	for i, c := range texts {
		base[i] = baselineKey(c.text)
	}
	whole := scoreKeys(texts, keys, all, allPairs)
	ecos := crossValidate(sg, byEcosystem, false)
	t.Logf("corpus: %d texts in %d clusters, %d ecosystems, all development data", whole.texts, whole.clusters, len(ecos))
	t.Logf("whole corpus, signature: %s", whole)
	t.Logf("whole corpus, baseline (last exception line, numbers and hex masked): %s", scoreKeys(texts, base, all, allPairs))

	t.Logf("by ecosystem, each scored alone (rules as built | rules chosen on the other ecosystems):")
	loeo := crossValidate(sg, byEcosystem, true)
	for i, f := range ecos {
		t.Logf("  %-10s %3d texts %3d clusters: P %.3f R %.3f F1 %.3f (%d/%d/%d) | P %.3f R %.3f F1 %.3f, off: %s",
			f.name, f.s.texts, f.s.clusters, f.s.precision(), f.s.recall(), f.s.f1(), f.s.tp, f.s.fp, f.s.fn,
			loeo[i].s.precision(), loeo[i].s.recall(), loeo[i].s.f1(), offNames(loeo[i].off))
	}
	built, tuned := summarize(ecos), summarize(loeo)
	t.Logf("leave-one-ecosystem-out, rules as built: %s", built)
	t.Logf("leave-one-ecosystem-out, rules chosen on the other ecosystems: %s", tuned)
	kf := summarize(crossValidate(sg, clusterFold, true))
	t.Logf("%d-fold by cluster hash, rules chosen on the other folds: %s", kFolds, kf)

	if len(rules) > 0 {
		t.Logf("each rule switched off alone, F1 (and its change): whole corpus | leave-one-ecosystem-out mean | %d-fold mean, rules chosen on the other parts:", kFolds)
	}
	for _, r := range rules {
		w := scoreKeys(texts, sg.sign(r.r), all, allPairs)
		l := summarizeWithout(sg, byEcosystem, r.r)
		k := summarizeWithout(sg, clusterFold, r.r)
		t.Logf("  %-24s %.3f (%+.3f) | %.3f (%+.3f) | %.3f (%+.3f)", r.name, w.f1(), w.f1()-whole.f1(), l.f1, l.f1-tuned.f1, k.f1, k.f1-kf.f1)
	}

	if whole.precision() < wantPrecision || whole.recall() < wantRecall {
		t.Errorf("whole corpus precision %.3f recall %.3f; want >= %.2f and >= %.2f", whole.precision(), whole.recall(), wantPrecision, wantRecall)
	}
	if tuned.precision < wantLOEOPrecision || tuned.recall < wantLOEORecall {
		t.Errorf("leave-one-ecosystem-out precision %.3f recall %.3f; want >= %.2f and >= %.2f", tuned.precision, tuned.recall, wantLOEOPrecision, wantLOEORecall)
	}
	if testing.Verbose() || t.Failed() {
		reportMistakes(t, texts, keys)
	}
}

// summarizeWithout is a cross-validation's figure with rule r never in
// force, whatever the tuning would choose.
func summarizeWithout(sg *signer, part func(corpusText) string, r rule) cvSummary {
	folds := crossValidate(sg, part, true)
	of := make([]string, len(sg.texts))
	for i, c := range sg.texts {
		of[i] = part(c)
	}
	for i := range folds {
		if folds[i].off&r != 0 {
			continue
		}
		off := folds[i].off | r
		name := folds[i].name
		in := func(j int) bool { return of[j] == name }
		folds[i] = fold{name: name, off: off, s: scoreKeys(sg.texts, sg.sign(off), in, touching(in))}
	}
	return summarize(folds)
}

// reportMistakes names the texts that were split from their group or
// merged into another, which is what someone changing the rules needs.
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
