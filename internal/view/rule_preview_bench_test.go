package view_test

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/verdict"
	"github.com/triaged/triaged/internal/view"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// BenchmarkRulePreview previews rules over the last 30 days and reports
// the p50 and p95 time and how many failures and texts each read. It runs
// on the database at TRIAGED_BENCH_DATABASE_URL (seeded with "triaged
// seed"), or else on a small dataset seeded for the run. The target is
// 1 s on the 5-million-result seed: fast enough to type against.
//
//	go test ./internal/view -run '^$' -bench RulePreview -benchtime 20x
func BenchmarkRulePreview(b *testing.B) {
	ctx := context.Background()
	st := pgtest.BenchStore(b)
	v := view.New(st, "bench", "bench", verdict.DefaultWindow)
	for _, bc := range []struct{ name, expr string }{
		{"fields", `test ~ "test_asyncio" && os == "windows"`},
		{"test_and_text", `test ~ "^test\.test_asyncio\.test_sslproto" && text ~ "Event loop stopped"`},
		{"text_only", `text ~ "WinError 10054|forcibly closed"`},
		{"negated_text", `!(text ~ "Address already in use") && builder ~ "windows"`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var times []time.Duration
			var p view.RulePreview
			for b.Loop() {
				start := time.Now()
				var err error
				if p, err = v.RulePreview(ctx, bc.expr, 30*24*time.Hour); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50_ms")
			b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95_ms")
			b.ReportMetric(float64(p.Scanned), "failures")
			b.ReportMetric(float64(p.TextsRead), "texts")
			b.ReportMetric(float64(p.Matches), "matches")
		})
	}
}
