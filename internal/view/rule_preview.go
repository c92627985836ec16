package view

import (
	"cmp"
	"context"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/triaged/triaged/internal/rule"
	"github.com/triaged/triaged/internal/store"
)

// Bounds of a rule's preview: how many failing results it reads at most
// (the newest of the window), how many texts it asks for at once and
// tests itself at most, what it lists.
const (
	previewScan     = 200_000
	previewTextsPer = 10_000
	previewTexts    = 20_000
	previewListed   = 20
	previewExamples = 5
	previewExcerpt  = 600 // bytes of an example's text
)

// RulePreview is what a rule would match among the failures of the
// window: the stable shape of POST /api/v1/rules/preview.
type RulePreview struct {
	Expr     string          `json:"expr"`
	Matches  int             `json:"matches"`
	Tests    []PreviewCount  `json:"tests"`
	Sigs     []PreviewCount  `json:"signatures"`
	Examples []store.Failure `json:"examples"`
	// Scanned counts the failing results read; Truncated is set when the
	// window held more than the preview reads (the newest were read).
	Scanned   int  `json:"scanned"`
	Truncated bool `json:"truncated"`
	Days      int  `json:"window_days"`
	// TextsRead counts the failure texts the rule was tested on;
	// TextsUnread those a rule needed but a preview does not read (a
	// negated test of the text over more than previewTexts failures):
	// Matches does not count them.
	TextsRead   int     `json:"texts_read"`
	TextsUnread int     `json:"texts_unread,omitempty"`
	Millis      float64 `json:"elapsed_ms"`
}

// PreviewCount is a test's or a signature's matches in a preview.
type PreviewCount struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Matches int    `json:"matches"`
}

// RulePreview tests expr on the failing results of the last window, the
// newest previewScan of them, and counts what it matches. It reads the
// index of failing results alone, grouped by the fields a rule tests, and
// decides each group at once unless the rule needs the text; the texts it
// needs are then searched by the database for the literals the rule
// requires (rule.Expr.TextLiterals), so only those that may match are
// sent and tested. A parse error is a *rule.Error.
func (v *Views) RulePreview(ctx context.Context, expr string, window time.Duration) (RulePreview, error) {
	start := time.Now()
	p := RulePreview{Expr: expr, Tests: []PreviewCount{}, Sigs: []PreviewCount{}, Examples: []store.Failure{}, Days: int(window / (24 * time.Hour))}
	e, err := rule.Parse(expr)
	if err != nil {
		return p, err
	}
	groups, truncated, err := v.store.FailureGroups(ctx, v.store.Now().Add(-window), previewScan, e.Uses(rule.Branch))
	if err != nil {
		return p, err
	}
	p.Truncated = truncated
	var tests, sigs []int64
	for _, g := range groups {
		tests, sigs = append(tests, g.TestID), append(sigs, g.SignatureID)
		p.Scanned += len(g.IDs)
	}
	names, err := v.store.Names(ctx, tests, sigs)
	if err != nil {
		return p, err
	}
	fields := func(g store.FailureGroup) rule.Fields {
		sig := names.Signatures[g.SignatureID]
		return rule.Fields{Repo: g.Repo, Branch: g.Branch, Test: names.Tests[g.TestID], Builder: g.Builder, OS: g.OS, Signature: sig[:]}
	}
	var matched []int64
	testCount, sigCount := map[int64]*PreviewCount{}, map[int64]*PreviewCount{}
	add := func(g store.FailureGroup, id int64) {
		matched = append(matched, id)
		count(testCount, g.TestID, names.Tests[g.TestID])
		count(sigCount, g.SignatureID, names.Signatures[g.SignatureID][1])
	}
	// Groups the fields decide; the others wait for their texts.
	var pending []int64
	groupOf := map[int64]int{}
	for i, g := range groups {
		switch e.Eval(fields(g).Without(rule.Text)) {
		case rule.True:
			for _, id := range g.IDs {
				add(g, id)
			}
		case rule.Unknown:
			for _, id := range g.IDs {
				groupOf[id] = i
			}
			pending = append(pending, g.IDs...)
		}
	}
	lits, filtered := e.TextLiterals()
	if !filtered && len(pending) > previewTexts {
		p.TextsUnread = len(pending) - previewTexts
		pending = pending[:previewTexts]
	}
	seen := map[string]bool{} // equal texts are tested once
	test := func(texts map[int64]string, ids []int64) {
		p.TextsRead += len(texts)
		for _, id := range ids {
			text, ok := texts[id]
			if !ok && filtered {
				continue // none of the literals the rule needs
			}
			g := groups[groupOf[id]]
			hit, done := seen[text]
			if !done {
				f := fields(g)
				f.Text = text
				hit = e.Match(f)
				seen[text] = hit
			}
			if hit {
				add(g, id)
			}
		}
	}
	if filtered && !truncated && 2*len(pending) > p.Scanned {
		// Most of the window needs its text: one search of the window's
		// texts beats asking for them by id.
		texts, err := v.store.WindowTextsContaining(ctx, v.store.Now().Add(-window), lits)
		if err != nil {
			return p, err
		}
		for id := range texts {
			if _, ok := groupOf[id]; !ok {
				delete(texts, id) // decided by its fields, or newer than the scan
			}
		}
		test(texts, pending)
		pending = nil
	}
	for i := 0; i < len(pending); i += previewTextsPer {
		chunk := pending[i:min(i+previewTextsPer, len(pending))]
		texts, err := v.store.FailureTextsContaining(ctx, chunk, lits)
		if err != nil {
			return p, err
		}
		test(texts, chunk)
	}
	p.Matches = len(matched)
	p.Tests, p.Sigs = top(testCount), top(sigCount)
	// Result ids grow with time: the largest are the newest.
	slices.SortFunc(matched, func(a, b int64) int { return cmp.Compare(b, a) })
	if ex := matched[:min(previewExamples, len(matched))]; len(ex) > 0 {
		fs, err := v.store.FailuresByID(ctx, ex)
		if err != nil {
			return p, err
		}
		for _, f := range fs {
			f.Text = excerpt(f.Text, previewExcerpt)
			p.Examples = append(p.Examples, f)
		}
	}
	p.Millis = float64(time.Since(start).Microseconds()) / 1000
	return p, nil
}

func count(m map[int64]*PreviewCount, id int64, name string) {
	c := m[id]
	if c == nil {
		c = &PreviewCount{ID: id, Name: name}
		m[id] = c
	}
	c.Matches++
}

func top(m map[int64]*PreviewCount) []PreviewCount {
	out := make([]PreviewCount, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b PreviewCount) int { return cmp.Or(b.Matches-a.Matches, cmp.Compare(a.Name, b.Name)) })
	return out[:min(len(out), previewListed)]
}

// excerpt cuts s to at most n bytes on a character boundary, marking the
// cut.
func excerpt(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
