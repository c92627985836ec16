package store

import (
	"testing"
	"time"
)

// TestSeedRevisionsSpanTheDays checks that a large seed's revisions are
// spread over its days in order, as a small one's are: at 50 million
// results over 90 days the revisions' times once overflowed and wrapped,
// putting every result within a few weeks, months in the past.
func TestSeedRevisionsSpanTheDays(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	for _, results := range []int{5_000_000, 50_000_000} {
		g := newGenerator(SeedOptions{Repo: "o/r", Results: results, Tests: 2000, Signatures: 500, Runners: 30, Days: 90, Seed: 1, Now: now})
		revs := g.revisions
		if len(revs) < 2 {
			t.Fatalf("%d results: %d revisions", results, len(revs))
		}
		for i := 1; i < len(revs); i++ {
			if revs[i].at.Before(revs[i-1].at) {
				t.Fatalf("%d results: revision %d at %v is before revision %d at %v", results, i, revs[i].at, i-1, revs[i-1].at)
			}
		}
		first, last := revs[0].at, revs[len(revs)-1].at
		if first.Before(g.start) || last.After(now) || now.Sub(last) > 24*time.Hour || first.Sub(g.start) > 24*time.Hour {
			t.Errorf("%d results: revisions from %v to %v, want from %v to about %v", results, first, last, g.start, now)
		}
	}
}
