package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	st := pgtest.BenchStore(b)
	h := app.New(app.Config{Version: "bench", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, st).Handler()
	for _, p := range benchPages(b, st, h) {
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
// fail most, the newest revision, the newest campaign; and the lists,
// filtered, searched and on their second page.
func benchPages(b *testing.B, st *store.Store, h http.Handler) []benchPage {
	ctx := context.Background()
	var sig, test int64
	var repo, rev string
	err := st.Pool().QueryRow(ctx, `
		SELECT (SELECT signature_id FROM rollups WHERE signature_id <> 0 GROUP BY 1 ORDER BY sum(failures) DESC LIMIT 1),
		       (SELECT test_id FROM rollups WHERE failures > 0 GROUP BY 1 ORDER BY sum(failures) DESC LIMIT 1),
		       (SELECT repo FROM revision_rollups WHERE revision ~ '^[0-9a-f]{7,64}$' ORDER BY last_seen DESC LIMIT 1),
		       (SELECT revision FROM revision_rollups WHERE revision ~ '^[0-9a-f]{7,64}$' ORDER BY last_seen DESC LIMIT 1)`).Scan(&sig, &test, &repo, &rev)
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
	var builder, word, branched string
	err = st.Pool().QueryRow(ctx, `
		SELECT (SELECT builder FROM upload_batches ORDER BY created_at DESC LIMIT 1),
		       (SELECT split_part(split_part(name, '.', 2), '_', 2) FROM tests WHERE id = $1),
		       (SELECT repo FROM revision_branches ORDER BY first_seen DESC LIMIT 1)`, test).Scan(&builder, &word, &branched)
	if err != nil {
		b.Fatalf("pick a builder: %v", err)
	}
	q := url.QueryEscape
	pages = append(pages,
		benchPage{"overview-filtered", "/?branch=main&os=windows"},
		benchPage{"tests", "/tests"},
		benchPage{"tests-search", "/tests?q=" + q(word)},
		benchPage{"tests-filtered", "/tests?branch=main&os=windows&class=flaky&sort=impact"},
		benchPage{"tests-by-rate", "/tests?sort=rate&since=" + time.Now().AddDate(0, 0, -29).Format(time.DateOnly)},
		benchPage{"tests-builder", "/tests?builder=" + q(builder) + "&sort=rate"},
		benchPage{"tests-page-2", "/tests?" + nextPage(b, h, "/api/v1/tests?sort=failures")},
		benchPage{"signatures-filtered", "/signatures?branch=main&os=windows"},
		benchPage{"signatures-page-2", "/signatures?" + nextPage(b, h, "/api/v1/signatures?sort=failures")},
		benchPage{"campaigns-filtered", "/campaigns?state=done"},
		benchPage{"builders", "/builders"},
		benchPage{"builder", "/builders/" + url.PathEscape(builder)},
		benchPage{"revisions", "/revisions?repo=" + q(branched)},
		benchPage{"revisions-page-2", "/revisions?" + nextPage(b, h, "/api/v1/revisions?repo="+q(branched))},
		benchPage{"api-tests", "/api/v1/tests?branch=main&sort=impact"},
		benchPage{"api-tests-csv", "/api/v1/tests?format=csv&limit=50"},
	)
	return pages
}

// nextPage returns the query of the second page of a list.
func nextPage(b *testing.B, h http.Handler, path string) string {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	var page struct {
		Next string `json:"next_cursor"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || page.Next == "" {
		b.Fatalf("GET %s: %d, no next page: %v", path, rec.Code, err)
	}
	u, _ := url.Parse(path)
	qs := u.Query()
	qs.Set("cursor", page.Next)
	return qs.Encode()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
