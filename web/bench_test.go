package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/store"
)

// BenchmarkPages renders every page through the real handler and reports
// its p50 and p95 render time. It runs on the database at
// TRIAGED_BENCH_DATABASE_URL (seed one with "triaged seed"; the README
// has the commands), or else on a small dataset seeded for the run.
//
//	go test ./web -run '^$' -bench Pages -benchtime 200x
func BenchmarkPages(b *testing.B) {
	ctx := context.Background()
	var st *store.Store
	if u := os.Getenv("TRIAGED_BENCH_DATABASE_URL"); u != "" {
		var err error
		if st, err = store.Open(ctx, u); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(st.Close)
	} else {
		st = pgtest.NewStore(b)
		if _, err := st.Seed(ctx, store.SeedOptions{Repo: "python/cpython", Results: 100_000, Tests: 400, Signatures: 100,
			Runners: 12, Days: 30, Seed: 1, Now: time.Now()}, nil); err != nil {
			b.Fatal(err)
		}
	}
	h := app.New(app.Config{Version: "bench", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, st).Handler()
	for _, p := range benchPages(b, st) {
		b.Run(p.name, func(b *testing.B) {
			times := make([]time.Duration, 0, b.N)
			for b.Loop() {
				start := time.Now()
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", p.path, nil))
				times = append(times, time.Since(start))
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s: %d", p.path, rec.Code)
				}
			}
			slices.Sort(times)
			b.ReportMetric(ms(times[len(times)/2]), "p50-ms")
			b.ReportMetric(ms(times[(len(times)*95+99)/100-1]), "p95-ms")
		})
	}
}

type benchPage struct{ name, path string }

// benchPages picks what a person would open: the signature and test that
// fail most, the newest revision, the newest campaign.
func benchPages(b *testing.B, st *store.Store) []benchPage {
	ctx := context.Background()
	var sig, test int64
	var repo, rev string
	err := st.Pool().QueryRow(ctx, `
		SELECT (SELECT signature_id FROM rollups WHERE signature_id <> 0 GROUP BY 1 ORDER BY sum(failures) DESC LIMIT 1),
		       (SELECT test_id FROM rollups WHERE failures > 0 GROUP BY 1 ORDER BY sum(failures) DESC LIMIT 1),
		       (SELECT repo FROM revision_rollups ORDER BY last_seen DESC LIMIT 1),
		       (SELECT revision FROM revision_rollups ORDER BY last_seen DESC LIMIT 1)`).Scan(&sig, &test, &repo, &rev)
	if err != nil {
		b.Fatalf("pick pages: %v", err)
	}
	pages := []benchPage{
		{"overview", "/"},
		{"signatures", "/signatures"},
		{"signature", "/signatures/" + strconv.FormatInt(sig, 10)},
		{"test", "/tests/" + strconv.FormatInt(test, 10)},
		{"revision", "/revisions/" + rev + "?repo=" + url.QueryEscape(repo)},
		{"campaigns", "/campaigns"},
		{"campaign-new", "/campaigns/new"},
		{"runners", "/runners"},
		{"api-revision", "/api/v1/revisions/" + rev + "?repo=" + url.QueryEscape(repo)},
	}
	var campaign int64
	if st.Pool().QueryRow(ctx, `SELECT id FROM campaigns ORDER BY id DESC LIMIT 1`).Scan(&campaign) == nil {
		pages = append(pages, benchPage{"campaign", "/campaigns/" + strconv.FormatInt(campaign, 10)})
	}
	return pages
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
