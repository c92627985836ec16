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
// (the newest of the window), how many texts it asks for at once, what
// it lists.
const (
	previewScan     = 200_000
	previewTextsPer = 5000
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
	Scanned   int     `json:"scanned"`
	Truncated bool    `json:"truncated"`
	Days      int     `json:"window_days"`
	TextsRead int     `json:"texts_read"`
	Millis    float64 `json:"elapsed_ms"`
}

// PreviewCount is a test's or a signature's matches in a preview.
type PreviewCount struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Matches int    `json:"matches"`
}

// RulePreview tests expr on the failing results of the last window, the
// newest previewScan of them, and counts what it matches. Only the texts
// of results whose outcome depends on their text are read: a rule that
// tests the test first reads the texts of that test's failures alone. A
// parse error is a *rule.Error.
func (v *Views) RulePreview(ctx context.Context, expr string, window time.Duration) (RulePreview, error) {
	start := time.Now()
	p := RulePreview{Expr: expr, Tests: []PreviewCount{}, Sigs: []PreviewCount{}, Examples: []store.Failure{}, Days: int(window / (24 * time.Hour))}
	e, err := rule.Parse(expr)
	if err != nil {
		return p, err
	}
	var matched, pending []store.Failure
	err = v.store.ScanFailures(ctx, v.store.Now().Add(-window), previewScan+1, false, func(f *store.Failure) error {
		p.Scanned++
		if p.Scanned > previewScan {
			p.Truncated, p.Scanned = true, previewScan
			return nil
		}
		switch e.Eval(f.Fields(false)) {
		case rule.True:
			matched = append(matched, *f)
		case rule.Unknown:
			pending = append(pending, *f)
		}
		return nil
	})
	if err != nil {
		return p, err
	}
	// The texts decide the rest. Equal texts are tested once.
	seen := map[string]bool{}
	for i := 0; i < len(pending); i += previewTextsPer {
		chunk := pending[i:min(i+previewTextsPer, len(pending))]
		ids := make([]int64, len(chunk))
		for k, f := range chunk {
			ids[k] = f.ResultID
		}
		texts, err := v.store.FailureTexts(ctx, ids)
		if err != nil {
			return p, err
		}
		p.TextsRead += len(texts)
		for _, f := range chunk {
			f.Text = texts[f.ResultID]
			ok, done := seen[f.Text]
			if !done {
				ok = e.Match(f.Fields(true))
				seen[f.Text] = ok
			}
			if ok {
				f.Text = ""
				matched = append(matched, f)
			}
		}
	}
	p.Matches = len(matched)
	tests, sigs := map[int64]*PreviewCount{}, map[int64]*PreviewCount{}
	for _, f := range matched {
		count(tests, f.TestID, f.Test)
		count(sigs, f.SignatureID, f.Title)
	}
	p.Tests, p.Sigs = top(tests), top(sigs)
	slices.SortFunc(matched, func(a, b store.Failure) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ResultID, a.ResultID))
	})
	ex := matched[:min(previewExamples, len(matched))]
	if len(ex) > 0 {
		ids := make([]int64, len(ex))
		for i, f := range ex {
			ids[i] = f.ResultID
		}
		texts, err := v.store.FailureTexts(ctx, ids)
		if err != nil {
			return p, err
		}
		for _, f := range ex {
			f.Text = excerpt(texts[f.ResultID], previewExcerpt)
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
