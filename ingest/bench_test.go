package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/protocol"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// admin is the benchmarks' bootstrap admin token.
const admin = "bench-admin-token-0123456789"

// benchBatch is a realistic upload: 500 results, one in ten failing with
// one of a few dozen tracebacks.
func benchBatch(n, seed int) string {
	var b strings.Builder
	b.WriteString(`{"results":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		test := fmt.Sprintf("test.test_mod%02d.Case.test_%03d", i%40, i)
		if (i+seed)%10 == 0 {
			fmt.Fprintf(&b, `{"test":%q,"outcome":"fail","duration_seconds":0.5,"failure_text":%q}`, test,
				fmt.Sprintf("Traceback (most recent call last):\n  File \"/build/%d/Lib/test/test_mod%02d.py\", line %d, in test_%03d\n    self.assertEqual(x, y)\nAssertionError: %d != %d\n", seed, i%40, 100+i, i, i, seed))
		} else {
			fmt.Fprintf(&b, `{"test":%q,"outcome":"pass","duration_seconds":0.01}`, test)
		}
	}
	b.WriteString(`]}`)
	return b.String()
}

// BenchmarkIngest pushes 500-result batches over HTTP from 8 concurrent
// clients, with signatures and rollups on, and in the same run COPYs the
// same number of rows straight into results: results/s of both, and their
// ratio (target ≥ 0.5).
func BenchmarkIngest(b *testing.B) {
	const perBatch = 500
	clients := 8
	if c := os.Getenv("BENCH_CLIENTS"); c != "" {
		clients, _ = strconv.Atoi(c)
	}
	st := pgtest.NewStore(b)
	srv := httptest.NewServer(app.New(app.Config{Version: "bench", AdminToken: admin, Log: slog.New(slog.DiscardHandler)}, st).Handler())
	defer srv.Close()
	bodies := make([]string, 16)
	for i := range bodies {
		bodies[i] = benchBatch(perBatch, i)
	}
	var next atomic.Int64
	post := func() {
		i := next.Add(1)
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/results?repo=o/r&revision=%07x&builder=b&batch=%d", srv.URL, 0xabc0000+i%50, i), strings.NewReader(bodies[i%int64(len(bodies))]))
		req.Header.Set("Authorization", "Bearer "+admin)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	post() // create the tests and signatures once, as a warm server has them

	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	var todo atomic.Int64
	todo.Store(int64(b.N))
	for range clients {
		wg.Go(func() {
			for todo.Add(-1) >= 0 {
				post()
			}
		})
	}
	wg.Wait()
	httpRate := float64(b.N*perBatch) / time.Since(start).Seconds()
	b.StopTimer()

	// The baseline: raw COPY of the same number of result rows.
	ctx := context.Background()
	var testID int64
	st.Pool().QueryRow(ctx, `SELECT min(id) FROM tests`).Scan(&testID)
	rows := make([][]any, perBatch)
	start = time.Now()
	for n := range b.N {
		for i := range rows {
			rows[i] = []any{fmt.Sprint("raw-", n), testID, "pass", int64(10000), "o/r", "raw", "b", ""}
		}
		if _, err := st.Pool().CopyFrom(ctx, pgx.Identifier{"results"},
			[]string{"batch_id", "test_id", "outcome", "duration_us", "repo", "revision", "builder", "runner_os"}, pgx.CopyFromRows(rows)); err != nil {
			b.Fatal(err)
		}
	}
	copyRate := float64(b.N*perBatch) / time.Since(start).Seconds()
	b.ReportMetric(httpRate, "results/s")
	b.ReportMetric(copyRate, "copy-results/s")
	b.ReportMetric(httpRate/copyRate, "ratio")
}

// BenchmarkLeaseRoundTrip measures lease → complete round trips per second
// with 50 simulated runners over HTTP against a real Postgres (target
// ≥ 1,000/s).
func BenchmarkLeaseRoundTrip(b *testing.B) {
	const runners = 50
	st := pgtest.NewStore(b)
	srv := httptest.NewServer(app.New(app.Config{Version: "bench", AdminToken: admin, Log: slog.New(slog.DiscardHandler)}, st).Handler())
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: runners}}
	call := func(method, path, token, body string, out any) int {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		if out != nil && resp.StatusCode/100 == 2 {
			json.NewDecoder(resp.Body).Decode(out)
		}
		return resp.StatusCode
	}
	tokens := make([]string, runners)
	for i := range tokens {
		var reg protocol.Registered
		if code := call("POST", "/api/v1/runners/register", admin, fmt.Sprintf(`{"name":"bench-%d","os":"linux","arch":"amd64"}`, i), &reg); code != 201 {
			b.Fatalf("register: %d", code)
		}
		tokens[i] = reg.Token
	}
	// Enough jobs (25 iterations each) for every round trip.
	if code := call("POST", "/api/v1/campaigns", admin, fmt.Sprintf(`{"kind":"exec","command":["true"],"iterations":%d}`, 25*(b.N+runners)), nil); code != 201 {
		b.Fatalf("campaign: %d", code)
	}
	b.ResetTimer()
	start := time.Now()
	var todo atomic.Int64
	todo.Store(int64(b.N))
	var wg sync.WaitGroup
	for _, tok := range tokens {
		wg.Go(func() {
			for todo.Add(-1) >= 0 {
				var job struct{ ID int64 }
				if code := call("POST", "/api/v1/jobs/lease", tok, "{}", &job); code != 200 {
					b.Errorf("lease: %d", code)
					return
				}
				if code := call("POST", fmt.Sprintf("/api/v1/jobs/%d/complete", job.ID), tok, "{}", nil); code != 200 {
					b.Errorf("complete: %d", code)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "roundtrips/s")
}
