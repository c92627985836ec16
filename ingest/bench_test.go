package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
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
	"github.com/triaged/triaged/internal/github"
	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/protocol"
	"github.com/triaged/triaged/internal/store"
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

// serve runs a server over st as in production: its HTTP surface and its
// background workers (the rollup folder, the status recorder), whose work
// is part of what an upload costs.
func serve(b *testing.B, st *store.Store) (url string) {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	srv := app.New(app.Config{Version: "bench", AdminToken: admin, Log: slog.New(slog.DiscardHandler)}, st)
	go func() { done <- srv.ServeListener(ctx, ln, 5*time.Second) }()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	})
	return "http://" + ln.Addr().String()
}

// BenchmarkIngest pushes 500-result batches over HTTP from 8 concurrent
// clients to a server running as in production (signatures, verdicts,
// rollups folded in the background), and in the same run COPYs the same
// number of rows straight into results: results/s of both, and their
// ratio (target ≥ 0.5).
func BenchmarkIngest(b *testing.B) {
	const perBatch = 500
	clients := 8
	if c := os.Getenv("BENCH_CLIENTS"); c != "" {
		clients, _ = strconv.Atoi(c)
	}
	st := pgtest.NewStore(b)
	srv := struct{ URL string }{serve(b, st)}
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
	ctx := context.Background()
	var testID, sigID int64
	st.Pool().QueryRow(ctx, `SELECT min(id) FROM tests`).Scan(&testID)
	st.Pool().QueryRow(ctx, `SELECT min(id) FROM signatures`).Scan(&sigID)
	rec := github.NewRecorder(st, github.Config{}, slog.New(slog.DiscardHandler))
	quiet := func() {
		// An upload is done when the background work it caused is: its
		// counts folded into the rollups, its commit's status recorded.
		// Whatever the server's workers have not done yet is done here, and
		// counted.
		for {
			folded, err := st.FoldRollups(ctx)
			if err != nil {
				b.Fatal(err)
			}
			recorded, err := rec.Once(ctx)
			if err != nil {
				b.Fatal(err)
			}
			var pending int
			st.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM rollup_deltas) + (SELECT count(*) FROM revision_rollup_deltas)
				+ (SELECT count(*) FROM signature_revision_deltas) + (SELECT count(*) FROM status_dirty)`).Scan(&pending)
			if pending == 0 {
				return
			}
			if folded+recorded == 0 {
				time.Sleep(time.Millisecond) // another worker holds the rest
			}
		}
	}
	quiet()

	// Rounds alternate uploads over HTTP and the baseline, a raw COPY of
	// the same rows (every column ingest writes, one in ten failing with
	// its failure text) into the same tables, so both see the machine as
	// it is at the time.
	const round = 64
	var httpTime, copyTime time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; done += round {
		n := min(round, b.N-done)
		start := time.Now()
		var wg sync.WaitGroup
		var todo atomic.Int64
		todo.Store(int64(n))
		for range clients {
			wg.Go(func() {
				for todo.Add(-1) >= 0 {
					post()
				}
			})
		}
		wg.Wait()
		quiet()
		httpTime += time.Since(start)

		start = time.Now()
		for k := range n {
			copyBaseline(b, ctx, st, fmt.Sprint("raw-", done+k), testID, sigID, perBatch)
		}
		copyTime += time.Since(start)
	}
	b.StopTimer()
	httpRate := float64(b.N*perBatch) / httpTime.Seconds()
	copyRate := float64(b.N*perBatch) / copyTime.Seconds()
	b.ReportMetric(httpRate, "results/s")
	b.ReportMetric(copyRate, "copy-results/s")
	b.ReportMetric(httpRate/copyRate, "ratio")
}

// copyBaseline writes one batch's rows the fastest way PostgreSQL takes
// them: one COPY of results with every column ingest writes, and one of the
// failing tenth's failure texts, in a transaction.
func copyBaseline(b *testing.B, ctx context.Context, st *store.Store, batch string, testID, sigID int64, n int) {
	cols := []string{"id", "batch_id", "test_id", "outcome", "duration_us", "repo", "revision", "builder",
		"runner_id", "runner_os", "job_id", "campaign_id", "iteration", "signature_id", "detector", "created_at", "infra"}
	err := pgx.BeginFunc(ctx, st.Pool(), func(tx pgx.Tx) error {
		var first int64
		if err := tx.QueryRow(ctx, `SELECT nextval('results_id_seq') FROM generate_series(1, $1) ORDER BY 1 LIMIT 1`, n).Scan(&first); err != nil {
			return err
		}
		now := time.Now()
		rows, texts := make([][]any, n), [][]any{}
		for i := range n {
			var sig any
			outcome := "pass"
			if i%10 == 0 {
				outcome, sig = "fail", sigID
				texts = append(texts, []any{first + int64(i), "Traceback (most recent call last):\n  File \"x.py\", line 3\nAssertionError: 1 != 2\n", int32(0), now})
			}
			rows[i] = []any{first + int64(i), batch, testID, outcome, int64(10000), "o/r", "abc0001", "b", nil, "", nil, nil, nil, sig, nil, now, false}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"results"}, cols, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"failure_texts"}, []string{"result_id", "text", "truncated", "created_at"}, pgx.CopyFromRows(texts))
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
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
